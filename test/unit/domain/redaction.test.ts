import type { ArchiveRecord } from '../../../src/domain/archiveRecord';
import { fullNumbersIn } from '../../helpers/fullNumbers';
import { isAddressParameter, maskPhoneNumbersInText, maskTrailingDigits, redactParameters, redactRecord, redactResource } from '../../../src/domain/redaction';
import { redactTwilioRow, type TwilioMessageRow } from '../../../src/domain/reconcile/twilioRow';

describe('maskTrailingDigits', () => {
  it('masks the last N digits of an E.164 number', () => {
    expect(maskTrailingDigits('+14155551234', 4)).toBe('+1415555****');
  });

  it('keeps a channel prefix and masks only digits', () => {
    expect(maskTrailingDigits('whatsapp:+14155551234', 3)).toBe('whatsapp:+14155551***');
  });

  it('skips formatting characters while counting digits', () => {
    expect(maskTrailingDigits('+1 (415) 555-1234', 6)).toBe('+1 (415) 5**-****');
  });

  it('leaves the value alone when N is 0', () => {
    expect(maskTrailingDigits('+14155551234', 0)).toBe('+14155551234');
  });

  it('masks every digit when N exceeds them, never anything else', () => {
    expect(maskTrailingDigits('+123', 10)).toBe('+***');
    expect(maskTrailingDigits('ACME', 4)).toBe('ACME');
  });
});

describe('isAddressParameter', () => {
  it('knows the address parameters whatever they hold', () => {
    for (const name of ['To', 'From', 'ChannelToAddress', 'ChannelFromAddress']) expect(isAddressParameter(name, 'x')).toBe(true);
  });

  it('treats an unknown parameter holding an E.164 number as an address', () => {
    expect(isAddressParameter('ForwardedFrom', '+442071838750')).toBe(true);
    expect(isAddressParameter('SomethingNew', 'rcs:+14155551234')).toBe(true);
  });

  it('does not mistake other numbers for addresses', () => {
    expect(isAddressParameter('RawDlrDoneDate', '2411261530')).toBe(false);
    expect(isAddressParameter('ErrorCode', '30003')).toBe(false);
    expect(isAddressParameter('NumSegments', '+2')).toBe(false);
  });
});

describe('masking twice', () => {
  it('changes nothing more: a mask counts as a digit already masked', () => {
    const once = maskTrailingDigits('+14155551234', 4);
    expect(maskTrailingDigits(once, 4)).toBe('+1415555****');
    expect(maskTrailingDigits(once, 6)).toBe('+14155******');
  });
});

describe('maskPhoneNumbersInText', () => {
  it('masks E.164 numbers and long digit runs inside text', () => {
    expect(maskPhoneNumbersInText('Invalid To +14155551234; also 442071838750 (sms:+447911123456)', 4)).toBe(
      'Invalid To +1415555****; also 44207183**** (sms:+44791112****)',
    );
  });

  it('masks a percent-encoded + number, as a logged URL holds one', () => {
    expect(maskPhoneNumbersInText('POST /status-callback?callee=%2B14155551234&x=1', 4)).toBe('POST /status-callback?callee=%2B1415555****&x=1');
  });

  it('masks a + number right after a letter, as a URL or a word glued to it holds one', () => {
    expect(maskPhoneNumbersInText('abc+14155550024 call+14155550025 x%2B14155550026 _+14155550027', 4)).toBe(
      'abc+1415555**** call+1415555**** x%2B1415555**** _+1415555****',
    );
  });

  it('leaves error codes, dates, SIDs and short numbers alone', () => {
    const text = 'Error 30003 at 2026-11-25T10:00:00Z for SM0123456789abcdef0123456789abcdef, 12 segments, id 123456789';
    expect(maskPhoneNumbersInText(text, 4)).toBe(text);
  });
});

describe('redactResource', () => {
  it('masks the addresses and the numbers the error message quotes, and keeps the body as sent', () => {
    const resource = { to: '+14155551234', from: 'whatsapp:+15005550006', error_message: 'Unreachable: +14155551234', body: 'Call +14155551234' };
    expect(redactResource(resource, 4)).toEqual({
      to: '+1415555****',
      from: 'whatsapp:+1500555****',
      error_message: 'Unreachable: +1415555****',
      body: 'Call +14155551234',
    });
  });
});

describe('redactTwilioRow', () => {
  it('masks to and from as the archive does, and nothing else', () => {
    const row: TwilioMessageRow = {
      sid: 'SM0123456789abcdef0123456789abcdef',
      accountSid: null,
      status: 'sent',
      direction: 'outbound-api',
      to: '+14155551234',
      from: '+15005550006',
      dateCreated: null,
      dateSent: null,
      errorCode: null,
      messagingServiceSid: null,
    };
    expect(redactTwilioRow(row, 4)).toEqual({ ...row, to: '+1415555****', from: '+1500555****' });
    expect(redactTwilioRow(row, 0)).toBe(row);
  });
});

