import { AlertBook } from './alertBook';
import type { ArchiveAppender } from '../adapters/archive/archiveAppender';
import { archiveReadSummary, type ArchiveReadSummary, type ScanReport } from '../adapters/archive/archiveScanner';
import type { ArchiveStore } from '../adapters/archive/archiveStore';
import { scanWindow } from '../adapters/archive/windowScan';
import type { ExportProblem, ExportReadReport } from '../adapters/twilioExport/exportFileReader';
import type { ArchiveLayout } from '../config/archiveSettings';
import type { RecordFacts } from '../domain/archiveLine';
import type { ParamValue } from '../domain/archiveRecord';
import { MessageStates } from '../domain/messageState';
import { EnvelopeMatcher } from '../domain/reconcile/envelopeMatcher';
import { matchedAttemptOf } from '../domain/reconcile/reconcileRecord';
import { categorizeStatus } from '../domain/reconcile/statusCategory';
import { matchesDirection, type TwilioMessageRow } from '../domain/reconcile/twilioRow';
import { maskReasons, maskTrailingDigits, redactParameters } from '../domain/redaction';
import type { WarehouseSummary } from '../warehouse/warehouseRead';
import { ReconcileReport, type AttemptEvidence, type Gap, type ReportOutcome, type Verdict } from './reconcileReport';
import { readListOnce, type TwilioList } from './twilioListOnce';

export { DEFAULT_MAX_MISSING_SHARE } from './reconcileReport';
export type { AttemptCategory, CountCategory, Gap, GapCategory, Verdict } from './reconcileReport';

export type { TwilioList } from './twilioListOnce';

export interface ReconcileOptions {
  store: ArchiveStore;
  layout: ArchiveLayout;
  /** Go on when the window holds no archive object at all (otherwise EmptyArchiveError). */
  allowEmpty: boolean;
  /**
   * Go on when Twilio's list names fewer than half the messages the archive
   * holds in the window (none, for a day Twilio truly has no such traffic);
   * otherwise the run is not comparable: exit 2, nothing appended.
   */
  acceptShortList?: boolean;
  /** With --write: append although an input was only partly read (the user has checked what could not be read). */
  acceptPartialRead?: boolean;
  /** The window: messages created in [from, to). */
  from: Date;
  to: Date;
  /** Archive read this much before and after the window (late callbacks, Firehose buffering). */
  slackMs: number;
  matchWindowMs: number;
  /** Threads that parse the archive (archiveScanner.ts). @default 1 */
  threads?: number;
  direction: 'outbound' | 'inbound' | 'all';
  twilioList: TwilioList;
  twilioListDescription: string;
  /** Where --write appends corrections; null without --write. */
  appender: ArchiveAppender | null;
  /**
   * The largest share (0–1) of Twilio's messages that may be missing from
   * the archive for --write to append: above it, the archive, the window or
   * the export is more likely wrong than the day bad, and a wrong append is
   * forever. @default 0.05
   */
  maxMissingShare?: number;
  redactDigits: number;
  onGap: (gap: Gap) => void;
  /** Every verdict, `ok` and `pending` included: each message of the list, each send attempt (audits; the SQL engines' differential test). */
  onVerdict?: (verdict: Verdict) => void;
  now?: () => Date;
  onProgress?: (phase: 'archive' | 'twilio', done: number, total: number) => void;
}

/** summary.json: the run's window and inputs, and what the report found (ReportOutcome: counts, corrections, plausibility, charts). */
export interface ReconcileSummary extends ReportOutcome {
  window: {
    from: string;
    to: string;
    /** Hours of each UTC day the window [from, to) covers: a day is reconciled only by a run that covered all 24 (report). */
    coverage: { day: string; hours: number }[];
    archive_scanned_from: string;
    archive_scanned_to: string;
    match_window_ms: number;
    direction: string;
  };
  inputs: {
    archive: string;
    twilio: string;
    archive_read: ArchiveReadSummary & { records: number };
    twilio_read: {
      complete: boolean;
      rows: number;
      malformed_rows: number;
      /** Rows identical to an earlier row of the same SID: counted once. */
      repeated_rows: number;
      /** SIDs listed with rows that differ: each a listed_twice gap, never corrected. */
      sids_listed_twice: number;
      problems: ExportProblem[];
    };
  };
  /** True when an input was only partly read: the result cannot be trusted to be complete. */
  partial: boolean;
  duration_ms: number;
  /** With --engine athena: what its queries scanned and cost. */
  warehouse?: WarehouseSummary;
}

/** The archive read for a window: the window widened by the slack on both sides (late callbacks, Firehose buffering). */
export function scannedWindow(options: Pick<ReconcileOptions, 'from' | 'to' | 'slackMs'>): { from: Date; to: Date } {
  return { from: new Date(options.from.getTime() - options.slackMs), to: new Date(options.to.getTime() + options.slackMs) };
}

