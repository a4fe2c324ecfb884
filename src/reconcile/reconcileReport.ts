import { MAX_ALERTS_PER_GAP, type AlertBook, type QuotedAlert } from './alertBook';
import type { ArchiveAppender } from '../adapters/archive/archiveAppender';
import { toArchiveLine, type ParamValue } from '../domain/archiveRecord';
import type { EnvelopeCandidate } from '../domain/reconcile/envelopeMatcher';
import { buildReconcileRecord } from '../domain/reconcile/reconcileRecord';
import type { StatusCategory } from '../domain/reconcile/statusCategory';
import { archiveMessageMatchesDirection, type TwilioMessageRow } from '../domain/reconcile/twilioRow';
import type { ReadProblem } from '../adapters/archive/scanReport';
import { isFinalStatus } from '../domain/statusRules';
import { LAG_BUCKETS, lagBucket } from '../domain/reconcile/callbackLag';
import type { StatusTally } from '../domain/reconcile/sql/verdictRows';
import { PendingCorrections, type AppendOutcome } from './pendingCorrections';

/** --max-missing-share's default: above 5% missing, --write appends nothing. */
export const DEFAULT_MAX_MISSING_SHARE = 0.05;

export type GapCategory = Exclude<StatusCategory, 'ok' | 'pending'> | 'matched_by_envelope' | 'ambiguous_envelope' | 'unknown_to_twilio' | 'listed_twice';

/** One line of gaps.ndjson. */
export interface Gap {
  category: GapCategory;
  message_sid: string | null;
  /** What shows it: the archive's side and Twilio's. */
  evidence: Record<string, unknown>;
  /** Whether --write appends a correction for it in this run (unless the summary's write_refused or write_error says it did not). */
  written?: boolean;
}

export type AttemptCategory = 'matched_by_envelope' | 'ambiguous_envelope' | 'unmatched_send_error';

export type Verdict =
  | { kind: 'message'; sid: string; category: StatusCategory | 'listed_twice'; archive: { status: string; error_code: string | null } | null }
  /** `matched_earlier`: an attempt a previous run matched (its reconcile record is in the archive). */
  | { kind: 'attempt'; id: string; category: AttemptCategory | 'matched_earlier'; sid: string | null };

export type CountCategory = StatusCategory | AttemptCategory | 'unknown_to_twilio' | 'listed_twice';

export type ReconcileCounts = Record<CountCategory, number> & { twilio_messages: number; outside_window: number; other_direction: number; send_errors: number };

/** What the archive says of a message, whichever engine folded it. */
export interface ArchiveSide {
  status: string;
  errorCode: string | null;
  accountSid: string | null;
  newestRecordedAt: string;
  /** When the record of the latest status was written, and when the message was created: epoch ms. */
  recordedMs: number;
  createdMs: number;
}

/** A send attempt as quoted in evidence and corrections (its number masked). */
export interface AttemptEvidence {
  id: string;
  to: string;
  at: string;
  tags: Record<string, ParamValue>;
}

export type AttemptFinding =
  | { category: 'matched_by_envelope'; attempt: AttemptEvidence; message: EnvelopeCandidate; row: TwilioMessageRow; archive: ArchiveSide | null }
  | { category: 'ambiguous_envelope'; attempt: AttemptEvidence; candidates: EnvelopeCandidate[]; competingAttempts: string[] }
  | { category: 'unmatched_send_error'; attempt: AttemptEvidence };

export interface ReportOptions {
  appender: ArchiveAppender | null;
  /** The run's direction: which of the archive's messages Twilio's list should name. */
  direction: 'outbound' | 'inbound' | 'all';
  /** Go on when Twilio's list names no message of the window while the archive holds some, or is mostly of other days. */
  acceptShortList?: boolean;
  /** The window: when it is whole UTC days (--day), a list of the right day has hardly a row outside it. */
  from?: Date;
  to?: Date;
  /** Go on with --write after a partial read: the user has checked that what could not be read holds none of the window's messages. */
  acceptPartialRead?: boolean;
  /** The window's Debugger alerts, quoted in the gaps of the messages they concern. */
  alerts?: AlertBook;
  maxMissingShare?: number;
  redactDigits: number;
  onGap: (gap: Gap) => void;
  onVerdict?: (verdict: Verdict) => void;
  now: () => Date;
}