describe('redactParameters and redactResource', () => {
  it('mask a tag that is a number, or quotes one, and its name', () => {
    expect(redactParameters({ callee: '+14155551234', note: 'ring 14155551234 or call+14155551235', '+14155551236': ['a', 'b'] }, 4)).toEqual({
      callee: '+1415555****',
      note: 'ring 14155551234 or call+1415555****',
      '+1415555****': ['a', 'b'],
    });
  });

  it('masks + numbers quoted inside other parameters, but never the body or a timestamp', () => {
    const params = { ChannelStatusMessage: 'Delivery to +14155551234 failed', Body: 'Call +14155551234', RawDlrDoneDate: '2611261530', To: '+14155551234' };
    expect(redactResource(params, 4)).toEqual({
      ChannelStatusMessage: 'Delivery to +1415555**** failed',
      Body: 'Call +14155551234',
      RawDlrDoneDate: '2611261530',
      To: '+1415555****',
    });
  });
});

describe('redactRecord: one walk over every string of a record, keys included', () => {
  const base: ArchiveRecord = {
    v: 1,
    source: 'callback',
    recorded_at: '2026-11-25T10:00:00.000Z',
    event_at: '2026-11-25T09:59:58.000Z',
    account_sid: 'AC0123456789abcdef0123456789abcdef',
    message_sid: 'SM0123456789abcdef0123456789abcdef',
    messaging_service_sid: null,
    status: 'delivered',
    error_code: '30003',
    to: '+14155550101',
    from: 'whatsapp:+15005550006',
    idempotency_token: null,
    tags: {},
    params: {},
  };

  it('masks numbers nested in objects and arrays, in any field, and in keys', () => {
    const record: ArchiveRecord = {
      ...base,
      tags: { '+14155550028': 'x', '14155550029': 'y', note: 'call+14155550025' },
      params: {
        data: { nested: { deeper: ['+14155550021', { callee: 'abc+14155550024' }] }, tags: { '+14155550030': 'z' } },
        extra: 'Reply to +14155550022',
        To: '14155550023',
      },
      problems: ['ChannelStatusMessage quotes 14155550031'],
    };
    const redacted = redactRecord(record, 4);
    expect(
      fullNumbersIn(redacted, [
        '+14155550021',
        '+14155550022',
        '+14155550023',
        '+14155550024',
        '+14155550025',
        '+14155550028',
        '+14155550029',
        '+14155550030',
        '+14155550031',
      ]),
    ).toEqual([]);
    expect(redacted.tags).toEqual({ '+1415555****': 'x', '1415555****': 'y', note: 'call+1415555****' });
    expect(redacted.params).toEqual({
      data: { nested: { deeper: ['+1415555****', { callee: 'abc+1415555****' }] }, tags: { '+1415555****': 'z' } },
      extra: 'Reply to +1415555****',
      To: '1415555****',
    });
    expect(redacted.to).toBe('+1415555****');
    expect(redacted.from).toBe('whatsapp:+1500555****');
  });

  it('masks a status or an error code that is a number, bare or with +, and keeps real ones', () => {
    expect(redactRecord({ ...base, status: '+14155550026', error_code: '14155550027' }, 4)).toMatchObject({
      status: '+1415555****',
      error_code: '1415555****',
    });
    const params = { MessageStatus: '14155550026', ErrorCode: '+14155550027', data: { errorCode: 14155550032, messageStatus: 'DELIVERED' } };
    expect(redactRecord({ ...base, params }, 4).params).toEqual({
      MessageStatus: '1415555****',
      ErrorCode: '+1415555****',
      data: { errorCode: '1415555****', messageStatus: 'DELIVERED' },
    });
    expect(redactRecord({ ...base, to: null, from: null, params: { ErrorCode: '30003', data: { errorCode: 30003 } } }, 4)).toEqual({
      ...base,
      to: null,
      from: null,
      params: { ErrorCode: '30003', data: { errorCode: 30003 } },
    });
  });

  it('keeps what is not a phone number: SIDs, times, codes, a timestamp parameter, and the message body', () => {
    const params = {
      MessageSid: 'SM0123456789abcdef0123456789abcdef',
      RawDlrDoneDate: '2611251000',
      sent_at: 1764064800000,
      date_created: 'Tue, 25 Nov 2026 10:00:00 +0000',
      Body: 'Call +14155550101',
      data: { body: 'Call +14155550101', timestamp: '2026-11-25T10:00:01.563495225Z', numberOfSegments: 1 },
      version: '1.0.0+20261125100000',
    };
    expect(redactRecord({ ...base, to: null, from: null, params }, 4)).toEqual({ ...base, to: null, from: null, params });
  });

  it('merges two keys that mask alike rather than lose one', () => {
    const redacted = redactRecord({ ...base, tags: { '+14155550028': 'a', '+14155550128': ['b', 'c'] } }, 4);
    expect(redacted.tags).toEqual({ '+1415555****': ['a', 'b', 'c'] });
  });

  it('changes nothing when redaction is off, and nothing more when applied twice', () => {
    const record: ArchiveRecord = { ...base, tags: { callee: '+14155550028' } };
    expect(redactRecord(record, 0)).toBe(record);
    const once = redactRecord(record, 4);
    expect(redactRecord(once, 4)).toEqual(once);
  });
});
