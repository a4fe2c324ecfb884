import { ARCHIVE_RECORD_VERSION, type ArchiveRecord } from './archiveRecord';
import { redactParameters, redactResource } from './redaction';

/** A Message resource as Twilio's API v2010 answers it (snake_case JSON). */
export type MessageResource = Record<string, unknown> & {
  sid: string;
  account_sid: string;
  status: string;
};

/**
 * A record of what a Message resource says (a poll's answer, or the create
 * response a `send` record keeps): the resource's identity, status, error
 * code and addresses, and the whole resource, redacted, under `params`.
 */
export function buildResourceRecord(
  source: 'poll' | 'send',
  resource: MessageResource,
  eventAt: string | null,
  tags: Record<string, string>,
  recordedAt: Date,
  redactDigits = 0,
): ArchiveRecord {
  const params = redactResource(resource, redactDigits);
  const errorCode = resource.error_code;
  return {
    v: ARCHIVE_RECORD_VERSION,
    source,
    recorded_at: recordedAt.toISOString(),
    event_at: eventAt,
    account_sid: resource.account_sid,
    message_sid: resource.sid,
    messaging_service_sid: typeof resource.messaging_service_sid === 'string' ? resource.messaging_service_sid : null,
    status: String(resource.status).toLowerCase(),
    error_code: typeof errorCode === 'number' || (typeof errorCode === 'string' && errorCode !== '') ? String(errorCode) : null,
    to: typeof params.to === 'string' ? params.to : null,
    from: typeof params.from === 'string' ? params.from : null,
    idempotency_token: null,
    tags: redactParameters(tags, redactDigits),
    params,
  };
}
