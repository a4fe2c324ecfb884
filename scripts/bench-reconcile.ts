/**
 * `npm run bench:reconcile`: figures, not a test. For each size (messages in
 * a synthetic day; BENCH_RECONCILE_SIZES, default 100000,1000000), generates
 * the day once into .local/bench-data/ (archive as gzip objects, Twilio's list
 * as a gzip JSON-lines file), then in the same run, alternating, times this
 * this tool's two engines (--engine local, the streaming one; --engine duckdb,
 * the categories' SQL on DuckDB in-process, fed by the same readers) and bare
 * DuckDB (@duckdb/node-api: read_json and an anti-join on the same files, no
 * validation) on the same files, each in a fresh process: wall time and peak
 * RSS, medians.
 */
import { cpus } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fmt, median } from './bench/stats';
import { BENCH_DAY, ensureSyntheticDay } from './bench/syntheticDay';

const root = join(__dirname, '..');
const SIZES = (process.env.BENCH_RECONCILE_SIZES ?? '100000,1000000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RECONCILE_RUNS ?? 3);

interface Figures {
  ms: number;
  maxRssBytes: number;
  missing: number;
}

function runOnce(script: string, args: string[], cwd = root): Figures {
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', script, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop()!) as Figures;
}

async function main(): Promise<void> {
  console.log(`bench:reconcile on Node ${process.version}, ${cpus().length} cores; target: faster than DuckDB, peak RSS ≤ 1 GiB`);
  console.log(
    `${'messages'.padStart(10)}  ${'records'.padStart(10)}  ${'tool'.padEnd(15)}  ${'seconds'.padStart(8)}  ${'peak RSS MiB'.padStart(12)}  missing found`,
  );
  for (const messages of SIZES) {
    const started = Date.now();
    const day = await ensureSyntheticDay(join(root, '.local', 'bench-data', `reconcile-${messages}`), messages);
    if (Date.now() - started > 1000) console.log(`  (generated ${messages.toLocaleString('en')} messages in ${fmt((Date.now() - started) / 1000, 1)} s)`);
    // BENCH_BEFORE_TREE: a checkout of an earlier commit (with node_modules), run in the same rounds to measure a change.
    const before = process.env.BENCH_BEFORE_TREE;
    const ours: Figures[] = [];
    const earlier: Figures[] = [];
    const duck: Figures[] = [];
    const sql: Figures[] = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(runOnce('scripts/bench/reconcileOnce.ts', [day.archive, day.exportFile, BENCH_DAY]));
      sql.push(runOnce('scripts/bench/reconcileOnce.ts', [day.archive, day.exportFile, BENCH_DAY, 'duckdb']));
      if (before) earlier.push(runOnce('scripts/bench/reconcileOnce.ts', [day.archive, day.exportFile, BENCH_DAY], before));
      duck.push(runOnce('scripts/bench/duckdbOnce.ts', [day.archive, day.exportFile]));
    }
    const rows: [string, Figures[]][] = [
      ['--engine local', ours],
      ...(before ? [['before', earlier] as [string, Figures[]]] : []),
      ['--engine duckdb', sql],
      ['bare DuckDB', duck],
    ];
    for (const [name, figures] of rows) {
      console.log(
        `${messages.toLocaleString('en').padStart(10)}  ${day.records.toLocaleString('en').padStart(10)}  ${name.padEnd(16)} ${fmt(median(figures.map((f) => f.ms / 1000)), 2).padStart(8)}  ${fmt(median(figures.map((f) => f.maxRssBytes)) / 2 ** 20, 0).padStart(12)}  ${figures[0].missing.toLocaleString('en')}`,
      );
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
