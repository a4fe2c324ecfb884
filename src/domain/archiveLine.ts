import { ALERT_SOURCE, ARCHIVE_RECORD_VERSION, RECORD_SOURCES, type RecordSource } from './archiveRecord';
import { isPlainObject } from './ownProperty';
import { isArchiveInstant } from './time';

/** What folding a record into its message's state reads (messageRules.ts). */
export interface FoldFacts {
  source: RecordSource;
  recorded_at: string;
  event_at: string | null;
  account_sid: string;
  message_sid: string | null;
  status: string;
  error_code: string | null;
}

/** The fields of a record that the scripts read: what a fold reads, and what the reconciliation quotes. */
export interface RecordFacts extends FoldFacts {
  to: string | null;
  /** References into the parsed line, not copies: cheap to carry, never to be changed. */
  tags: Readonly<Record<string, unknown>>;
  params: Readonly<Record<string, unknown>>;
  /** What the writer found odd about the input (`problems`), or null. */
  problems?: readonly string[] | null;
}

/** What the readers take from a Debugger alert's record: evidence about a message, never folded into its state. */
export interface AlertFacts {
  recorded_at: string;
  event_at: string | null;
  account_sid: string;
  /** Null for an alert about another resource (a call, a number). */
  message_sid: string | null;
  error_code: string | null;
  /** The alert's SID (NO…). */
  idempotency_token: string | null;
  params: Readonly<Record<string, unknown>>;
  problems?: readonly string[] | null;
}

/**
 * A line is a record whose facts fold into a message's state; or a Debugger
 * alert, which is evidence, not a status; or a valid record with `problems`
 * that names no message, account or status (a callback archived for the
 * record, though nothing can be folded from it); or not a record at all, and
 * why.
 */
export type ParsedLine =
  | { ok: true; facts: RecordFacts; alert?: undefined }
  | { ok: true; facts: null; alert: AlertFacts; problems?: undefined }
  | { ok: true; facts: null; alert?: undefined; problems: readonly string[] }
  | { ok: false; reason: string };

const SOURCES = new Set<string>(RECORD_SOURCES);

/**
 * Parses one archive line and checks the fields the status rules rely on.
 * A line that is not a v1 record is reported, never guessed at.
 */
export function parseArchiveLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not a JSON object' };
  const r = value as Record<string, unknown>;
  if (r.v !== ARCHIVE_RECORD_VERSION) return { ok: false, reason: `unknown record version ${JSON.stringify(r.v)}` };
  if (typeof r.source !== 'string' || !SOURCES.has(r.source)) return { ok: false, reason: `unknown source ${JSON.stringify(r.source)}` };
  if (typeof r.recorded_at !== 'string' || !isArchiveInstant(r.recorded_at)) return { ok: false, reason: 'recorded_at is not a real ISO-8601 UTC time' };
  if (r.event_at !== null && (typeof r.event_at !== 'string' || !isArchiveInstant(r.event_at))) {
    return { ok: false, reason: 'event_at is neither null nor a real ISO-8601 UTC time' };
  }
  if (r.problems !== undefined && !(Array.isArray(r.problems) && r.problems.length > 0 && r.problems.every((p) => typeof p === 'string'))) {
    return { ok: false, reason: 'problems is not a list of strings' };
  }
  const problems = r.problems ?? null;
  const alert = r.source === ALERT_SOURCE;
  // A record with problems may leave a field null; without, a null here is a damaged record.
  if (typeof r.account_sid !== 'string' && !(r.account_sid === null && problems)) return { ok: false, reason: 'account_sid is missing' };
  if (r.message_sid !== null && typeof r.message_sid !== 'string') return { ok: false, reason: 'message_sid is neither null nor a string' };
  if (r.message_sid === null && r.source !== 'send_error' && !alert && !problems) {
    return { ok: false, reason: 'message_sid is null outside a send_error or debugger record' };
  }
  if (alert ? r.status !== null : !(typeof r.status === 'string' && r.status !== '') && !(r.status === null && problems)) {
    return { ok: false, reason: alert ? 'status is not null in a debugger record' : 'status is missing' };
  }
  if (r.error_code !== null && typeof r.error_code !== 'string') return { ok: false, reason: 'error_code is neither null nor a string' };
  if (r.to !== null && typeof r.to !== 'string') return { ok: false, reason: 'to is neither null nor a string' };
  if (!isPlainObject(r.tags) || !isPlainObject(r.params)) return { ok: false, reason: 'tags or params is not an object' };
  if (alert) {
    if (r.account_sid === null) return { ok: true, facts: null, problems: problems! };
    return {
      ok: true,
      facts: null,
      alert: {
        recorded_at: r.recorded_at,
        event_at: r.event_at,
        account_sid: r.account_sid,
        message_sid: r.message_sid,
        error_code: r.error_code,
        idempotency_token: typeof r.idempotency_token === 'string' ? r.idempotency_token : null,
        params: r.params,
        problems,
      },
    };
  }
  if (problems && (r.account_sid === null || r.status === null || (r.message_sid === null && r.source !== 'send_error')))
    return { ok: true, facts: null, problems };
  return {
    ok: true,
    facts: {
      source: r.source as RecordSource,
      recorded_at: r.recorded_at,
      event_at: r.event_at,
      account_sid: r.account_sid as string,
      message_sid: r.message_sid,
      status: r.status as string,
      error_code: r.error_code,
      to: r.to,
      tags: r.tags,
      params: r.params,
      problems,
    },
  };
}
