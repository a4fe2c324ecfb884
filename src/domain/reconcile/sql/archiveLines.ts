/**
 * The categories' two input relations for an engine that reads the archive
 * where it lies (Athena): `records` from the archive's lines as text (the
 * infrastructure's `record_lines` table: `line`, the partitions `prefix` and
 * `datehour`, and the object's `"$path"`), with every line checked as
 * parseArchiveLine (src/domain/archiveLine.ts) checks it, together with the
 * Kinesis path's CloudEvents (`event_lines`, the same columns) mapped as the
 * streaming readers map them (eventLines.ts); and `twilio_rows` from Twilio's
 * list as the run staged it (`twilio_lists`, one `run` each).
 *
 * Parameters: :hour_from and :hour_to (the hour folders read, `yyyy/MM/dd/HH`,
 * both included), :run (the staged list), :redact_digits.
 */
import { ALERT_SOURCE, RECORD_SOURCES } from '../../archiveRecord';
import { TWILIO_ROW_COLUMNS } from './categories';
import type { SqlDialect } from './dialect';
import { eventLineTables } from './eventLines';
import { maskedTrailingDigits, sqlText as quote } from './redactionSql';

// The fields in their ranges here, the day in its month by the engine's own conversion (isInstant): a line whose
// time is not real is malformed, as isArchiveInstant (src/domain/time.ts) makes it, not a failed query.
const ISO_UTC = String.raw`^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,3})?Z$`;

/** Every path of a line the statements read: parsed once per line where the engine allows (SqlDialect.jsonValues). */
const LINE_PATHS = [
  '$.v',
  '$.source',
  '$.recorded_at',
  '$.event_at',
  '$.problems',
  '$.account_sid',
  '$.message_sid',
  '$.status',
  '$.error_code',
  '$.to',
  '$.tags',
  '$.params',
  '$.tags.client_ref',
  '$.params.reconcile.matched_attempt',
  '$.idempotency_token',
  '$.params.Level',
] as const;
type LinePath = (typeof LINE_PATHS)[number];

/** The JSON text at `path` of the line (`line`, read once into `line_values`). */
function value(d: SqlDialect, path: LinePath): string {
  return d.valueAt('line_values', 'line', LINE_PATHS, path);
}

/** The scalar at `path` of the line as SQL text. */
function text(d: SqlDialect, path: LinePath): string {
  return d.textAt('line_values', 'line', LINE_PATHS, path);
}

/**
 * parseArchiveLine's checks, as far as SQL can make them: a line that fails
 * here is malformed; one that passes folds as the streaming engine folds it
 * (a Debugger alert's, with its null status, is never folded).
 * One check is looser: `problems` must be a non-empty list that starts with
 * a string (every element is not checked).
 */
function lineChecks(d: SqlDialect): { valid: string; unattributable: string } {
  const v = (path: LinePath) => value(d, path);
  const t = (path: LinePath) => text(d, path);
  const isString = (path: LinePath) => `coalesce(${v(path)} LIKE '"%', false)`;
  const isNull = (path: LinePath) => `coalesce(${v(path)} = 'null', false)`;
  const isTime = (path: LinePath) => `(${isString(path)} AND coalesce(${d.matches(t(path), ISO_UTC)} AND ${d.isInstant(t(path))}, false))`;
  const flagged = `(${v('$.problems')} IS NOT NULL)`;
  const source = t('$.source');
  const valid = `(${d.isJsonObject('line')}
    AND coalesce(${v('$.v')} = '1', false)
    AND ${isString('$.source')} AND coalesce(${source} IN (${RECORD_SOURCES.map(quote).join(', ')}), false)
    AND ${isTime('$.recorded_at')}
    AND (${isNull('$.event_at')} OR ${isTime('$.event_at')})
    AND (${v('$.problems')} IS NULL OR ${v('$.problems')} LIKE '["%')
    AND (${isString('$.account_sid')} OR (${isNull('$.account_sid')} AND ${flagged}))
    AND (${isNull('$.message_sid')} OR ${isString('$.message_sid')})
    AND NOT (${isNull('$.message_sid')} AND ${source} NOT IN ('send_error', ${quote(ALERT_SOURCE)}) AND NOT ${flagged})
    AND (CASE WHEN ${source} = ${quote(ALERT_SOURCE)} THEN ${isNull('$.status')}
         ELSE (${isString('$.status')} AND ${v('$.status')} <> '""') OR (${isNull('$.status')} AND ${flagged}) END)
    AND (${isNull('$.error_code')} OR ${isString('$.error_code')})
    AND (${isNull('$.to')} OR ${isString('$.to')})
    AND coalesce(${v('$.tags')} LIKE '{%', false) AND coalesce(${v('$.params')} LIKE '{%', false))`;
  // A Debugger alert (status null, maybe about no message) is attributable when it names its account.
  const unattributable = `(${flagged} AND (${isNull('$.account_sid')} OR (${source} <> ${quote(ALERT_SOURCE)} AND (${isNull('$.status')} OR (${isNull('$.message_sid')} AND ${source} <> 'send_error')))))`;
  return { valid, unattributable };
}

