/**
 * The Kinesis path's lines (the infrastructure's `event_lines` table: the
 * CloudEvents under the layout's events prefix, one a line, as Twilio sent
 * them) as the SQL engines' records: the same mapping the streaming readers
 * apply (src/domain/eventStreamLine.ts, then eventStreamRecord.ts), so that
 * the categories, the stale scan and the census cannot tell the Kinesis path
 * from the webhook's records.
 *
 * Which lines become what, as the TypeScript decides it:
 * - not JSON, or no time to record it at (a key without Firehose's
 *   timestamp and no `data.timestamp`): malformed;
 * - any other JSON is a record: flagged when the mapping noted a problem
 *   (no `id`, a SID missing or not of its form, `data.messageStatus` missing
 *   or not the type's, a time missing or unreadable), and unattributable (so
 *   folded into nothing) when it names no account, message or status: a value
 *   that is not an object, an event of another type, one without `data`.
 * - `com.twilio.messaging.message.<status>`: `data.messageStatus` lower-cased,
 *   else the type's last part; `com.twilio.messaging.inbound-message.received`:
 *   `received`.
 *
 * The event holds its numbers as sent: `to` is masked as an address, and the
 * status and error code as redactRecord masks them (redactionSql.ts).
 *
 * Times: the mapping reads `data.timestamp` and `data.rawDlrDoneDate` with
 * toIsoUtc (Date.parse, after a check of the calendar). This reads the forms
 * of ISO 8601 Date.parse takes (`2026-11-25T10:00:00.123456789Z`, an offset
 * `+05:00` or `+0500`, no seconds, no zone read as UTC, a date alone), which
 * is what Twilio sends; the other forms Date.parse guesses at (RFC 2822, `Nov
 * 25 2026`, even `12`) are read here as no time, so an event carrying one
 * would be flagged here where the streaming reader takes its guess.
 *
 * Parameters: :hour_from, :hour_to, :redact_digits (as archiveLines.ts).
 */
import { INBOUND_EVENT, RECEIVED_STATUS } from '../../eventStreamRecord';
import type { SqlDialect } from './dialect';
import { maskedNumbersInText, maskedTrailingDigits, sqlText } from './redactionSql';

// Every pattern anchored with \A and \z: Athena's regular expressions (Joni) read ^ and $ at any line's ends.
const STATUS_EVENT = String.raw`\Acom\.twilio\.messaging\.message\.([a-z_-]+)\z`;
const MESSAGE_SID = String.raw`\A(SM|MM)[0-9a-fA-F]{32}\z`;
const ACCOUNT_SID = String.raw`\AAC[0-9a-fA-F]{32}\z`;
/** `yyyy-MM-dd-HH-mm-ss` before the last part of the key's name: objectKeyTime (src/domain/archiveLayout.ts). */
const KEY_TIME = String.raw`-([0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{2})-[^/]*\z`;
/** The ISO-8601 forms read (above): date, then optionally clock, fraction and zone, in groups 1 to 8. */
const ISO_TIME = String.raw`\A([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?)?\z`;
/** The archive's own form, every field in its range (the day in its month is the engine's isInstant). */
const ARCHIVE_TIME = String.raw`\A[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z\z`;

/** Every path of an event the mapping reads: parsed once per line where the engine allows (SqlDialect.jsonValues). */
const EVENT_PATHS = [
  '$.id',
  '$.type',
  '$.data',
  '$.data.messageSid',
  '$.data.accountSid',
  '$.data.messageStatus',
  '$.data.errorCode',
  '$.data.timestamp',
  '$.data.rawDlrDoneDate',
  '$.data.to',
] as const;
type EventPath = (typeof EVENT_PATHS)[number];

/** A regular expression's group, NULL when it did not match (DuckDB answers '', Trino NULL). */
function group(text: string, pattern: string, n: number): string {
  return `nullif(coalesce(regexp_extract(${text}, '${pattern}', ${n}), ''), '')`;
}

