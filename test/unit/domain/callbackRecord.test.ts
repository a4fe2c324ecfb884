import { buildCallbackRecord } from '../../../src/domain/callbackRecord';
import { toArchiveLine } from '../../../src/domain/archiveRecord';
import { schemaErrors } from '../../helpers/archiveSchema';
import { fullNumbersIn } from '../../helpers/fullNumbers';
import { ACCOUNT_SID, MESSAGE_SID, SERVICE_SID, smsCallback } from '../../helpers/callbacks';

const recordedAt = new Date('2026-11-26T15:31:02.123Z');

describe('buildCallbackRecord', () => {
  it('builds the exact v1 record for an SMS delivered callback', () => {
    const event = { ...smsCallback(), order_id: '42', request: { headers: { 'i-twilio-idempotency-token': 'tok-1' }, cookies: {} } };
    const record = buildCallbackRecord(event, { recordedAt, idempotencyToken: 'tok-1' });
    expect(record).toEqual({
      v: 1,
      source: 'callback',
      recorded_at: '2026-11-26T15:31:02.123Z',
      event_at: '2026-11-26T15:30:00.000Z',
      account_sid: ACCOUNT_SID,
      message_sid: MESSAGE_SID,
      messaging_service_sid: SERVICE_SID,
      status: 'delivered',
      error_code: null,
      to: '+14155550101',
      from: '+15005550006',
      idempotency_token: 'tok-1',
      tags: { order_id: '42' },
      params: smsCallback(),
    });
    expect(schemaErrors(record)).toEqual([]);
  });

  it('keeps the error code of an undelivered callback as a string', () => {
    const record = buildCallbackRecord(smsCallback({ MessageStatus: 'undelivered', SmsStatus: 'undelivered', ErrorCode: '30003' }), {
      recordedAt,
    });
    expect(record.status).toBe('undelivered');
    expect(record.error_code).toBe('30003');
  });

  it('takes a WhatsApp read receipt, EventType and channel fields included', () => {
    const event = {
      AccountSid: ACCOUNT_SID,
      MessageSid: MESSAGE_SID,
      MessageStatus: 'read',
      EventType: 'READ',
      ChannelPrefix: 'whatsapp',
      ChannelToAddress: '+14155550142',
      To: 'whatsapp:+14155550142',
      From: 'whatsapp:+15005550006',
    };
    const record = buildCallbackRecord(event, { recordedAt });
    expect(record).toMatchObject({ status: 'read', to: 'whatsapp:+14155550142', event_at: null, messaging_service_sid: null });
    expect(record.params.EventType).toBe('READ');
    expect(schemaErrors(record)).toEqual([]);
  });

  it('reads the status from EventType=READ when no status parameter came', () => {
    const record = buildCallbackRecord({ AccountSid: ACCOUNT_SID, MessageSid: MESSAGE_SID, EventType: 'READ' }, { recordedAt });
    expect(record.status).toBe('read');
  });

  it('falls back to SmsSid and SmsStatus (older API versions)', () => {
    const record = buildCallbackRecord({ AccountSid: ACCOUNT_SID, SmsSid: MESSAGE_SID, SmsStatus: 'sent' }, { recordedAt });
    expect(record).toMatchObject({ message_sid: MESSAGE_SID, status: 'sent' });
  });

  it('keeps an unknown status (lower-cased) and the original value verbatim in params', () => {
    const record = buildCallbackRecord(smsCallback({ MessageStatus: 'Delivered_To_Handset' }), { recordedAt });
    expect(record.status).toBe('delivered_to_handset');
    expect(record.params.MessageStatus).toBe('Delivered_To_Handset');
  });

  it('keeps parameters Twilio adds later, and RCS fields', () => {
    const record = buildCallbackRecord(smsCallback({ ChannelStatusMessage: 'ok', BrandNewParameter: 'x' }), { recordedAt });
    expect(record.params).toMatchObject({ ChannelStatusMessage: 'ok', BrandNewParameter: 'x' });
    expect(record.tags).toEqual({});
  });

  it("separates the sender's query identifiers into tags", () => {
    const record = buildCallbackRecord({ ...smsCallback(), order_id: '42', client_ref: 'abc', customer: ['a', 'b'] }, { recordedAt });
    expect(record.tags).toEqual({ order_id: '42', client_ref: 'abc', customer: ['a', 'b'] });
    expect(record.params).not.toHaveProperty('order_id');
  });

  it('masks the last N digits of every phone number when redaction is on', () => {
    const event = { ...smsCallback({ ChannelToAddress: '+14155550101', ForwardedTo: '+442071838750' }), note_phone: '+14155550199' };
    const record = buildCallbackRecord(event, { recordedAt, redactDigits: 4 });
    expect(record.to).toBe('+1415555****');
    expect(record.from).toBe('+1500555****');
    expect(record.params).toMatchObject({ To: '+1415555****', From: '+1500555****', ChannelToAddress: '+1415555****', ForwardedTo: '+44207183****' });
    expect(record.tags).toEqual({ note_phone: '+1415555****' });
    expect(record.params.RawDlrDoneDate).toBe('2611261530');
    expect(toArchiveLine(record)).not.toContain('0101');
    expect(schemaErrors(record)).toEqual([]);
  });

  it('masks a number glued to a letter, a status or error code that is a number, and a tag named like a number', () => {
    const event = {
      ...smsCallback({ MessageStatus: '+14155550026', ErrorCode: '14155550027', ChannelStatusMessage: 'call+14155550025' }),
      '+14155550028': 'tag named like a number',
      note: 'abc+14155550024',
    };
    const record = buildCallbackRecord(event, { recordedAt, redactDigits: 4 });
    expect(fullNumbersIn(record, ['+14155550024', '+14155550025', '+14155550026', '+14155550027', '+14155550028'])).toEqual([]);
    expect(record).toMatchObject({ status: '+1415555****', error_code: '1415555****' });
    expect(record.tags).toEqual({ '+1415555****': 'tag named like a number', note: 'abc+1415555****' });
    expect(record.params).toMatchObject({ ChannelStatusMessage: 'call+1415555****', RawDlrDoneDate: '2611261530' });
    expect(schemaErrors(record)).toEqual([]);
  });

  describe('a signed callback is never refused for its content: archived, with what was odd in problems', () => {
    it.each([
      ['MessageSid', { MessageSid: undefined, SmsSid: undefined }, 'message_sid', 'MessageSid is missing'],
      ['AccountSid', { AccountSid: undefined }, 'account_sid', 'AccountSid is missing'],
      ['MessageStatus', { MessageStatus: undefined, SmsStatus: undefined }, 'status', 'MessageStatus is missing'],
    ] as const)('without %s: the field null, the problem named', (_name, overrides, field, problem) => {
      const record = buildCallbackRecord(smsCallback(overrides as unknown as Record<string, string>), { recordedAt });
      expect(record[field]).toBeNull();
      expect(record.problems).toEqual([problem]);
      expect(schemaErrors(record)).toEqual([]);
    });

    it('keeps a MessageSid that is not a SID verbatim in params, and names no message', () => {
      const record = buildCallbackRecord(smsCallback({ MessageSid: "SM' OR 1=1 --", SmsSid: "SM' OR 1=1 --" }), { recordedAt });
      expect(record).toMatchObject({ message_sid: null, params: { MessageSid: "SM' OR 1=1 --" } });
      expect(record.problems).toEqual([
        'MessageSid is not a SID of the expected form: the field is left null',
        'SmsSid is not a SID of the expected form: the field is left null',
      ]);
      expect(schemaErrors(record)).toEqual([]);
    });

    it('leaves a parameter sent twice with different values null, and keeps both values', () => {
      const event = {
        ...smsCallback(),
        MessageStatus: ['sent', 'delivered'],
        To: ['+14155550101', '+14155550199'],
        ErrorCode: ['30003', '30005'],
        RawDlrDoneDate: ['2611261530', '2611261531'],
      };
      const record = buildCallbackRecord(event, { recordedAt, redactDigits: 4 });
      // SmsStatus still says delivered: a status is read from it, and the repetition is on record.
      expect(record).toMatchObject({ status: 'delivered', to: null, error_code: null, event_at: null });
      expect(record.params).toMatchObject({ MessageStatus: ['sent', 'delivered'], To: ['+1415555****', '+1415555****'], ErrorCode: ['30003', '30005'] });
      expect(record.problems).toEqual(
        expect.arrayContaining([
          'MessageStatus was sent 2 times with different values: the field is left null',
          'To was sent 2 times with different values: the field is left null',
          'ErrorCode was sent 2 times with different values: the field is left null',
          'RawDlrDoneDate was sent 2 times with different values: the field is left null',
        ]),
      );
      expect(JSON.stringify(record)).not.toContain('0101');
      expect(schemaErrors(record)).toEqual([]);
    });

    it('takes a parameter repeated with the same value, and says it was repeated', () => {
      const record = buildCallbackRecord({ ...smsCallback(), ErrorCode: ['30003', '30003'] }, { recordedAt });
      expect(record.error_code).toBe('30003');
      expect(record.problems).toEqual(['ErrorCode was sent 2 times with the same value']);
    });

    it('names an unusual MessagingServiceSid, a RawDlrDoneDate that is not a time, and structured values', () => {
      const event = { ...smsCallback({ MessagingServiceSid: 'PN0123456789abcdef0123456789abcdef', RawDlrDoneDate: 'yesterday' }), Extra: { a: 'b' } };
      const record = buildCallbackRecord(event, { recordedAt });
      expect(record).toMatchObject({
        messaging_service_sid: null,
        event_at: null,
        params: { MessagingServiceSid: 'PN0123456789abcdef0123456789abcdef', Extra: '{"a":"b"}' },
      });
      expect(record.problems).toEqual([
        'Extra came as structured data, kept as its JSON text',
        'RawDlrDoneDate is not a YYMMDDhhmm[ss] time: event_at is left null',
        'MessagingServiceSid is not a SID of the expected form: the field is left null',
      ]);
      expect(schemaErrors(record)).toEqual([]);
    });

    it('has no problems field when nothing was odd', () => {
      expect(buildCallbackRecord(smsCallback(), { recordedAt })).not.toHaveProperty('problems');
    });
  });

  it('stores injection strings and odd unicode as inert data', () => {
    const nasty = {
      ChannelStatusMessage: '<script>alert(1)</script>',
      Body: '"}\n{"v":1,"source":"forged"}',
      Emoji: '👩🏽‍💻 \u0000 \u2028 ñ',
    };
    const event = Object.assign(smsCallback(), nasty);
    Object.defineProperty(event, '__proto__', { value: 'polluted', enumerable: true });
    const record = buildCallbackRecord(event, { recordedAt });
    const line = toArchiveLine(record);
    expect(line.split('\n')).toHaveLength(2);
    const parsed = JSON.parse(line) as { params: Record<string, string> };
    expect(parsed.params.Body).toBe(nasty.Body);
    expect(parsed.params.Emoji).toBe(nasty.Emoji);
    expect(parsed.params.ChannelStatusMessage).toBe(nasty.ChannelStatusMessage);
    expect(Object.getPrototypeOf(record.tags)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(record.tags, '__proto__')).toBe(true);
  });
});
