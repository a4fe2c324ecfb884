/**
 * One message's whole story, for an auditor: every record the archive holds
 * about it, in order, each with where it is, and the outcome the status rules
 * (messageRules.ts) give, with the rule that decided each part said in words.
 * Pure: the records are found elsewhere (src/adapters/archive/historyReader.ts).
 */
import { parseArchiveLine, type RecordFacts } from './archiveLine';
import { errorCodeInWords } from './errorCodes';
import { ownValue, isPlainObject } from './ownProperty';
import { addressesMatch } from './reconcile/phoneMatch';
import { MessageStates, NOT_FOUND_STATUS } from './messageState';
import { compareStatusMs, isFinalStatus, statusRank } from './statusRules';

/** What to look for: one of a SID, a client reference, a tag, a recipient number. */
export type HistoryQuery =
  { kind: 'sid'; sid: string } | { kind: 'client_ref'; ref: string } | { kind: 'tag'; name: string; value: string } | { kind: 'to'; number: string };

/** A record as the archive holds it (or as the Kinesis path's event reads), and where it is. */
export interface FoundRecord {
  key: string;
  line: number;
  record: Record<string, unknown>;
}

const text = (record: Record<string, unknown>, name: string): string | null => {
  const value = ownValue(record, name);
  return typeof value === 'string' ? value : null;
};

function tag(record: Record<string, unknown>, name: string): unknown {
  const tags = ownValue(record, 'tags');
  return isPlainObject(tags) ? ownValue(tags, name) : undefined;
}

/**
 * Whether a record answers the query. A recipient number matches as the
 * envelope matcher matches: equal on every digit neither side masked, so a
 * redacted archive is searched with a full number.
 */
export function matchesQuery(record: Record<string, unknown>, query: HistoryQuery): boolean {
  switch (query.kind) {
    case 'sid':
      return text(record, 'message_sid') === query.sid;
    case 'client_ref':
      return tag(record, 'client_ref') === query.ref;
    case 'tag': {
      const value = tag(record, query.name);
      return value === query.value || (Array.isArray(value) && value.includes(query.value));
    }
    case 'to': {
      const to = text(record, 'to');
      return to !== null && addressesMatch(to, query.number);
    }
  }
}

/** A send attempt a reconciliation matched to a message by envelope: its id's parts (recorded_at|client_ref|to). */
export interface MatchedAttempt {
  recordedAt: string;
  clientRef: string;
  to: string;
}

/** The attempts the reconcile records among `found` say created the message: its story begins with one. */
export function matchedAttempts(found: readonly FoundRecord[]): MatchedAttempt[] {
  const attempts: MatchedAttempt[] = [];
  for (const { record } of found) {
    const params = ownValue(record, 'params');
    const reconcile = isPlainObject(params) ? ownValue(params, 'reconcile') : undefined;
    const id = isPlainObject(reconcile) ? ownValue(reconcile, 'matched_attempt') : undefined;
    if (typeof id !== 'string') continue;
    const [recordedAt, clientRef, ...to] = id.split('|');
    if (recordedAt && to.length > 0) attempts.push({ recordedAt, clientRef: clientRef ?? '', to: to.join('|') });
  }
  return attempts;
}

/** Whether a record is the send attempt an id names: its `send_error` record, by time, client reference and recipient. */
export function isMatchedAttempt(record: Record<string, unknown>, attempt: MatchedAttempt): boolean {
  const ref = tag(record, 'client_ref');
  const to = text(record, 'to');
  return (
    text(record, 'source') === 'send_error' &&
    text(record, 'recorded_at') === attempt.recordedAt &&
    (typeof ref === 'string' ? ref : '') === attempt.clientRef &&
    to !== null &&
    addressesMatch(to, attempt.to)
  );
}

/** One entry of the story. */
export interface StoryEntry {
  key: string;
  line: number;
  source: string;
  status: string | null;
  error_code: string | null;
  event_at: string | null;
  recorded_at: string;
  idempotency_token: string | null;
  /** What the rules made of it, when not plainly a status: a duplicate, an alert, a record flagged by its writer. */
  notes: string[];
}

