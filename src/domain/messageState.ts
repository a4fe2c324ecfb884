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
  /** recordedAt, createdAt and newestRecordedAt as epoch milliseconds: for comparing millions of them. */
  recordedMs: number;
  createdMs: number;
  newestRecordedMs: number;
}

/** SIDs of the compact form (two capital letters and 32 lower-case hex digits) are held as their 16 bytes. */
const SID_BYTES = 16;
const FROM_SEND = 1;
const LISTED = 2;
/** Messages are held in chunks of this many, so that holding more never copies what is held. */
const CHUNK_BITS = 16;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;
const INITIAL_INDEX_SLOTS = 1 << 12;
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

/** The typed arrays of one chunk of messages, one element per message. */
interface Chunk {
  /** 1 + the index of the SID's two-letter prefix. */
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

function newChunk(capacity: number): Chunk {
  return {
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
    private readonly t: Chunk,
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
  get recordedMs(): number {
    return this.t.recordedMs[this.slot];
  }
  get createdMs(): number {
    return this.t.createdMs[this.slot];
  }
  get newestRecordedMs(): number {
    return this.t.newestMs[this.slot];
  }
  toJSON(): Omit<MessageState, 'recordedMs' | 'createdMs' | 'newestRecordedMs'> {
    const { accountSid, status, eventAt, recordedAt, errorCode, createdAt, createdFromSend, newestRecordedAt, notFoundAt, listedByTwilio } = this;
    return { accountSid, status, eventAt, recordedAt, errorCode, createdAt, createdFromSend, newestRecordedAt, notFoundAt, listedByTwilio };
  }
}

/**
 * Per-message state for a whole archive scan, in compact form: messages are
 * held in chunks of typed arrays, with the SID as 16 bytes, strings that
 * repeat (statuses, account SIDs, error codes) as small integers, and times
 * as epoch milliseconds (56 bytes a message), and found through an
 * open-addressing index of message numbers (4 bytes a slot). Holding more
 * messages adds a chunk and, now and then, rebuilds the small index; it never
 * copies the messages, so memory has no growth spike: about 63 bytes a
 * message instead of several hundred as objects. Memory grows with distinct
 * messages, never with records; records may be folded in any order, and
 * duplicates change nothing.
 */
export class MessageStates {
  private readonly chunks: Chunk[] = [];
  /** 0: empty slot; otherwise 1 + a message number. */
  private index = new Uint32Array(INITIAL_INDEX_SLOTS);
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
  private scratchPrefix = -1;
  private freeSlot = -1;

  get size(): number {
    return this.count;
  }

  get(messageSid: string): MessageState | undefined {
    const n = this.find(messageSid, false);
    return n < 0 ? undefined : this.view(n, messageSid);
  }

  /** Every message, in the order they were first folded in. */
  *entries(): IterableIterator<[string, MessageState]> {
    for (let n = 0; n < this.count; n++) {
      const sid = this.sidOf(n);
      yield [sid, this.view(n, sid)];
    }
  }

  /** The reconciliation notes that Twilio's list holds the message; returns its state, if the archive knows it. */
  markListed(messageSid: string): MessageState | undefined {
    const n = this.find(messageSid, false);
    if (n < 0) return undefined;
    this.chunks[n >>> CHUNK_BITS].flags[n & CHUNK_MASK] |= LISTED;
    return this.view(n, messageSid);
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

    let n = this.find(sid, true);
    if (n < 0) {
      n = this.insert();
      const c = this.chunks[n >>> CHUNK_BITS];
      const i = n & CHUNK_MASK;
      c.account[i] = this.intern(facts.account_sid);
      c.status[i] = statusIndex;
      c.eventMs[i] = eventMs;
      c.recordedMs[i] = recordedMs;
      c.createdMs[i] = tellsMs;
      c.newestMs[i] = recordedMs;
      c.flags[i] = isSend ? FROM_SEND : 0;
      c.errorCode[i] = 0;
      if (facts.error_code !== null && !isNotFound) this.noteError(sid, c, i, facts.error_code, status, eventMs, recordedMs);
      if (isNotFound) this.notFound.set(sid, recordedMs);
      return;
    }
    const c = this.chunks[n >>> CHUNK_BITS];
    const i = n & CHUNK_MASK;
    if (!isNotFound) {
      if (compareStatusMs(status, eventMs, recordedMs, this.strings[c.status[i]], c.eventMs[i], c.recordedMs[i]) > 0) {
        c.status[i] = statusIndex;
        c.eventMs[i] = eventMs;
        c.recordedMs[i] = recordedMs;
      }
      if (facts.error_code !== null) {
        const previous = this.errorObservations.get(sid);
        if (!previous || compareStatusMs(status, eventMs, recordedMs, previous.status, previous.eventMs, previous.recordedMs) > 0) {
          this.noteError(sid, c, i, facts.error_code, status, eventMs, recordedMs);
        }
      }
    } else if (!(this.notFound.get(sid)! >= recordedMs)) {
      this.notFound.set(sid, recordedMs);
    }
    const fromSend = (c.flags[i] & FROM_SEND) !== 0;
    if (isSend && (!fromSend || eventMs < c.createdMs[i])) {
      c.createdMs[i] = eventMs;
      c.flags[i] |= FROM_SEND;
    } else if (!fromSend && tellsMs < c.createdMs[i]) {
      c.createdMs[i] = tellsMs;
    }
    if (recordedMs > c.newestMs[i]) c.newestMs[i] = recordedMs;
  }

  private noteError(sid: string, c: Chunk, i: number, code: string, status: string, eventMs: number, recordedMs: number): void {
    c.errorCode[i] = this.intern(code);
    this.errorObservations.set(sid, { status, eventMs, recordedMs });
  }

  private view(n: number, sid: string): MessageState {
    return new StateView(this.chunks[n >>> CHUNK_BITS], n & CHUNK_MASK, this.strings, this.notFound.get(sid));
  }

  /**
   * The number of the message `sid`, or -1. Leaves the SID's key in `scratch`
   * and `scratchPrefix` and its free slot in `freeSlot`, for an insert() that
   * follows at once.
   */
  private find(sid: string, insertingPrefix: boolean): number {
    const prefixCode = this.key(sid, insertingPrefix);
    this.scratchPrefix = prefixCode;
    if (prefixCode < 0) return -1;
    const bytes = this.scratch;
    const mask = this.index.length - 1;
    for (let slot = hashOf(bytes, 0) & mask; ; slot = (slot + 1) & mask) {
      const held = this.index[slot];
      if (held === 0) {
        this.freeSlot = slot;
        return -1;
      }
      const n = held - 1;
      const c = this.chunks[n >>> CHUNK_BITS];
      const i = n & CHUNK_MASK;
      if (c.prefix[i] === prefixCode + 1 && sameBytes(c.sid, i * SID_BYTES, bytes)) return n;
    }
  }

  /** Adds the message a find() just missed, under the key and in the slot that find() left. */
  private insert(): number {
    const n = this.count++;
    if ((n & CHUNK_MASK) === 0) this.chunks.push(newChunk(CHUNK_SIZE));
    const c = this.chunks[n >>> CHUNK_BITS];
    const i = n & CHUNK_MASK;
    c.prefix[i] = this.scratchPrefix + 1;
    c.sid.set(this.scratch, i * SID_BYTES);
    this.index[this.freeSlot] = n + 1;
    if (this.count * 10 > this.index.length * 7) this.growIndex();
    return n;
  }

  /** Puts the SID's 16 bytes in `scratch` and returns its prefix code; -1 if unknown and not `insertingPrefix`. */
  private key(sid: string, insertingPrefix: boolean): number {
    const bytes = this.scratch;
    if (decodeCompactSid(sid, bytes)) return this.prefixCode(sid.slice(0, 2), insertingPrefix);
    let serial = this.oddSerial.get(sid);
    if (serial === undefined) {
      if (!insertingPrefix) return -1;
      serial = this.oddSids.push(sid) - 1;
      this.oddSerial.set(sid, serial);
    }
    bytes.fill(0);
    new DataView(bytes.buffer).setUint32(SID_BYTES - 4, serial);
    return ODD_PREFIX;
  }

  private prefixCode(prefix: string, insert: boolean): number {
    const known = this.prefixes.indexOf(prefix);
    if (known >= 0 || !insert) return known;
    if (this.prefixes.length >= ODD_PREFIX) throw new RangeError(`more than ${ODD_PREFIX} SID prefixes`);
    this.prefixes.push(prefix);
    return this.prefixes.length - 1;
  }

  /** Doubles the index and re-enters every message number; the messages themselves stay where they are. */
  private growIndex(): void {
    const index = new Uint32Array(this.index.length * 2);
    const mask = index.length - 1;
    for (let n = 0; n < this.count; n++) {
      const c = this.chunks[n >>> CHUNK_BITS];
      let slot = hashOf(c.sid, (n & CHUNK_MASK) * SID_BYTES) & mask;
      while (index[slot] !== 0) slot = (slot + 1) & mask;
      index[slot] = n + 1;
    }
    this.index = index;
  }

  private sidOf(n: number): string {
    const c = this.chunks[n >>> CHUNK_BITS];
    const i = n & CHUNK_MASK;
    const prefix = c.prefix[i];
    if (prefix - 1 === ODD_PREFIX) return this.oddSids[new DataView(c.sid.buffer, i * SID_BYTES).getUint32(SID_BYTES - 4)];
    let hex = this.prefixes[prefix - 1];
    for (let b = 0; b < SID_BYTES; b++) hex += c.sid[i * SID_BYTES + b].toString(16).padStart(2, '0');
    return hex;
  }

  private intern(value: string): number {
    const known = this.stringIndex.get(value);
    if (known !== undefined) return known;
    if (this.strings.length >= 0xffff) throw new RangeError('more than 65,535 distinct statuses, account SIDs and error codes');
    this.strings.push(value);
    this.stringIndex.set(value, this.strings.length - 1);
    return this.strings.length - 1;
  }
}

/** Hex digit values by char code; -1 where not a lower-case hex digit. */
const HEX = new Int8Array(128).fill(-1);
for (let d = 0; d < 10; d++) HEX[48 + d] = d;
for (let d = 0; d < 6; d++) HEX[97 + d] = 10 + d;

/**
 * `XX` + 32 lower-case hex digits → the 16 bytes in `out`; false (and `out`
 * unspecified) for any other form.
 */
function decodeCompactSid(sid: string, out: Uint8Array): boolean {
  if (sid.length !== 2 + SID_BYTES * 2) return false;
  const a = sid.charCodeAt(0);
  const b = sid.charCodeAt(1);
  if (a < 65 || a > 90 || b < 65 || b > 90) return false;
  for (let i = 0; i < SID_BYTES; i++) {
    const hi = sid.charCodeAt(2 + i * 2);
    const lo = sid.charCodeAt(3 + i * 2);
    const h = hi < 128 ? HEX[hi] : -1;
    const l = lo < 128 ? HEX[lo] : -1;
    if (h < 0 || l < 0) return false;
    out[i] = (h << 4) | l;
  }
  return true;
}

/** FNV-1a over a SID's 16 bytes. */
function hashOf(bytes: Uint8Array, at: number): number {
  let hash = 0x811c9dc5;
  for (let i = at; i < at + SID_BYTES; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return hash >>> 0;
}

function sameBytes(held: Uint8Array, at: number, bytes: Uint8Array): boolean {
  for (let i = 0; i < SID_BYTES; i++) if (held[at + i] !== bytes[i]) return false;
  return true;
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
