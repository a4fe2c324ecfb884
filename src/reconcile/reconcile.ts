import type { ArchiveAppender } from '../adapters/archive/archiveAppender';
import { archiveReadSummary, type ArchiveReadSummary } from '../adapters/archive/archiveScanner';
import type { ArchiveStore } from '../adapters/archive/archiveStore';
import { scanWindow } from '../adapters/archive/windowScan';
import type { ExportProblem, ExportReadReport } from '../adapters/twilioExport/exportFileReader';
import type { ArchiveLayout } from '../config/archiveSettings';
import type { RecordFacts } from '../domain/archiveLine';
import { toArchiveLine, type ParamValue } from '../domain/archiveRecord';
import { MessageStates } from '../domain/messageState';
import { EnvelopeMatcher, type SendAttempt } from '../domain/reconcile/envelopeMatcher';
import { buildReconcileRecord, matchedAttemptOf } from '../domain/reconcile/reconcileRecord';
import { categorizeStatus, type StatusCategory } from '../domain/reconcile/statusCategory';
import { matchesDirection, redactTwilioRow, type TwilioMessageRow } from '../domain/reconcile/twilioRow';
import { maskReasons, maskTrailingDigits, redactParameters } from '../domain/redaction';
import { isFinalStatus } from '../domain/statusRules';
import { PendingCorrections, type AppendOutcome } from './pendingCorrections';

/** --max-missing-share's default: above 5% missing, --write appends nothing. */
export const DEFAULT_MAX_MISSING_SHARE = 0.05;

export type GapCategory = Exclude<StatusCategory, 'ok' | 'pending'> | 'matched_by_envelope' | 'ambiguous_envelope' | 'unknown_to_twilio';

/** One line of gaps.ndjson. */
export interface Gap {
  category: GapCategory;
  message_sid: string | null;
  /** What shows it: the archive's side and Twilio's. */
  evidence: Record<string, unknown>;
  /** Whether --write appends a correction for it in this run (unless the summary's write_refused or write_error says it did not). */
  written?: boolean;
}

/** Twilio's list, from whatever source: streams rows and reports what it could not read. */
export type TwilioList = (onRow: (row: TwilioMessageRow) => void) => Promise<ExportReadReport>;

export interface ReconcileOptions {
  store: ArchiveStore;
  layout: ArchiveLayout;
  /** Go on when the window holds no archive object at all (otherwise EmptyArchiveError). */
  allowEmpty: boolean;
  /** The window: messages created in [from, to). */
  from: Date;
  to: Date;
  /** Archive read this much before and after the window (late callbacks, Firehose buffering). */
  slackMs: number;
  matchWindowMs: number;
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

export type AttemptCategory = 'matched_by_envelope' | 'ambiguous_envelope' | 'unmatched_send_error';

export type Verdict =
  | { kind: 'message'; sid: string; category: StatusCategory; archive: { status: string; error_code: string | null } | null }
  /** `matched_earlier`: an attempt a previous run matched (its reconcile record is in the archive). */
  | { kind: 'attempt'; id: string; category: AttemptCategory | 'matched_earlier'; sid: string | null };

export type CountCategory = StatusCategory | 'matched_by_envelope' | 'ambiguous_envelope' | 'unmatched_send_error' | 'unknown_to_twilio';

export interface ReconcileSummary {
  window: { from: string; to: string; archive_scanned_from: string; archive_scanned_to: string; match_window_ms: number; direction: string };
  inputs: {
    archive: string;
    twilio: string;
    archive_read: ArchiveReadSummary & { records: number };
    twilio_read: { complete: boolean; rows: number; malformed_rows: number; problems: ExportProblem[] };
  };
  counts: Record<CountCategory, number> & { twilio_messages: number; outside_window: number; other_direction: number; send_errors: number };
  /** Corrections appended with --write. */
  written: number;
  /** Why the corrections could not be appended, if they could not: then no gap marked written is closed. */
  write_error: string | null;
  /** Why --write appended nothing on purpose (an implausible result), and how to override it; null otherwise. */
  write_refused: string | null;
  /** The share of Twilio's messages missing from the archive, and the most --write accepts. */
  plausibility: { missing_share: number; max_missing_share: number };
  /** Gaps still open after this run: those --write could not or did not close. */
  gaps_remaining: number;
  /** True when an input was only partly read: the result cannot be trusted to be complete. */
  partial: boolean;
  /** For the report: statuses in Twilio's list, its most frequent error codes, and how long the archive took to learn final statuses. */
  charts: {
    twilio_statuses: Record<string, number>;
    top_error_codes: { code: string; count: number }[];
    callback_lag: { bucket: string; count: number }[];
  };
  duration_ms: number;
}

interface Attempt extends SendAttempt {
  tags: Record<string, ParamValue>;
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
  const fromIso = options.from.toISOString();
  const toIso = options.to.toISOString();
  const fromMs = options.from.getTime();
  const toMs = options.to.getTime();
  const scanFrom = new Date(options.from.getTime() - options.slackMs);
  const scanTo = new Date(options.to.getTime() + options.slackMs);

