import { emptyHistoryRead, findRecords, type HistoryRead } from '../adapters/archive/historyReader';
import type { ArchiveStore } from '../adapters/archive/archiveStore';
import { prefixesForWindow, type ArchiveLayout } from '../config/archiveSettings';
import {
  isMatchedAttempt,
  matchedAttempts,
  matchesQuery,
  messageStory,
  type FoundRecord,
  type HistoryQuery,
  type MessageStory,
} from '../domain/messageHistory';
import { ownValue } from '../domain/ownProperty';

const DAY_MS = 86_400_000;

export interface HistoryOptions {
  store: ArchiveStore;
  layout: ArchiveLayout;
  query: HistoryQuery;
  /** Days to read, both included (UTC). Unset: searched backwards from `today`, then widened while the message's records go on. */
  from?: Date;
  to?: Date;
  /** How many days the search without a range goes back before it gives up. @default 31 */
  maxDays?: number;
  today: Date;
  redactDigits: number;
  onDay?: (day: string) => void;
}

export interface HistoryResult {
  /** The days read, and how they were chosen. */
  looked: { from: string; to: string; days: number; how: string } & HistoryRead;
  messages: MessageStory[];
  /** Records that match but name no message: send attempts without a SID. */
  unattached: FoundRecord[];
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** The history of the message(s) a query names: found, then every record of each, told by the status rules. */
export async function findHistory(options: HistoryOptions): Promise<HistoryResult> {
  const { store, layout, query, redactDigits } = options;
  const read = emptyHistoryRead();
  const readDay = async (day: Date, wanted: (record: Record<string, unknown>) => boolean) => {
    options.onDay?.(dayOf(day));
    return (await findRecords(store, layout, dayPrefixes(layout, day), wanted, redactDigits, read)).found;
  };
  const matches = (record: Record<string, unknown>) => matchesQuery(record, query);

  let first: Date;
  let last: Date;
  let how: string;
  const byDay = new Map<number, FoundRecord[]>();
  if (options.from && options.to) {
    first = options.from;
    last = options.to;
    how = 'the days asked for';
  } else {
    // Backwards from today to the most recent day with a match; then earlier while days still hold matches.
    const maxDays = options.maxDays ?? 31;
    const today = Date.UTC(options.today.getUTCFullYear(), options.today.getUTCMonth(), options.today.getUTCDate());
    let found: number | undefined;
    for (let n = 0; n < maxDays && found === undefined; n++) {
      const day = today - n * DAY_MS;
      const records = await readDay(new Date(day), matches);
      byDay.set(day, records);
      if (records.length > 0) found = day;
    }
    if (found === undefined) {
      first = new Date(today - (maxDays - 1) * DAY_MS);
      last = new Date(today);
      how = `searched back ${maxDays} day(s) from today and found nothing; give --from and --to-day to look further`;
    } else {
      let earliest = found;
      for (let n = 1; byDay.size < maxDays; n++) {
        const day = found - n * DAY_MS;
        const records = await readDay(new Date(day), matches);
        byDay.set(day, records);
        if (records.length === 0) break;
        earliest = day;
      }
      first = new Date(Math.min(...byDay.keys()));
      last = new Date(today);
      how = `searched back from today to the latest day with its records (${dayOf(new Date(found))}), then earlier until a day without them (${dayOf(new Date(earliest - DAY_MS))})`;
    }
  }

  // The records of the range that match; then, for a query by reference, tag or number, every record of the messages they name.
  let found: FoundRecord[] = [];
  if (byDay.size > 0) found = [...byDay.values()].flat();
  else for (let day = first.getTime(); day <= last.getTime(); day += DAY_MS) found.push(...(await readDay(new Date(day), matches)));
  if (query.kind !== 'sid') {
    const sids = new Set(found.map((f) => ownValue(f.record, 'message_sid')).filter((s): s is string => typeof s === 'string'));
    if (sids.size > 0) {
      const inMessages = (record: Record<string, unknown>) => matches(record) || sids.has(ownValue(record, 'message_sid') as string);
      found = [];
      for (let day = first.getTime(); day <= last.getTime(); day += DAY_MS) found.push(...(await readDay(new Date(day), inMessages)));
      how += '; then every record of the messages found, over the same days';
    }
  }

  found.push(...(await attemptsOf(found, readDay)));
  const { messages, unattached } = storiesOf(found);
  const days = Math.round((last.getTime() - first.getTime()) / DAY_MS) + 1;
  return {
    looked: { from: dayOf(first), to: dayOf(last), days, how, ...read },
    messages,
    unattached,
  };
}

/**
 * The found records as stories, one per message; a send attempt that a
 * correction matched to a message goes with that message; the other records
 * that name no message are left unattached.
 */
export function storiesOf(found: readonly FoundRecord[]): { messages: MessageStory[]; unattached: FoundRecord[] } {
  const bySid = new Map<string, FoundRecord[]>();
  for (const f of found) {
    const sid = ownValue(f.record, 'message_sid');
    if (typeof sid === 'string') bySid.set(sid, [...(bySid.get(sid) ?? []), f]);
  }
  const attempts = new Map<FoundRecord, string>();
  for (const [sid, records] of bySid) {
    for (const attempt of matchedAttempts(records)) {
      for (const f of found) if (!attempts.has(f) && isMatchedAttempt(f.record, attempt)) attempts.set(f, sid);
    }
  }
  for (const [f, sid] of attempts) bySid.get(sid)!.push(f);
  const unattached = found.filter((f) => typeof ownValue(f.record, 'message_sid') !== 'string' && !attempts.has(f));
  return { messages: [...bySid.entries()].map(([sid, records]) => messageStory(sid, records)), unattached };
}

/**
 * The send attempts the found corrections say created their messages (matched
 * by envelope: the SID never came back), read from the day each was made.
 * Already found ones are not read again.
 */
export async function attemptsOf(
  found: readonly FoundRecord[],
  readDay: (day: Date, wanted: (record: Record<string, unknown>) => boolean) => Promise<FoundRecord[]>,
): Promise<FoundRecord[]> {
  const missing = matchedAttempts(found).filter((attempt) => !found.some((f) => isMatchedAttempt(f.record, attempt)));
  const more: FoundRecord[] = [];
  for (const attempt of missing) {
    const at = Date.parse(attempt.recordedAt);
    if (Number.isNaN(at)) continue;
    const day = new Date(Math.floor(at / DAY_MS) * DAY_MS);
    more.push(...(await readDay(day, (record) => isMatchedAttempt(record, attempt))));
  }
  return more;
}

/** Every prefix that holds one UTC day's records, in each of the layout's prefixes. */
export function dayPrefixes(layout: ArchiveLayout, day: Date): string[] {
  return prefixesForWindow(layout, day, new Date(day.getTime() + DAY_MS - 1));
}
