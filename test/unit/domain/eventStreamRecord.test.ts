import { parseArchiveLine } from '../../../src/domain/archiveLine';
import { toArchiveLine } from '../../../src/domain/archiveRecord';
import { buildEventStreamRecord, INBOUND_EVENT } from '../../../src/domain/eventStreamRecord';
import { MessageStates } from '../../../src/domain/messageState';
import { schemaErrors } from '../../helpers/archiveSchema';
import { fullNumbersIn } from '../../helpers/fullNumbers';
import { ACCOUNT_SID, MESSAGE_SID, SERVICE_SID } from '../../helpers/callbacks';

const recordedAt = new Date('2026-11-27T10:00:05.000Z');

/** A delivered event as Twilio's docs show one (Messaging.MessageStatus), with real-looking SIDs. */
function statusEvent(status: string, data: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    type: `com.twilio.messaging.message.${status}`,
    source: '/2010-04-01/Accounts/AC.../Messages/SM....json',
    id: `EZ${status}-0001`,
    dataschema: 'https://events-schemas.twilio.com/Messaging.MessageStatus/8',
    datacontenttype: 'application/json',
    data: {
      messageSid: MESSAGE_SID,
      timestamp: '2026-11-27T10:00:01.563495225Z',
      accountSid: ACCOUNT_SID,
      eventName: `com.twilio.messaging.message.${status}`,
      apiVersion: '2010-04-01',
      from: '+15005550006',
      to: '+14155550101',
      messageStatus: status.toUpperCase(),
      messagingServiceSid: SERVICE_SID,
      body: 'Your code is 123456',
      tags: { order_id: 'o-17', attempt: 2 },
      numberOfSegments: 1,
      ...data,
    },
  };
}

/** Every record this builds is one the archive's readers take, and the schema allows. */
function checked(event: unknown, redactDigits = 0) {
  const record = buildEventStreamRecord(event, { recordedAt, redactDigits });
  expect(schemaErrors(record)).toEqual([]);
  const line = parseArchiveLine(toArchiveLine(record).trimEnd());
  expect(line.ok).toBe(true);
  return { record, line };
}

