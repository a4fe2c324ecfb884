import { addressesMatch, normalizeAddress } from '../../../src/domain/reconcile/phoneMatch';

describe('addressesMatch', () => {
  it('matches equal numbers, whatever the formatting', () => {
    expect(addressesMatch('+14155550101', '+1 (415) 555-0101')).toBe(true);
    expect(normalizeAddress('WhatsApp:+1 415 555 01**')).toBe('whatsapp:+141555501**');
  });

  it('tolerates redacted trailing digits on either side, or both', () => {
    expect(addressesMatch('+1415555****', '+14155550101')).toBe(true);
    expect(addressesMatch('+14155550101', '+14155550***')).toBe(true);
    expect(addressesMatch('+1415555****', '+14155550***')).toBe(true);
  });

  it('does not match different numbers, lengths or channels', () => {
    expect(addressesMatch('+1415555****', '+14155560101')).toBe(false);
    expect(addressesMatch('+14155550101', '+141555501011')).toBe(false);
    expect(addressesMatch('whatsapp:+14155550101', '+14155550101')).toBe(false);
  });

  it('matches nothing when every digit is masked: that proves nothing', () => {
    expect(addressesMatch('+***********', '+14155550101')).toBe(false);
  });
});
