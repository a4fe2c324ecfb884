/**
 * `twilio-message-archive reconcile --archive <s3://… | folder> --day YYYY-MM-DD --export <file> --out <folder>`
 * Proves the archive against Twilio's own list of messages. Exit codes: 0 no
 * gap left; 1 gaps remain (or an input was only partly read); 2 bad arguments,
 * unreadable input, an empty window, --write refused, or another writer holds
 * the lease; 3 appended, but an output could not be written (see HELP).
 */
import { createWriteStream, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appenderFor, openArchive, type CountingAppender } from './archiveAccess';
import { checkOutputFile } from './outputs';
import { acquireWriterLease, LeasedAppender, type HeldLease } from '../adapters/archive/writerLease';
import {
  appendOption,
  dayOption,
  DEFAULT_DUCKDB_MEMORY,
  durationOption,
  instantOption,
  defineCommand,
  memoryOption,
  threadsHelp,
  threadsOption,
  UsageError,
} from './command';
import { flaggedRecordLines } from './flaggedRecords';
import { Progress } from './progress';
import { exportKindOf, readExportFile } from '../adapters/twilioExport/exportFileReader';
import { readRedactDigits } from '../config/archiveSettings';
import { engineOption, openAthenaWarehouse, printWarehouse } from './athenaAccess';
import { listMessagesViaApi, listMessagesViaBulkExport } from '../adapters/twilio/twilioMessageList';
import { twilioClientFromEnv } from '../adapters/twilio/twilioClient';
import { MAX_GAPS_LISTED, renderReport } from '../reconcile/htmlReport';
import { reconcile, reconcileExitCode, type Gap, type ReconcileOptions, type ReconcileSummary, type TwilioList } from '../reconcile/reconcile';

const HELP = `Usage: twilio-message-archive reconcile --archive <where> --day YYYY-MM-DD --export <source> --out <folder> [options]

Checks the archive against Twilio's own list of the day's messages and writes
what does not agree to <folder>/gaps.ndjson, with counts in <folder>/summary.json
and charts in <folder>/report.html (one self-contained file).

Options:
  --archive <where>      The archive root, the folder (or s3://bucket/prefix/) that holds firehose/
                         (required). s3:// in any case is S3; a folder must exist.
  --day <YYYY-MM-DD>     The UTC day to reconcile (a real calendar day); or --from and --to.
  --from, --to <when>    The window [from, to) instead of --day: ISO-8601 with Z or an offset
                         (2026-11-25T06:00:00Z), or a duration before now (3d).
  --export <source>      Twilio's list (required): a Console CSV export (.csv); a Bulk Export
                         day file (.json.gz, .jsonl.gz); twilio:api (list messages through the
                         API, by send time, with paging); or twilio:bulk (the day's Bulk
                         Export file through the API's redirect_to; needs --day).
  --out <folder>         Where gaps.ndjson, summary.json and report.html go (required).
  --direction <d>        outbound (default), inbound or all.
  --match-window <dur>   How far apart a send attempt and a Twilio message may be created
                         and still match by envelope. Default: 5m.
  --slack <dur>          Archive read before and after the window (late callbacks). Default: 24h.
  --write                Append corrections to the archive as "reconcile" records.
  --append <where>       With --write: firehose (default) or archive (straight into direct/).
  --accept-partial-read  With --write: append although an input was only partly read (otherwise
                         exit 2, nothing appended). An archive object cannot be repaired, only
                         explained: use it once you have checked that the objects named hold
                         none of the window's messages.
  --max-missing-share <share>
                         With --write: append nothing (exit 2) when more than this share of
                         Twilio's messages is missing from the archive, which points at a wrong
                         --archive, window or export. A fraction or a percentage. Default: 5%.
  --allow-empty          Go on when the archive holds no object at all in the window (otherwise
                         exit 2: an empty window usually means a wrong --archive).
  --accept-short-list    Go on when Twilio's list names no message of the window (and direction)
                         while the archive holds some, or, for whole days, most of its rows were
                         created on other days (otherwise exit 2, nothing appended: the list is
                         most likely of another day or direction, or an empty export). For a
                         window Twilio truly lists nothing for.
${threadsHelp(25)}
  --engine <engine>      local (default): the streaming engine, memory bounded by the day's
                         messages; the fastest here on a day's archive. duckdb: DuckDB reads the
                         archive's objects itself (an s3:// archive's window is first copied to
                         a temporary folder, its size checked against the free disk) and runs
                         the statements Athena runs; same outputs. Slower than local today
                         (docs/reconciliation.md has the figures); memory held to --memory.
                         athena: the same SQL run on Athena over the archive where it lies
                         (--archive s3://…; ARCHIVE_ATHENA_WORKGROUP, ARCHIVE_ATHENA_DATABASE and
                         ARCHIVE_ATHENA_LISTS_S3_URI from the infrastructure's outputs). Twilio's
                         list is read here, masked, and staged in S3 for the run. Ctrl-C stops
                         the queries at Athena. The summary gives the bytes scanned and the cost.
  --i-accept-cost        With --engine athena: run in a workgroup that has no bytes-scanned limit
                         per query (refused otherwise, exit 2).
  --memory <size>        With --engine duckdb: DuckDB's memory limit, e.g. 500MB or 4GB; past it
                         DuckDB spills to the temporary folder (slower, not wrong). Default
                         ${DEFAULT_DUCKDB_MEMORY}: about 1 GiB for the whole process at 1M messages; too little
                         for a 10M-message day (the run then stops, exit 2, and says so). Raising it
                         costs that much memory and saves the disk round-trips.
  -h, --help             This text.

twilio:api and twilio:bulk use TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or
TWILIO_API_KEY and TWILIO_API_SECRET); TWILIO_API_BASE_URL sends them elsewhere.

--write takes the archive's writers' lease (.writer-lease.json at its root),
shared with poll-stale and drain-spool, and releases it at the end.

Exit codes: 0 no gap left (or all fixed with --write); 1 gaps remain (a SID
Twilio lists twice with different rows is one), or an input was only partly
read; 2 bad arguments, unreadable input, an empty window without --allow-empty,
a list not comparable with the archive without --accept-short-list, --write
refused (an input only partly read, or above --max-missing-share), an --out
that cannot be written, or another writer holds the archive's lease: nothing
appended; 3 corrections appended, but an output could not be written (the
message says what was appended).`;

