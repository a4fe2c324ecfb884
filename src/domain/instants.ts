import { InvalidInputError } from './errors';

/**
 * Days and instants as a person types them on a command line. Strict on
 * purpose: `Date.parse` rolls `2026-02-30` over into March, reads `3` as a
 * year and a zoneless time as local time, and each of those would point a
 * command at the wrong part of a write-once archive without a word.
 */

const DAY = /^(\d{4})-(\d\d)-(\d\d)$/;
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
