import { ARCHIVE_RECORD_VERSION, type ArchiveRecord, type ParamValue } from './archiveRecord';
import { splitCallbackParameters } from './callbackParameters';
import { parseRawDlrDoneDate } from './rawDlrDoneDate';
import { redactRecord } from './redaction';

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
const ACCOUNT_SID_PATTERN = /^AC[0-9a-fA-F]{32}$/;
const SERVICE_SID_PATTERN = /^MG[0-9a-fA-F]{32}$/;

/**
 * Reads the parameters the record's fields come from, and notes in
 * `problems` whatever is odd about them, instead of refusing the callback: a
 * signed callback refused with a 4xx is retried by Twilio and then dropped,
 * and an archive must keep what was sent, odd or not.
 */
class ParameterReader {
  readonly problems: string[] = [];

  constructor(private readonly params: Record<string, ParamValue>) {}

  /** The value sent once (or sent several times, all the same); undefined when absent or sent with differing values. */
  single(name: string): string | undefined {
    const value = this.params[name];
    if (value === undefined || typeof value === 'string') return value;
    if (value.every((item) => item === value[0])) {
      this.problems.push(`${name} was sent ${value.length} times with the same value`);
      return value[0];
    }
    this.problems.push(`${name} was sent ${value.length} times with different values: the field is left null`);
    return undefined;
  }

  /** A non-empty value; '' reads as absent. */
  text(name: string): string | undefined {
    const value = this.single(name);
    return value === undefined || value === '' ? undefined : value;
  }

  /** A SID of the expected form; one of another form is noted and left out. */
  sid(name: string, pattern: RegExp): string | undefined {
    const value = this.text(name);
    if (value === undefined || pattern.test(value)) return value;
    this.problems.push(`${name} is not a SID of the expected form: the field is left null`);
    return undefined;
  }

  missing(name: string): void {
    this.problems.push(`${name} is missing`);
  }
}

/**
 * Turns a status callback (a Function `event`: query and body parameters
 * merged) into an archive record. Never throws for what the callback holds:
 * what cannot be read into a field leaves it null, and the record's
 * `problems` say what and why; every parameter is kept in `params`.
 */
export function buildCallbackRecord(event: Record<string, unknown>, options: CallbackRecordOptions): ArchiveRecord {
  const split = splitCallbackParameters(event);
  const { params, tags } = split;
  const redactDigits = options.redactDigits ?? 0;
  const read = new ParameterReader(params);

  const messageSid = read.sid('MessageSid', SID_PATTERN);
  const smsSid = read.sid('SmsSid', SID_PATTERN);
  if (messageSid && smsSid && messageSid !== smsSid) read.problems.push('SmsSid differs from MessageSid: MessageSid is taken');
  if (params.MessageSid === undefined && params.SmsSid === undefined) read.missing('MessageSid');
  const accountSid = read.sid('AccountSid', ACCOUNT_SID_PATTERN);
  if (params.AccountSid === undefined) read.missing('AccountSid');
  const status = read.text('MessageStatus') ?? read.text('SmsStatus') ?? readEventStatus(read);
  if (status === undefined && params.MessageStatus === undefined && params.SmsStatus === undefined) read.missing('MessageStatus');
  const rawDlrDoneDate = read.text('RawDlrDoneDate');
  const eventAt = parseRawDlrDoneDate(rawDlrDoneDate);
  if (rawDlrDoneDate !== undefined && eventAt === null) read.problems.push('RawDlrDoneDate is not a YYMMDDhhmm[ss] time: event_at is left null');
  const errorCode = read.text('ErrorCode');
  const messagingServiceSid = read.sid('MessagingServiceSid', SERVICE_SID_PATTERN);

  // Read from what arrived (two numbers may mask alike), recorded as masked.
  const address = (name: string) => (read.text(name) === undefined ? null : [params[name]].flat()[0]);
  const recipient = address('To');
  const sender = address('From');
  const problems = [...split.problems, ...read.problems];
  const record: ArchiveRecord = {
    v: ARCHIVE_RECORD_VERSION,
    source: 'callback',
    recorded_at: options.recordedAt.toISOString(),
    event_at: eventAt,
    account_sid: accountSid ?? null,
    message_sid: messageSid ?? smsSid ?? null,
    messaging_service_sid: messagingServiceSid ?? null,
    status: status?.toLowerCase() ?? null,
    error_code: errorCode ?? null,
    to: recipient,
    from: sender,
    idempotency_token: options.idempotencyToken ?? null,
    tags,
    params,
    ...(problems.length > 0 ? { problems } : {}),
  };
  return redactRecord(record, redactDigits);
}

/** A read receipt may come as `EventType=READ` alone. */
function readEventStatus(read: ParameterReader): string | undefined {
  return read.text('EventType')?.toUpperCase() === 'READ' ? 'read' : undefined;
}