/** `5%` or `0.05` → 0.05. */
function shareOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  const share = match ? Number(match[1]) / (match[2] ? 100 : 1) : NaN;
  if (!(share >= 0 && share <= 1)) throw new UsageError(`--max-missing-share must be a share from 0 to 1 or 0% to 100% (e.g. 0.05 or 5%), not "${value}"`);
  return share;
}

function window(values: { day?: string; from?: string; to?: string }, now: Date): { from: Date; to: Date } {
  if (values.day) {
    if (values.from || values.to) throw new UsageError('give --day or --from/--to, not both');
    const from = dayOption(values.day, 'day');
    return { from, to: new Date(from.getTime() + 86_400_000) };
  }
  if (!values.from || !values.to) throw new UsageError('--day (or both --from and --to) is required');
  const from = instantOption(values.from, 'from', now);
  const to = instantOption(values.to, 'to', now);
  if (to <= from) throw new UsageError('--to must be after --from');
  return { from, to };
}

function printSummary(s: ReconcileSummary, folder: string, out: (line: string) => void): void {
  const c = s.counts;
  out(`Window ${s.window.from} – ${s.window.to} (${s.window.direction}); archive ${s.inputs.archive}; Twilio's list: ${s.inputs.twilio}.`);
  out(
    `Twilio lists ${c.twilio_messages} message(s): ${c.ok} ok, ${c.pending} pending, ${c.missing} missing, ${c.status_behind} status behind, ${c.status_conflict} in conflict.`,
  );
  out(
    `Send attempts without a SID: ${c.send_errors}: ${c.matched_by_envelope} matched by envelope, ${c.ambiguous_envelope} ambiguous, ${c.unmatched_send_error} unmatched.`,
  );
  out(`Recorded as sent but unknown to Twilio: ${c.unknown_to_twilio}.`);
  if (c.listed_twice)
    out(`Listed twice by Twilio with rows that differ: ${c.listed_twice} SID(s), judged on neither row and never corrected (gaps.ndjson quotes both rows).`);
  if (s.inputs.twilio_read.repeated_rows) out(`Rows Twilio's list repeats identically: ${s.inputs.twilio_read.repeated_rows}, each message counted once.`);
  const alerts = s.debugger_alerts;
  if (alerts.archived > 0)
    out(`Debugger alerts: ${alerts.archived} about messages in the window; ${alerts.gaps_with_alerts} gap(s) quote some (evidence.debugger_alerts).`);
  if (c.outside_window || c.other_direction) out(`Not counted: ${c.outside_window} row(s) outside the window, ${c.other_direction} of another direction.`);
  if (s.written) out(`Corrections appended: ${s.written}.`);
  if (s.write_error) out(`CORRECTIONS NOT APPENDED: ${s.write_error}`);
  if (s.not_comparable) out(`NOT COMPARABLE: ${s.not_comparable}`);
  if (s.write_refused) out(`--write REFUSED: ${s.write_refused}`);
  for (const [name, read] of [
    ['archive', s.inputs.archive_read],
    ['Twilio list', s.inputs.twilio_read],
  ] as const) {
    if (!read.complete) {
      out(`The ${name} was only partly read (${read.problems.length} problem(s) kept); first:`);
      for (const p of read.problems.slice(0, 5)) out(`  ${'key' in p ? p.key : p.source}${p.line ? `:${p.line}` : ''}: ${p.reason}`);
    }
  }
  for (const line of flaggedRecordLines(s.inputs.archive_read)) out(line);
  out(
    s.not_comparable
      ? 'NOT COMPARED: see above.'
      : s.partial
        ? 'RESULT INCOMPLETE: an input was only partly read.'
        : s.gaps_remaining === 0
          ? 'No gap left.'
          : `${s.gaps_remaining} gap(s) remain: see ${folder}.`,
  );
}

