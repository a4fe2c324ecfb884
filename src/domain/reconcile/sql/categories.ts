/**
 * The reconciliation's categories as SQL, written once for every SQL engine
 * (DuckDB here, Athena at scale), with the status rules of
 * docs/archive-format.md and the categories of docs/reconciliation.md. The
 * ranks and final statuses are rendered from src/domain/statusRules.ts, so
 * the SQL and the streaming engine cannot disagree on them.
 *
 * Two relations go in, whatever fills them:
 * - `records`: the archive's records of the window plus slack, as facts
 *   (status and account present; problems records that name no message are
 *   not facts): source, recorded_at, event_at, account_sid, message_sid,
 *   status, error_code, to_number, client_ref (tags.client_ref),
 *   matched_attempt (params.reconcile.matched_attempt), tags (JSON text; read
 *   from send_error records only, masked as the attempt is quoted);
 * - `twilio_rows`: Twilio's list, masked as the archive is: sid, account_sid,
 *   status, error_code, to_number, from_number, date_created, date_sent,
 *   direction, messaging_service_sid.
 * Parameters: :window_from, :window_to (ISO-8601 instants), :match_window_ms,
 * :direction ('outbound', 'inbound' or 'all').
 */
import { NOT_FOUND_STATUS } from '../../messageRules';
import { REDACTION_MASK_CHAR } from '../../redaction';
import { FINAL_STATUSES, STATUS_RANK, UNKNOWN_STATUS_RANK } from '../../statusRules';
import { lagBucketSql } from '../callbackLag';
import type { TwilioMessageRow } from '../twilioRow';
import { firstMatch, removeAll, type SqlDialect } from './dialect';

/** The columns of `twilio_rows` (Twilio's list, masked), in the order every engine loads them. */
export const TWILIO_ROW_COLUMNS = [
  'sid',
  'account_sid',
  'status',
  'error_code',
  'to_number',
  'from_number',
  'date_created',
  'date_sent',
  'direction',
  'messaging_service_sid',
] as const;

export type TwilioRowColumn = (typeof TWILIO_ROW_COLUMNS)[number];

