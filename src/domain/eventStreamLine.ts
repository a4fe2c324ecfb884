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
import { buildEventStreamRecord } from './eventStreamRecord';
import { isPlainObject, ownValue } from './ownProperty';

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
  const recordedAt = arrivedAt ?? eventTime(event);
  if (recordedAt === null) return { ok: false, reason: 'a CloudEvent in an object whose key gives no time, and without data.timestamp' };
  return parseArchiveLine(JSON.stringify(buildEventStreamRecord(event, { recordedAt, redactDigits })));
}

function eventTime(event: unknown): Date | null {
  const data = isPlainObject(event) ? ownValue(event, 'data') : undefined;
  const timestamp = isPlainObject(data) ? ownValue(data, 'timestamp') : undefined;
  const ms = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN;
  return Number.isNaN(ms) ? null : new Date(ms);
}
