/**
 * Twilio passes the carrier's delivery-report time as `RawDlrDoneDate`:
 * `YYMMDDhhmm`, UTC, minute precision, no zone. Some carriers add seconds
 * (`YYMMDDhhmmss`). Anything else is not a date we can trust: null, and the
 * raw value stays in `params`.
 */
export function parseRawDlrDoneDate(raw: string | undefined | null): string | null {
  if (typeof raw !== 'string') return null;
  const match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(raw.trim());
  if (!match) return null;
  const [, yy, mo, dd, hh, mi, ss] = match;
  const year = 2000 + Number(yy);
  const month = Number(mo);
  const day = Number(dd);
  const hour = Number(hh);
  const minute = Number(mi);
  const second = ss === undefined ? 0 : Number(ss);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || day < 1) return null;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 31 February over into March: refuse instead.
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return null;
  return date.toISOString();
}
