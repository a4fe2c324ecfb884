/**
 * Twilio Event Streams' messaging events (CloudEvents) as archive records,
 * whichever way they came in (a webhook sink, a Kinesis sink). The mapping
 * follows Twilio's published schemas (docs/archive-format.md, "Event Streams
 * records"): `Messaging.MessageStatus` for `com.twilio.messaging.message.*`
 * and `Messaging.InboundMessageV1` for inbound messages. Like a callback, an
 * event is never refused for what it holds: what cannot be read leaves its
 * field null and says why in `problems`, and the event itself, redacted as
 * everywhere, is the record's `params`.
 */
import { ARCHIVE_RECORD_VERSION, type ArchiveRecord, type ParamValue } from './archiveRecord';
import { isPlainObject, ownValue, setOwn, ownText } from './ownProperty';
import { redactRecord } from './redaction';
import { toIsoUtc } from './time';

export interface EventRecordOptions {
  /** When this system received the event. */
  recordedAt: Date;
  /** Mask this many trailing digits of every phone number (0: keep them). @default 0 */
  redactDigits?: number;
}

/** `com.twilio.messaging.message.delivered` and its siblings: the status is the last part. */
const STATUS_EVENT = /^com\.twilio\.messaging\.message\.([a-z_-]+)$/;
export const INBOUND_EVENT = 'com.twilio.messaging.inbound-message.received';
/** The status an inbound message is archived with. */
export const RECEIVED_STATUS = 'received';

const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;

/** The sender's tags as the archive keeps them: text values, anything else as its JSON. */
function tagsOf(value: unknown): Record<string, ParamValue> {
  if (!isPlainObject(value)) return {};
  const tags: Record<string, ParamValue> = {};
  for (const [name, tag] of Object.entries(value)) setOwn(tags, name, typeof tag === 'string' ? tag : JSON.stringify(tag));
  return tags;
}

/**
 * One event of a delivery (an element of the batch, or the whole body) as an
 * archive record, every number in it masked (the event whole, not only the
 * fields read from it). Never throws.
 */
export function buildEventStreamRecord(event: unknown, options: EventRecordOptions): ArchiveRecord {
  return redactRecord(unredactedRecord(event, options.recordedAt), options.redactDigits ?? 0);
}

function unredactedRecord(event: unknown, recordedAt: Date): ArchiveRecord {
  const problems: string[] = [];
  const record: ArchiveRecord = {
    v: ARCHIVE_RECORD_VERSION,
    source: 'event_stream',
    recorded_at: recordedAt.toISOString(),
    event_at: null,
    account_sid: null,
    message_sid: null,
    messaging_service_sid: null,
    status: null,
    error_code: null,
    to: null,
    from: null,
    idempotency_token: null,
    tags: {},
    params: {},
  };
  if (!isPlainObject(event)) {
    record.params = { event };
    record.problems = ['the event is not a JSON object: archived as it came'];
    return record;
  }
  record.params = event;
  record.idempotency_token = ownText(event, 'id') ?? null;
  if (record.idempotency_token === null) problems.push('the event has no id');
  const type = ownText(event, 'type');
  const statusEvent = type === undefined ? null : STATUS_EVENT.exec(type);
  const data = ownValue(event, 'data');
  if (!statusEvent && type !== INBOUND_EVENT) {
    record.problems = [
      ...problems,
      `${type === undefined ? 'the event has no type' : `event type ${type} is not a messaging status or inbound message`}: archived as it came`,
    ];
    return record;
  }
  if (!isPlainObject(data)) {
    record.problems = [...problems, 'the event has no data object'];
    return record;
  }

  const sid = (name: string, pattern: RegExp) => {
    const value = ownText(data, name);
    if (value === undefined) problems.push(`data.${name} is missing`);
    else if (!pattern.test(value)) problems.push(`data.${name} is not a SID of the expected form: the field is left null`);
    return value !== undefined && pattern.test(value) ? value : null;
  };
  record.message_sid = sid('messageSid', MESSAGE_SID);
  record.account_sid = sid('accountSid', ACCOUNT_SID);
  const service = ownText(data, 'messagingServiceSid');
  record.messaging_service_sid = service !== undefined && SERVICE_SID.test(service) ? service : null;

  if (statusEvent) {
    const stated = ownText(data, 'messageStatus')?.toLowerCase();
    record.status = stated ?? statusEvent[1];
    if (stated === undefined) problems.push('data.messageStatus is missing: the status is the event type');
    else if (stated !== statusEvent[1]) problems.push(`data.messageStatus ${stated} differs from the event type: messageStatus is taken`);
  } else {
    record.status = RECEIVED_STATUS;
  }

  const errorCode = ownValue(data, 'errorCode');
  if (typeof errorCode === 'number' && Number.isFinite(errorCode)) record.error_code = String(errorCode);
  else if (typeof errorCode === 'string' && errorCode !== '') record.error_code = errorCode;

  // The carrier's delivery time when there is one, as a callback's RawDlrDoneDate; else when Twilio saw the status.
  const timestamp = ownText(data, 'timestamp');
  const rawDlrDoneDate = ownText(data, 'rawDlrDoneDate');
  const doneAt = toIsoUtc(rawDlrDoneDate);
  if (rawDlrDoneDate !== undefined && doneAt === null) problems.push('data.rawDlrDoneDate is not a time: data.timestamp is taken');
  record.event_at = doneAt ?? toIsoUtc(timestamp);
  if (record.event_at === null) problems.push(timestamp === undefined ? 'data.timestamp is missing' : 'data.timestamp is not a time');

  record.to = ownText(data, 'to') ?? null;
  record.from = ownText(data, 'from') ?? null;
  record.tags = tagsOf(ownValue(data, 'tags'));
  if (problems.length > 0) record.problems = problems;
  return record;
}
