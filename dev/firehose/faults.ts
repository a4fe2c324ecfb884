/**
 * Failures the local Firehose can be told to inject, for tests and for trying
 * the ingest path under trouble by hand (POST /__local/faults).
 */
export interface FaultPlan {
  /**
   * - `throttle`: 503 ServiceUnavailableException ("slow down"), records not taken;
   * - `internal`: 500 InternalFailure, records not taken;
   * - `partial`: PutRecordBatch answers 200 with some records failed (PutRecord fails whole, as 503);
   * - `slow`: answer after `delayMs`; with `takeRecords` (the default) the records are taken at
   *   once and the late answer is a success, which is how a client timeout can hide a successful
   *   write; without, nothing is taken and the late answer is a 500;
   * - `none`: healthy.
   */
  mode: 'none' | 'throttle' | 'internal' | 'partial' | 'slow';
  /** How many requests to affect; unset: all until the plan changes. */
  count?: number;
  /** Probability that a request (for `partial`: a record) is affected. @default 1 (0.5 for partial) */
  rate?: number;
  /** For `slow`. @default 3000 */
  delayMs?: number;
  /** For `slow`: take the records (and answer success late) or not (and answer 500 late). @default true */
  takeRecords?: boolean;
}

export const HEALTHY: FaultPlan = { mode: 'none' };

export function parseFaultPlan(input: unknown): FaultPlan {
  if (typeof input !== 'object' || input === null) throw new Error('a fault plan is a JSON object');
  const plan = input as Record<string, unknown>;
  const modes = ['none', 'throttle', 'internal', 'partial', 'slow'];
  if (typeof plan.mode !== 'string' || !modes.includes(plan.mode)) throw new Error(`mode must be one of ${modes.join(', ')}`);
  const optionalNumber = (name: string, min: number, max: number) => {
    const value = plan[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !(value >= min && value <= max)) throw new Error(`${name} must be a number from ${min} to ${max}`);
    return value;
  };
  if (plan.takeRecords !== undefined && typeof plan.takeRecords !== 'boolean') throw new Error('takeRecords must be true or false');
  return {
    mode: plan.mode as FaultPlan['mode'],
    count: optionalNumber('count', 0, Number.MAX_SAFE_INTEGER),
    rate: optionalNumber('rate', 0, 1),
    delayMs: optionalNumber('delayMs', 0, 600_000),
    takeRecords: plan.takeRecords,
  };
}
