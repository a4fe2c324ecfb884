import { ARCHIVE_RECORD_VERSION, type ArchiveRecord } from './archiveRecord';
import { buildResourceRecord, type MessageResource } from './resourceRecord';
import { toIsoUtc } from './time';
import { NOT_FOUND_STATUS } from './messageRules';
import { redactRecord } from './redaction';

/**
 * The record of a poll: the status Twilio's API reports now. `event_at` is the
 * resource's `date_updated`; the whole resource goes under `params`.
 */
export function buildPollRecord(resource: MessageResource, recordedAt: Date, redactDigits = 0): ArchiveRecord {
  return buildResourceRecord('poll', resource, toIsoUtc(resource.date_updated), {}, recordedAt, redactDigits);
}

/**
 * The record of a poll that Twilio answered 404: the message is gone (deleted,
 * or never created). Its pseudo-status `not_found` ranks below every real one,
 * so it never hides what the archive knew; the poller does not ask again.
 */
export function buildNotFoundRecord(
  accountSid: string,
  messageSid: string,
  answer: Record<string, unknown>,
  recordedAt: Date,
  redactDigits = 0,
): ArchiveRecord {
  const record: ArchiveRecord = {
    v: ARCHIVE_RECORD_VERSION,
    source: 'poll',
    recorded_at: recordedAt.toISOString(),
    event_at: null,
    account_sid: accountSid,
    message_sid: messageSid,
    messaging_service_sid: null,
    status: NOT_FOUND_STATUS,
    error_code: null,
    to: null,
    from: null,
    idempotency_token: null,
    tags: {},
    params: { http_status: 404, ...answer },
  };
  return redactRecord(record, redactDigits);
}