/**
 * Proves the archive against Twilio's own list of messages: every message of
 * the list lands in one status category, every send attempt without a SID in
 * one attempt category, and every message the sender recorded but Twilio does
 * not list is reported.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileSummary> {
  const started = Date.now();
  const now = options.now ?? (() => new Date());
  const toIso = options.to.toISOString();
  const fromMs = options.from.getTime();
  const toMs = options.to.getTime();
  const scanned = scannedWindow(options);

  const states = new MessageStates();
  const alerts = new AlertBook();
  const attempts: AttemptEvidence[] = [];
  // A send_error record delivered twice (at-least-once) is still one attempt.
  const attemptIds = new Set<string>();
  const alreadyMatched = new Set<string>();
  const attemptFrom = new Date(options.from.getTime() - options.matchWindowMs).toISOString();
  // Every record but send attempts is message state; attempts and earlier corrections are also read whole.
  const onRecord = (facts: RecordFacts) => {
    if (facts.source === 'send_error') {
      const attempt = attemptOf(facts, attemptFrom, toIso, options.redactDigits);
      if (attempt && !attemptIds.has(attempt.id)) {
        attempts.push(attempt);
        attemptIds.add(attempt.id);
      }
    } else {
      const matched = matchedAttemptOf(facts.params);
      if (matched) alreadyMatched.add(matched);
    }
  };
  const scan = await scanWindow(options.store, options.layout, scanned.from, scanned.to, {
    allowEmpty: options.allowEmpty,
    redactDigits: options.redactDigits,
    states,
    foldExcept: ['send_error'],
    onRecord,
    wholeSources: ['send_error', 'reconcile'],
    onAlert: (alert) => alerts.add(alert),
    threads: options.threads,
    onProgress: (p) => options.onProgress?.('archive', p.objectsRead, p.objectsListed),
  });

  const report = new ReconcileReport({ ...options, now, alerts });
  const pendingAttempts = attempts.filter((a) => !alreadyMatched.has(a.id));
  const matcher = new EnvelopeMatcher(pendingAttempts, options.matchWindowMs);
  const rowsBySid = new Map<string, TwilioMessageRow>();
  const onRow = (row: TwilioMessageRow) => {
    const state = states.markListed(row.sid);
    const category = categorizeStatus(state?.status || null, row.status);
    // A message with no send record may be the one a failed attempt created: offer it to the matcher.
    const created = row.dateCreated ?? row.dateSent;
    const candidate = !state?.createdFromSend && row.to !== null && created !== null && matcher.offer({ sid: row.sid, to: row.to, dateCreated: created });
    if (candidate) rowsBySid.set(row.sid, row);
    report.listed(row, state ?? null, category, candidate);
  };
  let twilioRead: TwilioListRead;
  try {
    twilioRead = await readTwilioList(options, report, onRow, (sid) => states.markListed(sid));
  } catch (error) {
    report.discard();
    throw error;
  }

  for (const attempt of attempts) if (alreadyMatched.has(attempt.id)) report.matchedEarlier(attempt.id);
  for (const outcome of matcher.outcomes()) {
    if (outcome.category === 'matched_by_envelope') {
      const row = rowsBySid.get(outcome.message.sid)!;
      report.attempt({ ...outcome, row, archive: states.get(row.sid) ?? null });
    } else {
      report.attempt(outcome);
    }
  }
  report.settleDeferred();

  for (const [sid, state] of states.entries()) {
    if (state.createdMs < fromMs || state.createdMs >= toMs || state.listedByTwilio) continue;
    report.unlisted(sid, state);
  }
  const outcome = await report.close({ archive: scan, twilio: twilioRead });

  return summaryOf(options, started, scan, twilioRead, outcome);
}

/** The run's summary, whichever engine decided the categories. */
export function summaryOf(options: ReconcileOptions, started: number, scan: ScanReport, twilioRead: TwilioListRead, outcome: ReportOutcome): ReconcileSummary {
  return {
    window: {
      from: options.from.toISOString(),
      to: options.to.toISOString(),
      coverage: dayCoverage(options.from, options.to),
      archive_scanned_from: scannedWindow(options).from.toISOString(),
      archive_scanned_to: scannedWindow(options).to.toISOString(),
      match_window_ms: options.matchWindowMs,
      direction: options.direction,
    },
    inputs: {
      archive: options.store.description,
      twilio: options.twilioListDescription,
      archive_read: { ...archiveReadSummary(scan, options.redactDigits), records: scan.records },
      twilio_read: {
        complete: twilioRead.complete,
        rows: twilioRead.rows,
        malformed_rows: twilioRead.malformedRows,
        repeated_rows: twilioRead.repeatedRows,
        sids_listed_twice: twilioRead.sidsListedTwice,
        problems: maskReasons(twilioRead.problems, options.redactDigits),
      },
    },
    ...outcome,
    partial: !scan.complete || !twilioRead.complete,
    duration_ms: Date.now() - started,
  };
}