export interface MessageStory {
  message_sid: string;
  entries: StoryEntry[];
  outcome: { status: string | null; error_code: string | null; final: boolean; created_at: string | null; account_sid: string | null };
  /** Each decision in words, in the order the rules take them. */
  rules: string[];
}

const time = (iso: string | null) =>
  iso === null
    ? 'an unknown time'
    : iso
        .replace('T', ' ')
        .replace(/\.000Z$|Z$/, ' UTC')
        .replace(/(\.\d+) UTC$/, '$1 UTC');
const describe = (e: StoryEntry) => `the ${e.source.replace('_', ' ')} record of ${time(e.event_at ?? e.recorded_at)} (${e.key}:${e.line})`;

/** The entries' order: when it happened (the event time, else when it was recorded), then when it was recorded. */
function byTime(a: StoryEntry, b: StoryEntry): number {
  return (
    (a.event_at ?? a.recorded_at).localeCompare(b.event_at ?? b.recorded_at) ||
    a.recorded_at.localeCompare(b.recorded_at) ||
    a.key.localeCompare(b.key) ||
    a.line - b.line
  );
}

/** The message's story from every record found for it. */
export function messageStory(messageSid: string, found: readonly FoundRecord[]): MessageStory {
  const states = new MessageStates();
  const statusEntries: { entry: StoryEntry; facts: RecordFacts }[] = [];
  const seen = new Map<string, StoryEntry>();
  const entries = found.map(({ key, line, record }): StoryEntry => {
    const entry: StoryEntry = {
      key,
      line,
      source: text(record, 'source') ?? '?',
      status: text(record, 'status'),
      error_code: text(record, 'error_code'),
      event_at: text(record, 'event_at'),
      recorded_at: text(record, 'recorded_at') ?? '',
      idempotency_token: text(record, 'idempotency_token'),
      notes: [],
    };
    const parsed = parseArchiveLine(JSON.stringify(record));
    const problems = ownValue(record, 'problems');
    if (Array.isArray(problems)) entry.notes.push(`flagged by its writer: ${problems.join('; ')}`);
    if (!parsed.ok) entry.notes.push(`not a record the readers take (${parsed.reason}): counted as malformed, folded into nothing`);
    else if (parsed.alert)
      entry.notes.push(`a Debugger alert${parsed.alert.error_code ? ` (error ${errorCodeInWords(parsed.alert.error_code)})` : ''}: evidence, never a status`);
    else if (parsed.facts === null) entry.notes.push('names no status or account: kept, folded into nothing');
    else if (parsed.facts.message_sid !== messageSid) {
      entry.notes.push('the send attempt the reconciliation matched to this message by envelope (its SID never came back): not folded');
    } else {
      // The same statement twice (at-least-once delivery): the second changes nothing.
      const identity = JSON.stringify([entry.source, entry.status, entry.event_at, entry.error_code, entry.idempotency_token]);
      const first = seen.get(identity);
      if (first) entry.notes.push(`a duplicate of ${first.key}:${first.line} (delivered again): changes nothing`);
      else seen.set(identity, entry);
      states.fold(parsed.facts);
      statusEntries.push({ entry, facts: parsed.facts });
    }
    return entry;
  });
  entries.sort(byTime);
  const state = states.get(messageSid);
  const outcome = {
    status: state && state.status !== '' ? state.status : null,
    error_code: state?.errorCode ?? null,
    final: state !== undefined && state.status !== '' && isFinalStatus(state.status),
    created_at: state?.createdAt ?? null,
    account_sid: state?.accountSid ?? null,
  };
  return { message_sid: messageSid, entries, outcome, rules: rulesOf(outcome, statusEntries, entries) };
}

