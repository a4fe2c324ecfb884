/**
 * The status rules (docs/archive-format.md, "Status rules"): how every record
 * of a message, in whatever order and however often it arrived, decides what
 * the archive says about the message. This file is the rules and nothing else;
 * where millions of messages are held is messageTable.ts.
 */
import type { FoldFacts } from './archiveLine';
import { compareStatusMs } from './statusRules';
import { isoToMs } from './time';

/** What the poller writes when Twilio answers 404 for a message (deleted, or never created). */
export const NOT_FOUND_STATUS = 'not_found';

/** The times that order two records of a message: epoch milliseconds, `eventMs` NaN when Twilio gave no time. */
export interface Ordering {
  status: string;
  eventMs: number;
  recordedMs: number;
}

/** One record, as the rules read it. */
export interface RuledRecord extends Ordering {
  errorCode: string | null;
  /** A `send` record with Twilio's `date_created`: the message's creation time. */
  isSend: boolean;
  /** A poll that found no such message at Twilio: a marker, not a status. */
  isNotFound: boolean;
}

/** One message, as the rules read and change it, whatever holds it. */
export interface RuledMessage extends Ordering {
  createdMs: number;
  createdFromSend: boolean;
  newestRecordedMs: number;
  setLatest(latest: Ordering): void;
  /** The ordering of the record the error code was taken from; undefined while no record had one. */
  errorOrigin(): Ordering | undefined;
  setErrorCode(code: string, origin: Ordering): void;
  notFoundMs(): number | undefined;
  setNotFound(recordedMs: number): void;
  setCreated(createdMs: number, fromSend: boolean): void;
  setNewestRecorded(recordedMs: number): void;
}

/** Reads a record's facts into `into` (reused: millions of records are folded, and no object is made for each). */
export function readRecord(facts: FoldFacts, into: RuledRecord): RuledRecord {
  into.isNotFound = facts.source === 'poll' && facts.status === NOT_FOUND_STATUS;
  into.status = into.isNotFound ? '' : facts.status;
  into.eventMs = facts.event_at === null ? NaN : isoToMs(facts.event_at);
  into.recordedMs = isoToMs(facts.recorded_at);
  into.errorCode = facts.error_code;
  into.isSend = facts.source === 'send' && !Number.isNaN(into.eventMs);
  return into;
}

/**
 * The first record of a message: what it tells is what the message is, until
 * a later record wins by the rules below. Its ordering is the message's even
 * when it is a not-found poll, which holds no status.
 */
export function foldFirstRecord(message: RuledMessage, record: RuledRecord): void {
  message.setLatest(record);
  if (record.isNotFound) message.setNotFound(record.recordedMs);
  else if (record.errorCode !== null) message.setErrorCode(record.errorCode, record);
  message.setCreated(Number.isNaN(record.eventMs) ? record.recordedMs : record.eventMs, record.isSend);
  message.setNewestRecorded(record.recordedMs);
}

/** Folds one record into a message. Any order, any number of duplicates: the outcome is the same. */
export function foldRecord(message: RuledMessage, record: RuledRecord): void {
  if (record.isNotFound) {
    // A not-found poll is no status: it never becomes, or hides, the latest status. The latest such poll is kept.
    const held = message.notFoundMs();
    if (held === undefined || record.recordedMs > held) message.setNotFound(record.recordedMs);
  } else {
    // 1. The latest status: higher rank wins; at equal rank the later event_at (a known time beats none), then recorded_at.
    //    While only not-found polls are known the message has no status (''), and any status at all is its latest.
    const noStatusYet = message.status === '';
    if (noStatusYet || compareStatusMs(record.status, record.eventMs, record.recordedMs, message.status, message.eventMs, message.recordedMs) > 0)
      message.setLatest(record);
    // 2. The error code of the latest record that had one, by the same order: a later record without a code never erases it.
    if (record.errorCode !== null) {
      const origin = message.errorOrigin();
      if (!origin || compareStatusMs(record.status, record.eventMs, record.recordedMs, origin.status, origin.eventMs, origin.recordedMs) > 0) {
        message.setErrorCode(record.errorCode, record);
      }
    }
  }
  // 3. Creation time: the send record's event_at (Twilio's date_created) wins over any other record; without one,
  //    the earliest time any record tells (its event_at, else its recorded_at).
  const tellsMs = Number.isNaN(record.eventMs) ? record.recordedMs : record.eventMs;
  if (record.isSend && (!message.createdFromSend || record.eventMs < message.createdMs)) message.setCreated(record.eventMs, true);
  else if (!message.createdFromSend && tellsMs < message.createdMs) message.setCreated(tellsMs, false);
  // 4. When the archive last heard of the message: the newest recorded_at.
  if (record.recordedMs > message.newestRecordedMs) message.setNewestRecorded(record.recordedMs);
}
