/**
 * The report's chart of callback lag: time from a message's creation to the
 * archive's record of its final status, in buckets (upper bounds in ms). One
 * definition for the streaming report (lagBucket) and the SQL engines, which
 * count the buckets where the verdicts are (lagBucketSql).
 */
export const LAG_BUCKETS: readonly (readonly [label: string, upperMs: number])[] = [
  ['< 1 min', 60_000],
  ['1–5 min', 300_000],
  ['5–15 min', 900_000],
  ['15–60 min', 3_600_000],
  ['1–6 h', 21_600_000],
  ['6–24 h', 86_400_000],
  ['> 24 h', Infinity],
];

/** The bucket's index; a lag that cannot be told (NaN) goes to the last, as a lag past every bound does. */
export function lagBucket(ms: number): number {
  const i = LAG_BUCKETS.findIndex(([, upper]) => Math.max(0, ms) < upper);
  return i === -1 ? LAG_BUCKETS.length - 1 : i;
}

/** lagBucket in SQL, over two BIGINT columns of epoch milliseconds (NULL where unknown). */
export function lagBucketSql(recordedMs: string, createdMs: string): string {
  const last = LAG_BUCKETS.length - 1;
  const bounded = LAG_BUCKETS.flatMap(([, upper], i) =>
    Number.isFinite(upper) ? [`WHEN greatest(0, ${recordedMs} - ${createdMs}) < ${upper} THEN ${i}`] : [],
  );
  return `(CASE WHEN ${recordedMs} IS NULL OR ${createdMs} IS NULL THEN ${last} ${bounded.join(' ')} ELSE ${last} END)`;
}
