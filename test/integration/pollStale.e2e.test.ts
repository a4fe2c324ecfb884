/**
 * End to end: an archive of fresh, stale and final messages → poll-stale (the
 * real CLI) against the fake Twilio API → exactly the stale messages are
 * fetched, poll records are appended (through the local Firehose, or straight
 * into the archive), and a second run fetches nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { FolderArchiveStore } from '../../src/adapters/archive/archiveStore';
import { scanArchive } from '../../src/adapters/archive/archiveScanner';
import { directObjectKey, firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine, type ArchiveRecord } from '../../src/domain/archiveRecord';
import { FolderDestination } from '../../dev/firehose/destinations';
import { LocalFirehose } from '../../dev/firehose/localFirehose';
import { FakeTwilioApi } from '../../dev/fakeTwilio/fakeTwilioApi';
import type { PollSummary } from '../../src/poller/pollStale';
import { runScript } from '../helpers/runScript';
import { startAthenaStandIn } from '../helpers/fakeAthena';
import { readObjects, startS3rver } from '../helpers/s3rverProcess';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'fake-auth-token-0123456789abcdef';
const HOUR = 3_600_000;
const now = Date.now();
const sid = (name: string) => `SM${Buffer.from(name).toString('hex').padEnd(32, '0').slice(0, 32)}`;

function record(messageSid: string, source: ArchiveRecord['source'], status: string, at: number, extra: Partial<ArchiveRecord> = {}): ArchiveRecord {
  return {
    v: 1,
    source,
    recorded_at: new Date(at).toISOString(),
    event_at: source === 'send' ? new Date(at).toISOString() : null,
    account_sid: ACCOUNT,
    message_sid: messageSid,
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

const M = {
  fresh: sid('fresh'),
  delivered: sid('deliverd'),
  staleNowDelivered: sid('stale-dl'),
  staleStillSent: sid('stale-sn'),
  staleGone: sid('stale-gn'),
  staleFailed: sid('stale-fl'),
  staleOld: sid('old'),
};

/** The archive: send records, and callbacks for some, in Firehose's layout. */
async function writeArchive(dir: string): Promise<void> {
  const store = new FolderArchiveStore(dir);
  const at = (hoursAgo: number) => now - hoursAgo * HOUR;
  const records = [
    record(M.fresh, 'send', 'queued', at(1)),
    record(M.fresh, 'callback', 'sent', at(0.9)),
    record(M.delivered, 'send', 'queued', at(30)),
    record(M.delivered, 'callback', 'delivered', at(29.9)),
    record(M.delivered, 'callback', 'sent', at(29.8)), // late, out of order: must not undo delivered
    record(M.staleNowDelivered, 'send', 'accepted', at(20)),
    record(M.staleNowDelivered, 'callback', 'sent', at(19.9)),
    record(M.staleStillSent, 'send', 'queued', at(16)),
    record(M.staleGone, 'send', 'queued', at(14)),
    record(M.staleFailed, 'send', 'queued', at(13)),
    record(M.staleOld, 'send', 'queued', at(24 * 10)),
  ];
  for (const [i, r] of records.entries()) {
    const arrival = new Date(r.recorded_at);
    await store.put(
      firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: arrival, uuid: `u${i}`, gzip: false }),
      Buffer.from(toArchiveLine(r)),
    );
  }
}

const runPollStale = (args: string[], env: Record<string, string>) => runScript('scripts/poll-stale.ts', args, env);

