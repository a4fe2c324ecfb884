/**
 * Every object of the window is read or reported, and every line that is not
 * a record is counted where it is, the same way by `reconcile` (each engine)
 * and `history`, through their CLIs, over small folder archives: record times
 * that name no real instant, valid lines before a byte that is not UTF-8,
 * data after a NUL between gzip members, a symbolic link among the objects,
 * and a Kinesis-path object whose key lacks Firehose's timestamp.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { messageStatusEvent } from '../../dev/eventStreamSamples';
import { FolderArchiveStore } from '../../src/adapters/archive/archiveStore';
import { firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine, type ArchiveRecord } from '../../src/domain/archiveRecord';
import type { MessageStory } from '../../src/domain/messageHistory';
import type { ReconcileSummary } from '../../src/reconcile/reconcile';
import { runScript } from '../helpers/runScript';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const DAY = '2026-11-25';
const SID = 'SM00000000000000000000000000000abc';
const KEY = firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: new Date(`${DAY}T10:00:00Z`), uuid: 'a', gzip: false });

function rec(source: ArchiveRecord['source'], status: string, recordedAt: string, extra: Partial<ArchiveRecord> = {}): ArchiveRecord {
  return {
    v: 1,
    source,
    recorded_at: recordedAt,
    event_at: source === 'send' ? recordedAt : null,
    account_sid: ACCOUNT,
    message_sid: SID,
    messaging_service_sid: null,
    status,
    error_code: null,
    to: '+14155550100',
    from: '+15005550006',
    idempotency_token: null,
    tags: {},
    params: {},
    ...extra,
  };
}

const line = (r: ArchiveRecord) => toArchiveLine(r).trimEnd();
const sendLine = line(rec('send', 'queued', `${DAY}T10:00:00.000Z`));
const sentLine = line(rec('callback', 'sent', `${DAY}T10:00:05.000Z`));

let dir: string;
let archive: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'read-gaps-'));
  archive = join(dir, 'archive');
  mkdirSync(archive);
  // Twilio says delivered: a record the readers lose or wrongly take shows as a different category.
  writeFileSync(join(dir, 'list.csv'), `sid,status,to,date_created,direction\n${SID},delivered,+14155550100,${DAY}T10:00:00.000Z,outbound-api\n`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function put(key: string, body: Buffer | string): Promise<void> {
  await new FolderArchiveStore(archive).put(key, Buffer.isBuffer(body) ? body : Buffer.from(body));
}

async function reconcileRun(engine: 'local' | 'duckdb' = 'local') {
  const out = join(dir, `out-${engine}`);
  const result = await runScript('scripts/reconcile.ts', [
    '--archive',
    archive,
    '--day',
    DAY,
    '--export',
    join(dir, 'list.csv'),
    '--out',
    out,
    '--engine',
    engine,
  ]);
  let summary: ReconcileSummary | undefined;
  try {
    summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as ReconcileSummary;
  } catch {
    summary = undefined;
  }
  return { ...result, summary };
}

/** poll-stale over the day, fetching nothing: what it says of its read of the archive. */
async function pollStaleRun() {
  const out = join(dir, 'poll.json');
  const result = await runScript('scripts/poll-stale.ts', [
    '--archive',
    archive,
    '--since',
    `${DAY}T00:00:00Z`,
    '--until',
    '2026-11-26T00:00:00Z',
    '--dry-run',
    '--out',
    out,
  ]);
  return { ...result, read: (JSON.parse(readFileSync(out, 'utf8')) as { archive_read: ReconcileSummary['inputs']['archive_read'] }).archive_read };
}

async function historyRun() {
  const result = await runScript('scripts/history.ts', ['--archive', archive, '--sid', SID, '--from', '2026-11-24', '--to-day', '2026-11-26', '--json']);
  const json = result.stdout.trim().startsWith('{')
    ? (JSON.parse(result.stdout) as { looked: { objects: number; corrupt: { key: string; line?: number; reason: string }[] }; messages: MessageStory[] })
    : undefined;
  return { ...result, json };
}

