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
  return name.replace(/^\uFEFF/, '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Reads a date as Twilio's exports write it; a date-time without a zone is UTC. */
export function exportDateToIso(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  if (text === '') return null;
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
  const byKey = new Map<string, unknown>();
  for (const [name, value] of Object.entries(raw)) byKey.set(columnKey(name), value);
  const pick = (field: keyof TwilioMessageRow): string | null => {
    for (const alias of COLUMN_ALIASES[field]) {
      const value = byKey.get(alias);
      if (value !== undefined && value !== null && String(value).trim() !== '') return String(value).trim();
    }
    return null;
  };
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