/** `--engine duckdb`: DuckDB reading the archive's window itself, within the memory limit; Ctrl-C stops its statements. */
async function duckDbEngine(memoryLimit: string, stop: AbortSignal): Promise<(options: ReconcileOptions) => Promise<ReconcileSummary>> {
  const { reconcileNatively } = await import('../reconcile/nativeReconcile');
  return (options) => reconcileNatively({ ...options, memoryLimit, signal: stop });
}

/** `--engine athena`: the warehouse opened (and the cost guard passed) before anything is read; Ctrl-C (`stop`) reaches every query. */
async function athenaEngine(env: NodeJS.ProcessEnv, acceptCost: boolean, stop: AbortSignal): Promise<(options: ReconcileOptions) => Promise<ReconcileSummary>> {
  const [warehouse, { reconcileInWarehouse }] = await Promise.all([openAthenaWarehouse(env, acceptCost), import('../reconcile/warehouseReconcile')]);
  return (options) => reconcileInWarehouse({ ...options, warehouse, signal: stop });
}

/** Twilio's list from a file, the list API, or the Bulk Export API. */
function twilioListFor(source: string, day: string | undefined, from: Date, to: Date, env: NodeJS.ProcessEnv): TwilioList {
  if (source === 'twilio:api' || source === 'twilio:bulk') {
    const { client, accountSid } = twilioClientFromEnv(env);
    if (source === 'twilio:bulk') return (onRow) => listMessagesViaBulkExport(client, day!, onRow);
    // Listed by send time: reach a little past the window so that a message created at its end and sent just after is listed.
    return (onRow) => listMessagesViaApi(client, accountSid, from, new Date(to.getTime() + 3_600_000), onRow);
  }
  return (onRow) => readExportFile(source, onRow);
}