  const states = new MessageStates();
  const attempts: Attempt[] = [];
  // A send_error record delivered twice (at-least-once) is still one attempt.
  const attemptIds = new Set<string>();
  const alreadyMatched = new Set<string>();
  const attemptFrom = new Date(options.from.getTime() - options.matchWindowMs).toISOString();
  const onRecord = (facts: RecordFacts) => {
    if (facts.source === 'send_error') {
      const at = facts.event_at ?? facts.recorded_at;
      if (facts.to && at >= attemptFrom && at < toIso) {
        // Masked again (idempotent) in case the record predates redaction: the attempt is quoted in evidence and corrections.
        const to = maskTrailingDigits(facts.to, options.redactDigits);
        const tags = redactParameters(facts.tags as Record<string, ParamValue>, options.redactDigits);
        const id = attemptId(facts.recorded_at, tags, to);
        if (!attemptIds.has(id)) attempts.push({ id, to, at, tags });
        attemptIds.add(id);
      }
      return;
    }
    if (facts.source === 'reconcile') {
      const matched = matchedAttemptOf(facts.params);
      if (matched) alreadyMatched.add(matched);
    }
    states.fold(facts);
  };
  const scan = await scanWindow(options.store, options.layout, scanFrom, scanTo, {
    allowEmpty: options.allowEmpty,
    onRecord,
    onProgress: (p) => options.onProgress?.('archive', p.objectsRead, p.objectsListed),
  });

  const counts: ReconcileSummary['counts'] = {
    ok: 0,
    pending: 0,
    missing: 0,
    status_behind: 0,
    status_conflict: 0,
    matched_by_envelope: 0,
    ambiguous_envelope: 0,
    unmatched_send_error: 0,
    unknown_to_twilio: 0,
    twilio_messages: 0,
    outside_window: 0,
    other_direction: 0,
    send_errors: attempts.length,
  };
  let gapsRemaining = 0;
  const corrections = options.appender ? new PendingCorrections() : null;
  const report = (gap: Gap) => {
    // A match by envelope explains an attempt; it is not a gap for the exit code, written or not.
    if (!gap.written && gap.category !== 'matched_by_envelope') gapsRemaining++;
    options.onGap(gap);
  };

  const statusGap = (row: TwilioMessageRow, category: Exclude<StatusCategory, 'ok' | 'pending'>, fixedByMatch = false) => {
    const state = states.get(row.sid);
    const accountSid = row.accountSid ?? state?.accountSid ?? null;
    const fixable = (category === 'missing' || category === 'status_behind') && options.appender !== null && accountSid !== null;
    if (fixable && !fixedByMatch) corrections?.add(toArchiveLine(buildReconcileRecord(row, accountSid, { category }, now(), options.redactDigits)));
    report({
      category,
      message_sid: row.sid,
      evidence: {
        archive: state ? { status: state.status, error_code: state.errorCode, last_recorded_at: state.newestRecordedAt } : null,
        twilio: { status: row.status, error_code: row.errorCode, date_created: row.dateCreated, date_sent: row.dateSent },
        ...(fixedByMatch ? { fixed_by: 'matched_by_envelope' } : {}),
      },
      written: fixable,
    });
  };

