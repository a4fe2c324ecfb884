/**
 * Where DuckDB and Athena (Trino) SQL differ, and nothing else: the
 * categories' SQL (categories.ts) is written once with these few
 * expressions, and each engine renders them in its own dialect.
 */
export interface SqlDialect {
  name: 'duckdb' | 'trino';
  /** An ISO-8601 instant (`2026-11-27T21:05:33.123Z`) as epoch milliseconds (BIGINT). */
  epochMs(iso: string): string;
  /** True when `predicate` (over the 1-based position `i`) holds at every position 1..n. */
  everyPosition(n: string, predicate: string): string;
  /** True when it holds at some position 1..n. */
  somePosition(n: string, predicate: string): string;
  /** The number of rows aggregated, as a list of strings (sorted). */
  sortedList(expr: string): string;
}

export const DUCKDB: SqlDialect = {
  name: 'duckdb',
  epochMs: (iso) => `epoch_ms(CAST(${iso} AS TIMESTAMPTZ))`,
  everyPosition: (n, predicate) => `coalesce(list_bool_and(list_transform(range(1, (${n}) + 1), i -> ${predicate})), true)`,
  somePosition: (n, predicate) => `coalesce(list_bool_or(list_transform(range(1, (${n}) + 1), i -> ${predicate})), false)`,
  sortedList: (expr) => `list_sort(list(${expr}))`,
};

export const TRINO: SqlDialect = {
  name: 'trino',
  epochMs: (iso) => `CAST(to_unixtime(from_iso8601_timestamp(${iso})) * 1000 AS BIGINT)`,
  everyPosition: (n, predicate) => `(${n} = 0 OR all_match(sequence(1, ${n}), i -> ${predicate}))`,
  somePosition: (n, predicate) => `(${n} > 0 AND any_match(sequence(1, ${n}), i -> ${predicate}))`,
  sortedList: (expr) => `array_sort(array_agg(${expr}))`,
};

/** Every character of `text` matching `pattern` (a character class) removed. */
export function removeAll(dialect: SqlDialect, text: string, pattern: string): string {
  return dialect.name === 'duckdb' ? `regexp_replace(${text}, '${pattern}', '', 'g')` : `regexp_replace(${text}, '${pattern}', '')`;
}

/** The first match of `pattern` in `text`, or '' (Trino answers NULL where DuckDB answers ''). */
export function firstMatch(text: string, pattern: string): string {
  return `coalesce(regexp_extract(${text}, '${pattern}'), '')`;
}

/**
 * Named parameters (`:name`) bound, never spliced: DuckDB takes `$name`;
 * Trino (Athena's ExecutionParameters) takes `?` in order, so the names are
 * returned in the order their values must be given.
 */
export function bindParameters(dialect: SqlDialect, sql: string): { text: string; order: string[] } {
  const order: string[] = [];
  // String literals are matched first and kept as they are: a ':word' inside quotes is text, not a parameter.
  const text = sql.replace(/'(?:[^']|'')*'|(?<![:\w]):([a-z_]+)\b/g, (match, name: string | undefined) => {
    if (name === undefined) return match;
    order.push(name);
    return dialect.name === 'duckdb' ? `$${name}` : '?';
  });
  return { text, order };
}
