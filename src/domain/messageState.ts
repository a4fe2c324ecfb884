import type { RecordFacts } from './archiveLine';
import { compareStatusTimes, isFinalStatus } from './statusRules';

/** What the poller writes when Twilio answers 404 for a message (deleted, or never created). */
export const NOT_FOUND_STATUS = 'not_found';

/**
 * What the archive says about one message, folded from all its records by the
 * status rules (docs/archive-format.md). Flat on purpose: a scan holds one of
 * these per message, millions of them, and folds millions of records into
 * them without allocating.
 */
export interface MessageState {
  accountSid: string;
  /** The latest status and the times that ordered it. `''` while only a not-found poll is known. */
  status: string;
  eventAt: string | null;
  recordedAt: string;
  /** The error code of the latest record that had one (later records without one never erase it), and that record's order. */
  errorCode: string | null;
  errorStatus: string;
  errorEventAt: string | null;
  errorRecordedAt: string;
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
  /** Set by the reconciliation when Twilio's list holds the message. */
  listedByTwilio: boolean;
}

/**
 * Per-message state for a whole archive scan. Memory grows with the number of
 * distinct messages, never with the number of records; records may be folded
 * in any order, and duplicates change nothing.
 */
export class MessageStates {
  private readonly states = new Map<string, MessageState>();
  /** Statuses and account SIDs repeat millions of times: keep one copy of each. */
  private readonly interned = new Map<string, string>();

  get size(): number {
    return this.states.size;
  }

  get(messageSid: string): MessageState | undefined {
    return this.states.get(messageSid);
  }

  entries(): IterableIterator<[string, MessageState]> {
    return this.states.entries();
  }

  /** Folds one record in; records without a SID (`send_error`) are not message state. */
  fold(facts: RecordFacts): void {
    const sid = facts.message_sid;
    if (sid === null) return;
    // A not-found marker is no status: it must never become, or hide, the message's latest status.
    const isNotFound = facts.source === 'poll' && facts.status === NOT_FOUND_STATUS;
    const status = isNotFound ? '' : this.intern(facts.status);
    const tells = facts.event_at ?? facts.recorded_at;
    const state = this.states.get(sid);
    if (!state) {
      this.states.set(sid, {
        accountSid: this.intern(facts.account_sid),
        status,
        eventAt: facts.event_at,
        recordedAt: facts.recorded_at,
        errorCode: facts.error_code,
        errorStatus: status,
        errorEventAt: facts.event_at,
        errorRecordedAt: facts.recorded_at,
        createdAt: tells,
        createdFromSend: facts.source === 'send' && facts.event_at !== null,
        newestRecordedAt: facts.recorded_at,
        notFoundAt: isNotFound ? facts.recorded_at : null,
        listedByTwilio: false,
      });
      return;
    }
    if (!isNotFound) {
      if (compareStatusTimes(status, facts.event_at, facts.recorded_at, state.status, state.eventAt, state.recordedAt) > 0) {
        state.status = status;
        state.eventAt = facts.event_at;
        state.recordedAt = facts.recorded_at;
      }
      const errorIsLater =
        state.errorCode === null ||
        compareStatusTimes(status, facts.event_at, facts.recorded_at, state.errorStatus, state.errorEventAt, state.errorRecordedAt) > 0;
      if (facts.error_code !== null && errorIsLater) {
        state.errorCode = facts.error_code;
        state.errorStatus = status;
        state.errorEventAt = facts.event_at;
        state.errorRecordedAt = facts.recorded_at;
      }
    } else if (state.notFoundAt === null || facts.recorded_at > state.notFoundAt) {
      state.notFoundAt = facts.recorded_at;
    }
    if (facts.source === 'send' && facts.event_at !== null && (!state.createdFromSend || facts.event_at < state.createdAt)) {
      state.createdAt = facts.event_at;
      state.createdFromSend = true;
    } else if (!state.createdFromSend && tells < state.createdAt) {
      state.createdAt = tells;
    }
    if (facts.recorded_at > state.newestRecordedAt) state.newestRecordedAt = facts.recorded_at;
  }

  private intern(value: string): string {
    const known = this.interned.get(value);
    if (known !== undefined) return known;
    this.interned.set(value, value);
    return value;
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
