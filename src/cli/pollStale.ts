/**
 * `twilio-message-archive poll-stale --archive <s3://bucket/prefix | folder> [options]`
 * Finds messages with no final status after --older-than and asks Twilio.
 * Exit codes: 0 all stale messages resolved or legitimately pending; 1 some
 * could not be fetched, archived, or the archive was only partly readable;
 * 2 bad arguments, an unreadable archive, an empty window, an unwritable
 * --out or another writer's lease; 3 appended, but --out not written (see HELP).
 */
import { writeFileSync } from 'node:fs';
import { appenderFor, openArchive, type CountingAppender } from './archiveAccess';
import { checkOutputFile } from './outputs';
import { acquireWriterLease, LeasedAppender, type HeldLease } from '../adapters/archive/writerLease';
import {
  appendOption,
  DEFAULT_DUCKDB_MEMORY,
  durationOption,
  instantOption,
  defineCommand,
  memoryOption,
  positiveIntOption,
  threadsHelp,
  threadsOption,
  UsageError,
} from './command';
import { flaggedRecordLines } from './flaggedRecords';
import { Progress } from './progress';
import { TwilioMessageFetcher } from '../adapters/twilio/messageFetcher';
import { requestRateGate } from '../adapters/twilio/requestRate';
import { twilioClientFromEnv } from '../adapters/twilio/twilioClient';
import { readRedactDigits } from '../config/archiveSettings';
import { pollExitCode, pollStale, type PollOptions, type PollSummary } from '../poller/pollStale';
import { engineOption, openAthenaWarehouse, printWarehouse } from './athenaAccess';

const HELP = `Usage: twilio-message-archive poll-stale --archive <s3://bucket/prefix | folder> [options]

Finds messages whose latest archived status is not final and that the archive
has not heard of for --older-than, fetches each from Twilio's API, and appends
what Twilio says to the archive as a "poll" record.

Options:
  --archive <where>     The archive root, the folder (or s3://bucket/prefix/) that holds firehose/
                        (required). s3:// in any case is S3; a folder must exist.
  --since <when>        Consider messages created at or after this time: ISO-8601 with Z or an
                        offset (2026-11-25T06:00:00Z, 2026-11-25T08:00+02:00) or a duration
                        before now (3d, 12h). Default: 2d.
  --until <when>        Consider messages created before this time (same forms), after --since.
                        Default: no limit. A window that is empty or in the future is refused (exit 2).
  --older-than <dur>    Silence after which a non-final message is stale. Default: 12h.
  --slack <dur>         Extra archive scanned before --since (Firehose buffering). Default: 15m.
  --concurrency <n>     Messages fetched at once. Default: 10.
${threadsHelp(24)}
  --max-rps <n>         Twilio API requests per second, retries included. Default: 25.
  --append <where>      firehose: through ARCHIVE_FIREHOSE_STREAM, like every other record (default);
                        archive: straight into the archive location under direct/ (see README).
  --dry-run             Find stale messages; fetch nothing, write nothing.
  --allow-empty         Go on when the archive holds no object at all in the window (otherwise
                        exit 2: an empty window usually means a wrong --archive).
  --out <file>          Write the JSON summary to this file.
  --engine <engine>     local (default): the archive scanned here. duckdb: DuckDB reads the scan's
                        objects itself (an s3:// archive's first copied to a temporary folder)
                        and runs the statements Athena runs. athena: the stale messages found
                        by SQL on Athena where the archive lies (--archive s3://…; the
                        ARCHIVE_ATHENA_* settings as for reconcile). Fetching and appending are
                        the same on all three. Ctrl-C stops the queries; Athena's bytes scanned
                        and cost are printed and in --out.
  --i-accept-cost       With --engine athena: run in a workgroup with no bytes-scanned limit per
                        query (refused otherwise, exit 2).
  --memory <size>       With --engine duckdb: DuckDB's memory limit (default ${DEFAULT_DUCKDB_MEMORY}); past it
                        DuckDB spills to the temporary folder.
  -h, --help            This text.

Environment: TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and
TWILIO_API_SECRET); TWILIO_API_BASE_URL sends every API request elsewhere (a
local fake or mock); ARCHIVE_AWS_*, ARCHIVE_S3_ENDPOINT, ARCHIVE_FIREHOSE_*
ARCHIVE_REDACT_DIGITS and the archive's layout (ARCHIVE_FIREHOSE_PREFIX,
ARCHIVE_DIRECT_PREFIX, ARCHIVE_FALLBACK_S3_URI with ARCHIVE_S3_URI) as for the
Function (.env.example).

Unless --dry-run, the run takes the archive's writers' lease (.writer-lease.json
at its root), shared with reconcile --write and drain-spool.

Exit codes: 0 resolved or legitimately pending; 1 something could not be
fetched, archived or read; 2 bad arguments, an unreadable archive, an empty window without --allow-empty,
an --out that cannot be written, or another writer holds the archive's lease: nothing appended;
3 poll records appended, but --out could not be written (the message says what was appended).`;

