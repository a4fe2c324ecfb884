import type { RecordFacts } from './archiveLine';
import { compareStatusMs, isFinalStatus } from './statusRules';

/** What the poller writes when Twilio answers 404 for a message (deleted, or never created). */
export const NOT_FOUND_STATUS = 'not_found';

/**
 * What the archive says about one message, folded from all its records by the
 * status rules (docs/archive-format.md). Times are ISO-8601 UTC with
 * milliseconds.
 */
export interface MessageState {
  accountSid: string;
  /** The latest status and the times that ordered it. `''` while only a not-found poll is known. */
  status: string;
  eventAt: string | null;
  recordedAt: string;
  /** The error code of the latest record that had one: later records without one never erase it. */
  errorCode: string | null;
  /**
   * When the message was created: the `event_at` of its `send` record (Twilio's
   * date_created), else the earliest time any of its records tells.
   */
  createdAt: string;
  createdFromSend: boolean;
  /** The newest `recorded_at` among its records: when the archive last heard of it. */
  newestRecordedAt: string;
  /** When a poll found that Twilio has no such message, if one did. */
  notFoundAt: string | null;
  /** Set by the reconciliation (markListed) when Twilio's list holds the message. */
  listedByTwilio: boolean;
}

/** SIDs held as their bytes: two capital letters and 32 lower-case hex digits. */
const COMPACT_SID = /^[A-Z]{2}[0-9a-f]{32}$/;
const SID_BYTES = 16;
const FROM_SEND = 1;
const LISTED = 2;
const INITIAL_CAPACITY = 1 << 12;
/** Prefix code of SIDs not of the compact form (stored as 1 + code, so 255). */
const ODD_PREFIX = 254;

/**
 * `YYYY-MM-DDTHH:MM:SS.mmmZ` (what every writer of the archive writes) read
 * by position, several times faster than Date.parse; anything else goes to
 * Date.parse.
 */
export function isoToMs(iso: string): number {
  if (iso.length !== 24 || iso.charCodeAt(23) !== 90 /* Z */ || iso.charCodeAt(10) !== 84 /* T */) return Date.parse(iso);
  const d = (at: number, width: number) => {
    let n = 0;
    for (let i = at; i < at + width; i++) n = n * 10 + iso.charCodeAt(i) - 48;
    return n;
  };
  return Date.UTC(d(0, 4), d(5, 2) - 1, d(8, 2), d(11, 2), d(14, 2), d(17, 2), d(20, 3));
}

/** The ordering fields of the latest record that carried an error code. Errors are rare: kept aside. */
interface ErrorObservation {
  status: string;
  eventMs: number;
  recordedMs: number;
}

/** The typed arrays of the table, one entry per slot; replaced whole when the table grows. */
interface Table {
  capacity: number;
  /** 0: empty slot; otherwise 1 + the index of the SID's two-letter prefix. */
  prefix: Uint8Array;
  sid: Uint8Array;
  account: Uint16Array;
  status: Uint16Array;
  errorCode: Uint16Array;
  flags: Uint8Array;
  eventMs: Float64Array;
  recordedMs: Float64Array;
  createdMs: Float64Array;
  newestMs: Float64Array;
}

const COPIED_FIELDS = ['account', 'status', 'errorCode', 'flags', 'eventMs', 'recordedMs', 'createdMs', 'newestMs'] as const;

