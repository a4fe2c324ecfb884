/**
 * Twilio's Debugger webhook (an alert: an error or warning Twilio logged) as
 * an archive record, `source: "debugger"`. An alert is evidence about a
 * message, not a status of it: its record has `status: null` and is never
 * folded into a message's state; the reconciliation quotes the alerts of the
 * messages it finds gaps in. Like a callback, a signed alert is never refused
 * for what it holds (docs/event-streams.md, "Debugger alerts").
 */
import { ARCHIVE_RECORD_VERSION, type ArchiveRecord } from './archiveRecord';
import { splitCallbackParameters } from './callbackParameters';
import { isPlainObject, ownValue, ownText } from './ownProperty';
import { redactRecord } from './redaction';
import { toIsoUtc } from './time';

export interface DebuggerRecordOptions {
  recordedAt: Date;
  /** Mask this many trailing digits of every phone number (0: keep them). @default 0 */
  redactDigits?: number;
}

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;
const SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;

/** One alert (the Function's `event`: Twilio's form parameters and the URL's tags) as an archive record. Never throws. */
export function buildDebuggerRecord(event: Record<string, unknown>, options: DebuggerRecordOptions): ArchiveRecord {
  const digits = options.redactDigits ?? 0;
  const { params, tags, problems } = splitCallbackParameters(event);
  // The payload is JSON text that may quote a number anywhere (a request's To, a URL): the walk masks it as free text.
  const payloadText = ownText(params, 'Payload');

  const accountSid = ownText(params, 'AccountSid');
  if (accountSid === undefined) problems.push('AccountSid is missing');
  else if (!ACCOUNT_SID.test(accountSid)) problems.push('AccountSid is not an account SID: the field is left null');
  const timestamp = ownText(params, 'Timestamp');
  const eventAt = toIsoUtc(timestamp);
  if (eventAt === null) problems.push(timestamp === undefined ? 'Timestamp is missing' : 'Timestamp is not a time');

  let payload: Record<string, unknown> = {};
  if (payloadText === undefined) problems.push('Payload is missing');
  else {
    try {
      const parsed: unknown = JSON.parse(payloadText);
      if (isPlainObject(parsed)) payload = parsed;
      else problems.push('Payload is not a JSON object');
    } catch {
      problems.push('Payload is not JSON: kept as text');
    }
  }
  // An alert about a call, a number or a Function names no message: that is not odd, only not about messaging.
  const resource = ownValue(payload, 'resource_sid');
  const service = ownValue(payload, 'service_sid');
  const errorCode = ownValue(payload, 'error_code');

  const record: ArchiveRecord = {
    v: ARCHIVE_RECORD_VERSION,
    source: 'debugger',
    recorded_at: options.recordedAt.toISOString(),
    event_at: eventAt,
    account_sid: accountSid !== undefined && ACCOUNT_SID.test(accountSid) ? accountSid : null,
    message_sid: typeof resource === 'string' && MESSAGE_SID.test(resource) ? resource : null,
    messaging_service_sid: typeof service === 'string' && SERVICE_SID.test(service) ? service : null,
    status: null,
    error_code:
      typeof errorCode === 'number' && Number.isFinite(errorCode) ? String(errorCode) : typeof errorCode === 'string' && errorCode !== '' ? errorCode : null,
    to: null,
    from: null,
    // The alert's own SID (NO…): the same alert delivered twice is one alert.
    idempotency_token: ownText(params, 'Sid') ?? null,
    tags,
    params,
  };
  if (problems.length > 0) record.problems = problems;
  return redactRecord(record, digits);
}
