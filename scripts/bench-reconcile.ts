/**
 * `npm run bench:reconcile`: figures, not a test. For each size (messages in
 * a realistic day, scripts/bench/realisticDay.ts; BENCH_RECONCILE_SIZES,
 * default 100000,1000000), generates the day once into .local/bench-data/
 * (the archive as gzip objects, Twilio's list as a gzip JSON-lines file),
 * then in the same run, alternating, each in a fresh process: the compiled
 * streaming engine (npm run build) with --threads 1 and with one thread per
 * core; BENCH_BEFORE_TREE (a checkout of an earlier commit, with
 * node_modules) the same way; --engine duckdb (DuckDB reading the archive
 * itself, nativeReconcile.ts, on every core, within the command's default
 * memory limit); and bare DuckDB (read_json and an anti-join on the same
 * files, no validation). Wall time and peak RSS, medians of
 * BENCH_RECONCILE_RUNS, and each time over bare DuckDB's.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ensureRealisticDay, REALISTIC_DAY } from './bench/realisticDay';
import { fmt, median } from './bench/stats';

const root = join(__dirname, '..');
const SIZES = (process.env.BENCH_RECONCILE_SIZES ?? '100000,1000000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RECONCILE_RUNS ?? 3);
const CORES = availableParallelism();

interface Figures {
  ms: number;
  maxRssBytes: number;
  missing: number;
}

/** One run's figures, or why it failed (its error's first line): a failure is a figure too, printed in its row. */
function runOnce(script: string, args: string[], cwd = root): Figures | { failed: string } {
  try {
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', script, ...args], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out.trim().split('\n').pop()!) as Figures;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    return { failed: (stderr || (error as Error).message).trim().split('\n')[0].slice(0, 160) };
  }
}

async function main(): Promise<void> {
  console.log(
    `bench:reconcile on Node ${process.version}, ${CORES} cores; targets (issue 23): --engine duckdb within 1.5× bare DuckDB's time, peak RSS ≤ 1 GiB, at 1M and 10M messages`,
  );
  console.log(
    `${'messages'.padStart(10)}  ${'records'.padStart(10)}  ${'variant'.padEnd(26)}  ${'seconds'.padStart(8)}  ${'peak RSS MiB'.padStart(12)}  ${'× bare DuckDB'.padStart(13)}  missing found`,
  );
  for (const messages of SIZES) {
    const started = Date.now();
    const day = await ensureRealisticDay(join(root, '.local', 'bench-data', `realistic-${messages}`), messages);
    if (Date.now() - started > 1000) console.log(`  (generated ${messages.toLocaleString('en')} messages in ${fmt((Date.now() - started) / 1000, 1)} s)`);
    const args = [day.archive, day.exportFile, REALISTIC_DAY];
    const variants: [string, () => Figures | { failed: string }][] = [
      ['--threads 1', () => runOnce('scripts/bench/reconcileOnce.ts', [...args, 'local', '1'])],
      [`--threads ${CORES} (all cores)`, () => runOnce('scripts/bench/reconcileOnce.ts', [...args, 'local', String(CORES)])],
    ];
    const before = process.env.BENCH_BEFORE_TREE;
    if (before) variants.push(['before (BENCH_BEFORE_TREE)', () => runOnce('scripts/bench/reconcileOnce.ts', args, before)]);
    variants.push([`--engine duckdb (${CORES} threads)`, () => runOnce('scripts/bench/reconcileOnce.ts', [...args, 'duckdb', String(CORES)])]);
    variants.push([`bare DuckDB (${CORES} threads)`, () => runOnce('scripts/bench/duckdbOnce.ts', [day.archive, day.exportFile])]);
    const runs: Figures[][] = variants.map(() => []);
    const failures: string[][] = variants.map(() => []);
    for (let i = 0; i < RUNS; i++) {
      for (const [v, [, run]] of variants.entries()) {
        const figures = run();
        if ('failed' in figures) failures[v].push(figures.failed);
        else runs[v].push(figures);
      }
    }

    const seconds = (figures: Figures[]) => median(figures.map((f) => f.ms / 1000));
    const duck = seconds(runs[runs.length - 1]);
    for (const [v, [name]] of variants.entries()) {
      const figures = runs[v];
      const head = `${messages.toLocaleString('en').padStart(10)}  ${day.records.toLocaleString('en').padStart(10)}  ${name.padEnd(26)}`;
      if (failures[v].length > 0) console.log(`${head}  FAILED in ${failures[v].length} of ${RUNS} run(s): ${failures[v][0]}`);
      if (figures.length === 0) continue;
      console.log(
        `${head}  ${fmt(seconds(figures), 2).padStart(8)}  ${fmt(median(figures.map((f) => f.maxRssBytes)) / 2 ** 20, 0).padStart(12)}  ${fmt(seconds(figures) / duck, 2).padStart(13)}  ${figures.map((f) => f.missing.toLocaleString('en')).join(', ')}`,
      );
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
