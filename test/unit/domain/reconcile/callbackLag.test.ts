import { DuckDBInstance } from '@duckdb/node-api';
import { LAG_BUCKETS, lagBucket, lagBucketSql } from '../../../../src/domain/reconcile/callbackLag';

describe('the callback-lag chart, counted in TypeScript and in SQL', () => {
  it('puts every lag in the same bucket in both: the bounds, either side of them, below zero, and unknown times', async () => {
    const bounds = LAG_BUCKETS.flatMap(([, upper]) => (Number.isFinite(upper) ? [upper - 1, upper, upper + 1] : []));
    const cases: [recorded: number | null, created: number | null][] = [
      ...[0, -5_000, 3 * 86_400_000, ...bounds].map((lag): [number, number] => [1_764_000_000_000 + lag, 1_764_000_000_000]),
      [null, 1_764_000_000_000],
      [1_764_000_000_000, null],
    ];
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const values = cases.map(([r, c], i) => `(${i}, ${r ?? 'NULL'}::BIGINT, ${c ?? 'NULL'}::BIGINT)`).join(', ');
      const result = await connection.runAndReadAll(`SELECT ${lagBucketSql('r', 'c')} AS bucket FROM (VALUES ${values}) t(i, r, c) ORDER BY i`);
      const inSql = result.getRows().map(([bucket]) => Number(bucket));
      const inTypeScript = cases.map(([r, c]) => lagBucket((r ?? NaN) - (c ?? NaN)));
      expect(inSql).toEqual(inTypeScript);
      // The cases reach every bucket, so that a shifted bound could not pass unseen.
      expect(new Set(inTypeScript).size).toBe(LAG_BUCKETS.length);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
