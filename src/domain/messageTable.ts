/**
 * Where a whole archive scan's messages are held, compactly: in chunks of
 * typed arrays, the SID as 16 bytes, strings that repeat millions of times
 * (statuses, account SIDs, error codes) as small integers, times as epoch
 * milliseconds (56 bytes a message), found through an open-addressing index of
 * message numbers (4 bytes a slot). Holding more messages adds a chunk and,
 * now and then, rebuilds the small index; it never copies the messages, so
 * memory has no growth spike: about 63 bytes a message, where objects took
 * several hundred. Storage only: what the fields mean is messageRules.ts.
 */

/** SIDs of the compact form (two capital letters and 32 lower-case hex digits) are held as their 16 bytes. */
export const SID_BYTES = 16;
/** Messages are held in chunks of this many, so that holding more never copies what is held. */
export const CHUNK_BITS = 16;
const CHUNK_SIZE = 1 << CHUNK_BITS;
export const CHUNK_MASK = CHUNK_SIZE - 1;
const INITIAL_INDEX_SLOTS = 1 << 12;
/** Prefix code of SIDs not of the compact form (stored as 1 + code, so 255). */
const ODD_PREFIX = 254;

/** Flags of a message. */
export const FROM_SEND = 1;
export const LISTED = 2;

/** The typed arrays of one chunk of messages, one element per message. */
export interface Chunk {
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

export class MessageTable {
  private readonly chunks: Chunk[] = [];
  /** 0: empty slot; otherwise 1 + a message number. */
  private index = new Uint32Array(INITIAL_INDEX_SLOTS);
  private count = 0;
  /** Strings that repeat millions of times, each held once; index 0 is '' (none). */
  private readonly strings: string[] = [''];
  private readonly stringIndex = new Map<string, number>([['', 0]]);
  private readonly prefixes: string[] = [];
  /** The rare SID not of the compact form gets a serial number as its 16 bytes, under prefix code ODD_PREFIX. */
  private readonly oddSids: string[] = [];
  private readonly oddSerial = new Map<string, number>();
  private readonly scratch = new Uint8Array(SID_BYTES);
  private scratchPrefix = -1;
  private freeSlot = -1;

  get size(): number {
    return this.count;
  }

  /** The chunk that holds message `n`; its slot there is `n & CHUNK_MASK`. */
  chunkOf(n: number): Chunk {
    return this.chunks[n >>> CHUNK_BITS];
  }

  /**
   * The number of the message `sid`, or -1. When `adding`, leaves what an
   * add() that follows at once needs (the SID's key and its free slot).
   */
  find(sid: string, adding = false): number {
    return this.probe(this.key(sid, adding));
  }

  /**
   * find() for a compact SID already decoded: its two-letter `prefix` and its
   * 16 bytes at `bytes[at…]` (a record folded far from where it was parsed).
   */
  findBytes(prefix: string, bytes: Uint8Array, at: number, adding = false): number {
    const prefixCode = this.prefixCode(prefix, adding);
    if (prefixCode >= 0) this.scratch.set(bytes.subarray(at, at + SID_BYTES));
    return this.probe(prefixCode);
  }

  /** Looks the SID in `scratch` up under `prefixCode`; leaves the free slot an add() needs. */
  private probe(prefixCode: number): number {
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

  /** Adds the message a find(sid, true) just missed, zeroed; returns its number. */
  add(): number {
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

  /** The SID of message `n`, as it was given. */
  sidOf(n: number): string {
    const c = this.chunks[n >>> CHUNK_BITS];
    const i = n & CHUNK_MASK;
    const prefix = c.prefix[i];
    if (prefix - 1 === ODD_PREFIX) return this.oddSids[new DataView(c.sid.buffer, i * SID_BYTES).getUint32(SID_BYTES - 4)];
    let hex = this.prefixes[prefix - 1];
    for (let b = 0; b < SID_BYTES; b++) hex += c.sid[i * SID_BYTES + b].toString(16).padStart(2, '0');
    return hex;
  }

  /** The small integer that stands for `value` in the chunks. */
  intern(value: string): number {
    const known = this.stringIndex.get(value);
    if (known !== undefined) return known;
    if (this.strings.length >= 0xffff) throw new RangeError('more than 65,535 distinct statuses, account SIDs and error codes');
    this.strings.push(value);
    this.stringIndex.set(value, this.strings.length - 1);
    return this.strings.length - 1;
  }

  /** The string an interned integer stands for. */
  string(index: number): string {
    return this.strings[index];
  }

  /** Puts the SID's 16 bytes in `scratch` and returns its prefix code; -1 if unknown and not `adding`. */
  private key(sid: string, adding: boolean): number {
    const bytes = this.scratch;
    if (decodeCompactSid(sid, bytes)) return this.prefixCode(sid.slice(0, 2), adding);
    let serial = this.oddSerial.get(sid);
    if (serial === undefined) {
      if (!adding) return -1;
      serial = this.oddSids.push(sid) - 1;
      this.oddSerial.set(sid, serial);
    }
    bytes.fill(0);
    new DataView(bytes.buffer).setUint32(SID_BYTES - 4, serial);
    return ODD_PREFIX;
  }

  private prefixCode(prefix: string, adding: boolean): number {
    const known = this.prefixes.indexOf(prefix);
    if (known >= 0 || !adding) return known;
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
}

/** Hex digit values by char code; -1 where not a lower-case hex digit. */
const HEX = new Int8Array(128).fill(-1);
for (let d = 0; d < 10; d++) HEX[48 + d] = d;
for (let d = 0; d < 6; d++) HEX[97 + d] = 10 + d;

/**
 * `XX` + 32 lower-case hex digits → the 16 bytes in `out`; false (and `out`
 * unspecified) for any other form.
 */
export function decodeCompactSid(sid: string, out: Uint8Array, at = 0): boolean {
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
    out[at + i] = (h << 4) | l;
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