/** The relations the others read the lines through: each record line checked, each event mapped (eventLines.ts). */
export const LINE_FACTS = ['checked_lines', 'event_records'] as const;

/**
 * Where the statements find LINE_FACTS: computed from the lines in each
 * statement (Athena), or read from tables a warehouse filled once for the run
 * with lineFactStatements (DuckDB on this machine: six statements would
 * otherwise read and check every line six times).
 */
export type LineFactsFrom = 'lines' | 'tables';

/**
 * The relations that read and check the lines, ending with LINE_FACTS: each
 * line's checks (as parseArchiveLine's), and the record or alert it makes, as
 * narrow columns; no statement reads a line's text past them.
 */
function lineFactTables(d: SqlDialect): [name: string, select: string][] {
  const checks = lineChecks(d);
  const t = (path: LinePath) => text(d, path);
  const stringAt = (path: LinePath) => `CASE WHEN ${value(d, path)} LIKE '"%' THEN ${t(path)} END`;
  return [
    [
      'archive_lines',
      `  SELECT "$path" AS object_key, line, ${d.jsonValues('line', LINE_PATHS)} AS line_values,
         CAST(:redact_digits AS INTEGER) AS redact_digits FROM record_lines
  WHERE datehour BETWEEN :hour_from AND :hour_to AND ltrim(line) <> ''
`,
    ],
    [
      'checked_lines',
      `  SELECT object_key, valid, valid AND ${checks.unattributable} AS unattributable,
         valid AND ${value(d, '$.problems')} IS NOT NULL AS flagged,
         ${t('$.source')} AS source, ${t('$.recorded_at')} AS recorded_at, ${t('$.event_at')} AS event_at,
         ${t('$.account_sid')} AS account_sid, ${t('$.message_sid')} AS message_sid, ${t('$.status')} AS status,
         ${t('$.error_code')} AS error_code, ${maskedTrailingDigits(d, t('$.to'))} AS to_number,
         ${stringAt('$.tags.client_ref')} AS client_ref,
         CASE WHEN ${t('$.source')} = 'reconcile' THEN ${stringAt('$.params.reconcile.matched_attempt')} END AS matched_attempt,
         CASE WHEN ${t('$.source')} = 'send_error' THEN ${value(d, '$.tags')} END AS tags, ${t('$.idempotency_token')} AS alert_sid, ${t('$.params.Level')} AS level
  FROM (SELECT object_key, line_values, redact_digits, ${checks.valid} AS valid FROM archive_lines) lines
`,
    ],
    ...eventLineTables(d),
  ];
}

/**
 * LINE_FACTS as whole statements, for a warehouse that fills a table of each
 * once per run (SqlWarehouse.fillLineFacts); the statements then read them
 * with `'tables'`.
 */
export function lineFactStatements(d: SqlDialect): [name: (typeof LINE_FACTS)[number], statement: string][] {
  const tables = lineFactTables(d);
  return LINE_FACTS.map((name) => [name, `WITH ${tables.map(([n, body]) => `${n} AS (${body})`).join(',\n')}\nSELECT * FROM ${name}`]);
}

