import type { ArchiveRecord, ParamValue } from './archiveRecord';
import { isPlainObject, setOwn } from './ownProperty';

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
 * bare run of 10–15 digits; never a part of a longer word or SID. A `+`
 * starts a number even right after a letter (`call+14155550100`, a URL's
 * encoded space): only a digit before it (`1.0.0+20261125`) makes it part of
 * something else.
 */
const PLUS_NUMBER = /(?<![0-9])(?:\+|%2B)[0-9*]{6,15}(?![\w*])/gi;
const BARE_NUMBER = /(?<![\w+*])[0-9*]{10,15}(?![\w*])/g;

/** Free text (an error message, a problem's reason) with the trailing digits of every phone number in it masked. */
export function maskPhoneNumbersInText(text: string, digits: number): string {
  if (digits <= 0) return text;
  return maskPlusNumbers(text, digits).replace(BARE_NUMBER, (number) => maskTrailingDigits(number, digits));
}

/** Only `+` numbers: in a parameter's text, a bare digit run is more often a timestamp (RawDlrDoneDate) than a number. */
function maskPlusNumbers(text: string, digits: number): string {
  return text.replace(PLUS_NUMBER, (number) => maskTrailingDigits(number, digits));
}

/**
 * Whether a parameter carries a phone number that redaction must mask: the
 * known address parameters, and any other parameter whose value is an E.164
 * number (Twilio adds parameters without notice; a number in one must not leak).
 */
export function isAddressParameter(name: string, value: string): boolean {
  return ADDRESS_PARAMETERS.has(name) || PHONE_LIKE.test(value);
}

/** A sender's tags with every number masked as in a record's `tags` (see redactRecord), names included; a repeated tag's values each. */
export function redactParameters(params: Record<string, ParamValue>, digits: number): Record<string, ParamValue> {
  return digits <= 0 ? params : (redactValue(params, ['tags'], digits) as Record<string, ParamValue>);
}

/** An API resource (snake_case, `to`/`from` top-level) masked as a record's `params` is: the body is kept as sent. */
export function redactResource(resource: Record<string, unknown>, digits: number): Record<string, unknown> {
  return digits <= 0 ? resource : (redactValue(resource, ['params'], digits) as Record<string, unknown>);
}

/**
 * A record with every phone number in it masked: every string anywhere in
 * it, keys included, however deep, whichever source built it. Each builder
 * ends with this walk, so that no field, nested object or name added later
 * can keep a full number. How a string is read depends on where it sits:
 *
 * - an address (`to`, `from`, `To`, `ChannelToAddress` …, or any E.164
 *   value): its trailing digits, whatever it holds;
 * - the message body: kept as sent (docs/archive-format.md, "Redaction");
 * - free text, a status or a code (an error message, `problems`,
 *   `status`, `ErrorCode` …) and keys: `+` numbers and bare runs of 10–15
 *   digits, since no status or error code is one;
 * - any other string: `+` numbers only, a bare digit run there being more
 *   often a timestamp (`RawDlrDoneDate`).
 *
 * A JSON number where a code or an address belongs is masked as its digits
 * would be (then kept as text); elsewhere a number is kept, an epoch time
 * being indistinguishable from a bare phone number.
 */
export function redactRecord(record: ArchiveRecord, digits: number): ArchiveRecord {
  return digits <= 0 ? record : (redactValue(record, [], digits) as ArchiveRecord);
}

/** Names that always hold an address, wherever they sit. */
const ADDRESS_NAMES = new Set([...ADDRESS_PARAMETERS]);
/** A resource's or an event's `to`/`from`: an address only there (a tag named `from` may hold a date). */
const LOWER_ADDRESS_PATHS = new Set(['', 'params.', 'params.request.', 'params.data.', 'params.twilio.'].flatMap((parent) => [`${parent}to`, `${parent}from`]));
/** The message body (callback, resource, send request, inbound event): the communication itself. */
const CONTENT_PATHS = new Set(['params.Body', 'params.body', 'params.request.body', 'params.data.body']);
/** Free text that may quote a number in any form. */
const FREE_TEXT_NAMES = new Set(['error_message', 'errorMessage', 'message', 'Payload', 'reason', 'problems']);
/** Statuses and codes: never a long digit run, so one there is a number. */
const CODE_NAMES = new Set(['status', 'error_code', 'MessageStatus', 'SmsStatus', 'ErrorCode', 'EventType', 'messageStatus', 'errorCode', 'code']);

type Placement = 'address' | 'content' | 'text' | 'parameter';

function placementOf(path: readonly string[]): Placement {
  const name = path.at(-1);
  if (name === undefined) return 'parameter';
  // Only the first levels have paths of their own; deeper, a name alone decides (a scan walks many records).
  const dotted = path.length <= 3 ? path.join('.') : '';
  if (CONTENT_PATHS.has(dotted)) return 'content';
  if (ADDRESS_NAMES.has(name) || LOWER_ADDRESS_PATHS.has(dotted)) return 'address';
  if (FREE_TEXT_NAMES.has(name) || CODE_NAMES.has(name)) return 'text';
  return 'parameter';
}

function redactString(value: string, placement: Placement, digits: number): string {
  if (placement === 'content') return value;
  if (placement === 'address' || PHONE_LIKE.test(value)) return maskTrailingDigits(value, digits);
  return placement === 'text' ? maskPhoneNumbersInText(value, digits) : maskPlusNumbers(value, digits);
}

/** `path`: the keys from the record down to this value (an array's items share their array's). */
function redactValue(value: unknown, path: readonly string[], digits: number): unknown {
  if (typeof value === 'string') return redactString(value, placementOf(path), digits);
  if (typeof value === 'number') {
    const placement = placementOf(path);
    if (placement !== 'address' && placement !== 'text') return value;
    const masked = redactString(String(value), placement, digits);
    return masked === String(value) ? value : masked;
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, path, digits));
  if (!isPlainObject(value)) return value;
  const redacted: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const name = maskPhoneNumbersInText(key, digits);
    const masked = redactValue(item, [...path, key], digits);
    // Two names that mask alike (two numbers sharing their leading digits) keep both values.
    const merged = Object.prototype.hasOwnProperty.call(redacted, name) ? [redacted[name], masked].flat() : masked;
    setOwn(redacted, name, merged);
  }
  return redacted;
}

/** Problems or notes whose `reason` is free text (a row an export could not read, an error): any number in it masked. */
export function maskReasons<T extends { reason: string }>(items: T[], digits: number): T[] {
  return digits <= 0 ? items : items.map((item) => ({ ...item, reason: maskPhoneNumbersInText(item.reason, digits) }));
}
