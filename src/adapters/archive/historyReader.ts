import type { ArchiveLayout } from '../../config/archiveSettings';
import { objectKeyTime } from '../../domain/archiveLayout';
import { cloudEventRecord } from '../../domain/eventStreamLine';
import type { FoundRecord } from '../../domain/messageHistory';
import { isPlainObject } from '../../domain/ownProperty';
import { DamagedTextError, openLines } from '../streams/textLines';
import type { ArchiveStore } from './archiveStore';

/** What a history search read, for its "how far it looked" line. */
export interface HistoryRead {
  objects: number;
  lines: number;
  /** Lines that are not JSON objects: they can name no message; counted, not searched. */
  unreadable: number;
  /** Objects that could not be read to their end (the search is then incomplete), with why. */
  corrupt: { key: string; line?: number; reason: string }[];
}

/**
 * Every record under `prefixes` that `wanted` accepts, with its object key
 * and line number: the archive's records as they are, and the Kinesis path's
 * CloudEvents (under the layout's events prefix) through the /event-stream
 * mapping, masked with `redactDigits`. Every line is read, flagged and odd
 * ones included: the history shows what the archive holds, not only what
 * folds.
 */
export async function findRecords(
  store: ArchiveStore,
  layout: ArchiveLayout,
  prefixes: readonly string[],
  wanted: (record: Record<string, unknown>) => boolean,
  redactDigits: number,
  read: HistoryRead = emptyHistoryRead(),
): Promise<{ found: FoundRecord[]; read: HistoryRead }> {
  const found: FoundRecord[] = [];
  for (const prefix of prefixes) {
    for await (const object of store.list(prefix)) found.push(...(await findInObject(store, layout, object.key, wanted, redactDigits, read)));
  }
  return { found, read };
}

export function emptyHistoryRead(): HistoryRead {
  return { objects: 0, lines: 0, unreadable: 0, corrupt: [] };
}

/** The records of one object that `wanted` accepts, its read added to `read`. */
export async function findInObject(
  store: ArchiveStore,
  layout: ArchiveLayout,
  key: string,
  wanted: (record: Record<string, unknown>) => boolean,
  redactDigits: number,
  read: HistoryRead,
): Promise<FoundRecord[]> {
  const found: FoundRecord[] = [];
  read.objects++;
  const events = key.startsWith(layout.events);
  const arrivedAt = events ? objectKeyTime(key) : null;
  let line = 0;
  try {
    for await (const batch of await openLines(await store.open(key))) {
      for (const text of batch) {
        line++;
        if (text.trim() === '') continue;
        read.lines++;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          read.unreadable++;
          continue;
        }
        // As the reconciliation reads it (parseCloudEventLine): a key without Firehose's timestamp takes the event's own time.
        const event = events ? cloudEventRecord(value, arrivedAt, redactDigits) : null;
        const record = event === null ? value : event.ok ? event.record : null;
        if (!isPlainObject(record)) {
          read.unreadable++;
          continue;
        }
        if (wanted(record)) found.push({ key, line, record });
      }
    }
  } catch (error) {
    if (error instanceof DamagedTextError && error.line !== undefined) read.corrupt.push({ key, line: error.line, reason: `partly read: ${error.message}` });
    else {
      const where = line > 0 ? ` after line ${line}` : '';
      read.corrupt.push({ key, reason: `${error instanceof DamagedTextError ? 'partly read' : 'unreadable'}${where}: ${(error as Error).message}` });
    }
  }
  return found;
}
