/**
 * `history` through its CLI, over an archive in which one message has a
 * record of every kind, across objects, prefixes and days, out of order and
 * duplicated: found by SID (searching back from today), by client reference,
 * by tag and by a full number in a redacted archive; as a table, as JSON and
 * as an evidence sheet.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { messageStatusEvent } from '../../dev/eventStreamSamples';
import { FolderArchiveStore } from '../../src/adapters/archive/archiveStore';
import { directObjectKey, firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine, type ArchiveRecord } from '../../src/domain/archiveRecord';
import type { MessageStory } from '../../src/domain/messageHistory';
import { startAthenaStandIn, type AthenaStandIn } from '../helpers/fakeAthena';
import { runScript } from '../helpers/runScript';
import { startS3rver, type S3rverHandle } from '../helpers/s3rverProcess';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const SID = 'SM00000000000000000000000000000abc';
const OTHER = 'SM00000000000000000000000000000def';
const DAY_MS = 86_400_000;
// Two days ago and yesterday, so that the search back from today finds them.
const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
const at = (daysAgo: number, hh: number, mm = 0) => new Date(today - daysAgo * DAY_MS + hh * 3_600_000 + mm * 60_000);

function rec(source: ArchiveRecord['source'], status: string | null, recorded: Date, extra: Partial<ArchiveRecord> = {}): ArchiveRecord {
  return {
    v: 1,
    source,
    recorded_at: recorded.toISOString(),
    event_at: null,
    account_sid: ACCOUNT,
    message_sid: SID,
    messaging_service_sid: null,
    status,
    error_code: null,
    to: '+1415555****',
    from: '+15005550006',
    idempotency_token: null,
    tags: {},
    params: {},
    ...extra,
  };
}

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'history-'));
  const store = new FolderArchiveStore(dir);
  const delivered = rec('callback', 'delivered', at(2, 10, 6), { event_at: at(2, 10, 5).toISOString(), tags: { order_id: 'o-42' } });
  const objects: [string, ArchiveRecord[]][] = [
    [
      firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: at(2, 10), uuid: 'a', gzip: true }),
      [
        rec('send', 'queued', at(2, 10), { event_at: at(2, 10).toISOString(), tags: { client_ref: 'ref-42', order_id: 'o-42' } }),
        delivered,
        rec('callback', 'sent', at(2, 10, 9), { event_at: at(2, 10, 1).toISOString() }),
        rec('send', 'queued', at(2, 10), { message_sid: OTHER, tags: { client_ref: 'ref-other' } }),
      ],
    ],
    // The same callback again, in another object (at-least-once), and a Debugger alert.
    [
      firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: at(2, 11), uuid: 'b', gzip: false }),
      [
        delivered,
        rec('debugger', null, at(2, 11, 2), {
          event_at: at(2, 11, 1).toISOString(),
          error_code: '30003',
          to: null,
          idempotency_token: 'NO1',
          params: { Level: 'WARNING' },
        }),
      ],
    ],
    // A day later: a poll and a correction.
    [directObjectKey('direct/', 'poll', at(1, 3), 'c'), [rec('poll', 'delivered', at(1, 3), { event_at: at(2, 10, 5).toISOString() })]],
    [directObjectKey('direct/', 'reconcile', at(1, 6), 'd'), [rec('reconcile', 'read', at(1, 6), { event_at: at(1, 5).toISOString() })]],
  ];
  for (const [key, records] of objects) {
    const body = records.map(toArchiveLine).join('');
    await store.put(key, key.endsWith('.gz') ? gzipSync(body) : Buffer.from(body));
  }
  // The Kinesis path's CloudEvent about the same message, read through the /event-stream mapping.
  const event = messageStatusEvent({ accountSid: ACCOUNT, messageSid: SID, status: 'sent', at: at(2, 10, 1), to: '+14155550142' });
  await store.put(
    firehoseObjectKey({ prefix: 'events/', streamName: 'e', streamVersion: 1, oldestArrival: at(2, 10, 2), uuid: 'e', gzip: false }),
    Buffer.from(`${JSON.stringify(event)}\n`),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The archive without its Kinesis-path objects, which history's SQL engines refuse to search. */
