import { isAddressParameter, maskTrailingDigits } from '../../../src/domain/redaction';

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
