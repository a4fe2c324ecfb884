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

/** The ordering fields of the latest record that carried an error code. Errors are rare: kept aside. */
interface ErrorObservation {
  status: string;
  eventMs: number;
  recordedMs: number;
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
  private capacity = INITIAL_CAPACITY;
  private count = 0;
  /** 0: empty slot; otherwise 1 + the index of the SID's two-letter prefix. */
  private prefix = new Uint8Array(INITIAL_CAPACITY);
  private sid = new Uint8Array(INITIAL_CAPACITY * SID_BYTES);
  private account = new Uint16Array(INITIAL_CAPACITY);
  private status = new Uint16Array(INITIAL_CAPACITY);
  private errorCode = new Uint16Array(INITIAL_CAPACITY);
  private flags = new Uint8Array(INITIAL_CAPACITY);
  private eventMs = new Float64Array(INITIAL_CAPACITY);
  private recordedMs = new Float64Array(INITIAL_CAPACITY);
  private createdMs = new Float64Array(INITIAL_CAPACITY);
  private newestMs = new Float64Array(INITIAL_CAPACITY);

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
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.prefix[slot] === 0) continue;
      const sid = this.sidAt(slot);
      yield [sid, this.view(slot, sid)];
    }
  }

  /** The reconciliation notes that Twilio's list holds the message. */
  markListed(messageSid: string): void {
    const slot = this.find(messageSid, false);
    if (slot >= 0) this.flags[slot] |= LISTED;
  }

  /** Folds one record in; records without a SID (`send_error`) are not message state. */
  fold(facts: RecordFacts): void {
    const sid = facts.message_sid;
    if (sid === null) return;
    // A not-found marker is no status: it must never become, or hide, the message's latest status.
    const isNotFound = facts.source === 'poll' && facts.status === NOT_FOUND_STATUS;
    const status = isNotFound ? '' : facts.status;
    const statusIndex = this.intern(status);
    const eventMs = facts.event_at === null ? NaN : Date.parse(facts.event_at);
    const recordedMs = Date.parse(facts.recorded_at);
    const tellsMs = Number.isNaN(eventMs) ? recordedMs : eventMs;
    const isSend = facts.source === 'send' && !Number.isNaN(eventMs);

    let slot = this.find(sid, false);
    if (slot < 0) {
      slot = this.find(sid, true);
      this.account[slot] = this.intern(facts.account_sid);
      this.status[slot] = statusIndex;
      this.eventMs[slot] = eventMs;
      this.recordedMs[slot] = recordedMs;
      this.createdMs[slot] = tellsMs;
      this.newestMs[slot] = recordedMs;
      this.flags[slot] = isSend ? FROM_SEND : 0;
      this.errorCode[slot] = 0;
      if (facts.error_code !== null && !isNotFound) this.noteError(sid, slot, facts.error_code, status, eventMs, recordedMs);
      if (isNotFound) this.notFound.set(sid, recordedMs);
      return;
    }
    if (!isNotFound) {
      if (compareStatusMs(status, eventMs, recordedMs, this.strings[this.status[slot]], this.eventMs[slot], this.recordedMs[slot]) > 0) {
        this.status[slot] = statusIndex;
        this.eventMs[slot] = eventMs;
        this.recordedMs[slot] = recordedMs;
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
    const fromSend = (this.flags[slot] & FROM_SEND) !== 0;
    if (isSend && (!fromSend || eventMs < this.createdMs[slot])) {
      this.createdMs[slot] = eventMs;
      this.flags[slot] |= FROM_SEND;
    } else if (!fromSend && tellsMs < this.createdMs[slot]) {
      this.createdMs[slot] = tellsMs;
    }
    if (recordedMs > this.newestMs[slot]) this.newestMs[slot] = recordedMs;
  }

  private noteError(sid: string, slot: number, code: string, status: string, eventMs: number, recordedMs: number): void {
    this.errorCode[slot] = this.intern(code);
    this.errorObservations.set(sid, { status, eventMs, recordedMs });
  }

  private view(slot: number, sid: string): MessageState {
    const iso = (ms: number) => new Date(ms).toISOString();
    const eventMs = this.eventMs[slot];
    const notFound = this.notFound.get(sid);
    return {
      accountSid: this.strings[this.account[slot]],
      status: this.strings[this.status[slot]],
      eventAt: Number.isNaN(eventMs) ? null : iso(eventMs),
      recordedAt: iso(this.recordedMs[slot]),
      errorCode: this.errorCode[slot] === 0 ? null : this.strings[this.errorCode[slot]],
      createdAt: iso(this.createdMs[slot]),
      createdFromSend: (this.flags[slot] & FROM_SEND) !== 0,
      newestRecordedAt: iso(this.newestMs[slot]),
      notFoundAt: notFound === undefined ? null : iso(notFound),
      listedByTwilio: (this.flags[slot] & LISTED) !== 0,
    };
  }

  /** The slot holding `sid`; with `insert`, claims an empty one if it is not there; else -1. */
  private find(sid: string, insert: boolean): number {
    const prefixCode = this.key(sid, insert);
    if (prefixCode < 0) return -1;
    const bytes = this.scratch;
    let hash = 0x811c9dc5;
    for (let i = 0; i < SID_BYTES; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    const mask = this.capacity - 1;
    for (let slot = (hash >>> 0) & mask; ; slot = (slot + 1) & mask) {
      const p = this.prefix[slot];
      if (p === 0) {
        if (!insert) return -1;
        if ((this.count + 1) * 10 > this.capacity * 7) {
          this.grow();
          return this.find(sid, true);
        }
        this.prefix[slot] = prefixCode + 1;
        this.sid.set(bytes, slot * SID_BYTES);
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
    for (let i = 0; i < SID_BYTES; i++) if (this.sid[base + i] !== bytes[i]) return false;
    return true;
  }

  private sidAt(slot: number): string {
    return this.sidOf(this.prefix[slot], this.sid, slot);
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
    const old = {
      capacity: this.capacity,
      prefix: this.prefix,
      sid: this.sid,
      account: this.account,
      status: this.status,
      errorCode: this.errorCode,
      flags: this.flags,
      eventMs: this.eventMs,
      recordedMs: this.recordedMs,
      createdMs: this.createdMs,
      newestMs: this.newestMs,
    };
    const capacity = this.capacity * 2;
    this.capacity = capacity;
    this.prefix = new Uint8Array(capacity);
    this.sid = new Uint8Array(capacity * SID_BYTES);
    this.account = new Uint16Array(capacity);
    this.status = new Uint16Array(capacity);
    this.errorCode = new Uint16Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.eventMs = new Float64Array(capacity);
    this.recordedMs = new Float64Array(capacity);
    this.createdMs = new Float64Array(capacity);
    this.newestMs = new Float64Array(capacity);
    this.count = 0;
    for (let from = 0; from < old.capacity; from++) {
      if (old.prefix[from] === 0) continue;
      const slot = this.find(this.sidOf(old.prefix[from], old.sid, from), true);
      this.account[slot] = old.account[from];
      this.status[slot] = old.status[from];
      this.errorCode[slot] = old.errorCode[from];
      this.flags[slot] = old.flags[from];
      this.eventMs[slot] = old.eventMs[from];
      this.recordedMs[slot] = old.recordedMs[from];
      this.createdMs[slot] = old.createdMs[from];
      this.newestMs[slot] = old.newestMs[from];
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
