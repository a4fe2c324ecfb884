/**
 * Archive record, version 1: one JSON object per line in the archive.
 * The field list and its meaning are specified in docs/archive-format.md and
 * schema/archive-record.v1.schema.json; keep all three in step.
 */

export const ARCHIVE_RECORD_VERSION = 1 as const;

/** Who wrote a record. Later parts of the product add their own sources. */
export type RecordSource = 'callback' | 'send' | 'send_error' | 'poll' | 'reconcile' | 'event_stream' | 'debugger';

export const RECORD_SOURCES: readonly RecordSource[] = ['callback', 'send', 'send_error', 'poll', 'reconcile', 'event_stream', 'debugger'];

/** Records that are evidence about a message, not a status of it: never folded into its state (status null). */
export const ALERT_SOURCE: RecordSource = 'debugger';

/** A parameter value as Twilio sent it: normally a string, but a form body can repeat a name. */
export type ParamValue = string | string[];

export interface ArchiveRecord {
  v: typeof ARCHIVE_RECORD_VERSION;
  source: RecordSource;
  /** When this system wrote the record: ISO-8601 UTC with milliseconds. */
  recorded_at: string;
  /** When the status happened according to Twilio, if known: ISO-8601 UTC, or null. */
  event_at: string | null;
  /** Null only in a record with `problems` (a callback that did not name its account). */
  account_sid: string | null;
  /** Null for `send_error` records (no SID came back), in a `debugger` record about another resource, and in a record with `problems` that names no message. */
  message_sid: string | null;
  messaging_service_sid: string | null;
  /** Lower-case status string; unknown statuses are kept. Null in a `debugger` record (an alert is not a status), else only in a record with `problems`. */
  status: string | null;
  error_code: string | null;
  /** As received, or with the trailing digits masked when redaction is on. */
  to: string | null;
  from: string | null;
  idempotency_token: string | null;
  /** The sender's own identifiers (callback URL query parameters). */
  tags: Record<string, ParamValue>;
  /** Every parameter Twilio sent, verbatim but for phone-number redaction. */
  params: Record<string, unknown>;
  /**
   * What was odd about the input, when something was: a signed callback is
   * archived whatever it holds, and this says which fields could not be
   * read from it (they are then null) and why. Absent when nothing was odd.
   */
  problems?: string[];
}

/** The line written to the archive: the record followed by the newline that Firehose will not add. */
export function toArchiveLine(record: ArchiveRecord): string {
  return `${JSON.stringify(record)}\n`;
}
