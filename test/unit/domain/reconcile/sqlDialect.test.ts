import { CATEGORY_QUERIES, categoryStatement, type CategoryQuery } from '../../../../src/domain/reconcile/sql/categories';
import { bindParameters, DUCKDB, TRINO } from '../../../../src/domain/reconcile/sql/dialect';
import { archiveLineTables, lineCensusStatement } from '../../../../src/domain/reconcile/sql/archiveLines';
import { staleMessagesStatement } from '../../../../src/domain/reconcile/sql/staleMessages';
import { FINAL_STATUSES, STATUS_RANK } from '../../../../src/domain/statusRules';

/** Each lambda's body: from its arrow to the parenthesis that closes the call it is an argument of. */
function lambdaBodies(sql: string): string[] {
  const bodies: string[] = [];
  for (let at = sql.indexOf('->'); at !== -1; at = sql.indexOf('->', at + 2)) {
    let depth = 0;
    let end = at + 2;
    for (; end < sql.length && depth >= 0; end++) depth += sql[end] === '(' ? 1 : sql[end] === ')' ? -1 : 0;
    bodies.push(sql.slice(at + 2, end));
  }
  return bodies;
}

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

  it("renders the Athena engine's statements (the archive's lines checked in SQL, the census, the stale scan) in Trino's functions only, every value a marker", () => {
    const statements = [
      lineCensusStatement(TRINO),
      staleMessagesStatement(TRINO),
      ...(Object.keys(CATEGORY_QUERIES) as CategoryQuery[]).map((q) => categoryStatement(TRINO, q, archiveLineTables(TRINO))),
    ];
    for (const statement of statements) {
      const { text, order } = bindParameters(TRINO, statement);
      expect(text).not.toMatch(/json_extract_string|json_valid|json_type|regexp_matches|list_transform|array_to_string|epoch_ms|(?<!")\$[a-z_]+/);
      expect(text).toMatch(/FROM record_lines/);
      expect(text).toMatch(/json_extract_scalar|try\(json_parse/);
      // One marker per value, nothing else looks like one, and no parameter is inside a lambda (a column carries it there).
      const outsideLiterals = text.replace(/'(?:[^']|'')*'/g, "''");
      expect((outsideLiterals.match(/\?/g) ?? []).length).toBe(order.length);
      expect(lambdaBodies(outsideLiterals).filter((body) => body.includes('?'))).toEqual([]);
      expect(order).toEqual(expect.arrayContaining(['hour_from', 'hour_to', 'redact_digits']));
    }
    for (const statement of [lineCensusStatement(DUCKDB), staleMessagesStatement(DUCKDB)]) {
      expect(statement).not.toMatch(/json_extract_scalar|json_parse|regexp_like|all_match|array_join/);
    }
  });
});