/** Stable across runs: the attempt's record is never rewritten, and masking a masked number changes nothing. */
function attemptId(recordedAt: string, tags: Record<string, ParamValue>, to: string): string {
  const ref = tags.client_ref;
  return `${recordedAt}|${typeof ref === 'string' ? ref : ''}|${to}`;
}

/** A send_error record as an attempt, when it names a recipient and was made in the window (less the match window). */
export function attemptOf(facts: RecordFacts, attemptFromIso: string, toIso: string, redactDigits: number): AttemptEvidence | null {
  const at = facts.event_at ?? facts.recorded_at;
  if (!facts.to || at < attemptFromIso || at >= toIso) return null;
  // Masked again (idempotent) in case the record predates redaction: the attempt is quoted in evidence and corrections.
  const to = maskTrailingDigits(facts.to, redactDigits);
  const tags = redactParameters(facts.tags as Record<string, ParamValue>, redactDigits);
  return { id: attemptId(facts.recorded_at, tags, to), to, at, tags };
}

/** Where a row of Twilio's list falls: judged (`in`), or counted as of another direction or created outside the window. */
function placementOf(
  row: TwilioMessageRow,
  direction: ReconcileOptions['direction'],
  fromIso: string,
  toIso: string,
): 'in' | 'other_direction' | 'outside_window' {
  if (!matchesDirection(row, direction)) return 'other_direction';
  const created = row.dateCreated ?? row.dateSent;
  return created !== null && (created < fromIso || created >= toIso) ? 'outside_window' : 'in';
}

/**
 * Whether a row of Twilio's list (masked already: readListOnce) is judged:
 * one of another direction or created outside the window is counted, not
 * reconciled.
 */
function placeRow(row: TwilioMessageRow, report: ReconcileReport, direction: ReconcileOptions['direction'], fromIso: string, toIso: string): boolean {
  const placement = placementOf(row, direction, fromIso, toIso);
  if (placement === 'other_direction') report.otherDirection();
  else if (placement === 'outside_window') report.outsideWindow();
  return placement === 'in';
}

/**
 * 0: no gap left (or all fixed with --write); 1: gaps remain; never 0 when an
 * input was only partly read; 2: the inputs are not comparable, or --write
 * refused to append (an implausible result, a partial read).
 */
export function reconcileExitCode(summary: ReconcileSummary): 0 | 1 | 2 {
  if (summary.not_comparable || summary.write_refused) return 2;
  return summary.partial || summary.gaps_remaining > 0 ? 1 : 0;
}

/** How Twilio's list was read: the source's report, with what the list repeated. */
export interface TwilioListRead extends ExportReadReport {
  repeatedRows: number;
  sidsListedTwice: number;
}

/**
 * Twilio's list read whole (readListOnce), then each row placed (masked, in
 * the window and direction) and handed to the engine once per SID; a SID the
 * list gives with rows that differ goes to the report as listed twice, and
 * to `onListedTwice` (the engine's archive side counts it as listed). Every
 * engine reads the list through here, so all of them judge the same rows.
 */
export async function readTwilioList(
  options: Pick<ReconcileOptions, 'twilioList' | 'redactDigits' | 'direction' | 'from' | 'to'>,
  report: ReconcileReport,
  onRow: (row: TwilioMessageRow) => void,
  onListedTwice: (sid: string) => void = () => undefined,
): Promise<TwilioListRead> {
  const fromIso = options.from.toISOString();
  const toIso = options.to.toISOString();
  const once = await readListOnce(options.twilioList, options.redactDigits);
  // The held rows are masked already: readListOnce masks each row as it is read.
  const listedTwice = await once.replay((row) => {
    if (placeRow(row, report, options.direction, fromIso, toIso)) onRow(row);
  });
  let sidsListedTwice = 0;
  for (const { sid, rows } of listedTwice) {
    // The list's fault whenever any of its rows is of the window and direction (a row of another day or direction
    // must not hide one that contradicts the archive); otherwise counted once where its first row falls.
    if (!rows.some((row) => placementOf(row, options.direction, fromIso, toIso) === 'in')) {
      placeRow(rows[0], report, options.direction, fromIso, toIso);
      continue;
    }
    report.listedTwice(sid, rows);
    onListedTwice(sid);
    sidsListedTwice++;
  }
  return { ...once.read, repeatedRows: once.repeatedRows, sidsListedTwice };
}

/** The UTC days a window touches, with the hours of each it covers. */
export function dayCoverage(from: Date, to: Date): { day: string; hours: number }[] {
  const days: { day: string; hours: number }[] = [];
  for (let day = Math.floor(from.getTime() / 86_400_000) * 86_400_000; day < to.getTime(); day += 86_400_000) {
    const covered = Math.min(to.getTime(), day + 86_400_000) - Math.max(from.getTime(), day);
    days.push({ day: new Date(day).toISOString().slice(0, 10), hours: Number((covered / 3_600_000).toFixed(4)) });
  }
  return days;
}
