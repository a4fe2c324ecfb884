import { isResolved, type MessageState } from './messageState';

export interface StaleCriteria {
  now: Date;
  /** A message is stale when the archive has heard nothing of it for this long. */
  olderThanMs: number;
  /** Consider only messages created at or after this time. */
  since?: Date;
  /** Consider only messages created before this time. */
  until?: Date;
}

/**
 * - `out_of_window`: created outside --since/--until;
 * - `final`: the archive already holds a final status;
 * - `not_found`: an earlier poll found that Twilio has no such message;
 * - `fresh`: not final, but the archive heard of it recently: wait for callbacks;
 * - `stale`: not final, and silent for longer than the threshold: poll it.
 */
export type StaleClass = 'out_of_window' | 'final' | 'not_found' | 'fresh' | 'stale';

export function classifyMessage(state: MessageState, criteria: StaleCriteria): StaleClass {
  if (criteria.since && state.createdMs < criteria.since.getTime()) return 'out_of_window';
  if (criteria.until && state.createdMs >= criteria.until.getTime()) return 'out_of_window';
  if (isResolved(state)) return 'final';
  if (state.notFoundAt !== null) return 'not_found';
  return criteria.now.getTime() - state.newestRecordedMs >= criteria.olderThanMs ? 'stale' : 'fresh';
}
