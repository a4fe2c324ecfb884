import { CATEGORY_QUERIES, categoryStatement, type CategoryQuery } from '../../../../src/domain/reconcile/sql/categories';
import { bindParameters, DUCKDB, TRINO } from '../../../../src/domain/reconcile/sql/dialect';
import { FINAL_STATUSES, STATUS_RANK } from '../../../../src/domain/statusRules';

describe("the categories' SQL and its dialects", () => {
  it('binds named parameters: $name for DuckDB, ? in order for Trino (Athena ExecutionParameters), never values spliced in', () => {
    const sql = "SELECT * FROM t WHERE a >= :window_from AND b < :window_to AND c = ':not_a_parameter' AND d = :window_from";
    expect(bindParameters(DUCKDB, sql)).toEqual({
      text: "SELECT * FROM t WHERE a >= $window_from AND b < $window_to AND c = ':not_a_parameter' AND d = $window_from",
      order: ['window_from', 'window_to', 'window_from'],
    });
    expect(bindParameters(TRINO, sql).text).toBe("SELECT * FROM t WHERE a >= ? AND b < ? AND c = ':not_a_parameter' AND d = ?");
  });

  it('renders every rank and final status of the status rules, from the one definition', () => {
    const sql = categoryStatement(DUCKDB, 'statusVerdicts');
    for (const [status, rank] of STATUS_RANK) expect(sql).toContain(`WHEN '${status}' THEN ${rank}`);
    for (const status of FINAL_STATUSES) expect(sql).toContain(`'${status}'`);
  });

  it('writes the queries once: the dialects differ only in the few expressions the dialect layer renders', () => {
    for (const name of Object.keys(CATEGORY_QUERIES) as CategoryQuery[]) {
      const query = (d: typeof DUCKDB) => categoryStatement(d, name);
      const trino = query(TRINO);
      expect(trino).not.toMatch(/list_transform|list_bool|epoch_ms|TIMESTAMPTZ|'g'\)/);
      expect(trino).toMatch(/from_iso8601_timestamp/);
      const duck = query(DUCKDB);
      expect(duck).not.toMatch(/all_match|any_match|from_iso8601_timestamp|sequence\(/);
      // Same statement shape: identical once the dialect's expressions are blanked out.
      const shape = (text: string) =>
        text.replace(/epoch_ms\(CAST\((.*?) AS TIMESTAMPTZ\)\)|CAST\(to_unixtime\(from_iso8601_timestamp\((.*?)\)\) \* 1000 AS BIGINT\)/g, 'MS($1$2)');
      expect(shape(trino).split('\n').length).toBe(shape(duck).split('\n').length);
    }
  });
});
