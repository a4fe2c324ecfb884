/**
 * `npm run bench:scan`: figures, not a test.
 *
 * 1. Archive scan: a realistic day of BENCH_SCAN_MESSAGES messages (default
 *    1,000,000; about 3 records a message, every record made by the product's
 *    own builders: scripts/bench/realisticDay.ts) as gzip objects in
 *    Firehose's layout on local disk, generated once. In one run, alternating,
 *    each in a fresh process: the compiled reader (npm run build) with
 *    --threads 1 and with one thread per core, folding every record into
 *    per-message state; BENCH_BEFORE_TREE (a checkout of an earlier commit,
 *    with node_modules) the same way; `poll-stale --engine duckdb`'s scan
 *    (DuckDB reading the files itself, a dry run: scripts/bench/nativeScanOnce.ts);
 *    the one-core floor (gunzip, split and JSON.parse of every line, nothing
 *    else: scripts/bench/scanFloor.ts); and DuckDB doing the same fold on the
 *    same files. records/s, MB/s of JSON lines, seconds, peak RSS, and DuckDB's
 *    time over ours (above 1: faster than DuckDB); medians of BENCH_SCAN_RUNS.
 * 2. Polling: poll-stale's fetch path against the fake Twilio API answering
 *    after 50 ms with 5% 429s (Retry-After 1 s); achieved request rate against
 *    --max-rps, and failed fetches.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
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
import { ensureRealisticDay, REALISTIC_DAY } from './bench/realisticDay';
import { fmt, median } from './bench/stats';
import { sid, syntheticRecord } from './bench/syntheticArchive';

const root = join(__dirname, '..');
const MESSAGES = Number(process.env.BENCH_SCAN_MESSAGES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_SCAN_RUNS ?? 3);
const POLL_MESSAGES = Number(process.env.BENCH_POLL_MESSAGES ?? 1500);
const MAX_RPS = Number(process.env.BENCH_MAX_RPS ?? 100);
const CORES = availableParallelism();

interface Run {
  records: number;
  ms: number;
  bytesDecoded?: number;
  maxRssBytes: number;
}

function runOnce(script: string, args: string[], cwd = root): Run {
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', script, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop()!) as Run;
}

async function benchScan(): Promise<void> {
  const started = Date.now();
  const day = await ensureRealisticDay(join(root, '.local', 'bench-data', `realistic-${MESSAGES}`), MESSAGES);
  const generated = Date.now() - started > 1000 ? ` (generated in ${fmt((Date.now() - started) / 1000, 1)} s)` : '';
  console.log(
    `\nArchive scan: a realistic day of ${MESSAGES.toLocaleString('en')} messages, ${day.records.toLocaleString('en')} records of ${fmt(day.jsonBytes / day.records, 0)} bytes on average ` +
      `(${fmt(day.jsonBytes / 1e9, 2)} GB of JSON lines, ${fmt(day.storedBytes / 1e6, 0)} MB as gzip objects of 7,000 records on local disk)${generated}`,
  );
  // The day's hour folders, and one either side (a scan reads a window's slack too).
  const dayStart = Date.parse(`${REALISTIC_DAY}T00:00:00Z`);
  const window = [new Date(dayStart - 3_600_000).toISOString(), new Date(dayStart + 25 * 3_600_000).toISOString()];
  const variants: [string, () => Run][] = [
    ['--threads 1', () => runOnce('scripts/bench/scanOnce.ts', [day.archive, ...window, '1'])],
    [`--threads ${CORES} (all cores)`, () => runOnce('scripts/bench/scanOnce.ts', [day.archive, ...window, String(CORES)])],
  ];
  const before = process.env.BENCH_BEFORE_TREE;
  // An earlier tree's scanOnce reads its own sources, in one thread (it knows no --threads).
  if (before) variants.push(['before (BENCH_BEFORE_TREE)', () => runOnce('scripts/bench/scanOnce.ts', [day.archive, ...window], before)]);
  variants.push([`--engine duckdb (${CORES} threads)`, () => runOnce('scripts/bench/nativeScanOnce.ts', [day.archive, ...window, String(CORES)])]);
  variants.push(['one-core floor', () => runOnce('scripts/bench/scanFloor.ts', [day.archive])]);
  variants.push([`DuckDB (${CORES} threads)`, () => runOnce('scripts/bench/duckdbScanOnce.ts', [day.archive])]);
  const runs: Run[][] = variants.map(() => []);
  for (let i = 0; i < RUNS; i++) for (const [v, [, run]] of variants.entries()) runs[v].push(run());

  const seconds = (rs: Run[]) => median(rs.map((r) => r.ms / 1000));
  const duck = seconds(runs[runs.length - 1]);
  console.log(
    `  ${RUNS} runs each, alternating, medians; targets: ≥ 500,000 records/s on one core, ≥ 900,000 on all, faster than DuckDB; ` +
      'the default engine (--engine local) faster than the one-core floor (gunzip, split and JSON.parse of every line, nothing else)',
  );
  console.log(
    `  ${'variant'.padEnd(28)} ${'records/s'.padStart(9)}   ${'MB/s JSON'.padStart(9)}   ${'seconds'.padStart(7)}   ${'peak RSS MiB'.padStart(12)}   DuckDB ÷ this`,
  );
  for (const [v, [name]] of variants.entries()) {
    const rs = runs[v];
    if (rs.some((r) => r.records !== day.records)) throw new Error(`${name} read ${rs.map((r) => r.records).join(', ')} records, not ${day.records}`);
    const perSecond = median(rs.map((r) => (r.records / r.ms) * 1000));
    const mbs = median(rs.map((r) => day.jsonBytes / 1e6 / (r.ms / 1000)));
    console.log(
      `  ${name.padEnd(28)} ${fmt(perSecond, 0).padStart(9)}   ${fmt(mbs, 1).padStart(9)}   ${fmt(seconds(rs), 2).padStart(7)}   ${fmt(median(rs.map((r) => r.maxRssBytes)) / 2 ** 20, 0).padStart(12)}   ${fmt(duck / seconds(rs), 2).padStart(13)}`,
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
  console.log(`bench:scan on Node ${process.version}, ${CORES} cores`);
  await benchScan();
  await benchPolling();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
