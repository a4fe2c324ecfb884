import { ARCHIVE_RECORD_VERSION, type ArchiveRecord } from './archiveRecord';
import { buildResourceRecord, type MessageResource } from './resourceRecord';
import { toIsoUtc } from './time';
import { redactRecord } from './redaction';

/** The status of a `send_error` record: the attempt has no message status, only an outcome no one saw. */
export const SEND_ERROR_STATUS = 'send_error';

/**
 * The record of a successful send: the SID and initial status Twilio returned
 * (no callback is ever sent for it). `event_at` is the resource's
 * `date_created`; the whole resource goes under `params`.
 */
export function buildSendRecord(resource: MessageResource, tags: Record<string, string>, recordedAt: Date, redactDigits = 0): ArchiveRecord {
  return buildResourceRecord('send', resource, toIsoUtc(resource.date_created), tags, recordedAt, redactDigits);
}

/** What the sender meant to send: enough to find the message in Twilio's list later. */
export interface SendEnvelope {
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
}

/** Why no SID came back. */
export interface SendFailure {
  /**
   * `error_response`: Twilio answered with an error (nothing was created, as
   * far as Twilio says); `no_response`: a timeout or a dropped connection (a
   * message may have been created: the reconciliation finds out).
   */
  kind: 'error_response' | 'no_response';
  /** The HTTP status of Twilio's answer; null without one. */
  httpStatus: number | null;
  /** Twilio's error code (e.g. 21211), when its answer had one. */
  code: number | null;
  message: string;
  moreInfo: string | null;
}

/**
 * The record of an attempt that got no SID back: `message_sid` null, the
 * envelope, the attempt time as `event_at` (the reconciliation matches it
 * against Twilio's `date_created`), the caller's tags, and under `params` the
 * request as the application made it and the error.
 */
export function buildSendErrorRecord(
  envelope: SendEnvelope,
  request: Record<string, unknown>,
  failure: SendFailure,
  tags: Record<string, string>,
  attemptedAt: Date,
  recordedAt: Date,
  redactDigits = 0,
): ArchiveRecord {
  const record: ArchiveRecord = {
    v: ARCHIVE_RECORD_VERSION,
    source: 'send_error',
    recorded_at: recordedAt.toISOString(),
    event_at: attemptedAt.toISOString(),
    account_sid: envelope.accountSid,
    message_sid: null,
    messaging_service_sid: envelope.messagingServiceSid,
    status: SEND_ERROR_STATUS,
    error_code: failure.code === null ? null : String(failure.code),
    to: envelope.to,
    from: envelope.from,
    idempotency_token: null,
    tags,
    params: {
      request,
      // Twilio's error text may quote the number it refused: the walk masks it as free text.
      error: {
        kind: failure.kind,
        http_status: failure.httpStatus,
        code: failure.code,
        message: failure.message,
        more_info: failure.moreInfo,
      },
    },
  };
  return redactRecord(record, redactDigits);
}

/** Who a record is about, when the record itself could not be built. */
export interface RecordIdentity {
  source: 'send' | 'send_error';
  /** The SID Twilio returned; absent for a `send_error`. */
  messageSid?: string;
  accountSid: string;
  tags: Record<string, string>;
  recordedAt: Date;
}

/**
 * The least record of an attempt whose full record could not be built (an
 * unexpected answer from the client): its SID and tags, no status, and why,
 * as a problem. Kept so that the SID of a message Twilio created is never
 * lost; the reconciliation fills in its status from Twilio's list.
 */
export function buildUnbuildableRecord(identity: RecordIdentity, problem: string, redactDigits = 0): ArchiveRecord {
  const record: ArchiveRecord = {
    v: ARCHIVE_RECORD_VERSION,
    source: identity.source,
    recorded_at: identity.recordedAt.toISOString(),
    event_at: null,
    account_sid: identity.accountSid,
    message_sid: identity.messageSid ?? null,
    messaging_service_sid: null,
    status: identity.source === 'send_error' ? SEND_ERROR_STATUS : null,
    error_code: null,
    to: null,
    from: null,
    idempotency_token: null,
    tags: identity.tags,
    params: {},
    problems: [problem],
  };
  return redactRecord(record, redactDigits);
}
