import { buildCallbackRecord } from '../../../src/domain/callbackRecord';
import { InvalidInputError } from '../../../src/domain/errors';
import { toArchiveLine } from '../../../src/domain/archiveRecord';
import { schemaErrors } from '../../helpers/archiveSchema';
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

  it('separates the sender\'s query identifiers into tags', () => {
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

  it.each([
    ['MessageSid', { MessageSid: '', SmsSid: '' }],
    ['AccountSid', { AccountSid: '' }],
    ['MessageStatus', { MessageStatus: '', SmsStatus: '' }],
  ])('refuses a callback without %s', (field, overrides) => {
    const attempt = () => buildCallbackRecord(smsCallback(overrides), { recordedAt });
    expect(attempt).toThrow(InvalidInputError);
    expect(attempt).toThrow(expect.objectContaining({ field }));
  });

  it('refuses a MessageSid that is not a SID', () => {
    expect(() => buildCallbackRecord(smsCallback({ MessageSid: "SM' OR 1=1 --" }), { recordedAt })).toThrow(/MessageSid is not a Twilio SID/);
  });

  it('refuses a repeated MessageStatus instead of guessing', () => {
    const event = { ...smsCallback(), MessageStatus: ['sent', 'delivered'] };
    expect(() => buildCallbackRecord(event, { recordedAt })).toThrow(/MessageStatus must be sent once/);
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
