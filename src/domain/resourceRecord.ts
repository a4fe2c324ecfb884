import { ARCHIVE_RECORD_VERSION, type ArchiveRecord } from './archiveRecord';
import { redactRecord } from './redaction';

/** A Message resource as Twilio's API v2010 answers it (snake_case JSON). */
export type MessageResource = Record<string, unknown> & {
  sid: string;
  account_sid: string;
  status: string;
};

/**
 * A record of what a Message resource says (a poll's answer, or the create
 * response a `send` record keeps): the resource's identity, status, error
 * code and addresses, and the whole resource under `params`; all of it redacted.
 */
export function buildResourceRecord(
  source: 'poll' | 'send',
  resource: MessageResource,
  eventAt: string | null,
  tags: Record<string, string>,
  recordedAt: Date,
  redactDigits = 0,
): ArchiveRecord {
  const errorCode = resource.error_code;
  const record: ArchiveRecord = {
    v: ARCHIVE_RECORD_VERSION,
    source,
    recorded_at: recordedAt.toISOString(),
    event_at: eventAt,
    account_sid: resource.account_sid,
    message_sid: resource.sid,
    messaging_service_sid: typeof resource.messaging_service_sid === 'string' ? resource.messaging_service_sid : null,
    status: String(resource.status).toLowerCase(),
    error_code: typeof errorCode === 'number' || (typeof errorCode === 'string' && errorCode !== '') ? String(errorCode) : null,
    to: typeof resource.to === 'string' ? resource.to : null,
    from: typeof resource.from === 'string' ? resource.from : null,
    idempotency_token: null,
    tags,
    params: resource,
  };
  return redactRecord(record, redactDigits);
}