/**
 * toIsoUtc over the ISO forms: the instant in the archive's form, or NULL.
 * `text` is a column (it is read many times). The clock is first written in
 * the archive's form as if at UTC and checked as the archive's times are (an
 * impossible day or clock is no time, as isRealIsoDate makes it), then moved
 * by the offset, if any.
 */
function isoInstant(d: SqlDialect, text: string): string {
  const part = (n: number, otherwise: string) => `coalesce(${group(text, ISO_TIME, n)}, '${otherwise}')`;
  const millis = `rpad(substr(${part(7, '')}, 1, 3), 3, '0')`;
  const asUtc = `(${part(1, '')} || '-' || ${part(2, '')} || '-' || ${part(3, '')} || 'T' || ${part(4, '00')} || ':' || ${part(5, '00')} || ':' || ${part(6, '00')} || '.' || ${millis} || 'Z')`;
  // The offset as ±hhmm, Z as +0000: always digits to cast, whichever branch an engine evaluates first.
  const zone = `(CASE WHEN upper(${part(8, 'Z')}) = 'Z' THEN '+0000' ELSE replace(${part(8, '')}, ':', '') END)`;
  const offsetHours = `CAST(substr(${zone}, 2, 2) AS INTEGER)`;
  const offsetMinutes = `CAST(substr(${zone}, 4, 2) AS INTEGER)`;
  const sign = `(CASE WHEN substr(${zone}, 1, 1) = '-' THEN -1 ELSE 1 END)`;
  // Date.parse refuses an offset outside ±23:59.
  const zoneOk = `(${offsetHours} <= 23 AND ${offsetMinutes} <= 59)`;
  const shifted = d.isoOfEpochMs(`${d.epochMs(asUtc)} - ${sign} * (${offsetHours} * 60 + ${offsetMinutes}) * 60000`);
  const readable = `(${d.matches(text, ISO_TIME)} AND ${d.matches(asUtc, ARCHIVE_TIME)} AND ${d.isInstant(asUtc)} AND ${zoneOk})`;
  return `(CASE WHEN ${text} IS NULL OR NOT coalesce(${readable}, false) THEN NULL WHEN ${zone} IN ('+0000', '-0000') THEN ${asUtc} ELSE ${shifted} END)`;
}

