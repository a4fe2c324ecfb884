/**
 * `twilio-message-archive report --runs <folder> --from <day> --to-day <day> --out <file.html>`
 * One page for a period (a month) from the daily reconciliation runs'
 * summary.json files: per-day rows, the trend, and the days that need
 * attention first.
 * Exit codes: 0 written, every day ran and nothing is open; 1 written, and
 * some day needs attention (or a summary could not be read); 2 bad arguments,
 * or no summary at all under --runs.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { daysNeedingAttention, periodRows, renderPeriodReport, type RunSummary } from '../reconcile/periodReport';
import type { ReconcileSummary } from '../reconcile/reconcile';
import { dayOption, defineCommand, UsageError } from './command';

const HELP = `Usage: twilio-message-archive report --runs <folder> --from <day> --to-day <day> --out <file.html> [--json]

One page for a period, from the daily reconciliation runs (each run's --out
folder, with its summary.json, anywhere under --runs): a row per day
(messages, final-status mix, gaps found, corrected, open), the trend, and the
days that need attention first. A day with no run is a row too. When a day
ran more than once, the summary written last counts.

Options:
  --runs <folder>      Where the runs' folders are (searched three levels deep).
  --from <day>         First day of the period (YYYY-MM-DD, UTC) ...
  --to-day <day>       ... and the last.
  --out <file>         The page to write.
  --json               Also print the rows as JSON on stdout.
  -h, --help           This text.

Exit codes: 0 written, every day ran and nothing is open; 1 written, and some
day needs attention or a summary could not be read; 2 bad arguments, or no
summary under --runs.`;

/** Every summary.json up to `depth` folders below `root`. */
function summaryFiles(root: string, depth = 3): string[] {
  const found: string[] = [];
  const walk = (dir: string, level: number) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isFile() && entry.name === 'summary.json') found.push(path);
      else if (entry.isDirectory() && level < depth) walk(path, level + 1);
    }
  };
  walk(root, 0);
  return found.sort();
}

function isSummary(value: unknown): value is ReconcileSummary {
  const s = value as Partial<ReconcileSummary> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.window?.from === 'string' &&
    typeof s.counts?.twilio_messages === 'number' &&
    typeof s.gaps_remaining === 'number' &&
    typeof s.written === 'number' &&
    typeof s.charts === 'object'
  );
}

export const command = defineCommand({
  name: 'report',
  help: HELP,
  options: {
    runs: { type: 'string' },
    from: { type: 'string' },
    'to-day': { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  body: (values, io) => {
    if (!values.runs) throw new UsageError('--runs is required: the folder of the daily runs');
    if (!values.out) throw new UsageError('--out is required: the page to write');
    if (!values.from || !values['to-day']) throw new UsageError('--from and --to-day are required');
    const from = dayOption(values.from, '--from');
    const to = dayOption(values['to-day'], '--to-day');
    if (to < from) throw new UsageError('--to-day is before --from');
    if ((to.getTime() - from.getTime()) / 86_400_000 > 366) throw new UsageError('the period is longer than a year: report it a month or a quarter at a time');
    let files: string[];
    try {
      files = summaryFiles(values.runs);
    } catch (error) {
      throw new UsageError(`--runs ${values.runs}: ${(error as Error).message}`, { cause: error });
    }
    if (files.length === 0) throw new UsageError(`no summary.json under ${values.runs}: is it the folder of the runs' --out folders?`);
    const runs: RunSummary[] = [];
    const problems: string[] = [];
    for (const file of files) {
      try {
        const summary: unknown = JSON.parse(readFileSync(file, 'utf8'));
        if (!isSummary(summary)) throw new Error('not a reconciliation summary (no window, counts or gaps_remaining)');
        runs.push({ where: relative(values.runs, join(file, '..')) || '.', writtenMs: statSync(file).mtimeMs, summary });
      } catch (error) {
        problems.push(`${file}: ${(error as Error).message}`);
      }
    }
    const rows = periodRows(runs, from, to);
    writeFileSync(values.out, renderPeriodReport(rows, values.from, values['to-day'], problems));
    const attention = daysNeedingAttention(rows);
    if (values.json) io.out(JSON.stringify({ from: values.from, to: values['to-day'], rows, problems }, null, 2));
    else {
      io.out(
        `${rows.length} day(s), ${runs.length} run(s) read${problems.length ? `, ${problems.length} summary file(s) unreadable` : ''}; ${attention.length} day(s) need attention.`,
      );
      for (const row of attention) io.out(`  ${row.day}: ${row.attention.join('; ')}`);
      io.out(`Written: ${values.out}`);
    }
    for (const problem of problems) io.err(`unreadable: ${problem}`);
    return Promise.resolve(attention.length > 0 || problems.length > 0 ? 1 : 0);
  },
});
