/**
 * Exponential backoff with full jitter (a random wait between 0 and the
 * exponential ceiling), the one formula every retry loop here uses: the
 * Function's Firehose writes, the commands' batch appends, the Twilio client.
 * Jitter keeps many retrying writers from retrying in step.
 */
export interface Backoff {
  /** The ceiling of the first retry's wait. */
  baseMs: number;
  /** No wait is longer than this. */
  capMs: number;
}

/** The wait before retry number `retry` (1 for the first retry), given a random number in [0, 1). */
export function backoffDelay(retry: number, backoff: Backoff, random: number): number {
  return Math.round(random * Math.min(backoff.capMs, backoff.baseMs * 2 ** retry));
}