/** The relations that make `event_records` (every line read: its checks, and the record it makes), for the WITH clause. */
export function eventLineTables(d: SqlDialect): [name: string, select: string][] {
  const value = (path: EventPath) => d.valueAt('line_values', 'line', EVENT_PATHS, path);
  const text = (path: EventPath) => d.textAt('line_values', 'line', EVENT_PATHS, path);
  // ownText (src/domain/ownProperty.ts): a field the object holds as non-empty text.
  const ownText = (path: EventPath) => `(CASE WHEN ${value(path)} LIKE '"%' AND ${text(path)} <> '' THEN ${text(path)} END)`;
  const keyIso = `(substr(key_time, 1, 10) || 'T' || substr(key_time, 12, 2) || ':' || substr(key_time, 15, 2) || ':' || substr(key_time, 18, 2) || '.000Z')`;
  return [
    [
      'event_lines_read',
      `  SELECT "$path" AS object_key, line, ${d.jsonValues('line', EVENT_PATHS)} AS line_values,
         CAST(:redact_digits AS INTEGER) AS redact_digits FROM event_lines
  WHERE datehour BETWEEN :hour_from AND :hour_to AND ltrim(line) <> ''
`,
    ],
    [
      // What the mapping reads of each line, as text, before anything is decided.
      'event_fields',
      `  SELECT object_key, redact_digits, ${d.isJson('line')} AS is_json, ${d.isJsonObject('line')} AS is_object,
         ${ownText('$.id')} AS id, ${ownText('$.type')} AS type, ${group(ownText('$.type'), STATUS_EVENT, 1)} AS type_status,
         coalesce(${value('$.data')} LIKE '{%', false) AS has_data,
         ${ownText('$.data.messageSid')} AS message_sid_text, ${ownText('$.data.accountSid')} AS account_sid_text,
         lower(${ownText('$.data.messageStatus')}) AS stated_status,
         ${value('$.data.errorCode')} AS error_code_json, ${ownText('$.data.errorCode')} AS error_code_text,
         ${ownText('$.data.timestamp')} AS timestamp_text, ${ownText('$.data.rawDlrDoneDate')} AS raw_dlr_text,
         ${ownText('$.data.to')} AS to_text,
         ${group('object_key', KEY_TIME, 1)} AS key_time
  FROM event_lines_read
`,
    ],
    [
      // The record's fields as buildEventStreamRecord sets them, unmasked; an error code given as a JSON number as
      // String(n) writes it, when it is a whole number of up to 15 digits (other numbers are read as no code).
      'event_mapped',
      `  SELECT object_key, redact_digits, is_json, is_object, id, type_status,
         is_object AND has_data AND (type_status IS NOT NULL OR coalesce(type = ${sqlText(INBOUND_EVENT)}, false)) AS mapped,
         type_status IS NOT NULL AS status_event, stated_status,
         CASE WHEN ${d.matches('message_sid_text', MESSAGE_SID)} THEN message_sid_text END AS message_sid,
         CASE WHEN ${d.matches('account_sid_text', ACCOUNT_SID)} THEN account_sid_text END AS account_sid,
         CASE WHEN type_status IS NOT NULL THEN coalesce(stated_status, type_status) ELSE ${sqlText(RECEIVED_STATUS)} END AS status,
         CASE WHEN error_code_text IS NOT NULL THEN error_code_text
              WHEN ${d.matches('error_code_json', String.raw`\A-?(0|[1-9][0-9]{0,14})\z`)} THEN CASE WHEN error_code_json = '-0' THEN '0' ELSE error_code_json END
         END AS error_code,
         raw_dlr_text, timestamp_text, to_text,
         ${isoInstant(d, 'raw_dlr_text')} AS raw_dlr_at, ${isoInstant(d, 'timestamp_text')} AS timestamp_at,
         CASE WHEN ${d.matches(keyIso, ARCHIVE_TIME)} AND ${d.isInstant(keyIso)} THEN ${keyIso} END AS arrived_at
  FROM event_fields
`,
    ],
    [
      // Each line as the streaming reader counts it, and the record it makes, masked. A line is a record when it has
      // a time to be recorded at: its object's (in Firehose's key), else the event's own data.timestamp. `flagged`:
      // any problem buildEventStreamRecord notes.
      'event_records',
      `  SELECT object_key, valid, valid AND flagged AS flagged,
         valid AND flagged AND (account_sid IS NULL OR status IS NULL OR message_sid IS NULL) AS unattributable,
         recorded_at, event_at, account_sid, message_sid, ${maskedNumbersInText(d, 'status')} AS status,
         ${maskedNumbersInText(d, 'error_code')} AS error_code, ${maskedTrailingDigits(d, 'to_number')} AS to_number
  FROM (
    SELECT object_key, redact_digits,
           is_json AND coalesce(arrived_at, CASE WHEN is_object THEN timestamp_at END) IS NOT NULL AS valid,
           coalesce(arrived_at, timestamp_at) AS recorded_at,
           CASE WHEN mapped THEN coalesce(raw_dlr_at, timestamp_at) END AS event_at,
           CASE WHEN mapped THEN account_sid END AS account_sid,
           CASE WHEN mapped THEN message_sid END AS message_sid,
           CASE WHEN mapped THEN status END AS status,
           CASE WHEN mapped THEN error_code END AS error_code,
           CASE WHEN mapped THEN to_text END AS to_number,
           (NOT is_object OR id IS NULL OR NOT mapped OR message_sid IS NULL OR account_sid IS NULL
            OR (status_event AND coalesce(stated_status <> type_status, true))
            OR (raw_dlr_text IS NOT NULL AND raw_dlr_at IS NULL)
            OR coalesce(raw_dlr_at, timestamp_at) IS NULL) AS flagged
    FROM event_mapped
  ) events
`,
    ],
  ];
}