export interface ReportOutcome {
  counts: ReconcileCounts;
  /** Corrections appended with --write. */
  written: number;
  /** Why the corrections could not be appended, if they could not: then no gap marked written is closed. */
  write_error: string | null;
  /** Why --write appended nothing on purpose (an implausible result, a partial read), and how to override it; null otherwise. */
  write_refused: string | null;
  /**
   * Why the archive and Twilio's list cannot be compared (the list names far
   * fewer messages of the window than the archive holds: another day, another
   * direction, an empty export), and the flag that accepts it; null otherwise.
   * Then nothing is appended and the run exits 2.
   */
  not_comparable: string | null;
  /** Messages of the window and direction the archive holds (listed by Twilio or not), against which the list is judged. */
  archive_messages: number;
  /** The share of Twilio's messages missing from the archive, and the most --write accepts. */
  plausibility: { missing_share: number; max_missing_share: number };
  /** Gaps still open after this run: those --write could not or did not close. */
  gaps_remaining: number;
  /** Debugger alerts about messages in the archive's window, and the gaps that quote some. */
  debugger_alerts: { archived: number; gaps_with_alerts: number; gaps: AlertedGap[] };
  /** For the report: statuses in Twilio's list, its most frequent error codes, and how long the archive took to learn final statuses. */
  charts: {
    twilio_statuses: Record<string, number>;
    top_error_codes: { code: string; count: number }[];
    callback_lag: { bucket: string; count: number }[];
  };
}

type StatusGapCategory = Exclude<StatusCategory, 'ok' | 'pending'>;

/** A gap with the alerts Twilio's Debugger raised about its message: what the report's page lists. */
export interface AlertedGap {
  message_sid: string;
  category: GapCategory;
  alerts: QuotedAlert[];
}

/** The most alerted gaps the summary lists (all of them are in gaps.ndjson). */
const MAX_ALERTED_GAPS_LISTED = 200;

/**
 * What a reconciliation finds, turned into gaps, corrections, counts and
 * charts: the same for every engine (the streaming one, the SQL ones), which
 * only decide the categories and hand each verdict here.
 */
export class ReconcileReport {
  readonly counts: ReconcileCounts = {
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
    send_errors: 0,
    listed_twice: 0,
  };
  private archiveMessages = 0;
  /** SIDs Twilio's list gives with rows that differ: judged on neither row, and never unknown to Twilio. */
  private readonly listedTwiceSids = new Set<string>();
  private gapsRemaining = 0;
  private readonly corrections: PendingCorrections | null;
  private readonly twilioStatuses: Record<string, number> = {};
  private readonly errorCodes = new Map<string, number>();
  private readonly lag = LAG_BUCKETS.map(() => 0);
  private readonly deferred: { row: TwilioMessageRow; archive: ArchiveSide | null; category: StatusGapCategory }[] = [];
  private readonly matchedSids = new Set<string>();
  private readonly alertedGaps: AlertedGap[] = [];
  private gapsWithAlerts = 0;

  constructor(private readonly options: ReportOptions) {
    this.corrections = options.appender ? new PendingCorrections() : null;
  }

  otherDirection(): void {
    this.counts.other_direction++;
  }

  outsideWindow(): void {
    this.counts.outside_window++;
  }

  /**
   * A message of Twilio's list, in the window and direction. A `candidate`
   * (offered to the envelope matcher) has its status gap wait for the
   * matching: a match writes one record that fixes both.
   */
  listed(row: TwilioMessageRow, archive: ArchiveSide | null, category: StatusCategory, candidate: boolean): void {
    this.counts.twilio_messages++;
    this.twilioStatuses[row.status] = (this.twilioStatuses[row.status] ?? 0) + 1;
    if (row.errorCode) this.errorCodes.set(row.errorCode, (this.errorCodes.get(row.errorCode) ?? 0) + 1);
    if (archive && isFinalStatus(archive.status)) this.lag[lagBucket(archive.recordedMs - archive.createdMs)]++;
    this.counts[category]++;
    if (archive) this.archiveMessages++;
    this.options.onVerdict?.({ kind: 'message', sid: row.sid, category, archive: archive ? { status: archive.status, error_code: archive.errorCode } : null });
    if (category === 'ok' || category === 'pending') return;
    if (candidate) this.deferred.push({ row, archive, category });
    else this.statusGap(row, archive, category, false);
  }

