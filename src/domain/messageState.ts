/**
 * Per-message state for a whole archive scan: every record folded into its
 * message by the status rules (messageRules.ts), the messages held compactly
 * (messageTable.ts), and read through views that make strings only of what a
 * reader asks for.
 */
import type { FoldFacts } from './archiveLine';
import { CompactRecordEntries, type CompactRecordBatch } from './compactRecords';
import { CHUNK_MASK, FROM_SEND, LISTED, MessageTable, type Chunk } from './messageTable';
import { foldFirstRecord, foldRecord, NOT_FOUND_STATUS, readRecord, type Ordering, type RuledMessage, type RuledRecord } from './messageRules';
import { isFinalStatus } from './statusRules';
import { msToIso } from './time';

export { NOT_FOUND_STATUS };

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

/**
 * One message's state, read from the table on demand (most readers look at
 * two or three fields of millions of messages). Valid until the next fold.
 */
class StateView implements MessageState {
  constructor(
    private readonly t: Chunk,
    private readonly slot: number,
    private readonly table: MessageTable,
    private readonly notFoundMs: number | undefined,
  ) {}

  get accountSid(): string {
    return this.table.string(this.t.account[this.slot]);
  }
  get status(): string {
    return this.table.string(this.t.status[this.slot]);
  }
  get eventAt(): string | null {
    const ms = this.t.eventMs[this.slot];
    return Number.isNaN(ms) ? null : msToIso(ms);
  }
  get recordedAt(): string {
    return msToIso(this.t.recordedMs[this.slot]);
  }
  get errorCode(): string | null {
    const index = this.t.errorCode[this.slot];
    return index === 0 ? null : this.table.string(index);
  }
  get createdAt(): string {
    return msToIso(this.t.createdMs[this.slot]);
  }
  get createdFromSend(): boolean {
    return (this.t.flags[this.slot] & FROM_SEND) !== 0;
  }
  get newestRecordedAt(): string {
    return msToIso(this.t.newestMs[this.slot]);
  }
  get notFoundAt(): string | null {
    return this.notFoundMs === undefined ? null : msToIso(this.notFoundMs);
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
 * The message the rules are folding a record into: a position in the table,
 * moved from message to message (one instance, no object per record).
 */
class TableMessage implements RuledMessage {
  private c!: Chunk;
  private i = 0;
  private n = 0;
  /** The message's SID, made from the table only when a rare record needs it (an error code, a not-found poll). */
  private sidText: string | undefined;

  constructor(
    private readonly table: MessageTable,
    /** Error codes are rare: the ordering of the record each came from is kept aside, by SID. */
    private readonly errorOrigins: Map<string, Ordering>,
    private readonly notFound: Map<string, number>,
  ) {}

  at(n: number, sid?: string): this {
    this.c = this.table.chunkOf(n);
    this.i = n & CHUNK_MASK;
    this.n = n;
    this.sidText = sid;
    return this;
  }

  private get sid(): string {
    return (this.sidText ??= this.table.sidOf(this.n));
  }

  get status(): string {
    return this.table.string(this.c.status[this.i]);
  }
  get eventMs(): number {
    return this.c.eventMs[this.i];
  }
  get recordedMs(): number {
    return this.c.recordedMs[this.i];
  }
  get createdMs(): number {
    return this.c.createdMs[this.i];
  }
  get createdFromSend(): boolean {
    return (this.c.flags[this.i] & FROM_SEND) !== 0;
  }
  get newestRecordedMs(): number {
    return this.c.newestMs[this.i];
  }
  setLatest(latest: Ordering): void {
    this.c.status[this.i] = this.table.intern(latest.status);
    this.c.eventMs[this.i] = latest.eventMs;
    this.c.recordedMs[this.i] = latest.recordedMs;
  }
  errorOrigin(): Ordering | undefined {
    return this.errorOrigins.get(this.sid);
  }
  setErrorCode(code: string, origin: Ordering): void {
    this.c.errorCode[this.i] = this.table.intern(code);
    this.errorOrigins.set(this.sid, { status: origin.status, eventMs: origin.eventMs, recordedMs: origin.recordedMs });
  }
  notFoundMs(): number | undefined {
    return this.notFound.get(this.sid);
  }
  setNotFound(recordedMs: number): void {
    this.notFound.set(this.sid, recordedMs);
  }
  setCreated(createdMs: number, fromSend: boolean): void {
    this.c.createdMs[this.i] = createdMs;
    if (fromSend) this.c.flags[this.i] |= FROM_SEND;
  }
  setNewestRecorded(recordedMs: number): void {
    this.c.newestMs[this.i] = recordedMs;
  }
}

/**
 * Per-message state for a whole archive scan. Memory grows with distinct
 * messages (about 63 bytes each), never with records; records may be folded
 * in any order, and duplicates change nothing.
 */
export class MessageStates {
  private readonly table = new MessageTable();
  private readonly errorOrigins = new Map<string, Ordering>();
  private readonly notFound = new Map<string, number>();
  private readonly message = new TableMessage(this.table, this.errorOrigins, this.notFound);
  private readonly record: RuledRecord = { status: '', eventMs: NaN, recordedMs: NaN, errorCode: null, isSend: false, isNotFound: false };

  get size(): number {
    return this.table.size;
  }

  get(messageSid: string): MessageState | undefined {
    const n = this.table.find(messageSid);
    return n < 0 ? undefined : this.view(n, messageSid);
  }

  /** Every message, in the order they were first folded in. */
  *entries(): IterableIterator<[string, MessageState]> {
    for (let n = 0; n < this.table.size; n++) {
      const sid = this.table.sidOf(n);
      yield [sid, this.view(n, sid)];
    }
  }

  /** The reconciliation notes that Twilio's list holds the message; returns its state, if the archive knows it. */
  markListed(messageSid: string): MessageState | undefined {
    const n = this.table.find(messageSid);
    if (n < 0) return undefined;
    this.table.chunkOf(n).flags[n & CHUNK_MASK] |= LISTED;
    return this.view(n, messageSid);
  }

  /** Folds one record in; records without a SID (`send_error`) are not message state. */
  fold(facts: FoldFacts): void {
    const sid = facts.message_sid;
    if (sid === null) return;
    const record = readRecord(facts, this.record);
    const n = this.table.find(sid, true);
    if (n >= 0) {
      this.keepLeastAccount(n, this.table.intern(facts.account_sid));
      return foldRecord(this.message.at(n, sid), record);
    }
    const added = this.table.add();
    this.table.chunkOf(added).account[added & CHUNK_MASK] = this.table.intern(facts.account_sid);
    foldFirstRecord(this.message.at(added, sid), record);
  }

  /**
   * Folds a batch of records read elsewhere (a worker thread): the same rules
   * as fold(), record by record, from the batch's fixed-size entries.
   */
  foldCompact(batch: CompactRecordBatch): void {
    const entries = new CompactRecordEntries(batch);
    const record = this.record;
    for (let e = 0; e < batch.count; e++) {
      entries.read(e, record);
      const n = entries.isOddSid ? this.table.find(entries.oddSid, true) : this.table.findBytes(entries.sidPrefix, entries.bytes, entries.sidAt, true);
      const account = this.table.intern(entries.accountSid);
      if (n >= 0) {
        this.keepLeastAccount(n, account);
        foldRecord(this.message.at(n), record);
        continue;
      }
      const added = this.table.add();
      this.table.chunkOf(added).account[added & CHUNK_MASK] = account;
      foldFirstRecord(this.message.at(added), record);
    }
  }

  /**
   * A SID names one account's message; should records disagree, the least
   * account SID is the message's (as the SQL engines take min(account_sid)),
   * whichever record came first.
   */
  private keepLeastAccount(n: number, account: number): void {
    const chunk = this.table.chunkOf(n);
    const held = chunk.account[n & CHUNK_MASK];
    if (account !== held && this.table.string(account) < this.table.string(held)) chunk.account[n & CHUNK_MASK] = account;
  }

  private view(n: number, sid: string): MessageState {
    return new StateView(this.table.chunkOf(n), n & CHUNK_MASK, this.table, this.notFound.get(sid));
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
