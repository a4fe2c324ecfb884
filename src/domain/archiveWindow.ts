import { hourFolder } from './archiveLayout';

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
