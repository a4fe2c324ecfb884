import type { ParamValue } from '../domain/archiveRecord';
import type { EnvelopeCandidate } from '../domain/reconcile/envelopeMatcher';
import { redactParameters } from '../domain/redaction';
import type { AttemptVerdict, CandidatePair, StatusRow, StatusVerdict, UnknownToTwilio } from '../domain/reconcile/sql/verdictRows';
import type { TwilioMessageRow } from '../domain/reconcile/twilioRow';
import { msToIso } from '../domain/time';
import type { ArchiveSide, AttemptEvidence, ReconcileReport } from './reconcileReport';

/** What the categories' SQL answered, whichever engine ran it. */
export interface SqlVerdicts {
  /** Every status verdict, or the ones the report handles one by one and tallies of the others, verdicts first. */
  statusRows: AsyncIterable<StatusRow>;
  candidatePairs: () => Promise<CandidatePair[]>;
  attemptVerdicts: () => Promise<AttemptVerdict[]>;
  unknownToTwilio: () => Promise<UnknownToTwilio[]>;
  /** ARCHIVE_REDACT_DIGITS: the attempts' tags are quoted masked. */
  redactDigits: number;
}

/**
 * The attempt a verdict is about, as the report quotes it: the SQL gives its
 * id, masked recipient and time; its tags are masked again here (idempotent)
 * in case its record predates redaction.
 */
function attemptOfVerdict(verdict: AttemptVerdict, redactDigits: number): AttemptEvidence {
  const tags = verdict.tags === null ? {} : (JSON.parse(verdict.tags) as Record<string, ParamValue>);
  return { id: verdict.attempt_id, to: verdict.to_number, at: verdict.attempt_at, tags: redactParameters(tags, redactDigits) };
}

function rowOf(v: StatusVerdict): TwilioMessageRow {
  return {
    sid: v.sid,
    accountSid: v.account_sid,
    status: v.twilio_status,
    direction: v.direction,
    to: v.to_number,
    from: v.from_number,
    dateCreated: v.date_created,
    dateSent: v.date_sent,
    errorCode: v.twilio_error_code,
    messagingServiceSid: v.messaging_service_sid,
  };
}

function archiveOf(v: StatusVerdict): ArchiveSide | null {
  if (!v.archived) return null;
  return {
    status: v.archive_status ?? '',
    errorCode: v.archive_error_code,
    accountSid: v.archive_account_sid,
    newestRecordedAt: v.newest_recorded_at ?? '',
    recordedMs: v.status_recorded_ms ?? NaN,
    createdMs: v.archive_created_ms ?? NaN,
  };
}

/**
 * Turns the SQL engines' verdicts into the report's gaps and counts, in the
 * order the streaming engine reports them: the status verdicts, then the
 * attempts (a matched attempt settles its message's deferred status gap),
 * then the messages Twilio does not list.
 */
export async function reportVerdicts(report: ReconcileReport, verdicts: SqlVerdicts): Promise<void> {
  const candidateRows = new Map<string, { row: TwilioMessageRow; archive: ArchiveSide | null }>();
  for await (const status of verdicts.statusRows) {
    if (status.kind === 'tally') {
      report.tallied(status.tally);
      continue;
    }
    const { verdict } = status;
    const row = rowOf(verdict);
    const archive = archiveOf(verdict);
    if (verdict.candidate) candidateRows.set(row.sid, { row, archive });
    report.listed(row, archive, verdict.category, verdict.candidate);
  }

  const pairs = await verdicts.candidatePairs();
  const candidatesOf = (attemptId: string): CandidatePair[] => pairs.filter((p) => p.attempt_id === attemptId);
  for (const verdict of await verdicts.attemptVerdicts()) {
    const attempt = attemptOfVerdict(verdict, verdicts.redactDigits);
    if (verdict.category === 'matched_earlier') {
      report.matchedEarlier(attempt.id);
      continue;
    }
    const candidates: EnvelopeCandidate[] = candidatesOf(attempt.id).map((p) => ({ sid: p.sid, to: p.to_number, dateCreated: p.date_created }));
    if (verdict.category === 'unmatched_send_error') report.attempt({ category: verdict.category, attempt });
    else if (verdict.category === 'matched_by_envelope') {
      const { row, archive } = candidateRows.get(verdict.matched_sid!)!;
      report.attempt({ category: verdict.category, attempt, message: candidates[0], row, archive });
    } else {
      const sids = new Set(candidates.map((c) => c.sid));
      const competingAttempts = [...new Set(pairs.filter((p) => p.attempt_id !== attempt.id && sids.has(p.sid)).map((p) => p.attempt_id))];
      report.attempt({ category: verdict.category, attempt, candidates, competingAttempts });
    }
  }
  report.settleDeferred();

  for (const unknown of await verdicts.unknownToTwilio()) {
    report.unlisted(unknown.sid, {
      status: unknown.archive_status,
      createdFromSend: unknown.created_from_send,
      createdAt: msToIso(unknown.created_ms),
      newestRecordedAt: unknown.newest_recorded_at,
    });
  }
}
