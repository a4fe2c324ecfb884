import type { ParamValue } from './archiveRecord';
import { setOwn } from './ownProperty';

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

/**
 * Masks the last `digits` digits of `value`, skipping any non-digit
 * characters. A mask character counts as a digit already masked, so masking
 * twice (a row masked on reading, then in a record) changes nothing more.
 */
export function maskTrailingDigits(value: string, digits: number): string {
  if (digits <= 0) return value;
  const chars = [...value];
  let remaining = digits;
  for (let i = chars.length - 1; i >= 0 && remaining > 0; i--) {
    if (chars[i] === REDACTION_MASK_CHAR) remaining--;
    else if (chars[i] >= '0' && chars[i] <= '9') {
      chars[i] = REDACTION_MASK_CHAR;
      remaining--;
    }
  }
  return chars.join('');
}

/**
 * A phone number inside free text, as Twilio's error messages quote one
 * ("The 'To' number +14155550100 is not a valid phone number") or a logged
 * URL does (`?callee=%2B14155550100`): `+` (or `%2B`) and 6–15 digits, or a
 * bare run of 10–15 digits; never a part of a longer word or SID.
 */
const NUMBER_IN_TEXT = /(?<![\w+*])(?:(?:\+|%2B)[0-9*]{6,15}|[0-9*]{10,15})(?![\w*])/gi;

/** Only `+` numbers: in a parameter's text, a bare digit run is more often a timestamp (RawDlrDoneDate) than a number. */
const PLUS_NUMBER_IN_TEXT = /(?<![\w+*])\+[0-9*]{6,15}(?![\w*])/g;

/** Free text (an error message, a problem's reason) with the trailing digits of every phone number in it masked. */
export function maskPhoneNumbersInText(text: string, digits: number): string {
  if (digits <= 0) return text;
  return text.replace(NUMBER_IN_TEXT, (number) => maskTrailingDigits(number, digits));
}

/**
 * Whether a parameter carries a phone number that redaction must mask: the
 * known address parameters, and any other parameter whose value is an E.164
 * number (Twilio adds parameters without notice; a number in one must not leak).
 */
export function isAddressParameter(name: string, value: string): boolean {
  return ADDRESS_PARAMETERS.has(name) || PHONE_LIKE.test(value);
}

/** A message's content: kept as sent, being the communication the archive exists to keep. */
const CONTENT_PARAMETERS = new Set(['Body']);

/**
 * Callback parameters or tags with every address masked, and every `+`
 * number quoted inside other text (a status message naming the number), but
 * the message body; a repeated parameter's values each.
 */
export function redactParameters(params: Record<string, ParamValue>, digits: number): Record<string, ParamValue> {
  if (digits <= 0) return params;
  const redacted: Record<string, ParamValue> = {};
  for (const [name, value] of Object.entries(params)) {
    const masked = typeof value === 'string' ? maskIfAddress(name, value, digits) : value.map((item) => maskIfAddress(name, item, digits));
    setOwn(redacted, name, masked);
  }
  return redacted;
}

function maskIfAddress(name: string, value: string, digits: number): string {
  if (isAddressParameter(name, value)) return maskTrailingDigits(value, digits);
  return CONTENT_PARAMETERS.has(name) ? value : value.replace(PLUS_NUMBER_IN_TEXT, (number) => maskTrailingDigits(number, digits));
}

/** Free-text fields of an API resource that may quote a number: Twilio's error message. */
const RESOURCE_TEXT_FIELDS = new Set(['error_message', 'errorMessage']);

/**
 * An API resource (snake_case, `to`/`from` top-level) with every address
 * among its top-level strings masked, and the numbers its error message
 * quotes. The message body is kept as sent: it is the communication itself.
 */
export function redactResource(resource: Record<string, unknown>, digits: number): Record<string, unknown> {
  if (digits <= 0) return resource;
  const redacted: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(resource)) {
    let kept = value;
    if (typeof value === 'string') {
      if (name === 'to' || name === 'from' || isAddressParameter(name, value)) kept = maskTrailingDigits(value, digits);
      else if (RESOURCE_TEXT_FIELDS.has(name)) kept = maskPhoneNumbersInText(value, digits);
    }
    setOwn(redacted, name, kept);
  }
  return redacted;
}

/** Problems or notes whose `reason` is free text (a row an export could not read, an error): any number in it masked. */
export function maskReasons<T extends { reason: string }>(items: T[], digits: number): T[] {
  return digits <= 0 ? items : items.map((item) => ({ ...item, reason: maskPhoneNumbersInText(item.reason, digits) }));
}
