/**
 * Records on their way from the thread that parsed them to the one that folds
 * them into message state. Each is a fixed 56-byte entry: the SID as its 16
 * bytes, the two times as numbers, and the strings that repeat millions of
 * times (statuses, account SIDs, error codes, SID prefixes) as indexes into
 * the batch's own short list. A batch of thousands of records is then one
 * transferable buffer and a handful of strings, not thousands of objects for
 * structured clone to copy. What an entry holds is exactly what the status
 * rules read (messageRules.ts readRecord), so folding a batch is folding its
 * records.
 */
import type { FoldFacts } from './archiveLine';
import { readRecord, type RuledRecord } from './messageRules';
import { decodeCompactSid } from './messageTable';

export interface CompactRecordBatch {
  buffer: ArrayBuffer;
  count: number;
  strings: string[];
}

const ENTRY_BYTES = 56;
const ENTRY_WORDS = ENTRY_BYTES / 4;
const ENTRY_NUMBERS = ENTRY_BYTES / 8;
// Per entry, as 32-bit words: 0 flags, 1 the SID's prefix (or the whole odd SID), 2 account SID, 3 status, 4 error code;
// bytes 20 to 35 the SID; as 64-bit numbers: 5 event time, 6 recorded time (epoch ms, NaN for none).
const FLAGS = 0;
const SID_STRING = 1;
const ACCOUNT = 2;
const STATUS = 3;
const ERROR_CODE = 4;
const SID_AT = 20;
const EVENT_MS = 5;
const RECORDED_MS = 6;

const IS_SEND = 1;
const IS_NOT_FOUND = 2;
/** A SID not of the compact form (`XX` + 32 hex digits): held whole in the strings. */
const ODD_SID = 4;
const HAS_ERROR_CODE = 8;

/** Collects records into batches of `capacity` entries. */
export class CompactRecordWriter {
  private words!: Uint32Array;
  private numbers!: Float64Array;
  private bytes!: Uint8Array;
  private strings: string[] = [];
  private stringIndex = new Map<string, number>();
  private readonly record: RuledRecord = { status: '', eventMs: NaN, recordedMs: NaN, errorCode: null, isSend: false, isNotFound: false };
  count = 0;

  constructor(private readonly capacity = 4096) {
    this.reset();
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Adds a record that names its message (a null `message_sid` folds into nothing). */
  add(facts: FoldFacts & { message_sid: string }): void {
    const record = readRecord(facts, this.record);
    const w = this.count * ENTRY_WORDS;
    let flags = (record.isSend ? IS_SEND : 0) | (record.isNotFound ? IS_NOT_FOUND : 0);
    const sid = facts.message_sid;
    if (decodeCompactSid(sid, this.bytes, w * 4 + SID_AT)) {
      this.words[w + SID_STRING] = this.string(sid.slice(0, 2));
    } else {
      flags |= ODD_SID;
      this.words[w + SID_STRING] = this.string(sid);
    }
    if (record.errorCode !== null) {
      flags |= HAS_ERROR_CODE;
      this.words[w + ERROR_CODE] = this.string(record.errorCode);
    }
    this.words[w + FLAGS] = flags;
    this.words[w + ACCOUNT] = this.string(facts.account_sid);
    this.words[w + STATUS] = this.string(record.status);
    const x = this.count * ENTRY_NUMBERS;
    this.numbers[x + EVENT_MS] = record.eventMs;
    this.numbers[x + RECORDED_MS] = record.recordedMs;
    this.count++;
  }

  /** The batch so far (its buffer is handed over, to be transferred), and a fresh one begun. */
  take(): CompactRecordBatch {
    const batch = { buffer: this.words.buffer as ArrayBuffer, count: this.count, strings: this.strings };
    this.reset();
    return batch;
  }

  private reset(): void {
    const buffer = new ArrayBuffer(this.capacity * ENTRY_BYTES);
    this.words = new Uint32Array(buffer);
    this.numbers = new Float64Array(buffer);
    this.bytes = new Uint8Array(buffer);
    this.strings = [];
    this.stringIndex = new Map();
    this.count = 0;
  }

  private string(value: string): number {
    let index = this.stringIndex.get(value);
    if (index === undefined) {
      index = this.strings.push(value) - 1;
      this.stringIndex.set(value, index);
    }
    return index;
  }
}

/** Reads a batch's entries, one at a time, into a reused record (no object per entry). */
export class CompactRecordEntries {
  private readonly words: Uint32Array;
  private readonly numbers: Float64Array;
  readonly bytes: Uint8Array;
  private w = 0;

  constructor(private readonly batch: CompactRecordBatch) {
    this.words = new Uint32Array(batch.buffer);
    this.numbers = new Float64Array(batch.buffer);
    this.bytes = new Uint8Array(batch.buffer);
  }

  /** Moves to entry `e` and reads what the status rules need into `into`. */
  read(e: number, into: RuledRecord): RuledRecord {
    this.w = e * ENTRY_WORDS;
    const flags = this.words[this.w + FLAGS];
    const x = e * ENTRY_NUMBERS;
    into.status = this.batch.strings[this.words[this.w + STATUS]];
    into.eventMs = this.numbers[x + EVENT_MS];
    into.recordedMs = this.numbers[x + RECORDED_MS];
    into.errorCode = flags & HAS_ERROR_CODE ? this.batch.strings[this.words[this.w + ERROR_CODE]] : null;
    into.isSend = (flags & IS_SEND) !== 0;
    into.isNotFound = (flags & IS_NOT_FOUND) !== 0;
    return into;
  }

  get isOddSid(): boolean {
    return (this.words[this.w + FLAGS] & ODD_SID) !== 0;
  }
  /** The whole SID, when isOddSid. */
  get oddSid(): string {
    return this.batch.strings[this.words[this.w + SID_STRING]];
  }
  /** The SID's two-letter prefix; its 16 bytes are bytes[sidAt…]. */
  get sidPrefix(): string {
    return this.batch.strings[this.words[this.w + SID_STRING]];
  }
  get sidAt(): number {
    return this.w * 4 + SID_AT;
  }
  get accountSid(): string {
    return this.batch.strings[this.words[this.w + ACCOUNT]];
  }
}