describe('record times that name no real instant', () => {
  const impossible = ['2026-11-25T25:61:61.000Z', '2026-13-01T10:00:00.000Z', '2026-11-00T10:00:00.000Z', '2026-02-31T10:00:00.000Z'];

  beforeEach(async () => {
    const lines = [sendLine, sentLine, ...impossible.map((at) => line(rec('callback', 'delivered', at)))];
    await put(KEY, `${lines.join('\n')}\n`);
  });

  it('make their lines malformed, each reported with its key and line number, on --engine local and duckdb alike', async () => {
    const summaries = [];
    for (const engine of ['local', 'duckdb'] as const) {
      const run = await reconcileRun(engine);
      expect({ engine, stderr: run.stderr }).not.toEqual({ engine, stderr: expect.stringMatching(/cannot proceed|Conversion Error/) });
      expect({ engine, code: run.code }).toEqual({ engine, code: 1 });
      const summary = run.summary!;
      expect(summary.inputs.archive_read).toMatchObject({ complete: false, malformed_lines: 4, corrupt_objects: 0 });
      expect(summary.inputs.archive_read.problems).toEqual(
        [3, 4, 5, 6].map((n) => ({ key: KEY, line: n, reason: 'recorded_at is not a real ISO-8601 UTC time' })),
      );
      // The impossible `delivered` callbacks are not taken: the archive's latest status is `sent`.
      expect(summary.counts).toMatchObject({ ok: 0, status_behind: 1 });
      expect(run.stdout).not.toMatch(/No gap left/);
      summaries.push({ ...summary, duration_ms: 0 });
    }
    expect(summaries[1]).toEqual(summaries[0]);
  });

  it('are not folded by history, nor read as another day: each line is shown as malformed', async () => {
    const run = await historyRun();
    const story = run.json!.messages.find((m) => m.message_sid === SID)!;
    expect(story.outcome.status).toBe('sent');
    const odd = story.entries.filter((e) => impossible.includes(e.recorded_at));
    expect(odd.map((e) => e.line).sort()).toEqual([3, 4, 5, 6]);
    for (const entry of odd) expect(entry.notes.join(' ')).toMatch(/counted as malformed, folded into nothing/);
    expect(run.stdout).not.toMatch(/2026-03-03/);
  });
});

describe('a byte that is not UTF-8', () => {
  beforeEach(async () => {
    const body = Buffer.concat([Buffer.from(`${sendLine}\n${sentLine}\n`), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), Buffer.from(`${sendLine}\n`)]);
    await put(KEY, body);
  });

  it('keeps the valid lines before it, in the same chunk, and reports the damaged line with its key and number', async () => {
    const run = await reconcileRun();
    const read = run.summary!.inputs.archive_read;
    expect(read).toMatchObject({ complete: false, corrupt_objects: 1 });
    expect(read.problems).toEqual([{ key: KEY, line: 3, reason: expect.stringMatching(/not UTF-8/) }]);
    // The send and the `sent` callback before the damage were read: the message is behind, not missing.
    expect(run.summary!.counts).toMatchObject({ missing: 0, status_behind: 1 });

    const history = await historyRun();
    expect(history.json!.messages.find((m) => m.message_sid === SID)!.entries.map((e) => e.line)).toEqual([1, 2]);
    expect(history.json!.looked.corrupt).toEqual([{ key: KEY, line: 3, reason: expect.stringMatching(/not UTF-8/) }]);
  });
});

