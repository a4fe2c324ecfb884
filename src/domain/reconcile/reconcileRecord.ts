import { ARCHIVE_RECORD_VERSION, type ArchiveRecord, type ParamValue } from '../archiveRecord';
import { redactRecord } from '../redaction';
import type { TwilioMessageRow } from './twilioRow';

/**
 * A correction the reconciliation appends with `--write`: the status Twilio's
 * list reports for a message the archive had missing or behind, or the SID of
 * a send attempt matched by envelope. `params.reconcile` says which and why;
 * `params.twilio` is the row as the export gave it. `event_at` is null: a
 * list tells the status now, not when it happened.
 */
export function buildReconcileRecord(
  row: TwilioMessageRow,
  accountSid: string,
  reason: { category: 'missing' | 'status_behind' | 'matched_by_envelope'; attemptId?: string; tags?: Record<string, ParamValue> },
  recordedAt: Date,
  redactDigits = 0,
): ArchiveRecord {
  const record: ArchiveRecord = {
    v: ARCHIVE_RECORD_VERSION,
    source: 'reconcile',
    recorded_at: recordedAt.toISOString(),
    event_at: null,
    account_sid: accountSid,
    message_sid: row.sid,
    messaging_service_sid: row.messagingServiceSid,
    status: row.status,
    error_code: row.errorCode,
    to: row.to,
    from: row.from,
    idempotency_token: null,
    tags: reason.tags ?? {},
    params: {
      reconcile: { category: reason.category, ...(reason.attemptId ? { matched_attempt: reason.attemptId } : {}) },
      twilio: row,
    },
  };
  return redactRecord(record, redactDigits);
}

/** The attempt a reconcile record matched, if it is one: how a second run knows not to match it again. */
export function matchedAttemptOf(params: Readonly<Record<string, unknown>>): string | null {
  const reconcile = params.reconcile as { matched_attempt?: unknown } | undefined;
  return typeof reconcile?.matched_attempt === 'string' ? reconcile.matched_attempt : null;
}