function rulesOf(outcome: MessageStory['outcome'], statusEntries: { entry: StoryEntry; facts: RecordFacts }[], entries: StoryEntry[]): string[] {
  const rules: string[] = [];
  const withStatus = statusEntries.filter(({ facts }) => !(facts.source === 'poll' && facts.status === NOT_FOUND_STATUS));
  const ms = (iso: string | null) => (iso === null ? NaN : Date.parse(iso));
  const later = (a: StoryEntry, b: StoryEntry) => compareStatusMs(a.status!, ms(a.event_at), ms(a.recorded_at), b.status!, ms(b.event_at), ms(b.recorded_at));
  if (outcome.status === null) {
    rules.push(
      statusEntries.length > 0
        ? 'No status: the only records are polls that found no such message at Twilio (a marker that never becomes or hides a status).'
        : 'No status: no record of this message is one the status rules fold.',
    );
  } else {
    const decider = withStatus.map((s) => s.entry).reduce((best, e) => (later(e, best) > 0 ? e : best));
    const others = [...new Set(withStatus.map((s) => s.entry.status!).filter((s) => s !== outcome.status))].sort(
      (a, b) => statusRank(a) - statusRank(b) || a.localeCompare(b),
    );
    const below = others.filter((s) => statusRank(s) < statusRank(outcome.status!));
    const tied = others.filter((s) => statusRank(s) === statusRank(outcome.status!));
    let rule = `Final status \`${outcome.status}\` (rank ${statusRank(outcome.status)}) from ${describe(decider)}`;
    if (below.length > 0) rule += `, which ranks above ${below.map((s) => `\`${s}\` (${statusRank(s)})`).join(', ')}`;
    if (tied.length > 0)
      rule += `; it ties at rank ${statusRank(outcome.status)} with ${tied.map((s) => `\`${s}\``).join(', ')} and wins as the later (event time, then recorded time)`;
    const sameStatus = withStatus.filter((s) => s.entry.status === outcome.status).length;
    if (sameStatus > 1) rule += `; ${sameStatus - 1} other record(s) say \`${outcome.status}\` too, the latest of them decides`;
    rules.push(`${rule}.`);
    rules.push(
      outcome.final
        ? `\`${outcome.status}\` is final: the message will not move again${outcome.status === 'delivered' ? ' (but for a later `read`)' : ''}.`
        : `\`${outcome.status}\` is not final: the stale poller asks Twilio once the archive has heard nothing for 12 hours, and the daily reconciliation checks it against Twilio's list.`,
    );
    const statuses = withStatus.map((s) => s.entry);
    const outOfOrder = statuses.some((a) => statuses.some((b) => statusRank(a.status!) < statusRank(b.status!) && a.recorded_at > b.recorded_at));
    if (outOfOrder)
      rules.push(
        'Records arrived out of order (a lower status recorded after a higher one): the rules order by status, not by arrival, so that changes nothing.',
      );
  }
  if (outcome.error_code !== null) {
    const origin = withStatus.filter((s) => s.entry.error_code === outcome.error_code).map((s) => s.entry);
    const from = origin.length > 0 ? origin.reduce((best, e) => (later(e, best) > 0 ? e : best)) : null;
    rules.push(
      `Error code ${errorCodeInWords(outcome.error_code)} kept from ${from ? describe(from) : 'a record'}${from && from.status !== outcome.status ? ` (\`${from.status}\`)` : ''}: the latest record that had a code decides it, and a later record without one never erases it.`,
    );
  }
  const duplicates = entries.filter((e) => e.notes.some((n) => n.startsWith('a duplicate'))).length;
  if (duplicates > 0) rules.push(`${duplicates} record(s) repeat an earlier one (Twilio and Firehose deliver at least once): they change nothing.`);
  const alerts = entries.filter((e) => e.source === 'debugger').length;
  if (alerts > 0)
    rules.push(`${alerts} Debugger alert(s): Twilio's own report of an error about this message; evidence beside the status, never folded into it.`);
  const notFound = statusEntries.filter(({ facts }) => facts.source === 'poll' && facts.status === NOT_FOUND_STATUS).length;
  if (notFound > 0 && outcome.status !== null)
    rules.push(`${notFound} poll(s) found no such message at Twilio: a marker that ranks below every status and hides none.`);
  const corrections = entries.filter((e) => e.source === 'reconcile').length;
  if (corrections > 0)
    rules.push(`${corrections} correction(s) appended by the daily reconciliation from Twilio's own list: records like any other, under the same rules.`);
  return rules;
}
