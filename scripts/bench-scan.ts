/**
 * `npm run bench:scan`: figures, not a test.
 *
 * 1. Archive scan: a synthetic archive of BENCH_SCAN_MESSAGES messages (one
 *    send and one callback record each; 2,000,000 records by default) as gzip
 *    objects in Firehose's layout on local disk, scanned and folded into
 *    per-message state by the poller's reader, in a fresh process per run;
 *    records/s, MB/s (compressed as read, and decompressed) and peak RSS,
 *    median of BENCH_SCAN_RUNS runs.
 * 2. Polling: poll-stale's fetch path against the fake Twilio API answering
 *    after 50 ms with 5% 429s (Retry-After 1 s); achieved request rate against
 *    --max-rps, and failed fetches.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectArchiveAppender } from '../src/adapters/archive/archiveAppender';
import { FolderArchiveStore } from '../src/adapters/archive/archiveStore';
import { TwilioMessageFetcher } from '../src/adapters/twilio/messageFetcher';
import { requestRateGate } from '../src/adapters/twilio/requestRate';
import { twilioClientFromEnv } from '../src/adapters/twilio/twilioClient';
import { DEFAULT_ARCHIVE_LAYOUT } from '../src/config/archiveSettings';
import { directObjectKey } from '../src/domain/archiveLayout';
import { toArchiveLine } from '../src/domain/archiveRecord';
import { FakeTwilioApi } from '../dev/fakeTwilio/fakeTwilioApi';
import { pollStale } from '../src/poller/pollStale';
import { fmt, median } from './bench/stats';
import { ensureSyntheticArchive, sid, syntheticRecord } from './bench/syntheticArchive';

const root = join(__dirname, '..');
const MESSAGES = Number(process.env.BENCH_SCAN_MESSAGES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_SCAN_RUNS ?? 3);
const POLL_MESSAGES = Number(process.env.BENCH_POLL_MESSAGES ?? 1500);
const MAX_RPS = Number(process.env.BENCH_MAX_RPS ?? 100);
const DAY = new Date('2026-11-25T00:00:00.000Z');

function benchScan(): void {
  const dir = join(root, '.local', 'bench-data', `scan-${MESSAGES}`);
  const started = Date.now();
  const records = ensureSyntheticArchive(dir, { messages: MESSAGES, callbacksPerMessage: 1, recordsPerObject: 20_000, day: DAY });
  console.log(
    `\nArchive scan: ${records.toLocaleString('en')} records, ${MESSAGES.toLocaleString('en')} messages, gzip objects of 20,000 records on local disk${Date.now() - started > 1000 ? ` (generated in ${fmt((Date.now() - started) / 1000, 1)} s)` : ''}`,
  );
  // BENCH_BEFORE_TREE: a checkout of an earlier commit (with node_modules), scanned in the same run, alternating.
  const trees: [string, string][] = [['this tree', root]];
  if (process.env.BENCH_BEFORE_TREE) trees.push(['before (BENCH_BEFORE_TREE)', process.env.BENCH_BEFORE_TREE]);
  type Run = { records: number; ms: number; bytesRead: number; bytesDecoded?: number; maxRssBytes: number };
  const runs: Run[][] = trees.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [t, [, tree]] of trees.entries()) {
      const out = execFileSync(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', 'scripts/bench/scanOnce.ts', dir, '2026-11-24T23:00:00Z', '2026-11-26T01:00:00Z'],
        {
          cwd: tree,
          encoding: 'utf8',
        },
      );
      runs[t].push(JSON.parse(out.trim().split('\n').pop()!) as Run);
    }
  }
  console.log(`  ${RUNS} runs each, medians (target ≥ 500,000 records/s; memory bounded by distinct messages)`);
  console.log(`  ${''.padEnd(28)} records/s   MB/s read (gzip)   MB/s of JSON lines   seconds   peak RSS MiB`);
  for (const [t, [name]] of trees.entries()) {
    const rs = runs[t];
    const perSecond = median(rs.map((r) => (r.records / r.ms) * 1000));
    const compressedMBs = median(rs.map((r) => r.bytesRead / 1e6 / (r.ms / 1000)));
    const decodedMBs = median(rs.map((r) => (r.bytesDecoded ?? NaN) / 1e6 / (r.ms / 1000)));
    console.log(
      `  ${name.padEnd(28)} ${fmt(perSecond, 0).padStart(9)}   ${fmt(compressedMBs, 1).padStart(16)}   ${fmt(decodedMBs, 1).padStart(18)}   ${fmt(median(rs.map((r) => r.ms / 1000)), 2).padStart(7)}   ${fmt(median(rs.map((r) => r.maxRssBytes)) / 2 ** 20, 0).padStart(12)}`,
    );
  }
}

async function benchPolling(): Promise<void> {
  const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
  const dir = mkdtempSync(join(tmpdir(), 'bench-poll-'));
  const fake = new FakeTwilioApi([{ accountSid: ACCOUNT, authToken: 'bench-token' }]);
  await fake.start();
  try {
    const now = new Date();
    const created = now.getTime() - 20 * 3_600_000;
    const store = new FolderArchiveStore(dir);
    const lines: string[] = [];
    for (let n = 0; n < POLL_MESSAGES; n++) {
      lines.push(toArchiveLine(syntheticRecord(n, 0, created, 'queued')));
      fake.putMessage({ sid: sid('SM', n), account_sid: ACCOUNT, status: 'delivered' });
    }
    await store.put(directObjectKey('direct/', 'bench', new Date(created), 'seed'), Buffer.from(lines.join('')));
    fake.setFaults({ latencyMs: 50, rate429: 0.05, retryAfterSeconds: 1 });

    const limiter = requestRateGate(MAX_RPS);
    let firstRequest = 0;
    let lastRequest = 0;
    const gate = async () => {
      await limiter();
      lastRequest = Date.now();
      firstRequest ||= lastRequest;
    };
    const { client } = twilioClientFromEnv({ TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: 'bench-token', TWILIO_API_BASE_URL: fake.url }, { gate });
    const summary = await pollStale({
      store,
      layout: DEFAULT_ARCHIVE_LAYOUT,
      allowEmpty: false,
      criteria: { now, olderThanMs: 12 * 3_600_000, since: new Date(created - 3_600_000) },
      slackMs: 900_000,
      fetcher: new TwilioMessageFetcher(client),
      appender: new DirectArchiveAppender(store, DEFAULT_ARCHIVE_LAYOUT.direct, 'poll'),
      concurrency: 20,
      redactDigits: 0,
    });
    const seconds = (lastRequest - firstRequest) / 1000;
    const requests = fake.stats.requests;
    const rate = requests / seconds;
    console.log(
      `\nPolling: ${POLL_MESSAGES} stale messages, fake Twilio API answering after 50 ms with 5% 429 (Retry-After 1 s), --max-rps ${MAX_RPS}, --concurrency 20`,
    );
    console.log(`  requests           ${requests} (${fake.stats.byStatus[429] ?? 0} answered 429) in ${fmt(seconds, 2)} s`);
    console.log(`  achieved rate      ${fmt(rate, 1)} requests/s = ${fmt((rate / MAX_RPS) * 100, 1)}% of --max-rps (target ≥ 90%)`);
    console.log(`  fetches            ${summary.counts.fetched} fetched, ${summary.counts.now_final} now final, ${summary.counts.failed} failed`);
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`bench:scan on Node ${process.version}, ${cpus().length} cores`);
  benchScan();
  await benchPolling();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
