import { isAddressParameter, maskPhoneNumbersInText, maskTrailingDigits, redactParameters, redactResource } from '../../../src/domain/redaction';
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

describe('redactParameters', () => {
  it('masks + numbers quoted inside other parameters, but never the body or a timestamp', () => {
    const params = { ChannelStatusMessage: 'Delivery to +14155551234 failed', Body: 'Call +14155551234', RawDlrDoneDate: '2611261530', To: '+14155551234' };
    expect(redactParameters(params, 4)).toEqual({
      ChannelStatusMessage: 'Delivery to +1415555**** failed',
      Body: 'Call +14155551234',
      RawDlrDoneDate: '2611261530',
      To: '+1415555****',
    });
  });
});