  /**
   * Messages of Twilio's list that the SQL engines counted where the verdicts
   * are, ok or pending and no send attempt's candidate: counted as listed()
   * counts each of them, with nothing else to do (onVerdict aside: a run that
   * asks for every verdict reads them one by one instead).
   */
  tallied(tally: StatusTally): void {
    this.counts.twilio_messages += tally.messages;
    this.twilioStatuses[tally.twilio_status] = (this.twilioStatuses[tally.twilio_status] ?? 0) + tally.messages;
    if (tally.twilio_error_code) this.errorCodes.set(tally.twilio_error_code, (this.errorCodes.get(tally.twilio_error_code) ?? 0) + tally.messages);
    if (tally.lag_bucket !== null) this.lag[tally.lag_bucket] += tally.messages;
    this.counts[tally.category] += tally.messages;
    if (tally.archived) this.archiveMessages += tally.messages;
  }

  /** A send attempt that a previous run matched: counted, never matched again. */
  matchedEarlier(attemptId: string): void {
    this.counts.send_errors++;
    this.counts.matched_by_envelope++;
    this.options.onVerdict?.({ kind: 'attempt', id: attemptId, category: 'matched_earlier', sid: null });
  }

  attempt(finding: AttemptFinding): void {
    this.counts.send_errors++;
    this.counts[finding.category]++;
    this.options.onVerdict?.({
      kind: 'attempt',
      id: finding.attempt.id,
      category: finding.category,
      sid: finding.category === 'matched_by_envelope' ? finding.message.sid : null,
    });
    const attemptEvidence = { ...finding.attempt, client_ref: finding.attempt.tags.client_ref ?? null };
    if (finding.category === 'unmatched_send_error') return;
    if (finding.category === 'ambiguous_envelope') {
      this.report({
        category: 'ambiguous_envelope',
        message_sid: null,
        evidence: { attempt: attemptEvidence, candidates: finding.candidates, competing_attempts: finding.competingAttempts },
      });
      return;
    }
    const { row } = finding;
    const accountSid = row.accountSid ?? finding.archive?.accountSid ?? null;
    const canWrite = this.options.appender !== null && accountSid !== null;
    if (canWrite) {
      this.corrections?.add(
        toArchiveLine(
          buildReconcileRecord(
            row,
            accountSid,
            { category: 'matched_by_envelope', attemptId: finding.attempt.id, tags: finding.attempt.tags },
            this.options.now(),
            this.options.redactDigits,
          ),
        ),
      );
      this.matchedSids.add(row.sid);
    }
    this.report({ category: 'matched_by_envelope', message_sid: row.sid, evidence: { attempt: attemptEvidence, message: finding.message }, written: canWrite });
  }

  /** After every attempt: the status gaps that waited for the matching. */
  settleDeferred(): void {
    for (const { row, archive, category } of this.deferred.splice(0)) this.statusGap(row, archive, category, this.matchedSids.has(row.sid));
  }

  /**
   * A SID Twilio's list gives with rows that differ (statuses, error codes):
   * the list contradicts itself, so neither row is believed and nothing is
   * corrected for it; the gap quotes every distinct row for a person to settle.
   */
  listedTwice(sid: string, rows: readonly TwilioMessageRow[]): void {
    this.counts.twilio_messages++;
    this.counts.listed_twice++;
    this.listedTwiceSids.add(sid.toLowerCase());
    this.options.onVerdict?.({ kind: 'message', sid, category: 'listed_twice', archive: null });
    this.report({
      category: 'listed_twice',
      message_sid: sid,
      evidence: {
        twilio_rows: rows.map((row) => ({
          status: row.status,
          error_code: row.errorCode,
          date_created: row.dateCreated,
          date_sent: row.dateSent,
          direction: row.direction,
          account_sid: row.accountSid,
        })),
      },
    });
  }