export const command = defineCommand({
  name: 'reconcile',
  help: HELP,
  options: {
    archive: { type: 'string' },
    day: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    export: { type: 'string' },
    out: { type: 'string' },
    direction: { type: 'string' },
    'match-window': { type: 'string' },
    slack: { type: 'string' },
    write: { type: 'boolean' },
    append: { type: 'string' },
    'allow-empty': { type: 'boolean' },
    'accept-short-list': { type: 'boolean' },
    'accept-partial-read': { type: 'boolean' },
    threads: { type: 'string' },
    'max-missing-share': { type: 'string' },
    engine: { type: 'string' },
    'i-accept-cost': { type: 'boolean' },
    memory: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  body: async (values, io) => {
    const progress = new Progress(io.errStream);
    let appender: CountingAppender | null = null;
    let lease: HeldLease | null = null;
    try {
      if (!values.archive) throw new UsageError('--archive is required: s3://bucket/prefix or a folder');
      if (!values.export) throw new UsageError('--export is required: a Console CSV or a Bulk Export day file');
      if (!values.out) throw new UsageError('--out is required: the folder for gaps.ndjson and summary.json');
      const exportPath = values.export;
      const fromApi = exportPath === 'twilio:api' || exportPath === 'twilio:bulk';
      if (!fromApi && !exportKindOf(exportPath))
        throw new UsageError(`--export ${exportPath}: expected twilio:api, twilio:bulk, or a .csv, .json.gz or .jsonl.gz file`);
      if (exportPath === 'twilio:bulk' && !values.day) throw new UsageError('--export twilio:bulk reads one day: give --day');
      const direction = values.direction ?? 'outbound';
      if (direction !== 'outbound' && direction !== 'inbound' && direction !== 'all') throw new UsageError('--direction must be outbound, inbound or all');
      const engine = engineOption(values, ['local', 'duckdb', 'athena']);
      if (values.memory !== undefined && engine !== 'duckdb') throw new UsageError('--memory is for --engine duckdb');
      const memoryLimit = memoryOption(values.memory);
      const append = appendOption(values.append);
      const maxMissingShare = shareOption(values['max-missing-share']);
      const { from, to } = window(values, new Date());
      const slackMs = durationOption(values.slack ?? '24h', 'slack');
      const matchWindowMs = durationOption(values['match-window'] ?? '5m', 'match-window');
      const threads = threadsOption(values.threads);
      const archive = openArchive(values.archive, io.env);
      const redactDigits = readRedactDigits(io.env);
      const out = resolve(values.out);
      const gapsPath = join(out, 'gaps.ndjson');
      // Corrections are filed under the window's last hour, so that a re-run of this window sees them.
      appender = values.write ? appenderFor(append, archive, 'reconcile', io.env, new Date(to.getTime() - 1)) : null;
      // Each engine is loaded only when asked for (DuckDB's binary, the Athena client), and before anything is written:
      // a refused Athena workgroup leaves no partial gaps file behind.
      const run: (options: ReconcileOptions) => Promise<ReconcileSummary> =
        engine === 'duckdb'
          ? await duckDbEngine(memoryLimit, io.stop)
          : engine === 'athena'
            ? await athenaEngine(io.env, values['i-accept-cost'] ?? false, io.stop)
            : reconcile;
      // Checked before anything is read or appended: a report that cannot be written must not follow an append.
      for (const path of [`${gapsPath}.partial`, gapsPath, join(out, 'summary.json'), join(out, 'report.html')]) checkOutputFile(path, `--out ${out}:`);
      // Taken before the archive is read: a second writer's decisions would rest on a read that misses this run's appends.
      if (appender) lease = await acquireWriterLease(archive.store, `reconcile --write --append ${append}`);
      // Written aside and renamed when complete: a run that stops half-way leaves no gaps file that looks whole.
      const gaps = createWriteStream(`${gapsPath}.partial`);
      let gapsError: Error | null = null;
      gaps.on('error', (error) => (gapsError ??= error));
      const closeGaps = () => new Promise<void>((done, fail) => gaps.end(() => (gapsError ? fail(gapsError) : done())));
      // The page lists the first findings; gaps.ndjson holds them all.
      const listed: Gap[] = [];
      let gapCount = 0;
      let summary: ReconcileSummary;
      try {
        summary = await run({
          store: archive.store,
          layout: archive.layout,
          allowEmpty: values['allow-empty'] ?? false,
          acceptShortList: values['accept-short-list'] ?? false,
          acceptPartialRead: values['accept-partial-read'] ?? false,
          from,
          to,
          slackMs,
          matchWindowMs,
          threads,
          direction,
          twilioList: twilioListFor(exportPath, values.day, from, to, io.env),
          twilioListDescription: exportPath,
          maxMissingShare,
          appender: appender && lease ? new LeasedAppender(appender, lease) : null,
          redactDigits,
          onGap: (gap) => {
            gaps.write(`${JSON.stringify(gap)}\n`);
            if (listed.length < MAX_GAPS_LISTED) listed.push(gap);
            gapCount++;
          },
          onProgress: (phase, done, total) => progress.update(phase, done, total),
        });
        await closeGaps();
      } catch (error) {
        await closeGaps().catch(() => undefined);
        rmSync(`${gapsPath}.partial`, { force: true });
        throw error;
      }
      renameSync(`${gapsPath}.partial`, gapsPath);
      progress.stop();
      writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
      writeFileSync(join(out, 'report.html'), renderReport(summary, listed, gapCount));
      printSummary(summary, out, io.out);
      printWarehouse(summary, io.out);
      return reconcileExitCode(summary);
    } catch (error) {
      if (!appender || appender.tally.records === 0) throw error;
      io.err(`reconcile: APPENDED, BUT THE REPORT COULD NOT BE WRITTEN: ${(error as Error).message}. ${appender.appendedSoFar()}`);
      return 3;
    } finally {
      progress.stop();
      await lease?.release();
    }
  },
});
