import { hourFolder } from './archiveLayout';
import { InvalidInputError } from './errors';

const HOUR_MS = 3_600_000;

/**
 * The `YYYY/MM/DD/HH/` folders a reader must list to see every record that
 * arrived between `from` and `to` (UTC), inclusive of both hours.
 */
export function hourFoldersBetween(from: Date, to: Date): string[] {
  if (to.getTime() < from.getTime()) return [];
  const folders: string[] = [];
  const start = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS;
  for (let t = start; t <= to.getTime(); t += HOUR_MS) folders.push(hourFolder(new Date(t)));
  return folders;
}

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
