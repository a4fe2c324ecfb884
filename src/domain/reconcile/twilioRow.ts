import { maskPhoneNumbersInText, maskTrailingDigits } from '../redaction';
import { isRealIsoDate } from '../time';

/** One message of Twilio's own list, whatever export it came from. */
export interface TwilioMessageRow {
  sid: string;
  accountSid: string | null;
  /** Lower-case. */
  status: string;
  /** `outbound-api`, `outbound-reply`, `inbound`, …; lower-case. */
  direction: string | null;
  to: string | null;
  from: string | null;
  /** ISO-8601 UTC, or null when the export does not say. */
  dateCreated: string | null;
  dateSent: string | null;
  errorCode: string | null;
  messagingServiceSid: string | null;
}

export type RowResult = { ok: true; row: TwilioMessageRow } | { ok: false; reason: string };

/**
 * Column names as the exports spell them, reduced to lower-case letters and
 * digits: the Console's CSV (`Sid`, `SentDate`, `ErrorCode`, `AccountSid`),
 * the API's snake_case (`date_sent`, `error_code`), and camelCase.
 */
const COLUMN_ALIASES: Record<keyof TwilioMessageRow, string[]> = {
  sid: ['sid', 'messagesid'],
  accountSid: ['accountsid'],
  status: ['status', 'messagestatus'],
  direction: ['direction'],
  to: ['to'],
  from: ['from'],
  dateCreated: ['datecreated', 'createddate'],
  dateSent: ['datesent', 'sentdate'],
  errorCode: ['errorcode'],
  messagingServiceSid: ['messagingservicesid'],
};

export function columnKey(name: string): string {
  return name
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** Which field a column feeds, and its alias's rank (lower wins when an export has two of them). */
interface ColumnTarget {
  field: keyof TwilioMessageRow;
  rank: number;
}

const TARGET_OF_KEY = new Map<string, ColumnTarget>(
  (Object.entries(COLUMN_ALIASES) as [keyof TwilioMessageRow, string[]][]).flatMap(([field, aliases]) =>
    aliases.map((alias, rank) => [alias, { field, rank }] as const),
  ),
);

/** Column names repeat on every row of an export: each is reduced once. Bounded, for exports with odd columns. */
const targetCache = new Map<string, ColumnTarget | null>();
const TARGET_CACHE_LIMIT = 10_000;

function targetOf(name: string): ColumnTarget | null {
  let target = targetCache.get(name);
  if (target === undefined) {
    target = TARGET_OF_KEY.get(columnKey(name)) ?? null;
    if (targetCache.size < TARGET_CACHE_LIMIT) targetCache.set(name, target);
  }
  return target;
}

/** `2026-11-25T10:00:00.000Z`: the form every ISO writer (and Bulk Export) uses, taken as it is once checked. */
const CANONICAL_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** A cell or JSON value as text: a CSV gives strings, a JSON export also numbers and booleans; anything else as its JSON. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** Reads a date as Twilio's exports write it; a date-time without a zone is UTC. */
export function exportDateToIso(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  const text = textOf(value).trim();
  if (text === '') return null;
  if (!isRealIsoDate(text)) return undefined;
  if (CANONICAL_ISO.test(text)) return text;
  const zoneless = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text);
  const ms = Date.parse(zoneless ? `${text.replace(' ', 'T')}Z` : text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

const SID = /^(SM|MM)[0-9a-fA-F]{32}$/;

/**
 * Normalizes one row (a CSV record by header, or a JSON object) into a
 * TwilioMessageRow, or says why it cannot: a row without a message SID or a
 * status, or with a date that is not a date, is reported, never guessed at.
 */
export function normalizeTwilioRow(raw: Record<string, unknown>): RowResult {
  const values: Partial<Record<keyof TwilioMessageRow, string>> = {};
  const ranks: Partial<Record<keyof TwilioMessageRow, number>> = {};
  for (const name in raw) {
    if (!Object.prototype.hasOwnProperty.call(raw, name)) continue;
    const target = targetOf(name);
    if (target === null) continue;
    const value = raw[name];
    if (value === undefined || value === null) continue;
    const text = textOf(value).trim();
    if (text === '') continue;
    const held = ranks[target.field];
    if (held === undefined || target.rank < held) {
      values[target.field] = text;
      ranks[target.field] = target.rank;
    }
  }
  const pick = (field: keyof TwilioMessageRow): string | null => values[field] ?? null;
  const sid = pick('sid');
  if (!sid) return { ok: false, reason: 'no message SID' };
  if (!SID.test(sid)) return { ok: false, reason: `"${sid.slice(0, 40)}" is not a message SID` };
  const status = pick('status');
  if (!status) return { ok: false, reason: 'no status' };
  const dateCreated = exportDateToIso(pick('dateCreated'));
  const dateSent = exportDateToIso(pick('dateSent'));
  if (dateCreated === undefined) return { ok: false, reason: `date created "${pick('dateCreated')}" is not a date` };
  if (dateSent === undefined) return { ok: false, reason: `date sent "${pick('dateSent')}" is not a date` };
  return {
    ok: true,
    row: {
      sid,
      accountSid: pick('accountSid'),
      status: status.toLowerCase(),
      direction: pick('direction')?.toLowerCase() ?? null,
      to: pick('to'),
      from: pick('from'),
      dateCreated,
      dateSent,
      errorCode: pick('errorCode'),
      messagingServiceSid: pick('messagingServiceSid'),
    },
  };
}

/** Outbound: `outbound-api`, `outbound-call`, `outbound-reply` (and the Console's `Outgoing …`). */
export function matchesDirection(row: TwilioMessageRow, wanted: 'outbound' | 'inbound' | 'all'): boolean {
  // An export without a direction column cannot be filtered: keep every row rather than drop them silently.
  if (wanted === 'all' || row.direction === null) return true;
  const direction = row.direction ?? '';
  const outbound = direction.startsWith('outbound') || direction.startsWith('outgoing');
  return wanted === 'outbound' ? outbound : !outbound && direction !== '';
}

/**
 * The row with its numbers masked as the archive masks its own
 * (ARCHIVE_REDACT_DIGITS): done as each row is read, so that matching,
 * evidence, corrections and reports never hold a full number. Masking both
 * sides keeps the leading digits, which is what envelope matching compares.
 */
export function redactTwilioRow(row: TwilioMessageRow, digits: number): TwilioMessageRow {
  if (digits <= 0) return row;
  // A number where a status, code or SID should be (an odd export) is masked as in any record's text.
  const text = (value: string | null) => (value === null ? null : maskPhoneNumbersInText(value, digits));
  return {
    ...row,
    to: row.to === null ? null : maskTrailingDigits(row.to, digits),
    from: row.from === null ? null : maskTrailingDigits(row.from, digits),
    status: maskPhoneNumbersInText(row.status, digits),
    errorCode: text(row.errorCode),
    accountSid: text(row.accountSid),
    messagingServiceSid: text(row.messagingServiceSid),
    direction: text(row.direction),
  };
}

/**
 * Whether a message the archive holds is of the run's direction, told from
 * what the archive knows: a send record is outbound; an inbound message's
 * statuses are `receiving` and `received`, which no outbound message has.
 * The SQL engines say the same (categories.ts, ARCHIVE_DIRECTION_MATCHES).
 */
export function archiveMessageMatchesDirection(status: string, createdFromSend: boolean, wanted: 'outbound' | 'inbound' | 'all'): boolean {
  if (wanted === 'all') return true;
  const inbound = !createdFromSend && (status === 'received' || status === 'receiving');
  return wanted === 'inbound' ? inbound : !inbound;
}