  const twilioStatuses: Record<string, number> = {};
  const errorCodes = new Map<string, number>();
  const lag = LAG_BUCKETS.map(() => 0);

  const pendingAttempts = attempts.filter((a) => !alreadyMatched.has(a.id));
  const matcher = new EnvelopeMatcher(pendingAttempts, options.matchWindowMs);
  const rowsBySid = new Map<string, TwilioMessageRow>();
  const deferred: { row: TwilioMessageRow; category: Exclude<StatusCategory, 'ok' | 'pending'> }[] = [];
  // Twilio's rows are masked as the archive is, as they are read: nothing downstream sees a full number.
  const onRow = (unmasked: TwilioMessageRow) => {
    const row = redactTwilioRow(unmasked, options.redactDigits);
    if (!matchesDirection(row, options.direction)) {
      counts.other_direction++;
      return;
    }
    const created = row.dateCreated ?? row.dateSent;
    if (created !== null && (created < fromIso || created >= toIso)) {
      counts.outside_window++;
      return;
    }
    counts.twilio_messages++;
    twilioStatuses[row.status] = (twilioStatuses[row.status] ?? 0) + 1;
    if (row.errorCode) errorCodes.set(row.errorCode, (errorCodes.get(row.errorCode) ?? 0) + 1);
    const state = states.markListed(row.sid);
    if (state && isFinalStatus(state.status)) lag[lagBucket(state.recordedMs - state.createdMs)]++;
    const category = categorizeStatus(state?.status || null, row.status);
    counts[category]++;
    options.onVerdict?.({ kind: 'message', sid: row.sid, category, archive: state ? { status: state.status, error_code: state.errorCode } : null });
    // A message with no send record may be the one a failed attempt created: offer it to the matcher.
    const candidate = !state?.createdFromSend && row.to !== null && created !== null && matcher.offer({ sid: row.sid, to: row.to, dateCreated: created });
    if (candidate) rowsBySid.set(row.sid, row);
    if (category === 'ok' || category === 'pending') return;
    // A candidate's status gap waits for the matching: a match writes one record that fixes both.
    if (candidate) deferred.push({ row, category });
    else statusGap(row, category);
  };
  let twilioRead: ExportReadReport;
  try {
    twilioRead = await options.twilioList(onRow);
  } catch (error) {
    // An unreadable list stops the run: the corrections held so far are dropped with it, unappended.
    corrections?.discard();
    throw error;
  }

  const matchedSids = new Set<string>();
  for (const attempt of attempts)
    if (alreadyMatched.has(attempt.id)) options.onVerdict?.({ kind: 'attempt', id: attempt.id, category: 'matched_earlier', sid: null });
  for (const outcome of matcher.outcomes()) {
    counts[outcome.category]++;
    options.onVerdict?.({
      kind: 'attempt',
      id: outcome.attempt.id,
      category: outcome.category,
      sid: outcome.category === 'matched_by_envelope' ? outcome.message.sid : null,
    });
    const attemptEvidence = {
      id: outcome.attempt.id,
      to: outcome.attempt.to,
      at: outcome.attempt.at,
      tags: outcome.attempt.tags,
      client_ref: outcome.attempt.tags.client_ref ?? null,
    };
    if (outcome.category === 'unmatched_send_error') continue;
    if (outcome.category === 'ambiguous_envelope') {
      report({
        category: 'ambiguous_envelope',
        message_sid: null,
        evidence: { attempt: attemptEvidence, candidates: outcome.candidates, competing_attempts: outcome.competingAttempts },
      });
      continue;
    }
    const row = rowsBySid.get(outcome.message.sid)!;
    const accountSid = row.accountSid ?? states.get(row.sid)?.accountSid ?? null;
    const canWrite = options.appender !== null && accountSid !== null;
    if (canWrite) {
      corrections?.add(
        toArchiveLine(
          buildReconcileRecord(
            row,
            accountSid,
            { category: 'matched_by_envelope', attemptId: outcome.attempt.id, tags: outcome.attempt.tags },
            now(),
            options.redactDigits,
          ),
        ),
      );
      matchedSids.add(row.sid);
    }
    report({ category: 'matched_by_envelope', message_sid: row.sid, evidence: { attempt: attemptEvidence, message: outcome.message }, written: canWrite });
  }
  for (const { row, category } of deferred) statusGap(row, category, matchedSids.has(row.sid));
  counts.matched_by_envelope += attempts.length - pendingAttempts.length;

