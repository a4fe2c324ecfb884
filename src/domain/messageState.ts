import type { RecordFacts } from './archiveLine';
import { errorCodeOf, foldObservation, isFinalStatus, type MessageStatusState } from './statusRules';

/** What the poller writes when Twilio answers 404 for a message (deleted, or never created). */
export const NOT_FOUND_STATUS = 'not_found';

/** What the archive says about one message, folded from all its records. */
export interface MessageState {
  accountSid: string;
  status: MessageStatusState;
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
    const observation = {
      status: this.intern(facts.status),
      error_code: facts.error_code,
      event_at: facts.event_at,
      recorded_at: facts.recorded_at,
    };
    const isNotFound = facts.source === 'poll' && facts.status === NOT_FOUND_STATUS;
    const tells = facts.event_at ?? facts.recorded_at;
    const existing = this.states.get(sid);
    if (!existing) {
      this.states.set(sid, {
        accountSid: this.intern(facts.account_sid),
        // A not-found marker is no status: it must not become the message's latest status.
        status: foldObservation(undefined, isNotFound ? { ...observation, status: '' } : observation),
        createdAt: tells,
        createdFromSend: facts.source === 'send',
        newestRecordedAt: facts.recorded_at,
        notFoundAt: isNotFound ? facts.recorded_at : null,
      });
      return;
    }
    if (!isNotFound) existing.status = foldObservation(existing.status, observation);
    if (facts.source === 'send' && facts.event_at !== null && (!existing.createdFromSend || facts.event_at < existing.createdAt)) {
      existing.createdAt = facts.event_at;
      existing.createdFromSend = true;
    } else if (!existing.createdFromSend && tells < existing.createdAt) {
      existing.createdAt = tells;
    }
    if (facts.recorded_at > existing.newestRecordedAt) existing.newestRecordedAt = facts.recorded_at;
    if (isNotFound && (existing.notFoundAt === null || facts.recorded_at > existing.notFoundAt)) existing.notFoundAt = facts.recorded_at;
  }

  private intern(value: string): string {
    const known = this.interned.get(value);
    if (known !== undefined) return known;
    this.interned.set(value, value);
    return value;
  }
}

export function latestStatus(state: MessageState): string {
  return state.status.latest.status;
}

export function isResolved(state: MessageState): boolean {
  return isFinalStatus(latestStatus(state));
}

export function errorCodeOfMessage(state: MessageState): string | null {
  return errorCodeOf(state.status);
}