  /**
   * A message the archive holds, created in the window, that Twilio's list
   * does not name: counted against the list's plausibility when of the run's
   * direction, and a gap when the sender recorded sending it.
   */
  unlisted(sid: string, archive: { status: string; createdFromSend: boolean; createdAt: string; newestRecordedAt: string }): void {
    if (this.listedTwiceSids.has(sid.toLowerCase())) return;
    if (archiveMessageMatchesDirection(archive.status, archive.createdFromSend, this.options.direction)) this.archiveMessages++;
    if (archive.createdFromSend) this.unknownToTwilio(sid, archive);
  }

  private unknownToTwilio(sid: string, archive: { status: string; createdAt: string; newestRecordedAt: string }): void {
    this.counts.unknown_to_twilio++;
    this.report({
      category: 'unknown_to_twilio',
      message_sid: sid,
      evidence: { archive: { status: archive.status, created_at: archive.createdAt, last_recorded_at: archive.newestRecordedAt } },
    });
  }

  /** An unreadable list stops the run: the corrections held so far are dropped with it, unappended. */
  discard(): void {
    this.corrections?.discard();
  }

  /**
   * Appends the corrections only from a comparable, complete and plausible
   * run (a wrong append is forever), and says what happened.
   */
  async close(reads: {
    archive: { complete: boolean; problems: readonly ReadProblem[] };
    twilio: { complete: boolean; problems: readonly unknown[] };
  }): Promise<ReportOutcome> {
    const { counts } = this;
    const maxMissingShare = this.options.maxMissingShare ?? DEFAULT_MAX_MISSING_SHARE;
    const missingShare = counts.twilio_messages === 0 ? 0 : counts.missing / counts.twilio_messages;
    const notComparable = this.notComparable();
    let writeRefused: string | null = null;
    let outcome: AppendOutcome = { appended: 0, failed: 0, error: null };
    if (this.corrections && notComparable) {
      writeRefused = "the archive and Twilio's list are not comparable (above). Nothing was appended.";
      this.corrections.discard();
    } else if (this.corrections && (!reads.archive.complete || !reads.twilio.complete) && !this.options.acceptPartialRead) {
      writeRefused = partialReadRefusal(reads);
      this.corrections.discard();
    } else if (this.corrections && missingShare > maxMissingShare) {
      writeRefused =
        `${percent(missingShare)} of Twilio's messages (${counts.missing} of ${counts.twilio_messages}) are missing from the archive, above --max-missing-share ${percent(maxMissingShare)}: ` +
        'that points at a wrong --archive, window or export rather than a bad day, and an append to the archive cannot be undone. ' +
        `Nothing was appended. Check the inputs; if the result is right, run again with --max-missing-share ${Math.min(1, Math.ceil(missingShare * 100) / 100)}.`;
      this.corrections.discard();
    } else if (this.corrections) {
      outcome = await this.corrections.appendTo(this.options.appender!);
    }
    // Corrections that are not in the archive leave open every gap they were to close.
    const gapsRemaining = this.gapsRemaining + (writeRefused ? this.corrections!.count : outcome.failed);
    return {
      counts,
      written: outcome.appended,
      write_error: outcome.error,
      write_refused: writeRefused,
      not_comparable: notComparable,
      archive_messages: this.archiveMessages,
      plausibility: { missing_share: missingShare, max_missing_share: maxMissingShare },
      gaps_remaining: gapsRemaining,
      debugger_alerts: { archived: this.options.alerts?.count ?? 0, gaps_with_alerts: this.gapsWithAlerts, gaps: this.alertedGaps },
      charts: {
        // By name: the engines meet the statuses in different orders (the list's, or the SIDs').
        twilio_statuses: Object.fromEntries(Object.entries(this.twilioStatuses).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
        top_error_codes: [...this.errorCodes.entries()]
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
          .slice(0, 10)
          .map(([code, count]) => ({ code, count })),
        callback_lag: LAG_BUCKETS.map(([bucket], i) => ({ bucket, count: this.lag[i] })),
      },
    };
  }

  /**
   * Twilio's list cannot be the window's: it names none of the window's
   * messages while the archive holds some, or (a window of whole days) most of
   * its rows were created on other days. Counting the archive's messages
   * against a list that does name some would refuse good days: a message's
   * creation is known only from its records, and a late callback or an
   * earlier run's correction makes an older message look created in the window.
   */
  private notComparable(): string | null {
    if (this.options.acceptShortList) return null;
    const listed = this.counts.twilio_messages;
    const held = this.archiveMessages;
    const { outside_window: outside, other_direction: other } = this.counts;
    const otherRows = outside || other ? ` (its other rows: ${outside} created outside the window, ${other} of another direction)` : '';
    let why: string | null = null;
    if (listed === 0 && held > 0)
      why = `Twilio's list names no ${this.options.direction} message created in the window, but the archive holds ${held}${otherRows}`;
    else if (this.wholeDays() && outside > listed)
      why = `most of Twilio's list (${outside} of ${outside + listed + other} rows) was created outside the window, which names whole days: the list is of another day`;
    if (why === null) return null;
    return (
      `${why}: comparing it would call the archive right or wrong about messages the list does not cover. ` +
      'Nothing was appended. Check --day/--from/--to, --direction and --export; if Twilio truly lists no more for this window, run again with --accept-short-list.'
    );
  }

  private wholeDays(): boolean {
    const { from, to } = this.options;
    return from !== undefined && to !== undefined && from.getTime() % 86_400_000 === 0 && to.getTime() % 86_400_000 === 0;
  }

  private report(gap: Gap): void {
    // A match by envelope explains an attempt; it is not a gap for the exit code, written or not.
    if (!gap.written && gap.category !== 'matched_by_envelope') this.gapsRemaining++;
    const alerts = gap.message_sid === null ? [] : (this.options.alerts?.alertsFor(gap.message_sid) ?? []);
    if (alerts.length > 0) {
      gap.evidence.debugger_alerts = alerts.slice(0, MAX_ALERTS_PER_GAP);
      this.gapsWithAlerts++;
      if (this.alertedGaps.length < MAX_ALERTED_GAPS_LISTED)
        this.alertedGaps.push({ message_sid: gap.message_sid!, category: gap.category, alerts: alerts.slice(0, MAX_ALERTS_PER_GAP) });
    }
    this.options.onGap(gap);
  }

  private statusGap(row: TwilioMessageRow, archive: ArchiveSide | null, category: StatusGapCategory, fixedByMatch: boolean): void {
    const accountSid = row.accountSid ?? archive?.accountSid ?? null;
    const fixable = (category === 'missing' || category === 'status_behind') && this.options.appender !== null && accountSid !== null;
    if (fixable && !fixedByMatch) {
      this.corrections?.add(toArchiveLine(buildReconcileRecord(row, accountSid, { category }, this.options.now(), this.options.redactDigits)));
    }
    this.report({
      category,
      message_sid: row.sid,
      evidence: {
        archive: archive ? { status: archive.status, error_code: archive.errorCode, last_recorded_at: archive.newestRecordedAt } : null,
        twilio: { status: row.status, error_code: row.errorCode, date_created: row.dateCreated, date_sent: row.dateSent },
        ...(fixedByMatch ? { fixed_by: 'matched_by_envelope' } : {}),
      },
      written: fixable,
    });
  }
}

function percent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}

/** Why --write appends nothing after a partial read, and what to repair. */
function partialReadRefusal(reads: {
  archive: { complete: boolean; problems: readonly ReadProblem[] };
  twilio: { complete: boolean; problems: readonly unknown[] };
}): string {
  const parts: string[] = [];
  if (!reads.archive.complete) {
    const keys = [...new Set(reads.archive.problems.map((p) => p.key))];
    const shown = keys.slice(0, 10).join(', ');
    parts.push(`the archive was only partly read (${keys.length > 10 ? `${keys.length} objects, first ${shown}` : shown || 'the objects listed above'})`);
  }
  if (!reads.twilio.complete) parts.push(`Twilio's list was only partly read (${reads.twilio.problems.length} problem(s) above)`);
  return (
    `${parts.join('; and ')}. A correction from a partial read could say a message is missing whose records sit in what could not be read, ` +
    'and an append cannot be undone. Nothing was appended. Read again what can be read again (a list, an object still being written); ' +
    'an archive object cannot be repaired, only explained: once you have checked that it holds none of these messages (history --sid), ' +
    'run again with --accept-partial-read.'
  );
}