describe('data after a NUL between gzip members', () => {
  const key = KEY.replace(/$/, '.gz');
  beforeEach(async () => {
    await put(key, Buffer.concat([gzipSync(`${sendLine}\n`), Buffer.from([0]), gzipSync(`${sentLine}\n`)]));
  });

  it('is not dropped without a word: the object is reported as partly read, and why, by reconcile, poll-stale and history', async () => {
    const run = await reconcileRun();
    const read = run.summary!.inputs.archive_read;
    expect(read).toMatchObject({ complete: false, corrupt_objects: 1 });
    expect(read.problems).toEqual([{ key, reason: expect.stringMatching(/partly read after line 1: .* not gzip/) }]);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/RESULT INCOMPLETE/);
    const poll = await pollStaleRun();
    expect(poll.code).toBe(1);
    expect(poll.read).toMatchObject({ complete: false, corrupt_objects: 1, problems: read.problems });

    const history = await historyRun();
    expect(history.json!.looked.corrupt).toEqual([{ key, reason: expect.stringMatching(/not gzip/) }]);
    expect(history.code).toBe(1);
  });

  it('trailing zeros alone (padding) lose nothing and are not a problem', async () => {
    rmSync(join(archive, ...key.split('/')));
    await put(key, Buffer.concat([gzipSync(`${sendLine}\n`), gzipSync(`${sentLine}\n`), Buffer.alloc(16)]));
    const read = (await reconcileRun()).summary!.inputs.archive_read;
    expect(read).toMatchObject({ complete: true, corrupt_objects: 0, malformed_lines: 0 });
  });
});

describe('a symbolic link among the objects', () => {
  const link = firehoseObjectKey({
    prefix: 'firehose/',
    streamName: 's',
    streamVersion: 1,
    oldestArrival: new Date(`${DAY}T10:05:00Z`),
    uuid: 'l',
    gzip: false,
  });
  beforeEach(async () => {
    await put(KEY, `${sendLine}\n`);
    // A link to a file outside the archive, holding a record that would change the message's category.
    const outside = join(dir, 'outside.ndjson');
    writeFileSync(outside, `${line(rec('callback', 'delivered', `${DAY}T10:06:00.000Z`))}\n`);
    symlinkSync(outside, join(archive, ...link.split('/')));
  });

  it('is neither followed nor passed over: reconcile, poll-stale and history report it as an object not read, with its key, and report marks the day', async () => {
    const run = await reconcileRun();
    const read = run.summary!.inputs.archive_read;
    expect(read).toMatchObject({ complete: false, corrupt_objects: 1, objects: 2 });
    expect(read.problems).toEqual([{ key: link, reason: expect.stringMatching(/symbolic link.*not followed/) }]);
    const poll = await pollStaleRun();
    expect(poll.code).toBe(1);
    expect(poll.read).toMatchObject({ complete: false, corrupt_objects: 1, problems: read.problems });
    // report, from the run's summary: the day was only partly read.
    const report = await runScript('scripts/report.ts', ['--runs', dir, '--from', DAY, '--to-day', DAY, '--out', join(dir, 'period.html')]);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(new RegExp(`${DAY}: .*only partly read`));
    // Its record was not read: the message is behind (queued), not ok.
    expect(run.summary!.counts).toMatchObject({ ok: 0, status_behind: 1 });

    const history = await historyRun();
    expect(history.json!.looked.corrupt).toEqual([{ key: link, reason: expect.stringMatching(/symbolic link/) }]);
    expect(history.json!.messages.find((m) => m.message_sid === SID)!.outcome.status).toBe('queued');
  });
});

describe('a Kinesis-path object whose key lacks Firehose timestamp', () => {
  beforeEach(async () => {
    await put(KEY, `${sendLine}\n`);
    const event = messageStatusEvent({ accountSid: ACCOUNT, messageSid: SID, status: 'delivered', at: new Date(`${DAY}T10:01:00Z`) });
    await put('events/2026/11/25/10/copied-by-hand.ndjson', `${JSON.stringify(event)}\n`);
  });

  it('is read by history as reconcile reads it: at the event own time', async () => {
    const run = await reconcileRun();
    expect(run.summary!.inputs.archive_read).toMatchObject({ complete: true, malformed_lines: 0 });
    expect(run.summary!.counts).toMatchObject({ ok: 1 });

    const history = await historyRun();
    const story = history.json!.messages.find((m) => m.message_sid === SID)!;
    expect(story.entries.map((e) => [e.key, e.source])).toContainEqual(['events/2026/11/25/10/copied-by-hand.ndjson', 'event_stream']);
    expect(story.outcome.status).toBe('delivered');
  });
});