async function copyWithoutEvents(from: string, to: string): Promise<void> {
  const source = new FolderArchiveStore(from);
  const copy = new FolderArchiveStore(to);
  for await (const object of source.list('')) {
    if (object.key.startsWith('events/')) continue;
    const chunks: Buffer[] = [];
    for await (const chunk of await source.open(object.key)) chunks.push(chunk as Buffer);
    await copy.put(object.key, Buffer.concat(chunks));
  }
}

const history = (args: string[], env: Record<string, string> = {}) =>
  runScript('scripts/history.ts', ['--archive', dir, ...args], { ARCHIVE_REDACT_DIGITS: '4', ...env });

describe('history', () => {
  it('finds a message by SID, searching back from today, and tells every record in order with where it is, and the rules', async () => {
    const result = await history(['--sid', SID]);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/Looked at .* searched back from today to the latest day with its records/);
    expect(out).toContain(`Message ${SID}: 8 record(s)`);
    for (const source of ['send', 'callback', 'event_stream', 'debugger', 'poll', 'reconcile']) expect(out).toContain(`  ${source}`);
    // The alert's error code is evidence, not the message's: the outcome has none.
    expect(out).toContain('Outcome: `read` (final), created');
    expect(out).toMatch(/- Final status `read` \(rank 5\) from the reconcile record of .* which ranks above `queued` \(1\), `sent` \(3\), `delivered` \(4\)\./);
    expect(out).toMatch(/a duplicate of firehose\/.*:2 \(delivered again\): changes nothing/);
    expect(out).toMatch(/a Debugger alert \(error 30003 \(Unreachable destination handset\)\): evidence, never a status/);
    expect(out).toMatch(/Records arrived out of order/);
    // The event's number is masked as it is read (ARCHIVE_REDACT_DIGITS=4).
    expect(out).not.toContain('4155550142');
  });

  it('finds the message by client reference and by tag, then shows every record of it', async () => {
    for (const args of [
      ['--client-ref', 'ref-42'],
      ['--tag', 'order_id=o-42'],
    ]) {
      const result = await history([
        ...args,
        '--from',
        new Date(today - 3 * DAY_MS).toISOString().slice(0, 10),
        '--to-day',
        new Date(today).toISOString().slice(0, 10),
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Message ${SID}: 8 record(s)`);
      expect(result.stdout).not.toContain(OTHER);
      expect(result.stdout).toMatch(/the days asked for; then every record of the messages found/);
    }
  });

  it('finds by a full number in a redacted archive, prints it masked, and writes JSON and an evidence sheet', async () => {
    const sheet = join(dir, 'evidence.html');
    const result = await history(['--to', '+14155550101', '--json', '--html', sheet]);
    expect(result.code).toBe(0);
    expect(`${result.stdout}${readFileSync(sheet, 'utf8')}`).not.toContain('4155550101');
    const json = JSON.parse(result.stdout) as { query: { number: string }; messages: MessageStory[] };
    expect(json.query.number).toBe('+1415555****');
    expect(json.messages.map((m) => m.message_sid).sort()).toEqual([SID, OTHER]);
    const page = readFileSync(sheet, 'utf8');
    expect(page).toContain('<title>Message history: recipient +1415555****</title>');
    expect(page).toContain('Final status `read` (rank 5)');
    expect(page).not.toMatch(/<script/);
  });

  it('exits 1 when nothing is found, saying how far it looked, and 2 on bad arguments', async () => {
    const none = await history(['--sid', 'SM0000000000000000000000000000ffff', '--max-days', '3']);
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/searched back 3 day\(s\) from today and found nothing/);
    expect((await history(['--sid', 'SM1'])).code).toBe(2);
    expect((await history(['--sid', SID, '--client-ref', 'x'])).code).toBe(2);
    expect((await history(['--sid', SID, '--from', '2026-11-01'])).code).toBe(2);
    // --engine athena: an s3:// archive, the days given, and not --to.
    const athena = await history(['--sid', SID, '--engine', 'athena', '--from', '2026-11-01', '--to-day', '2026-11-02']);
    expect(athena.code).toBe(2);
    expect(athena.stderr).toMatch(/--archive must be its s3:\/\/ root/);
    const athenaS3 = (args: string[]) => runScript('scripts/history.ts', ['--archive', 's3://archive/', '--engine', 'athena', ...args], {});
    expect((await athenaS3(['--sid', SID])).stderr).toMatch(/give --from and --to-day/);
    expect((await athenaS3(['--to', '+14155550101', '--from', '2026-11-01', '--to-day', '2026-11-02'])).stderr).toMatch(/use --engine local/);
  });

  it('--engine duckdb tells, by SID and by client reference, the story --engine local tells; refuses events days, --to, and no range', async () => {
    const range = ['--from', new Date(today - 3 * DAY_MS).toISOString().slice(0, 10), '--to-day', new Date(today).toISOString().slice(0, 10)];
    // The fixture's Kinesis-path object: refused (its SQL reads record lines only), named, before DuckDB reads anything.
    const refused = await history(['--sid', SID, '--engine', 'duckdb', ...range]);
    expect({ code: refused.code, stderr: refused.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(/events\/.*history --engine duckdb does not read yet/),
    });
    expect((await history(['--sid', SID, '--engine', 'duckdb'])).stderr).toMatch(/--engine duckdb reads the days asked for: give --from and --to-day/);
    expect((await history(['--to', '+14155550101', '--engine', 'duckdb', ...range])).stderr).toMatch(/which --engine duckdb does not do: use --engine local/);
    expect((await history(['--sid', SID, '--memory', '1GB', ...range])).stderr).toMatch(/--memory is for --engine duckdb/);
    const bare = mkdtempSync(join(tmpdir(), 'history-bare-'));
    try {
      await copyWithoutEvents(dir, bare);
      for (const query of [
        ['--sid', SID],
        ['--client-ref', 'ref-42'],
      ]) {
        const duck = await runScript('scripts/history.ts', ['--archive', bare, '--engine', 'duckdb', '--memory', '200MB', ...query, ...range, '--json'], {});
        const local = await runScript('scripts/history.ts', ['--archive', bare, ...query, ...range, '--json'], {});
        expect({ code: duck.code, stderr: duck.stderr }).toEqual({ code: 0, stderr: '' });
        const stories = (out: string) => (JSON.parse(out) as { messages: MessageStory[] }).messages;
        expect(stories(duck.stdout)).toEqual(stories(local.stdout));
        expect(stories(duck.stdout)[0].entries).toHaveLength(7);
      }
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  }, 60_000);

  describe('--engine athena, against S3 (s3rver) and a stand-in Athena over HTTP', () => {
    let s3: S3rverHandle;
    let standIn: AthenaStandIn | undefined;
    const range = () => ['--from', new Date(today - 3 * DAY_MS).toISOString().slice(0, 10), '--to-day', new Date(today).toISOString().slice(0, 10)];
    beforeAll(async () => {
      s3 = await startS3rver(['archive', 'athena-results']);
    }, 60_000);
    afterAll(async () => {
      await standIn?.close();
      await s3?.stop();
    });

    it('refuses a range that holds Kinesis-path events, which its SQL does not read', async () => {
      standIn = await startAthenaStandIn(dir, s3);
      const result = await runScript('scripts/history.ts', ['--archive', 's3://archive/', '--engine', 'athena', '--sid', SID, ...range()], standIn.env);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/events\/.*--engine athena does not read yet/);
      await standIn.close();
      standIn = undefined;
    });

    it('tells, by SID and by client reference, the story --engine local tells, with what the queries scanned', async () => {
      // The same archive without its Kinesis-path object, in a fresh bucket.
      const bare = mkdtempSync(join(tmpdir(), 'history-bare-'));
      try {
        await copyWithoutEvents(dir, bare);
        await s3.stop();
        s3 = await startS3rver(['archive', 'athena-results']);
        standIn = await startAthenaStandIn(bare, s3);
        for (const query of [
          ['--sid', SID],
          ['--client-ref', 'ref-42'],
        ]) {
          const athena = await runScript(
            'scripts/history.ts',
            ['--archive', 's3://archive/', '--engine', 'athena', ...query, ...range(), '--json'],
            standIn.env,
          );
          const local = await runScript('scripts/history.ts', ['--archive', bare, ...query, ...range(), '--json'], {});
          expect(athena.code).toBe(0);
          const stories = (out: string) => (JSON.parse(out) as { messages: MessageStory[] }).messages;
          expect(stories(athena.stdout)).toEqual(stories(local.stdout));
          expect(stories(athena.stdout)[0].entries).toHaveLength(7);
          expect(athena.stderr).toMatch(/athena workgroup message-archive, .*: \d+ queries scanned/);
        }
      } finally {
        rmSync(bare, { recursive: true, force: true });
      }
    }, 60_000);
  });
});