describe('Event Streams records', () => {
  it('maps a status event: lower-case status, the event id as idempotency token, the event whole under params', () => {
    const event = statusEvent('delivered', { rawDlrDoneDate: '2026-11-27T10:00:00.250Z' });
    const { record } = checked(event);
    expect(record).toMatchObject({
      source: 'event_stream',
      recorded_at: '2026-11-27T10:00:05.000Z',
      event_at: '2026-11-27T10:00:00.250Z',
      account_sid: ACCOUNT_SID,
      message_sid: MESSAGE_SID,
      messaging_service_sid: SERVICE_SID,
      status: 'delivered',
      error_code: null,
      to: '+14155550101',
      from: '+15005550006',
      idempotency_token: 'EZdelivered-0001',
      tags: { order_id: 'o-17', attempt: '2' },
      params: event,
    });
    expect(record.problems).toBeUndefined();
  });

  it('takes the time of the status when there is no carrier time, to the millisecond', () => {
    expect(checked(statusEvent('sent')).record.event_at).toBe('2026-11-27T10:00:01.563Z');
  });

  it('keeps an error code as text, whether Twilio sent a number or a string', () => {
    expect(checked(statusEvent('undelivered', { errorCode: 30003 })).record.error_code).toBe('30003');
    expect(checked(statusEvent('failed', { errorCode: '30008' })).record.error_code).toBe('30008');
  });

  it('folds into message state with the status rules, like any record', () => {
    const states = new MessageStates();
    for (const event of [statusEvent('delivered'), statusEvent('sent'), statusEvent('delivered')]) {
      const { line } = checked(event);
      if (line.ok && line.facts) states.fold(line.facts);
    }
    expect(states.get(MESSAGE_SID)?.status).toBe('delivered');
  });

  it('archives an inbound message as received', () => {
    const event = { ...statusEvent('x'), type: INBOUND_EVENT, dataschema: 'https://events-schemas.twilio.com/Messaging.InboundMessageV1/1' };
    delete (event.data as Record<string, unknown>).messageStatus;
    const { record } = checked(event);
    expect(record).toMatchObject({ status: 'received', message_sid: MESSAGE_SID, params: { type: INBOUND_EVENT } });
    expect(record.problems).toBeUndefined();
  });

  it('masks the numbers when redaction is on, in the fields and in params, and leaves the envelope as it came', () => {
    const { record } = checked(statusEvent('delivered'), 4);
    expect(record.to).toBe('+1415555****');
    expect(record.from).toBe('+1500555****');
    expect(JSON.stringify(record)).not.toContain('4155550101');
    expect(record.params).toMatchObject({ id: 'EZdelivered-0001', data: { to: '+1415555****', body: 'Your code is 123456' } });
  });

  it('masks every number anywhere in the event with redaction on: nested data, arrays, extra fields, tag names, letter-glued numbers', () => {
    const numbers = ['+14155550021', '+14155550022', '+14155550023', '+14155550024', '+14155550025', '+14155550026', '+14155550027', '+14155550028'];
    const event = {
      ...statusEvent('delivered', {
        messageStatus: '+14155550026',
        errorCode: 14155550027,
        tags: { '+14155550028': 'named like a number', callee: 'call+14155550025' },
        channel: { to: { address: '+14155550021' }, hops: ['abc+14155550024', { via: '+14155550022' }] },
      }),
      extra: { forwarded_to: '+14155550023' },
    };
    const { record } = checked(event, 4);
    expect(fullNumbersIn(record, numbers)).toEqual([]);
    expect(record.tags).toEqual({ '+1415555****': 'named like a number', callee: 'call+1415555****' });
    expect(record).toMatchObject({ status: '+1415555****', error_code: '1415555****' });
    expect(record.params).toMatchObject({
      extra: { forwarded_to: '+1415555****' },
      data: { channel: { to: { address: '+1415555****' }, hops: ['abc+1415555****', { via: '+1415555****' }] }, body: 'Your code is 123456' },
    });
  });

  it('archives an event type it does not know, or an event that is not an object, verbatim and says so', () => {
    const unknown = { specversion: '1.0', type: 'com.twilio.messaging.message-segment.counted', id: 'EZ1', data: { messageSid: MESSAGE_SID } };
    const { record, line } = checked(unknown);
    expect(record).toMatchObject({ status: null, message_sid: null, params: unknown, idempotency_token: 'EZ1' });
    expect(record.problems).toEqual([
      'event type com.twilio.messaging.message-segment.counted is not a messaging status or inbound message: archived as it came',
    ]);
    expect(line).toMatchObject({ ok: true, facts: null });
    expect(checked([1, 2]).record).toMatchObject({ params: { event: [1, 2] }, problems: ['the event is not a JSON object: archived as it came'] });
  });

  it('notes what is odd about a status event and keeps the rest', () => {
    const { record } = checked(statusEvent('sent', { messageSid: 'not-a-sid', messageStatus: undefined, timestamp: 'yesterday', rawDlrDoneDate: 'soon' }));
    expect(record).toMatchObject({ message_sid: null, status: 'sent', event_at: null, account_sid: ACCOUNT_SID });
    expect(record.problems).toEqual([
      'data.messageSid is not a SID of the expected form: the field is left null',
      'data.messageStatus is missing: the status is the event type',
      'data.rawDlrDoneDate is not a time: data.timestamp is taken',
      'data.timestamp is not a time',
    ]);
  });

  it('reads no field from an object prototype', () => {
    const { record } = checked(JSON.parse(`{"type":"com.twilio.messaging.message.sent","id":"EZ2","data":{"__proto__":{"messageSid":"${MESSAGE_SID}"}}}`));
    expect(record.message_sid).toBeNull();
  });
});
