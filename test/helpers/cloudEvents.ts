/**
 * CloudEvents as the Kinesis path archives them (one a line, as Twilio sent
 * them), for the tests that hold the SQL mapping (src/domain/reconcile/sql/
 * eventLines.ts) to the TypeScript one (src/domain/eventStreamLine.ts): every
 * type the mapping handles, and hostile ones, each kind of problem it notes.
 */
import { inboundMessageEvent, messageStatusEvent } from '../../dev/eventStreamSamples';

export const EVENT_ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const eventSid = (n: number) => `SM${n.toString(16).padStart(32, '0')}`;

type Event = Record<string, unknown> & { data: Record<string, unknown> };

/** A status event, deterministic (its id given), with `data` changed by `change`. */
function status(
  n: number,
  state: 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'read',
  at: string,
  change: (data: Record<string, unknown>) => void = () => {},
) {
  const event = messageStatusEvent({ accountSid: EVENT_ACCOUNT, messageSid: eventSid(n), status: state, at: new Date(at), id: `EZ${n}-${state}` }) as Event;
  change(event.data);
  return event;
}

/**
 * Lines the mapping must read alike in SQL: well-formed events of every type
 * it maps, then events missing fields, with fields of the wrong type, of
 * other types, with times it cannot read, numbers to mask in every field
 * that holds one, and lines that are not events at all.
 */
export function hostileEventLines(firstSid: number): string[] {
  let n = firstSid;
  const at = '2026-11-25T10:20:00.123456789Z';
  const events: unknown[] = [
    status(n++, 'sent', at),
    status(n++, 'delivered', at, (d) => (d.rawDlrDoneDate = '2026-11-25T10:21:00Z')),
    status(n++, 'undelivered', at, (d) => (d.errorCode = 30003)),
    status(n++, 'failed', at, (d) => (d.errorCode = '30007')),
    status(n++, 'read', at, (d) => (d.tags = { client_ref: 'ref-1', order: 42 })),
    inboundMessageEvent({ accountSid: EVENT_ACCOUNT, messageSid: eventSid(n++), at: new Date(at), id: 'EZinbound' }),
    // Statuses Twilio may add, or give in another case or not at all.
    { ...status(n++, 'sent', at), type: 'com.twilio.messaging.message.partially_delivered' },
    status(n++, 'sent', at, (d) => (d.messageStatus = 'DeLiVeReD')),
    status(n++, 'sent', at, (d) => delete d.messageStatus),
    status(n++, 'sent', at, (d) => (d.messageStatus = '')),
    status(n++, 'sent', at, (d) => (d.messageStatus = 7)),
    // SIDs missing, of the wrong form or type.
    status(n++, 'sent', at, (d) => delete d.messageSid),
    status(n++, 'sent', at, (d) => (d.messageSid = 'SMshort')),
    status(n++, 'sent', at, (d) => (d.messageSid = 12345)),
    status(n++, 'sent', at, (d) => (d.accountSid = null)),
    status(n++, 'sent', at, (d) => (d.accountSid = `AC${'g'.repeat(32)}`)),
    { ...status(n++, 'sent', at), id: undefined },
    { ...status(n++, 'sent', at), id: 17 },
    // Times: the forms Twilio sends and the ISO forms around them, and none.
    status(n++, 'sent', at, (d) => (d.timestamp = '2026-11-25T10:00:00Z')),
    status(n++, 'sent', at, (d) => (d.timestamp = '2026-11-25T12:30:00.5+02:30')),
    status(n++, 'sent', at, (d) => (d.timestamp = '2026-11-25T08:00:00-0500')),
    status(n++, 'sent', at, (d) => (d.timestamp = '2026-11-25T10:00Z')),
    status(n++, 'sent', at, (d) => (d.timestamp = '2026-11-25')),
    status(n++, 'sent', at, (d) => (d.timestamp = '2026-11-25t10:00:00z')),
    status(n++, 'sent', at, (d) => (d.timestamp = '2026-02-30T10:00:00Z')),
    status(n++, 'sent', at, (d) => (d.timestamp = '2026-11-25T24:00:00Z')),
    status(n++, 'sent', at, (d) => (d.timestamp = '2026-11-25T10:00:00+24:00')),
    status(n++, 'sent', at, (d) => (d.timestamp = 'soon')),
    status(n++, 'sent', at, (d) => (d.timestamp = 1795600000)),
    status(n++, 'sent', at, (d) => delete d.timestamp),
    status(n++, 'delivered', at, (d) => (d.rawDlrDoneDate = '2611251021')),
    status(n++, 'delivered', at, (d) => (d.rawDlrDoneDate = '')),
    // Error codes of every type.
    status(n++, 'failed', at, (d) => (d.errorCode = -0)),
    status(n++, 'failed', at, (d) => (d.errorCode = '')),
    status(n++, 'failed', at, (d) => (d.errorCode = { code: 30003 })),
    status(n++, 'failed', at, (d) => (d.errorCode = true)),
    // Numbers where a status, a code or an address is, to be masked (or kept) as redaction says.
    status(n++, 'failed', at, (d) => (d.errorCode = 14155550123)),
    status(n++, 'failed', at, (d) => (d.errorCode = 'see +14155550123, or 14155550124')),
    status(n++, 'sent', at, (d) => (d.messageStatus = '+14155550125')),
    status(n++, 'sent', at, (d) => (d.messageStatus = 'whatsapp:+14155550126')),
    status(n++, 'sent', at, (d) => (d.messageStatus = 'call+1415555012 x14155550127y 1.0+1234567 %2b4155550128')),
    status(n++, 'sent', at, (d) => (d.messageStatus = '1415555012*')),
    status(n++, 'sent', at, (d) => (d.to = 'whatsapp:+14155550129')),
    status(n++, 'sent', at, (d) => (d.to = 'not a number 12')),
    status(n++, 'sent', at, (d) => (d.to = 14155550130)),
    // Not messaging status events, or without data.
    { ...status(n++, 'sent', at), type: 'com.twilio.voice.insights.call-summary.complete' },
    { ...status(n++, 'sent', at), type: 'com.twilio.messaging.message.Sent' },
    { ...status(n++, 'sent', at), type: undefined },
    { ...status(n++, 'sent', at), data: 'none' },
    { ...status(n, 'sent', at), data: [1, 2] },
    'a string',
    42,
    null,
    [{ type: 'com.twilio.messaging.message.sent' }],
  ];
  return [...events.map((event) => JSON.stringify(event)), '{"specversion":"1.0","type":', 'not json'];
}
