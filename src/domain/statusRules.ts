/**
 * Status rules shared by every reader of the archive (docs/archive-format.md,
 * "Status rules"): which statuses are final, and which record of a message
 * tells its latest status when records arrive late, twice, or out of order.
 */

/**
 * A message in one of these states will not change again (but `read` may
 * follow `delivered`). `received` is an inbound message's last status
 * (Event Streams' inbound events): final, or the poller would ask about every
 * inbound message twelve hours on.
 */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['delivered', 'undelivered', 'failed', 'canceled', 'partially_delivered', 'read', 'received']);

export const STATUS_RANK: ReadonlyMap<string, number> = new Map([
  ['accepted', 1],
  ['scheduled', 1],
  ['queued', 1],
  ['sending', 2],
  ['receiving', 2],
  ['sent', 3],
  ['delivered', 4],
  ['undelivered', 4],
  ['failed', 4],
  ['canceled', 4],
  ['partially_delivered', 4],
  ['received', 4],
  ['read', 5],
]);

/** Statuses we do not know (new ones Twilio adds) rank below all others. */
export const UNKNOWN_STATUS_RANK = 0;

export function isFinalStatus(status: string): boolean {
  return FINAL_STATUSES.has(status);
}

export function statusRank(status: string): number {
  return STATUS_RANK.get(status) ?? UNKNOWN_STATUS_RANK;
}

/**
 * Orders two observations of one message: positive when `a` is the later
 * status. Rank first; ties by `event_at` (a known time beats an unknown one,
 * NaN here), then by `recorded_at`. Times are epoch milliseconds.
 */
export function compareStatusMs(aStatus: string, aEventMs: number, aRecordedMs: number, bStatus: string, bEventMs: number, bRecordedMs: number): number {
  const byRank = statusRank(aStatus) - statusRank(bStatus);
  if (byRank !== 0) return byRank;
  const aKnown = !Number.isNaN(aEventMs);
  const bKnown = !Number.isNaN(bEventMs);
  if (aKnown !== bKnown) return aKnown ? 1 : -1;
  if (aKnown && aEventMs !== bEventMs) return aEventMs - bEventMs;
  if (aRecordedMs !== bRecordedMs) return aRecordedMs - bRecordedMs;
  // Two statuses of one rank told at the same instants (a callback and an event that disagree): the greater name, so
  // that the outcome never depends on which was read first (every engine reads in its own order).
  return aStatus < bStatus ? -1 : aStatus > bStatus ? 1 : 0;
}
