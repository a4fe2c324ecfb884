/**
 * Status rules shared by every reader of the archive (docs/archive-format.md,
 * "Status rules"): which statuses are final, and which record of a message
 * tells its latest status when records arrive late, twice, or out of order.
 */

/** A message in one of these states will not change again (but `read` may follow `delivered`). */
export const FINAL_STATUSES: ReadonlySet<string> = new Set([
  'delivered',
  'undelivered',
  'failed',
  'canceled',
  'partially_delivered',
  'read',
]);

const STATUS_RANK: ReadonlyMap<string, number> = new Map([
  ['accepted', 1],
  ['scheduled', 1],
  ['queued', 1],
  ['sending', 2],
  ['sent', 3],
  ['delivered', 4],
  ['undelivered', 4],
  ['failed', 4],
  ['canceled', 4],
  ['partially_delivered', 4],
  ['read', 5],
]);

/** Statuses we do not know (new ones Twilio adds, inbound ones) rank below all others. */
export const UNKNOWN_STATUS_RANK = 0;

export function isFinalStatus(status: string): boolean {
  return FINAL_STATUSES.has(status);
}

export function statusRank(status: string): number {
  return STATUS_RANK.get(status) ?? UNKNOWN_STATUS_RANK;
}

/** The parts of a record the rules look at. */
export interface StatusObservation {
  status: string;
  error_code: string | null;
  event_at: string | null;
  recorded_at: string;
}

/**
 * Orders two observations of one message: positive when `a` is the later
 * status. Rank first; ties by `event_at` (a known time beats an unknown one),
 * then by `recorded_at`. ISO-8601 UTC strings of one format compare as text.
 */
export function compareObservations(a: StatusObservation, b: StatusObservation): number {
  return compareStatusTimes(a.status, a.event_at, a.recorded_at, b.status, b.event_at, b.recorded_at);
}

/** compareObservations on loose fields, for readers that keep no observation objects. */
export function compareStatusTimes(
  aStatus: string,
  aEventAt: string | null,
  aRecordedAt: string,
  bStatus: string,
  bEventAt: string | null,
  bRecordedAt: string,
): number {
  const byRank = statusRank(aStatus) - statusRank(bStatus);
  if (byRank !== 0) return byRank;
  const byEvent = compareNullableIso(aEventAt, bEventAt);
  if (byEvent !== 0) return byEvent;
  return compareIso(aRecordedAt, bRecordedAt);
}

/**
 * compareStatusTimes on times as epoch milliseconds (NaN for an unknown
 * `event_at`), for readers that hold times as numbers. The same rule.
 */
export function compareStatusMs(aStatus: string, aEventMs: number, aRecordedMs: number, bStatus: string, bEventMs: number, bRecordedMs: number): number {
  const byRank = statusRank(aStatus) - statusRank(bStatus);
  if (byRank !== 0) return byRank;
  const aKnown = !Number.isNaN(aEventMs);
  const bKnown = !Number.isNaN(bEventMs);
  if (aKnown !== bKnown) return aKnown ? 1 : -1;
  if (aKnown && aEventMs !== bEventMs) return aEventMs - bEventMs;
  return aRecordedMs - bRecordedMs;
}

/** A message's state as the archive tells it. */
export interface MessageStatusState {
  /** The observation that tells the latest status. */
  latest: StatusObservation;
  /** The latest observation that carried an error code: later records without one never erase it. */
  latestWithError: StatusObservation | null;
}

/**
 * Folds one more observation into a message's state. The result does not
 * depend on the order of arrival, and duplicates change nothing, so a reader
 * can fold records as it streams them.
 */
export function foldObservation(state: MessageStatusState | undefined, next: StatusObservation): MessageStatusState {
  const carriesError = next.error_code !== null;
  if (!state) return { latest: next, latestWithError: carriesError ? next : null };
  return {
    latest: compareObservations(next, state.latest) > 0 ? next : state.latest,
    latestWithError:
      carriesError && (state.latestWithError === null || compareObservations(next, state.latestWithError) > 0)
        ? next
        : state.latestWithError,
  };
}

/** The error code the archive holds for a message. */
export function errorCodeOf(state: MessageStatusState): string | null {
  return state.latestWithError?.error_code ?? null;
}

function compareNullableIso(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return compareIso(a, b);
}

function compareIso(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
