/**
 * The rows the categories' queries (categories.ts) answer, typed; and the
 * same rows read from an engine that answers every value as text (Athena's
 * results: `true`/`false`, numbers as digits, NULL as no value).
 */
import type { StatusCategory } from '../statusCategory';

export interface StatusVerdict {
  sid: string;
  category: StatusCategory;
  /** Twilio's row, as loaded. */
  account_sid: string | null;
  twilio_status: string;
  twilio_error_code: string | null;
  to_number: string | null;
  from_number: string | null;
  date_created: string | null;
  date_sent: string | null;
  direction: string | null;
  messaging_service_sid: string | null;
  /** The archive holds any record of the message (a not-found poll included). */
  archived: boolean;
  archive_status: string | null;
  archive_error_code: string | null;
  archive_account_sid: string | null;
  status_recorded_ms: number | null;
  archive_created_ms: number | null;
  newest_recorded_at: string | null;
  created_from_send: boolean;
  /** Some send attempt may have created it: its status gap waits for the matching. */
  candidate: boolean;
}

/** Messages of statusVerdicts that need no more than counting (statusExceptionsAndTallies), by what is counted of them. */
export interface StatusTally {
  category: 'ok' | 'pending';
  twilio_status: string;
  twilio_error_code: string | null;
  archived: boolean;
  /** Index into LAG_BUCKETS (callbackLag.ts); null when the archive holds no final status. */
  lag_bucket: number | null;
  messages: number;
}

export interface CandidatePair {
  attempt_id: string;
  sid: string;
  to_number: string;
  date_created: string;
}

export interface AttemptVerdict {
  attempt_id: string;
  to_number: string;
  attempt_at: string;
  /** The attempt's tags as JSON text. */
  tags: string | null;
  category: 'matched_by_envelope' | 'ambiguous_envelope' | 'unmatched_send_error' | 'matched_earlier';
  matched_sid: string | null;
  candidate_count: number;
}

export interface UnknownToTwilio {
  sid: string;
  archive_status: string;
  created_ms: number;
  newest_recorded_at: string;
  created_from_send: boolean;
}

export type TextRow = Record<string, string | null>;

/** A value an engine answered as text could not be what the query selects: the engine, or the SQL, is not what this code expects. */
export class VerdictRowError extends Error {
  override name = 'VerdictRowError';
}

function flag(row: TextRow, column: string): boolean {
  const value = row[column];
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new VerdictRowError(`column ${column} should be true or false, not ${JSON.stringify(value)}`);
}

function numberOrNull(row: TextRow, column: string): number | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (!/^-?\d+$/.test(value)) throw new VerdictRowError(`column ${column} should be a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}

function text(row: TextRow, column: string): string {
  const value = row[column];
  if (value === null || value === undefined) throw new VerdictRowError(`column ${column} is empty where the query always gives a value`);
  return value;
}

function textOrNull(row: TextRow, column: string): string | null {
  return row[column] ?? null;
}

export function statusVerdictOf(row: TextRow): StatusVerdict {
  return {
    sid: text(row, 'sid'),
    category: text(row, 'category') as StatusCategory,
    account_sid: textOrNull(row, 'account_sid'),
    twilio_status: text(row, 'twilio_status'),
    twilio_error_code: textOrNull(row, 'twilio_error_code'),
    to_number: textOrNull(row, 'to_number'),
    from_number: textOrNull(row, 'from_number'),
    date_created: textOrNull(row, 'date_created'),
    date_sent: textOrNull(row, 'date_sent'),
    direction: textOrNull(row, 'direction'),
    messaging_service_sid: textOrNull(row, 'messaging_service_sid'),
    archived: flag(row, 'archived'),
    archive_status: textOrNull(row, 'archive_status'),
    archive_error_code: textOrNull(row, 'archive_error_code'),
    archive_account_sid: textOrNull(row, 'archive_account_sid'),
    status_recorded_ms: numberOrNull(row, 'status_recorded_ms'),
    archive_created_ms: numberOrNull(row, 'archive_created_ms'),
    newest_recorded_at: textOrNull(row, 'newest_recorded_at'),
    created_from_send: flag(row, 'created_from_send'),
    candidate: flag(row, 'candidate'),
  };
}

export function statusTallyOf(row: TextRow): StatusTally {
  const category = text(row, 'category');
  numberOrNull(row, 'messages'); // a whole number, checked
  if (category !== 'ok' && category !== 'pending') throw new VerdictRowError(`a tally's category should be ok or pending, not ${JSON.stringify(category)}`);
  return {
    category,
    twilio_status: text(row, 'twilio_status'),
    twilio_error_code: textOrNull(row, 'twilio_error_code'),
    archived: flag(row, 'archived'),
    lag_bucket: numberOrNull(row, 'lag_bucket'),
    messages: Number(text(row, 'messages')),
  };
}

/** A row of statusExceptionsAndTallies: a verdict (row_kind 0) or a tally (row_kind 1). */
export type StatusRow = { kind: 'verdict'; verdict: StatusVerdict } | { kind: 'tally'; tally: StatusTally };

export function statusRowOf(row: TextRow): StatusRow {
  const kind = text(row, 'row_kind');
  if (kind === '0') return { kind: 'verdict', verdict: statusVerdictOf(row) };
  if (kind === '1') return { kind: 'tally', tally: statusTallyOf(row) };
  throw new VerdictRowError(`column row_kind should be 0 or 1, not ${JSON.stringify(kind)}`);
}

export function candidatePairOf(row: TextRow): CandidatePair {
  return { attempt_id: text(row, 'attempt_id'), sid: text(row, 'sid'), to_number: text(row, 'to_number'), date_created: text(row, 'date_created') };
}

export function attemptVerdictOf(row: TextRow): AttemptVerdict {
  return {
    attempt_id: text(row, 'attempt_id'),
    to_number: text(row, 'to_number'),
    attempt_at: text(row, 'attempt_at'),
    tags: textOrNull(row, 'tags'),
    category: text(row, 'category') as AttemptVerdict['category'],
    matched_sid: textOrNull(row, 'matched_sid'),
    candidate_count: numberOrNull(row, 'candidate_count') ?? 0,
  };
}

export function unknownToTwilioOf(row: TextRow): UnknownToTwilio {
  return {
    sid: text(row, 'sid'),
    archive_status: text(row, 'archive_status'),
    created_ms: numberOrNull(row, 'created_ms') ?? NaN,
    newest_recorded_at: text(row, 'newest_recorded_at'),
    created_from_send: flag(row, 'created_from_send'),
  };
}