/** A row of Twilio's list as the `twilio_rows` relation's columns. */
export function twilioRowColumns(row: TwilioMessageRow): Record<TwilioRowColumn, string | null> {
  return {
    sid: row.sid,
    account_sid: row.accountSid,
    status: row.status,
    error_code: row.errorCode,
    to_number: row.to,
    from_number: row.from,
    date_created: row.dateCreated,
    date_sent: row.dateSent,
    direction: row.direction,
    messaging_service_sid: row.messagingServiceSid,
  };
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function rankOf(status: string): string {
  const arms = [...STATUS_RANK.entries()].map(([name, rank]) => `WHEN ${quote(name)} THEN ${rank}`).join(' ');
  return `(CASE ${status} ${arms} ELSE ${UNKNOWN_STATUS_RANK} END)`;
}

export function isFinal(status: string): string {
  return `(${status} IN (${[...FINAL_STATUSES].map(quote).join(', ')}))`;
}

/** normalizeAddress (src/domain/reconcile/phoneMatch.ts): channel prefix lower-cased, '+', then digits and mask characters only. */
function normalizedAddress(d: SqlDialect, value: string): string {
  const prefix = firstMatch(value, '^[A-Za-z][A-Za-z0-9-]*:');
  const rest = `substr(${value}, length(${prefix}) + 1)`;
  return `(lower(${prefix}) || CASE WHEN ltrim(${rest}) LIKE '+%' THEN '+' ELSE '' END || ${removeAll(d, rest, '[^0-9*]')})`;
}

/** addressesMatch: equal length, equal wherever neither side is masked, and at least one digit known on both. */
function addressesMatch(d: SqlDialect, x: string, y: string): string {
  const at = (s: string) => `substr(${s}, i, 1)`;
  const mask = quote(REDACTION_MASK_CHAR);
  return `(length(${x}) = length(${y})
    AND ${d.everyPosition(`length(${x})`, `${at(x)} = ${mask} OR ${at(y)} = ${mask} OR ${at(x)} = ${at(y)}`)}
    AND ${d.somePosition(`length(${x})`, `${at(x)} BETWEEN '0' AND '9' AND ${at(x)} = ${at(y)}`)})`;
}

/** archiveMessageMatchesDirection (twilioRow.ts): inbound messages are `receiving`/`received`, which no outbound message is. */
const ARCHIVE_DIRECTION_MATCHES = `(:direction = 'all'
  OR (:direction = 'inbound' AND NOT coalesce(m.created_from_send, false) AND coalesce(m.status, '') IN ('received', 'receiving'))
  OR (:direction = 'outbound' AND (coalesce(m.created_from_send, false) OR coalesce(m.status, '') NOT IN ('received', 'receiving'))))`;

/** matchesDirection (twilioRow.ts): an export without a direction keeps every row. */
const DIRECTION_MATCHES = `(:direction = 'all' OR direction IS NULL
  OR (:direction = 'outbound' AND (direction LIKE 'outbound%' OR direction LIKE 'outgoing%'))
  OR (:direction = 'inbound' AND direction <> '' AND NOT (direction LIKE 'outbound%' OR direction LIKE 'outgoing%')))`;

/**
 * The tables every query of the run reads, in order, each defined over the
 * ones before: an engine runs them as one WITH clause (Athena) or
 * materialises each once (DuckDB).
 */
export function categoryTables(d: SqlDialect): [name: string, select: string][] {
  const ms = (iso: string) => `CASE WHEN ${iso} IS NULL THEN NULL ELSE ${d.epochMs(iso)} END`;
  // The status order of compareStatusMs, as one key to take the greatest of: rank, then a known event_at over none,
  // then event_at, then recorded_at, then the greater status name (no tie is left to the order rows come in). One
  // aggregate per message, with no window over every record and no join back to it.
  const statusKey = `ROW(${rankOf('status')}, event_ms IS NOT NULL, coalesce(event_ms, 0), recorded_ms, status)`;
  return [
    [
      'folded_records',
      `  SELECT message_sid, account_sid, source, status, error_code, recorded_at, event_at,
         ${ms('recorded_at')} AS recorded_ms, ${ms('event_at')} AS event_ms,
         (source = 'poll' AND status = ${quote(NOT_FOUND_STATUS)}) AS is_not_found
  FROM records
  WHERE source <> 'send_error' AND message_sid IS NOT NULL
`,
    ],
    [
      'messages',
      `  SELECT message_sid,
         max_by(status, CASE WHEN NOT is_not_found THEN ${statusKey} END) AS status,
         max_by(error_code, CASE WHEN NOT is_not_found AND error_code IS NOT NULL THEN ${statusKey} END) AS error_code,
         max_by(recorded_ms, CASE WHEN NOT is_not_found THEN ${statusKey} END) AS status_recorded_ms,
         min(account_sid) AS account_sid,
         max(recorded_ms) AS newest_recorded_ms,
         max_by(recorded_at, recorded_ms) AS newest_recorded_at,
         bool_or(source = 'send' AND event_ms IS NOT NULL) AS created_from_send,
         bool_or(is_not_found) AS not_found,
         coalesce(min(CASE WHEN source = 'send' THEN event_ms END), min(coalesce(event_ms, recorded_ms))) AS created_ms
  FROM folded_records
  GROUP BY message_sid
`,
    ],
    [
      'listed',
      `  SELECT sid, account_sid, status, error_code, to_number, from_number, date_created, date_sent, direction, messaging_service_sid,
         ${ms('coalesce(date_created, date_sent)')} AS created_ms,
         ${normalizedAddress(d, 'to_number')} AS to_normalized
  FROM twilio_rows
  WHERE ${DIRECTION_MATCHES}
`,
    ],
    [
      'in_window',
      `  SELECT * FROM listed
  WHERE created_ms IS NULL OR (created_ms >= ${d.epochMs(':window_from')} AND created_ms < ${d.epochMs(':window_to')})
`,
    ],
    [
      'verdicts',
      `  SELECT t.sid, t.account_sid, t.status AS twilio_status, t.error_code AS twilio_error_code, t.to_number, t.from_number, t.date_created, t.date_sent,
         t.direction, t.messaging_service_sid, t.created_ms, t.to_normalized,
         m.status AS archive_status, m.error_code AS archive_error_code, m.account_sid AS archive_account_sid, m.status_recorded_ms,
         m.created_ms AS archive_created_ms, m.newest_recorded_ms, m.newest_recorded_at, m.created_from_send, m.message_sid IS NOT NULL AS archived,
         CASE
           WHEN m.status IS NULL OR m.status = '' THEN 'missing'
           WHEN m.status = t.status THEN 'ok'
           WHEN ${rankOf('m.status')} > ${rankOf('t.status')} THEN 'ok'
           WHEN NOT ${isFinal('m.status')} AND NOT ${isFinal('t.status')} THEN 'pending'
           WHEN NOT ${isFinal('m.status')} OR ${rankOf('m.status')} < ${rankOf('t.status')} THEN 'status_behind'
           WHEN ${isFinal('t.status')} THEN 'status_conflict'
           ELSE 'ok'
         END AS category
  FROM in_window t LEFT JOIN messages m ON m.message_sid = t.sid
`,
    ],
    [
      'attempt_records',
      `  SELECT recorded_at || '|' || coalesce(client_ref, '') || '|' || to_number AS attempt_id,
         to_number, tags, coalesce(event_at, recorded_at) AS attempt_at, ${ms('coalesce(event_at, recorded_at)')} AS attempt_ms,
         ${normalizedAddress(d, 'to_number')} AS to_normalized
  FROM records
  WHERE source = 'send_error' AND to_number IS NOT NULL
`,
    ],
    [
      'attempts',
      `  SELECT DISTINCT * FROM attempt_records
  WHERE attempt_ms >= ${d.epochMs(':window_from')} - :match_window_ms AND attempt_ms < ${d.epochMs(':window_to')}
`,
    ],
    [
      'already_matched',
      `  SELECT DISTINCT matched_attempt FROM records WHERE source = 'reconcile' AND matched_attempt IS NOT NULL
`,
    ],
    [
      'pending_attempts',
      `  SELECT * FROM attempts WHERE attempt_id NOT IN (SELECT matched_attempt FROM already_matched)
`,
    ],
    [
      'candidates',
      `  SELECT a.attempt_id, v.sid
  FROM pending_attempts a JOIN verdicts v
    ON NOT coalesce(v.created_from_send, false) AND v.to_number IS NOT NULL AND v.created_ms IS NOT NULL
   AND v.created_ms BETWEEN a.attempt_ms - :match_window_ms AND a.attempt_ms + :match_window_ms
   AND ${addressesMatch(d, 'a.to_normalized', 'v.to_normalized')}
`,
    ],
    [
      'claims',
      `  SELECT sid, count(*) AS claimed_by FROM candidates GROUP BY sid
`,
    ],
    [
      // Whether some send attempt may have created the message: its status gap waits for the matching.
      'marked_verdicts',
      `  SELECT v.*, v.sid IN (SELECT sid FROM candidates) AS candidate FROM verdicts v
`,
    ],
  ];
}

/** The per-record and per-message tables only (through `messages`): what a question about the archive alone reads. */
export function messageTables(d: SqlDialect): [name: string, select: string][] {
  const tables = categoryTables(d);
  return tables.slice(0, tables.findIndex(([name]) => name === 'messages') + 1);
}

/** The tables (the inputs' first, when the engine derives them too) as one WITH clause before `select`. */
function withTables(d: SqlDialect, select: string, inputs: [name: string, select: string][]): string {
  return `WITH ${[...inputs, ...categoryTables(d)].map(([name, body]) => `${name} AS (${body})`).join(',\n')}
${select}`;
}

/** The final SELECT of each query, over the tables of categoryTables. */
export const CATEGORY_QUERIES = {
  /**
   * One row per message of Twilio's list in the window and direction: its
   * status category, both sides' facts, and whether some send attempt may have
   * created it (a candidate: its status gap waits for the matching).
   */
  statusVerdicts: `SELECT sid, category, account_sid, twilio_status, twilio_error_code, to_number, from_number, date_created, date_sent, direction,
       messaging_service_sid, archived, archive_status, archive_error_code, archive_account_sid, status_recorded_ms, archive_created_ms,
       newest_recorded_at, coalesce(created_from_send, false) AS created_from_send, candidate
FROM marked_verdicts
ORDER BY sid`,

  /**
   * statusVerdicts as the report needs them, in one statement (one scan for
   * Athena): first, `row_kind` 0, the verdicts it handles one by one (a gap,
   * or a message some send attempt may have created), by SID; then,
   * `row_kind` 1, the others (on a good day nearly all) counted by what the
   * summary counts of them (ReconcileReport.tallied), with no SID.
   */
  statusExceptionsAndTallies: `SELECT 0 AS row_kind, sid, category, account_sid, twilio_status, twilio_error_code, to_number, from_number, date_created,
       date_sent, direction, messaging_service_sid, archived, archive_status, archive_error_code, archive_account_sid, status_recorded_ms,
       archive_created_ms, newest_recorded_at, coalesce(created_from_send, false) AS created_from_send, candidate,
       CAST(NULL AS INTEGER) AS lag_bucket, CAST(NULL AS BIGINT) AS messages
FROM marked_verdicts
WHERE category NOT IN ('ok', 'pending') OR candidate
UNION ALL
SELECT 1 AS row_kind, CAST(NULL AS VARCHAR) AS sid, category, CAST(NULL AS VARCHAR) AS account_sid, twilio_status, twilio_error_code,
       CAST(NULL AS VARCHAR) AS to_number, CAST(NULL AS VARCHAR) AS from_number, CAST(NULL AS VARCHAR) AS date_created,
       CAST(NULL AS VARCHAR) AS date_sent, CAST(NULL AS VARCHAR) AS direction, CAST(NULL AS VARCHAR) AS messaging_service_sid, archived,
       CAST(NULL AS VARCHAR) AS archive_status, CAST(NULL AS VARCHAR) AS archive_error_code, CAST(NULL AS VARCHAR) AS archive_account_sid,
       CAST(NULL AS BIGINT) AS status_recorded_ms, CAST(NULL AS BIGINT) AS archive_created_ms, CAST(NULL AS VARCHAR) AS newest_recorded_at,
       false AS created_from_send, false AS candidate, lag_bucket, count(*) AS messages
FROM (
  SELECT category, twilio_status, twilio_error_code, archived,
         CASE WHEN archived AND coalesce(${isFinal('archive_status')}, false)
              THEN ${lagBucketSql('status_recorded_ms', 'archive_created_ms')} END AS lag_bucket
  FROM marked_verdicts
  WHERE category IN ('ok', 'pending') AND NOT candidate
) counted
GROUP BY category, twilio_status, twilio_error_code, archived, lag_bucket
ORDER BY row_kind, sid, category, twilio_status, twilio_error_code, archived, lag_bucket`,

  /** Every (attempt, message) pair that fits by envelope: the evidence of the attempts' verdicts. */
  candidatePairs: `SELECT c.attempt_id, c.sid, v.to_number, coalesce(v.date_created, v.date_sent) AS date_created
FROM candidates c JOIN verdicts v ON v.sid = c.sid
ORDER BY c.attempt_id, v.created_ms, c.sid`,

  /**
   * One row per send attempt without a SID in the window (less the match
   * window): matched (one candidate that no other attempt claims), ambiguous,
   * or unmatched; attempts an earlier run matched are `matched_earlier`.
   */
  attemptVerdicts: `SELECT attempt_id, to_number, attempt_at, tags,
       CASE WHEN candidate_count = 0 THEN 'unmatched_send_error'
            WHEN candidate_count = 1 AND most_claims = 1 THEN 'matched_by_envelope'
            ELSE 'ambiguous_envelope' END AS category,
       CASE WHEN candidate_count = 1 AND most_claims = 1 THEN only_sid END AS matched_sid,
       candidate_count
FROM (
  SELECT a.attempt_id, a.to_number, a.attempt_at, a.tags,
         count(c.sid) AS candidate_count,
         max(c.sid) AS only_sid,
         coalesce(max(cl.claimed_by), 0) AS most_claims
  FROM pending_attempts a
  LEFT JOIN candidates c ON c.attempt_id = a.attempt_id
  LEFT JOIN claims cl ON cl.sid = c.sid
  GROUP BY a.attempt_id, a.to_number, a.attempt_at, a.tags
) per_attempt
UNION ALL
SELECT attempt_id, to_number, attempt_at, tags, 'matched_earlier' AS category, NULL AS matched_sid, 0 AS candidate_count
FROM attempts WHERE attempt_id IN (SELECT matched_attempt FROM already_matched)
ORDER BY attempt_id`,

  /** Messages whose send record says they were created in the window, and which Twilio's list (in the window and direction) does not hold. */
  // Every message of the window the list does not name that is either the sender's (a gap: unknown to Twilio) or of
  // the run's direction (counted against the list's plausibility): ARCHIVE_DIRECTION_MATCHES is archiveMessageMatchesDirection.
  unknownToTwilio: (
    d: SqlDialect,
  ) => `SELECT m.message_sid AS sid, m.status AS archive_status, m.created_ms, m.newest_recorded_at, coalesce(m.created_from_send, false) AS created_from_send
FROM messages m
WHERE m.created_ms >= ${d.epochMs(':window_from')} AND m.created_ms < ${d.epochMs(':window_to')}
  AND (coalesce(m.created_from_send, false) OR ${ARCHIVE_DIRECTION_MATCHES})
  AND m.message_sid NOT IN (SELECT sid FROM in_window)
ORDER BY m.message_sid`,
};

export type CategoryQuery = keyof typeof CATEGORY_QUERIES;

/** The final SELECT of a query in a dialect. */
export function categorySelect(d: SqlDialect, query: CategoryQuery): string {
  const select = CATEGORY_QUERIES[query];
  return typeof select === 'string' ? select : select(d);
}

/**
 * A query as one statement: the tables as a WITH clause, then its SELECT (for
 * an engine that runs one statement, as Athena does), after `inputs` when the
 * statement derives `records` and `twilio_rows` too (archiveLines.ts).
 */
export function categoryStatement(d: SqlDialect, query: CategoryQuery, inputs: [name: string, select: string][] = []): string {
  return withTables(d, categorySelect(d, query), inputs);
}
