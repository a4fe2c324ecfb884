import { ARCHIVE_RECORD_VERSION, type ArchiveRecord, type ParamValue } from './archiveRecord';
import { splitCallbackParameters } from './callbackParameters';
import { InvalidInputError } from './errors';
import { parseRawDlrDoneDate } from './rawDlrDoneDate';
import { redactParameters } from './redaction';

export interface CallbackRecordOptions {
  /** When this system received the callback. */
  recordedAt: Date;
  /** The `I-Twilio-Idempotency-Token` header, if it reached us. */
  idempotencyToken?: string | null;
  /** Mask this many trailing digits of every phone number (0: keep them). @default 0 */
  redactDigits?: number;
}

/** `SM…`/`MM…` and the like: two letters and 32 hex digits. */
const SID_PATTERN = /^[A-Z]{2}[0-9a-fA-F]{32}$/;

/**
 * Turns a status callback (a Function `event`: query and body parameters
 * merged) into an archive record. Throws InvalidInputError when the callback
 * cannot identify a message and its status; everything else is kept.
 */
export function buildCallbackRecord(event: Record<string, unknown>, options: CallbackRecordOptions): ArchiveRecord {
  const { params, tags } = splitCallbackParameters(event);
  const redactDigits = options.redactDigits ?? 0;

  const messageSid = requireSid(params, 'MessageSid') ?? requireSid(params, 'SmsSid');
  if (!messageSid) throw new InvalidInputError('MessageSid is missing', 'MessageSid');
  const accountSid = requireSid(params, 'AccountSid');
  if (!accountSid) throw new InvalidInputError('AccountSid is missing', 'AccountSid');
  const status = single(params, 'MessageStatus') ?? single(params, 'SmsStatus') ?? readEventStatus(params);
  if (!status) throw new InvalidInputError('MessageStatus is missing', 'MessageStatus');

  const redactedParams = redactParameters(params, redactDigits);
  return {
    v: ARCHIVE_RECORD_VERSION,
    source: 'callback',
    recorded_at: options.recordedAt.toISOString(),
    event_at: parseRawDlrDoneDate(single(params, 'RawDlrDoneDate')),
    account_sid: accountSid,
    message_sid: messageSid,
    messaging_service_sid: requireSid(params, 'MessagingServiceSid') ?? null,
    status: status.toLowerCase(),
    error_code: nonEmpty(single(params, 'ErrorCode')),
    to: nonEmpty(single(redactedParams, 'To')),
    from: nonEmpty(single(redactedParams, 'From')),
    idempotency_token: options.idempotencyToken ?? null,
    tags: redactParameters(tags, redactDigits),
    params: redactedParams,
  };
}

/** A read receipt may come as `EventType=READ` alone. */
function readEventStatus(params: Record<string, ParamValue>): string | undefined {
  return single(params, 'EventType')?.toUpperCase() === 'READ' ? 'read' : undefined;
}

function single(params: Record<string, ParamValue>, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidInputError(`${name} must be sent once, not ${value.length} times`, name);
  return value;
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

function requireSid(params: Record<string, ParamValue>, name: string): string | undefined {
  const value = nonEmpty(single(params, name));
  if (value === null) return undefined;
  if (!SID_PATTERN.test(value)) throw new InvalidInputError(`${name} is not a Twilio SID`, name);
  return value;
}