function printSummary(s: PollSummary, out: (line: string) => void): void {
  const c = s.counts;
  out(`Archive ${s.archive}: ${c.scanned_records} records, ${c.messages} messages (${s.archive_read.objects} objects read).`);
  out(`Stale (no final status, silent ${Math.round(s.window.older_than_ms / 3_600_000)}h+): ${c.stale}.`);
  if (s.dry_run) out('Dry run: nothing fetched, nothing written.');
  else {
    out(`Fetched ${c.fetched}: ${c.now_final} now final, ${c.still_pending} still pending, ${c.not_found} not found at Twilio; ${c.failed} failed.`);
    out(`Poll records appended to ${s.appended_to}.`);
  }
  if (!s.archive_read.complete) {
    out(
      `Archive only partly read: ${s.archive_read.corrupt_objects} unreadable object(s), ${s.archive_read.malformed_lines} malformed line(s). First problems:`,
    );
    for (const p of s.archive_read.problems.slice(0, 10)) out(`  ${p.key}${p.line ? `:${p.line}` : ''}: ${p.reason}`);
  }
  for (const line of flaggedRecordLines(s.archive_read)) out(line);
  if (s.needs_attention.length > 0) {
    out(`Needs attention (${s.needs_attention.length}):`);
    for (const a of s.needs_attention.slice(0, 20)) out(`  ${a.message_sid}  ${a.reason}`);
    if (s.needs_attention.length > 20) out(`  … and ${s.needs_attention.length - 20} more (see --out).`);
  }
}

/**
 * The window of creation times asked about. A reversed or empty one, or one
 * not yet begun, would scan no hour folder at all: refused, rather than run
 * on nothing and say so in terms of folders that do not exist.
 */
function pollWindow(sinceValue: string | undefined, untilValue: string | undefined, now: Date): { since: Date; until: Date | undefined } {
  const since = instantOption(sinceValue ?? '2d', 'since', now);
  const until = untilValue ? instantOption(untilValue, 'until', now) : undefined;
  if (until !== undefined && since.getTime() >= until.getTime()) {
    throw new UsageError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()}): the window is empty`);
  }
  if (since.getTime() >= now.getTime()) {
    throw new UsageError(`--since (${since.toISOString()}) is in the future (now ${now.toISOString()}): no message created then can be stale yet`);
  }
  return { since, until };
}

export const command = defineCommand({
  name: 'poll-stale',
  help: HELP,
  options: {
    archive: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    'older-than': { type: 'string' },
    slack: { type: 'string' },
    concurrency: { type: 'string' },
    threads: { type: 'string' },
    'max-rps': { type: 'string' },
    append: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'allow-empty': { type: 'boolean' },
    out: { type: 'string' },
    engine: { type: 'string' },
    'i-accept-cost': { type: 'boolean' },
    memory: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  body: async (values, io) => {
    const now = new Date();
    const progress = new Progress(io.errStream);
    let appender: CountingAppender | null = null;
    let lease: HeldLease | null = null;
    try {
      if (!values.archive) throw new UsageError('--archive is required: s3://bucket/prefix or a folder');
      const engine = engineOption(values, ['local', 'duckdb', 'athena']);
      if (values.memory !== undefined && engine !== 'duckdb') throw new UsageError('--memory is for --engine duckdb');
      const memoryLimit = memoryOption(values.memory);
      const append = appendOption(values.append);
      const maxRps = positiveIntOption(values['max-rps'], 'max-rps', 25);
      const archive = openArchive(values.archive, io.env);
      const dryRun = values['dry-run'] ?? false;
      const fetcher = dryRun
        ? { fetch: () => Promise.reject(new Error('dry run')) }
        : new TwilioMessageFetcher(twilioClientFromEnv(io.env, { gate: requestRateGate(maxRps) }).client);
      const warehouse = engine === 'athena' ? await openAthenaWarehouse(io.env, values['i-accept-cost'] ?? false) : null;
      // The engines' Ctrl-C handler is set before the lease's: the lease then leaves the run to stop its queries and end by itself.
      const stop = engine === 'local' ? null : io.stop;
      const poll = warehouse
        ? async (options: PollOptions) => (await import('../poller/pollStaleInWarehouse')).pollStaleInWarehouse({ ...options, warehouse, signal: stop! })
        : engine === 'duckdb'
          ? async (options: PollOptions) => (await import('../poller/nativePollStale')).pollStaleNatively({ ...options, memoryLimit, signal: stop! })
          : pollStale;
      const options: PollOptions = {
        store: archive.store,
        layout: archive.layout,
        allowEmpty: values['allow-empty'] ?? false,
        criteria: {
          now,
          olderThanMs: durationOption(values['older-than'] ?? '12h', 'older-than'),
          ...pollWindow(values.since, values.until, now),
        },
        slackMs: durationOption(values.slack ?? '15m', 'slack'),
        fetcher,
        appender: (appender = dryRun ? null : appenderFor(append, archive, 'poll', io.env)),
        concurrency: positiveIntOption(values.concurrency, 'concurrency', 10),
        threads: threadsOption(values.threads),
        redactDigits: readRedactDigits(io.env),
        onProgress: (p) =>
          p.phase === 'scan' ? progress.update('scan', p.objectsRead, p.objectsListed, `${p.records} records`) : progress.update('fetch', p.done, p.total),
      };
      // Checked before anything is read or appended: a summary that cannot be written must not follow an append.
      if (values.out) checkOutputFile(values.out, '--out');
      // Taken before the archive is read: a second writer would poll (and append) the same stale messages.
      if (appender) {
        lease = await acquireWriterLease(archive.store, `poll-stale --append ${append}`);
        options.appender = new LeasedAppender(appender, lease);
      }
      const summary = await poll(options);
      progress.stop();
      if (values.out) writeFileSync(values.out, `${JSON.stringify(summary, null, 2)}\n`);
      printSummary(summary, io.out);
      printWarehouse(summary, io.out);
      return pollExitCode(summary);
    } catch (error) {
      if (!appender || appender.tally.records === 0) throw error;
      io.err(`poll-stale: APPENDED, BUT THE SUMMARY COULD NOT BE WRITTEN: ${(error as Error).message}. ${appender.appendedSoFar()}`);
      return 3;
    } finally {
      progress.stop();
      await lease?.release();
    }
  },
});