describe('poll-stale end to end', () => {
  let dir: string;
  let fake: FakeTwilioApi;
  let twilioEnv: Record<string, string>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'poll-stale-'));
    await writeArchive(dir);
    fake = new FakeTwilioApi([{ accountSid: ACCOUNT, authToken: TOKEN }]);
    await fake.start();
    twilioEnv = { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.url };
    const updated = new Date(now - 12 * HOUR);
    fake.putMessage({ sid: M.staleNowDelivered, account_sid: ACCOUNT, status: 'delivered', date_updated: updated });
    fake.putMessage({ sid: M.staleStillSent, account_sid: ACCOUNT, status: 'sent', date_updated: updated });
    fake.putMessage({ sid: M.staleFailed, account_sid: ACCOUNT, status: 'undelivered', error_code: 30003, date_updated: updated });
    for (const name of ['fresh', 'delivered', 'staleOld'] as const) fake.putMessage({ sid: M[name], account_sid: ACCOUNT, status: 'delivered' });
  });
  afterEach(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fetches exactly the stale messages, appends poll records through Firehose, and a second run fetches nothing', async () => {
    const firehose = new LocalFirehose({ streamNames: ['poll-test'], destination: new FolderDestination(dir), hints: { intervalMs: 60_000 } });
    const firehoseUrl = await firehose.start();
    const out = join(dir, 'summary.json');
    const env = {
      ...twilioEnv,
      ARCHIVE_FIREHOSE_STREAM: 'poll-test',
      ARCHIVE_FIREHOSE_ENDPOINT: firehoseUrl,
      ARCHIVE_AWS_ACCESS_KEY_ID: 'LOCAL',
      ARCHIVE_AWS_SECRET_ACCESS_KEY: 'LOCAL',
    };
    try {
      const first = await runPollStale(['--archive', dir, '--since', '3d', '--out', out], env);
      expect(first.stderr).not.toMatch(/cannot proceed/);
      expect(first.code).toBe(0);
      expect([...fake.fetchedSids].sort()).toEqual([M.staleNowDelivered, M.staleStillSent, M.staleGone, M.staleFailed].sort());
      const summary = JSON.parse(readFileSync(out, 'utf8')) as PollSummary;
      expect(summary.counts).toEqual({ scanned_records: 10, messages: 6, stale: 4, fetched: 4, now_final: 2, still_pending: 1, not_found: 1, failed: 0 });
      expect(summary.needs_attention.map((a) => a.message_sid).sort()).toEqual([M.staleGone, M.staleStillSent].sort());
      expect(first.stdout).toMatch(/Fetched 4: 2 now final, 1 still pending, 1 not found at Twilio; 0 failed\./);

      await firehose.flush();
      const polls: Record<string, unknown>[] = [];
      await scanArchive(new FolderArchiveStore(dir), {
        prefixes: ['firehose/'],
        onRecord: (facts) => {
          if (facts.source === 'poll') polls.push(facts as unknown as Record<string, unknown>);
        },
      });
      expect(polls).toHaveLength(4);
      expect(polls.find((p) => p.message_sid === M.staleFailed)).toMatchObject({
        status: 'undelivered',
        error_code: '30003',
        event_at: new Date(now - 12 * HOUR).toISOString().replace(/\.\d{3}Z$/, '.000Z'),
      });
      expect(polls.find((p) => p.message_sid === M.staleGone)).toMatchObject({ status: 'not_found' });

      const second = await runPollStale(['--archive', dir, '--since', '3d', '--append', 'archive'], env);
      expect(second.code).toBe(0);
      expect(fake.fetchedSids).toHaveLength(4);
      expect(second.stdout).toMatch(/Stale \(no final status, silent 12h\+\): 0\./);
    } finally {
      await firehose.stop();
    }
  });

  it('appends straight into the archive with --append archive, in the direct/ prefix', async () => {
    const run = await runPollStale(['--archive', dir, '--since', '3d', '--append', 'archive'], twilioEnv);
    expect(run.code).toBe(0);
    const objects: string[] = [];
    for await (const o of new FolderArchiveStore(dir).list('direct/')) objects.push(o.key);
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatch(/^direct\/\d{4}\/\d\d\/\d\d\/\d\d\/poll-[\d-]{19}-[0-9a-f-]{36}$/);
    expect(readFileSync(join(dir, objects[0]), 'utf8').trimEnd().split('\n')).toHaveLength(4);
    expect((await runPollStale(['--archive', dir, '--since', '3d', '--append', 'archive'], twilioEnv)).code).toBe(0);
    expect(fake.fetchedSids).toHaveLength(4);
  });

  it('names where poll records went as a path: the archive folder, a separator, then direct/', async () => {
    const out = join(dir, 'summary.json');
    const run = await runPollStale(['--archive', dir, '--since', '3d', '--append', 'archive', '--out', out], twilioEnv);
    expect(run.code).toBe(0);
    const where = join(dir, 'direct') + sep;
    expect(run.stdout).toContain(`Poll records appended to ${where}.`);
    expect((JSON.parse(readFileSync(out, 'utf8')) as PollSummary).appended_to).toBe(where);
  });

  it('refuses a window whose --since is not before --until, or that lies in the future: exit 2, nothing fetched', async () => {
    const reversed = await runPollStale(['--archive', dir, '--since', '1d', '--until', '3d', '--append', 'archive'], twilioEnv);
    expect(reversed).toMatchObject({ code: 2, stderr: expect.stringMatching(/--since \(\S+\) must be before --until \(\S+\)/) });
    const empty = await runPollStale(['--archive', dir, '--since', '2026-11-25T06:00:00Z', '--until', '2026-11-25T06:00:00Z'], twilioEnv);
    expect(empty).toMatchObject({ code: 2, stderr: expect.stringMatching(/--since \(2026-11-25T06:00:00.000Z\) must be before --until/) });
    const future = new Date(now + 48 * HOUR).toISOString();
    const ahead = await runPollStale(['--archive', dir, '--since', future, '--append', 'archive'], twilioEnv);
    expect(ahead).toMatchObject({ code: 2, stderr: expect.stringMatching(/--since \(\S+\) is in the future/) });
    for (const run of [reversed, empty, ahead]) expect(run.stderr + run.stdout).not.toMatch(/undefined/);
    expect(fake.stats.requests).toBe(0);
    const written: string[] = [];
    for await (const o of new FolderArchiveStore(dir).list('direct/')) written.push(o.key);
    expect(written).toEqual([]);
  });

  it('with --engine athena (s3rver, and a stand-in Athena over HTTP running the same statements), finds and polls exactly the same messages', async () => {
    const s3 = await startS3rver(['archive', 'athena-results']);
    const standIn = await startAthenaStandIn(dir, s3, { scanLimit: 10 * 1024 ** 3 });
    try {
      const out = join(dir, 'summary.json');
      const run = await runPollStale(['--archive', 's3://archive/', '--since', '3d', '--append', 'archive', '--engine', 'athena', '--out', out], {
        ...twilioEnv,
        ...standIn.env,
      });
      expect(run.stderr).not.toMatch(/cannot proceed/);
      expect(run.code).toBe(0);
      expect([...fake.fetchedSids].sort()).toEqual([M.staleNowDelivered, M.staleStillSent, M.staleGone, M.staleFailed].sort());
      const summary = JSON.parse(readFileSync(out, 'utf8')) as PollSummary;
      expect(summary.counts).toEqual({ scanned_records: 10, messages: 6, stale: 4, fetched: 4, now_final: 2, still_pending: 1, not_found: 1, failed: 0 });
      expect(summary.warehouse).toMatchObject({
        engine: expect.stringMatching(/^athena workgroup message-archive/),
        queries: [expect.any(Object), expect.any(Object)],
      });
      expect(run.stdout).toMatch(/2 queries scanned 0\.002 GiB, about \$0\.0001\./);
      // Parameters bound: the window is in the execution parameters, not in the text.
      expect(standIn.athena.started.map((q) => q.QueryString.includes(summary.window.since))).toEqual([false, false]);
      // The poll records went into the archive in S3, under direct/.
      const polls = await readObjects(s3.client, 'archive', 'direct/');
      expect(polls.flatMap((o) => o.text.trimEnd().split('\n'))).toHaveLength(4);
    } finally {
      await standIn.close();
      await s3.stop();
    }
  });

  it('with --engine duckdb, over a folder and over s3:// (s3rver), finds and polls exactly what --engine local does', async () => {
    const s3 = await startS3rver(['archive']);
    const standIn = await startAthenaStandIn(dir, s3, { scanLimit: 10 * 1024 ** 3 });
    try {
      const local = join(dir, 'local.json');
      expect((await runPollStale(['--archive', dir, '--since', '3d', '--dry-run', '--out', local], twilioEnv)).code).toBe(0);
      const expected = JSON.parse(readFileSync(local, 'utf8')) as PollSummary;
      for (const archive of [dir, 's3://archive/']) {
        const out = join(dir, 'duckdb.json');
        const run = await runPollStale(['--archive', archive, '--since', '3d', '--dry-run', '--engine', 'duckdb', '--memory', '200MB', '--out', out], {
          ...twilioEnv,
          ...standIn.env,
        });
        // Progress and nothing else on stderr: no warning, no error.
        const notProgress = run.stderr.split('\n').filter((line) => line !== '' && !/^scan: \d+\/\d+ \d+ records$/.test(line));
        expect({ archive, code: run.code, notProgress }).toEqual({ archive, code: 0, notProgress: [] });
        const summary = JSON.parse(readFileSync(out, 'utf8')) as PollSummary;
        // The window moves with each run's clock ('3d' before now); all else is the same.
        const comparable = (s: PollSummary) => ({ ...s, duration_ms: 0, archive: '', window: { ...s.window, since: '', scanned_from: '', scanned_to: '' } });
        expect(comparable(summary)).toEqual(comparable(expected));
      }
      expect(expected.counts).toMatchObject({ scanned_records: 10, messages: 6, stale: 4 });
      // Then for real: the same four fetched and their polls appended, as with --engine local.
      const run = await runPollStale(['--archive', dir, '--since', '3d', '--append', 'archive', '--engine', 'duckdb'], twilioEnv);
      expect(run.code).toBe(0);
      expect([...fake.fetchedSids].sort()).toEqual([M.staleNowDelivered, M.staleStillSent, M.staleGone, M.staleFailed].sort());
    } finally {
      await standIn.close();
      await s3.stop();
    }
  });

  it('keeps going when one message cannot be fetched, lists it, and exits 1', async () => {
    fake.setFaults({ failingSids: { [M.staleFailed]: 500 } });
    const out = join(dir, 'summary.json');
    const run = await runPollStale(['--archive', dir, '--since', '3d', '--append', 'archive', '--out', out], twilioEnv);
    expect(run.code).toBe(1);
    const summary = JSON.parse(readFileSync(out, 'utf8')) as PollSummary;
    expect(summary.counts).toMatchObject({ stale: 4, fetched: 3, failed: 1 });
    expect(summary.needs_attention).toContainEqual({ message_sid: M.staleFailed, reason: expect.stringMatching(/could not fetch: Twilio answered 500/) });
    // Retried before giving up.
    expect(fake.fetchedSids.filter((s) => s === M.staleFailed).length).toBe(0);
    expect(fake.stats.byStatus[500]).toBeGreaterThanOrEqual(5);
  });

  it('with --dry-run, fetches and writes nothing', async () => {
    const run = await runPollStale(['--archive', dir, '--since', '3d', '--dry-run'], twilioEnv);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Stale .*: 4\./);
    expect(fake.stats.requests).toBe(0);
  });

  it('exits 2 on bad arguments and on an unreadable archive', async () => {
    expect(await runPollStale(['--archive', dir, '--older-than', 'soon'], twilioEnv)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--older-than/) });
    expect(await runPollStale([], twilioEnv)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--archive is required/) });
    // A forgotten unit is not year 2003: refused, with the forms that are accepted.
    const noUnit = await runPollStale(['--archive', dir, '--since', '3'], twilioEnv);
    expect(noUnit).toMatchObject({ code: 2, stderr: expect.stringMatching(/--since: "3" is not an ISO-8601 time with Z or an offset; give .*3d/) });
    expect(fake.stats.requests).toBe(0);
    const unreachable = await runPollStale(['--archive', 's3://no-such-bucket/x'], { ...twilioEnv, ARCHIVE_S3_ENDPOINT: 'http://127.0.0.1:9' });
    expect(unreachable).toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot proceed/) });
  });

  it('reports a corrupt object with its key, still polls, and exits 1', async () => {
    await new FolderArchiveStore(dir).put(directObjectKey('direct/', 'junk', new Date(now - 2 * HOUR), 'x'), Buffer.from('{"v":1,"sou\n'));
    const run = await runPollStale(['--archive', dir, '--since', '3d', '--append', 'archive'], twilioEnv);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Archive only partly read: 0 unreadable object\(s\), 1 malformed line\(s\)/);
    expect(run.stdout).toMatch(/direct\/.*junk-.*:1: not JSON/);
    expect(fake.fetchedSids).toHaveLength(4);
  });
});
