/**
 * Phone-number redaction: the last N digits of an address are replaced by `*`,
 * so `+14155551234` with N=4 becomes `+1415555****`. The rest of the number is
 * kept so that the reconciliation can still match on it (docs/archive-format.md).
 */

export const REDACTION_MASK_CHAR = '*';

/** Parameters that always hold an address (a phone number, or a channel address such as `whatsapp:+1…`). */
const ADDRESS_PARAMETERS = new Set(['To', 'From', 'ChannelToAddress', 'ChannelFromAddress']);

/** An E.164 number, optionally behind a channel prefix (`whatsapp:`, `rcs:`, `sms:` …). */
const PHONE_LIKE = /^(?:[a-z][a-z0-9-]*:)?\+\d{6,15}$/i;

/** Masks the last `digits` digits of `value`, skipping any non-digit characters. */
export function maskTrailingDigits(value: string, digits: number): string {
  if (digits <= 0) return value;
  const chars = [...value];
  let remaining = digits;
  for (let i = chars.length - 1; i >= 0 && remaining > 0; i--) {
    if (chars[i] >= '0' && chars[i] <= '9') {
      chars[i] = REDACTION_MASK_CHAR;
      remaining--;
    }
  }
  return chars.join('');
}

/**
 * Whether a parameter carries a phone number that redaction must mask: the
 * known address parameters, and any other parameter whose value is an E.164
 * number (Twilio adds parameters without notice; a number in one must not leak).
 */
export function isAddressParameter(name: string, value: string): boolean {
  return ADDRESS_PARAMETERS.has(name) || PHONE_LIKE.test(value);
}
