/**
 * A line of the Kinesis path's prefix (`events/`): one CloudEvent as Twilio
 * put it into the Kinesis stream, delivered by Firehose unchanged. The
 * readers take it through the same mapping as the `/event-stream` Function's
 * (eventStreamRecord.ts), then the same checks as any archive line, so the
 * poller, the reconciliation and their counts cannot tell the two paths
 * apart. Redaction applies as the record is made, on reading: these objects
 * hold the numbers as Twilio sent them (docs/event-streams.md, "The Kinesis path").
 */
import { parseArchiveLine, type ParsedLine } from './archiveLine';
import type { ArchiveRecord } from './archiveRecord';
import { buildEventStreamRecord } from './eventStreamRecord';
import { isPlainObject, ownValue } from './ownProperty';
import { toIsoUtc } from './time';

/**
 * The line as the readers take it. `arrivedAt` is the object's time (its key
 * names its oldest record's arrival): the record's `recorded_at`, when this
 * system got the event. A line that is not JSON is malformed, as anywhere.
 */
export function parseCloudEventLine(line: string, arrivedAt: Date | null, redactDigits: number): ParsedLine {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const record = cloudEventRecord(event, arrivedAt, redactDigits);
  if (!record.ok) return record;
  return parseArchiveLine(JSON.stringify(record.record));
}

/**
 * A parsed CloudEvent as the record the readers take, for every reader alike
 * (the reconciliation, the poller, `history`): recorded when its object's key
 * says it arrived, else (a key without Firehose's timestamp) at the event's
 * own `data.timestamp`; without either, not a record.
 */
export function cloudEventRecord(
  event: unknown,
  arrivedAt: Date | null,
  redactDigits: number,
): { ok: true; record: ArchiveRecord } | { ok: false; reason: string } {
  const recordedAt = arrivedAt ?? eventTime(event);
  if (recordedAt === null) return { ok: false, reason: 'a CloudEvent in an object whose key gives no time, and without data.timestamp' };
  return { ok: true, record: buildEventStreamRecord(event, { recordedAt, redactDigits }) };
}

function eventTime(event: unknown): Date | null {
  const data = isPlainObject(event) ? ownValue(event, 'data') : undefined;
  const timestamp = isPlainObject(data) ? ownValue(data, 'timestamp') : undefined;
  const iso = toIsoUtc(timestamp);
  return iso === null ? null : new Date(iso);
}