function newTable(capacity: number): Table {
  return {
    capacity,
    prefix: new Uint8Array(capacity),
    sid: new Uint8Array(capacity * SID_BYTES),
    account: new Uint16Array(capacity),
    status: new Uint16Array(capacity),
    errorCode: new Uint16Array(capacity),
    flags: new Uint8Array(capacity),
    eventMs: new Float64Array(capacity),
    recordedMs: new Float64Array(capacity),
    createdMs: new Float64Array(capacity),
    newestMs: new Float64Array(capacity),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One message's state, read from the table on demand (most readers look at
 * two or three fields of millions of messages). Valid until the next fold.
 */
class StateView implements MessageState {
  constructor(
    private readonly t: Table,
    private readonly slot: number,
    private readonly strings: readonly string[],
    private readonly notFoundMs: number | undefined,
  ) {}

  get accountSid(): string {
    return this.strings[this.t.account[this.slot]];
  }
  get status(): string {
    return this.strings[this.t.status[this.slot]];
  }
  get eventAt(): string | null {
    const ms = this.t.eventMs[this.slot];
    return Number.isNaN(ms) ? null : iso(ms);
  }
  get recordedAt(): string {
    return iso(this.t.recordedMs[this.slot]);
  }
  get errorCode(): string | null {
    const index = this.t.errorCode[this.slot];
    return index === 0 ? null : this.strings[index];
  }
  get createdAt(): string {
    return iso(this.t.createdMs[this.slot]);
  }
  get createdFromSend(): boolean {
    return (this.t.flags[this.slot] & FROM_SEND) !== 0;
  }
  get newestRecordedAt(): string {
    return iso(this.t.newestMs[this.slot]);
  }
  get notFoundAt(): string | null {
    return this.notFoundMs === undefined ? null : iso(this.notFoundMs);
  }
  get listedByTwilio(): boolean {
    return (this.t.flags[this.slot] & LISTED) !== 0;
  }
  toJSON(): MessageState {
    const { accountSid, status, eventAt, recordedAt, errorCode, createdAt, createdFromSend, newestRecordedAt, notFoundAt, listedByTwilio } = this;
    return { accountSid, status, eventAt, recordedAt, errorCode, createdAt, createdFromSend, newestRecordedAt, notFoundAt, listedByTwilio };
  }
}

/**
 * Per-message state for a whole archive scan, in compact form: an
 * open-addressing hash table over typed arrays, with the SID as 16 bytes,
 * strings that repeat (statuses, account SIDs, error codes) as small integers,
 * and times as epoch milliseconds; about 80 bytes a message instead of several
 * hundred as objects. Memory grows with distinct messages, never with records;
 * records may be folded in any order, and duplicates change nothing.
 */
export class MessageStates {
  private t: Table = newTable(INITIAL_CAPACITY);
  private count = 0;

  /** Strings that repeat millions of times, each held once; index 0 is '' (none). */
  private readonly strings: string[] = [''];
  private readonly stringIndex = new Map<string, number>([['', 0]]);
  private readonly prefixes: string[] = [];
  private readonly errorObservations = new Map<string, ErrorObservation>();
  private readonly notFound = new Map<string, number>();
  /** The rare SID not of the compact form gets a serial number as its 16 bytes, under prefix code ODD_PREFIX. */
  private readonly oddSids: string[] = [];
  private readonly oddSerial = new Map<string, number>();
  private readonly scratch = new Uint8Array(SID_BYTES);

  get size(): number {
    return this.count;
  }

  get(messageSid: string): MessageState | undefined {
    const slot = this.find(messageSid, false);
    return slot < 0 ? undefined : this.view(slot, messageSid);
  }

  *entries(): IterableIterator<[string, MessageState]> {
    for (let slot = 0; slot < this.t.capacity; slot++) {
      if (this.t.prefix[slot] === 0) continue;
      const sid = this.sidAt(slot);
      yield [sid, this.view(slot, sid)];
    }
  }

  /** The reconciliation notes that Twilio's list holds the message. */
  markListed(messageSid: string): void {
    const slot = this.find(messageSid, false);
    if (slot >= 0) this.t.flags[slot] |= LISTED;
  }

  /** Folds one record in; records without a SID (`send_error`) are not message state. */
  fold(facts: RecordFacts): void {
    const sid = facts.message_sid;
    if (sid === null) return;
    // A not-found marker is no status: it must never become, or hide, the message's latest status.
    const isNotFound = facts.source === 'poll' && facts.status === NOT_FOUND_STATUS;
    const status = isNotFound ? '' : facts.status;
    const statusIndex = this.intern(status);
    const eventMs = facts.event_at === null ? NaN : isoToMs(facts.event_at);
    const recordedMs = isoToMs(facts.recorded_at);
    const tellsMs = Number.isNaN(eventMs) ? recordedMs : eventMs;
    const isSend = facts.source === 'send' && !Number.isNaN(eventMs);

    let slot = this.find(sid, false);
    if (slot < 0) {
      slot = this.find(sid, true);
      this.t.account[slot] = this.intern(facts.account_sid);
      this.t.status[slot] = statusIndex;
      this.t.eventMs[slot] = eventMs;
      this.t.recordedMs[slot] = recordedMs;
      this.t.createdMs[slot] = tellsMs;
      this.t.newestMs[slot] = recordedMs;
      this.t.flags[slot] = isSend ? FROM_SEND : 0;
      this.t.errorCode[slot] = 0;
      if (facts.error_code !== null && !isNotFound) this.noteError(sid, slot, facts.error_code, status, eventMs, recordedMs);
      if (isNotFound) this.notFound.set(sid, recordedMs);
      return;
    }
    if (!isNotFound) {
      if (compareStatusMs(status, eventMs, recordedMs, this.strings[this.t.status[slot]], this.t.eventMs[slot], this.t.recordedMs[slot]) > 0) {
        this.t.status[slot] = statusIndex;
        this.t.eventMs[slot] = eventMs;
        this.t.recordedMs[slot] = recordedMs;
      }
      if (facts.error_code !== null) {
        const previous = this.errorObservations.get(sid);
        if (!previous || compareStatusMs(status, eventMs, recordedMs, previous.status, previous.eventMs, previous.recordedMs) > 0) {
          this.noteError(sid, slot, facts.error_code, status, eventMs, recordedMs);
        }
      }
    } else if (!(this.notFound.get(sid)! >= recordedMs)) {
      this.notFound.set(sid, recordedMs);
    }
    const fromSend = (this.t.flags[slot] & FROM_SEND) !== 0;
    if (isSend && (!fromSend || eventMs < this.t.createdMs[slot])) {
      this.t.createdMs[slot] = eventMs;
      this.t.flags[slot] |= FROM_SEND;
    } else if (!fromSend && tellsMs < this.t.createdMs[slot]) {
      this.t.createdMs[slot] = tellsMs;
    }
    if (recordedMs > this.t.newestMs[slot]) this.t.newestMs[slot] = recordedMs;
  }

  private noteError(sid: string, slot: number, code: string, status: string, eventMs: number, recordedMs: number): void {
    this.t.errorCode[slot] = this.intern(code);
    this.errorObservations.set(sid, { status, eventMs, recordedMs });
  }

  private view(slot: number, sid: string): MessageState {
    return new StateView(this.t, slot, this.strings, this.notFound.get(sid));
  }

  /** The slot holding `sid`; with `insert`, claims an empty one if it is not there; else -1. */
  private find(sid: string, insert: boolean): number {
    const prefixCode = this.key(sid, insert);
    if (prefixCode < 0) return -1;
    const bytes = this.scratch;
    let hash = 0x811c9dc5;
    for (let i = 0; i < SID_BYTES; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    const mask = this.t.capacity - 1;
    for (let slot = (hash >>> 0) & mask; ; slot = (slot + 1) & mask) {
      const p = this.t.prefix[slot];
      if (p === 0) {
        if (!insert) return -1;
        if ((this.count + 1) * 10 > this.t.capacity * 7) {
          this.grow();
          return this.find(sid, true);
        }
        this.t.prefix[slot] = prefixCode + 1;
        this.t.sid.set(bytes, slot * SID_BYTES);
        this.count++;
        return slot;
      }
      if (p === prefixCode + 1 && this.sameSid(slot, bytes)) return slot;
    }
  }

  /** Puts the SID's 16 bytes in `scratch` and returns its prefix code; -1 if unknown and not inserting. */
  private key(sid: string, insert: boolean): number {
    const bytes = this.scratch;
    if (COMPACT_SID.test(sid)) {
      for (let i = 0; i < SID_BYTES; i++) bytes[i] = parseInt(sid.substr(2 + i * 2, 2), 16);
      return this.prefixCode(sid.slice(0, 2), insert);
    }
    let serial = this.oddSerial.get(sid);
    if (serial === undefined) {
      if (!insert) return -1;
      serial = this.oddSids.push(sid) - 1;
      this.oddSerial.set(sid, serial);
    }
    bytes.fill(0);
    new DataView(bytes.buffer).setUint32(SID_BYTES - 4, serial);
    return ODD_PREFIX;
  }

  private sameSid(slot: number, bytes: Uint8Array): boolean {
    const base = slot * SID_BYTES;
    for (let i = 0; i < SID_BYTES; i++) if (this.t.sid[base + i] !== bytes[i]) return false;
    return true;
  }

  private sidAt(slot: number): string {
    return this.sidOf(this.t.prefix[slot], this.t.sid, slot);
  }

  private prefixCode(prefix: string, insert: boolean): number {
    const known = this.prefixes.indexOf(prefix);
    if (known >= 0 || !insert) return known;
    if (this.prefixes.length >= ODD_PREFIX) throw new Error(`more than ${ODD_PREFIX} SID prefixes`);
    this.prefixes.push(prefix);
    return this.prefixes.length - 1;
  }

  /** Doubles the table and re-inserts every message (slots move; side maps are keyed by SID, not slot). */
  private grow(): void {
    const old = this.t;
    this.t = newTable(old.capacity * 2);
    this.count = 0;
    for (let from = 0; from < old.capacity; from++) {
      if (old.prefix[from] === 0) continue;
      const slot = this.find(this.sidOf(old.prefix[from], old.sid, from), true);
      for (const name of COPIED_FIELDS) this.t[name][slot] = old[name][from];
    }
  }

  private sidOf(prefix: number, sids: Uint8Array, slot: number): string {
    if (prefix - 1 === ODD_PREFIX) return this.oddSids[new DataView(sids.buffer, slot * SID_BYTES).getUint32(SID_BYTES - 4)];
    let hex = this.prefixes[prefix - 1];
    for (let i = 0; i < SID_BYTES; i++) hex += sids[slot * SID_BYTES + i].toString(16).padStart(2, '0');
    return hex;
  }

  private intern(value: string): number {
    const known = this.stringIndex.get(value);
    if (known !== undefined) return known;
    if (this.strings.length >= 0xffff) throw new Error('more than 65,535 distinct statuses, account SIDs and error codes');
    this.strings.push(value);
    this.stringIndex.set(value, this.strings.length - 1);
    return this.strings.length - 1;
  }
}

export function latestStatus(state: MessageState): string {
  return state.status;
}

export function isResolved(state: MessageState): boolean {
  return isFinalStatus(state.status);
}

export function errorCodeOfMessage(state: MessageState): string | null {
  return state.errorCode;
}