  for (const [sid, state] of states.entries()) {
    if (!state.createdFromSend || state.createdMs < fromMs || state.createdMs >= toMs || state.listedByTwilio) continue;
    counts.unknown_to_twilio++;
    report({
      category: 'unknown_to_twilio',
      message_sid: sid,
      evidence: { archive: { status: state.status, created_at: state.createdAt, last_recorded_at: state.newestRecordedAt } },
    });
  }

  const maxMissingShare = options.maxMissingShare ?? DEFAULT_MAX_MISSING_SHARE;
  const missingShare = counts.twilio_messages === 0 ? 0 : counts.missing / counts.twilio_messages;
  let writeRefused: string | null = null;
  let outcome: AppendOutcome = { appended: 0, failed: 0, error: null };
  if (corrections && missingShare > maxMissingShare) {
    writeRefused =
      `${percent(missingShare)} of Twilio's messages (${counts.missing} of ${counts.twilio_messages}) are missing from the archive, above --max-missing-share ${percent(maxMissingShare)}: ` +
      'that points at a wrong --archive, window or export rather than a bad day, and an append to the archive cannot be undone. ' +
      `Nothing was appended. Check the inputs; if the result is right, run again with --max-missing-share ${Math.min(1, Math.ceil(missingShare * 100) / 100)}.`;
    corrections.discard();
  } else if (corrections) {
    outcome = await corrections.appendTo(options.appender!);
  }
  // Corrections that are not in the archive leave open every gap they were to close.
  gapsRemaining += writeRefused ? corrections!.count : outcome.failed;

  const partial = !scan.complete || !twilioRead.complete;
  return {
    window: {
      from: fromIso,
      to: toIso,
      archive_scanned_from: scanFrom.toISOString(),
      archive_scanned_to: scanTo.toISOString(),
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
        problems: maskReasons(twilioRead.problems, options.redactDigits),
      },
    },
    counts,
    written: outcome.appended,
    write_error: outcome.error,
    write_refused: writeRefused,
    plausibility: { missing_share: missingShare, max_missing_share: maxMissingShare },
    gaps_remaining: gapsRemaining,
    partial,
    charts: {
      twilio_statuses: twilioStatuses,
      top_error_codes: [...errorCodes.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([code, count]) => ({ code, count })),
      callback_lag: LAG_BUCKETS.map(([bucket], i) => ({ bucket, count: lag[i] })),
    },
    duration_ms: Date.now() - started,
  };
}

/** Time from a message's creation to the archive's record of its final status, in buckets (upper bounds in ms). */
const LAG_BUCKETS: [string, number][] = [
  ['< 1 min', 60_000],
  ['1–5 min', 300_000],
  ['5–15 min', 900_000],
  ['15–60 min', 3_600_000],
  ['1–6 h', 21_600_000],
  ['6–24 h', 86_400_000],
  ['> 24 h', Infinity],
];

function lagBucket(ms: number): number {
  const i = LAG_BUCKETS.findIndex(([, upper]) => Math.max(0, ms) < upper);
  return i === -1 ? LAG_BUCKETS.length - 1 : i;
}

function percent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}

/** Stable across runs: the attempt's record is never rewritten, and masking a masked number changes nothing. */
function attemptId(recordedAt: string, tags: Record<string, ParamValue>, to: string): string {
  const ref = tags.client_ref;
  return `${recordedAt}|${typeof ref === 'string' ? ref : ''}|${to}`;
}

/**
 * 0: no gap left (or all fixed with --write); 1: gaps remain; never 0 when an
 * input was only partly read; 2: --write refused to append an implausible result.
 */
export function reconcileExitCode(summary: ReconcileSummary): 0 | 1 | 2 {
  if (summary.write_refused) return 2;
  return summary.partial || summary.gaps_remaining > 0 ? 1 : 0;
}