/** The relations that fill `records` and `twilio_rows`, in order, for the WITH clause before the categories' tables. */
export function archiveLineTables(d: SqlDialect, from: LineFactsFrom = 'lines'): [name: string, select: string][] {
  return [
    ...(from === 'lines' ? lineFactTables(d) : []),
    [
      // The Kinesis path's events after the archive's records. An event's record is never a send attempt or a
      // correction, the only records whose client_ref, matched_attempt and tags the categories read: those are null.
      'records',
      `  SELECT source, recorded_at, event_at, account_sid, message_sid, status, error_code, to_number, client_ref, matched_attempt, tags
  FROM checked_lines WHERE valid AND NOT unattributable AND source <> ${quote(ALERT_SOURCE)}
  UNION ALL
  SELECT 'event_stream', recorded_at, event_at, account_sid, message_sid, status, error_code, to_number,
         CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
  FROM event_records WHERE valid AND NOT unattributable
`,
    ],
    [
      'twilio_rows',
      `  SELECT ${TWILIO_ROW_COLUMNS.join(', ')}
  FROM twilio_lists WHERE run = :run
`,
    ],
  ];
}

/** `WITH …` of the relations up to LINE_FACTS, or nothing when they are tables. */
function withLineFacts(d: SqlDialect, from: LineFactsFrom): string {
  return from === 'lines'
    ? `WITH ${lineFactTables(d)
        .map(([name, body]) => `${name} AS (${body})`)
        .join(', ')}\n`
    : '';
}

/**
 * One row per archive object read: its lines (blank ones aside), records,
 * malformed lines, flagged and unattributable records. What the streaming
 * scan counts, without line numbers: the command reads the objects named
 * here itself for those.
 */
export function lineCensusStatement(d: SqlDialect, from: LineFactsFrom = 'lines'): string {
  return `${withLineFacts(d, from)}SELECT object_key, count(*) AS lines, count_if(valid) AS records, count_if(NOT valid) AS malformed,
       count_if(flagged) AS flagged, count_if(unattributable) AS unattributable
FROM (SELECT object_key, valid, flagged, unattributable FROM checked_lines
      UNION ALL
      SELECT object_key, valid, flagged, unattributable FROM event_records) lines
GROUP BY object_key
ORDER BY object_key`;
}

/**
 * The window's Debugger alerts about messages, as the streaming reader hands
 * them over: valid, attributable `debugger` lines that name a message. The
 * reconciliation quotes them in the gaps of those messages.
 */
export function alertStatement(d: SqlDialect, from: LineFactsFrom = 'lines'): string {
  return `${withLineFacts(d, from)}SELECT message_sid, event_at, error_code, alert_sid, level
FROM checked_lines
WHERE valid AND NOT unattributable AND source = ${quote(ALERT_SOURCE)} AND message_sid IS NOT NULL`;
}

/** A tag name as it may stand in a JSON path (the path is text in the statement, not a parameter). */
export const SAFE_TAG_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * The objects that hold records of a message (`:value` a SID), of a client
 * reference, or of a tag's value, in the hours :hour_from to :hour_to: where
 * the history command then reads, line by line, for the records themselves.
 */
export function historyObjectsStatement(d: SqlDialect, by: { kind: 'sid' } | { kind: 'client_ref' } | { kind: 'tag'; name: string }): string {
  if (by.kind === 'tag' && !SAFE_TAG_NAME.test(by.name)) throw new Error(`a tag name for SQL must match ${SAFE_TAG_NAME}, not "${by.name}"`);
  const path = by.kind === 'sid' ? '$.message_sid' : by.kind === 'client_ref' ? '$.tags.client_ref' : `$.tags.${by.name}`;
  return `SELECT DISTINCT "$path" AS object_key FROM record_lines
WHERE datehour BETWEEN :hour_from AND :hour_to AND ltrim(line) <> '' AND ${d.jsonText('line', path)} = :value
ORDER BY object_key`;
}
