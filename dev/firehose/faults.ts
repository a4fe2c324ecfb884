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
   * - `mix`: each request draws one of the above by the shares in `mix` (the rest healthy), as
   *   real trouble comes: a few throttles, fewer errors, the odd slow answer, all at once;
   * - `none`: healthy.
   */
  mode: 'none' | 'throttle' | 'internal' | 'partial' | 'slow' | 'mix';
  /** For `mix`: the share of requests (0–1) each fault takes; they add up to at most 1. */
  mix?: Partial<Record<InjectedFault, number>>;
  /** How many requests to affect; unset: all until the plan changes. */
  count?: number;
  /** Probability that a request (for `partial`, and for a partial batch under `mix`: a record) is affected. @default 1 (0.5 for partial) */
  rate?: number;
  /** For `slow`. @default 3000 */
  delayMs?: number;
  /** For `partial`: exactly these positions of each affected batch fail, instead of a random share. */
  failRecords?: number[];
  /** For `slow`: take the records (and answer success late) or not (and answer 500 late). @default true */
  takeRecords?: boolean;
}

/** The faults a request can meet. */
export type InjectedFault = 'throttle' | 'internal' | 'partial' | 'slow';
const INJECTED_FAULTS: InjectedFault[] = ['throttle', 'internal', 'partial', 'slow'];

export const HEALTHY: FaultPlan = { mode: 'none' };

/** Which fault one request meets under a `mix` plan, by a uniform draw `r` in [0, 1). */
export function faultOfMix(mix: FaultPlan['mix'], r: number): InjectedFault | 'none' {
  let upTo = 0;
  for (const fault of INJECTED_FAULTS) {
    upTo += mix?.[fault] ?? 0;
    if (r < upTo) return fault;
  }
  return 'none';
}

export function parseFaultPlan(input: unknown): FaultPlan {
  if (typeof input !== 'object' || input === null) throw new Error('a fault plan is a JSON object');
  const plan = input as Record<string, unknown>;
  const modes = ['none', 'throttle', 'internal', 'partial', 'slow', 'mix'];
  if (typeof plan.mode !== 'string' || !modes.includes(plan.mode)) throw new Error(`mode must be one of ${modes.join(', ')}`);
  const optionalNumber = (name: string, min: number, max: number) => {
    const value = plan[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !(value >= min && value <= max)) throw new Error(`${name} must be a number from ${min} to ${max}`);
    return value;
  };
  if (plan.takeRecords !== undefined && typeof plan.takeRecords !== 'boolean') throw new Error('takeRecords must be true or false');
  const failRecords = plan.failRecords;
  if (failRecords !== undefined && !(Array.isArray(failRecords) && failRecords.every((i) => Number.isInteger(i) && (i as number) >= 0))) {
    throw new Error('failRecords must be a list of record positions (whole numbers from 0)');
  }
  let mix: FaultPlan['mix'];
  if (plan.mode === 'mix') {
    if (typeof plan.mix !== 'object' || plan.mix === null) throw new Error('mode mix needs mix: the share of each fault');
    mix = {};
    for (const [name, share] of Object.entries(plan.mix as Record<string, unknown>)) {
      if (!INJECTED_FAULTS.includes(name as InjectedFault)) throw new Error(`mix: unknown fault ${name}; one of ${INJECTED_FAULTS.join(', ')}`);
      if (typeof share !== 'number' || !(share >= 0 && share <= 1)) throw new Error(`mix.${name} must be a share from 0 to 1`);
      mix[name as InjectedFault] = share;
    }
    if (Object.values(mix).reduce((total, share) => total + share, 0) > 1) throw new Error('mix: the shares add up to more than 1');
  }
  return {
    mix,
    mode: plan.mode as FaultPlan['mode'],
    count: optionalNumber('count', 0, Number.MAX_SAFE_INTEGER),
    rate: optionalNumber('rate', 0, 1),
    delayMs: optionalNumber('delayMs', 0, 600_000),
    takeRecords: plan.takeRecords,
    failRecords: failRecords as number[] | undefined,
  };
}
