/**
 * Time, read and written the one way the whole project does: the archive's
 * ISO-8601 UTC times, Twilio's dates, the days, instants and durations people
 * type on a command line. Strict on purpose: `Date.parse` rolls `2026-02-30`
 * over into March, reads `3` as a year and a zoneless time as local time, and
 * each of those would point a command at the wrong part of a write-once
 * archive without a word.
 */
import { InvalidInputError } from './errors';

const DAY = /^(\d{4})-(\d\d)-(\d\d)$/;
const ARCHIVE_INSTANT = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,3})?Z$/;
const INSTANT = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?(Z|[+-]\d\d:?\d\d)$/i;

/** The forms parseInstant accepts, for error messages. */
export const INSTANT_FORMS = '2026-11-25T06:00:00Z, 2026-11-25T08:00+02:00, or a duration before now such as 3d, 12h, 90m';

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function realDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

/** `YYYY-MM-DD`, a real calendar day → its midnight UTC; throws otherwise. */
export function parseUtcDay(text: string): Date {
  const match = DAY.exec(text.trim());
  if (!match) throw new InvalidInputError(`"${text}" is not a day of the form YYYY-MM-DD`);
  const [year, month, day] = match.slice(1, 4).map(Number);
  if (!realDate(year, month, day)) throw new InvalidInputError(`${text} is not a day of the calendar`);
  return new Date(Date.UTC(year, month - 1, day));
}

/**
 * An ISO-8601 date-time with `Z` or an explicit offset (`+02:00`, `-0500`),
 * every field in its range; throws otherwise. A time without a zone is
 * refused, not read as local time.
 */
export function parseIsoInstant(text: string): Date {
  const match = INSTANT.exec(text.trim());
  if (!match) throw new InvalidInputError(`"${text}" is not an ISO-8601 time with Z or an offset`);
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  const ms = match[7] === undefined ? 0 : Math.floor(Number(`0.${match[7]}`) * 1000);
  if (!realDate(year, month, day) || hour > 23 || minute > 59 || second > 59) throw new InvalidInputError(`${text} is not a time of the calendar`);
  const zone = match[8].toUpperCase();
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2));
    if (hours > 23 || minutes > 59) throw new InvalidInputError(`${text} has an offset out of range`);
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000);
}

/**
 * Whether `text` is an instant in the archive's own form
 * (`2026-11-25T10:00:00.000Z`, 0 to 3 fraction digits) that names a real UTC
 * instant: read back, it gives the same date and clock. A form-only check
 * let `2026-02-31` through, which Date.parse rolls into March and a SQL
 * engine refuses: every reader must throw out the same lines.
 */
export function isArchiveInstant(text: string): boolean {
  // Called for every line of the archive: fields compared as numbers, no Date and no array per call.
  if (!ARCHIVE_INSTANT.test(text)) return false;
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const hour = Number(text.slice(11, 13));
  const minute = Number(text.slice(14, 16));
  const second = Number(text.slice(17, 19));
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

const HOUR_MS = 3_600_000;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/** Whether `text` has the form of a duration (`12h`, `90m`, `2d`). */
export function isDuration(text: string): boolean {
  return DURATION.test(text.trim());
}

/** `12h`, `90m`, `2d`, `45s` → milliseconds. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new InvalidInputError(`"${text}" is not a duration such as 12h, 90m, 2d`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: HOUR_MS, d: 24 * HOUR_MS }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(match[1]) * unit);
}

/**
 * `YYYY-MM-DDTHH:MM:SS.mmmZ` (what every writer of the archive writes) read
 * by position and counted in days, several times faster than Date.parse (and
 * than Date.UTC: a scan reads two times a record, millions of records);
 * anything else goes to Date.parse.
 */
export function isoToMs(iso: string): number {
  if (iso.length !== 24 || iso.charCodeAt(23) !== 90 /* Z */ || iso.charCodeAt(10) !== 84 /* T */) return Date.parse(iso);
  const year = digitsAt(iso, 0, 4);
  const month = digitsAt(iso, 5, 2);
  const day = digitsAt(iso, 8, 2);
  const clock = ((digitsAt(iso, 11, 2) * 60 + digitsAt(iso, 14, 2)) * 60 + digitsAt(iso, 17, 2)) * 1000 + digitsAt(iso, 20, 3);
  // Outside these, Date.UTC's own rules (two-digit years, months that roll over) decide, as they always have.
  if (year < 100 || month < 1 || month > 12) return Date.UTC(year, month - 1, day) + clock;
  return daysSinceEpoch(year, month, day) * 86_400_000 + clock;
}

function digitsAt(text: string, at: number, width: number): number {
  let n = 0;
  for (let i = at; i < at + width; i++) n = n * 10 + text.charCodeAt(i) - 48;
  return n;
}

/** Days from 1970-01-01 to a day of the proleptic Gregorian calendar (H. Hinnant's days_from_civil); a day past its month's end rolls over. */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Epoch milliseconds → the archive's form, ISO-8601 UTC with milliseconds. */
export function msToIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** RFC 2822 (`Fri, 24 May 2019 17:44:46 +0000`) or ISO-8601 → ISO-8601 UTC with milliseconds, or null. */
export function toIsoUtc(value: unknown): string | null {
  // Date.parse would roll an impossible ISO day or clock (2026-02-31, 25:61) over into another instant.
  if (typeof value !== 'string' || value === '' || !isRealIsoDate(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** `2026-11-25T10:00:00.000Z`: the form every ISO writer (and Bulk Export) uses, taken as it is once checked. */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether an ISO-style date (`YYYY-MM-DD`, optionally ` HH:MM` or `THH:MM:SS`
 * and more) names a real calendar day and time: Date.parse quietly rolls
 * `2026-02-30` over into March, which would put a message on the wrong day.
 * Read by position: it runs for every date of a 10-million-row export.
 */
export function isRealIsoDate(text: string): boolean {
  const digits = (at: number, width: number): number => {
    let n = 0;
    for (let i = at; i < at + width; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return -1;
      n = n * 10 + c;
    }
    return n;
  };
  if (text.length < 10 || text.charCodeAt(4) !== 45 /* - */ || text.charCodeAt(7) !== 45) return true;
  const y = digits(0, 4);
  const mo = digits(5, 2);
  const d = digits(8, 2);
  if (y < 0 || mo < 0 || d < 0) return true;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1])) return false;
  const separator = text.charCodeAt(10);
  if (text.length < 16 || (separator !== 84 /* T */ && separator !== 32) || text.charCodeAt(13) !== 58 /* : */) return true;
  const h = digits(11, 2);
  const mi = digits(14, 2);
  if (h > 23 || mi > 59) return false;
  return !(text.length >= 19 && text.charCodeAt(16) === 58 && digits(17, 2) > 59);
}
