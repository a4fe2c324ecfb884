/**
 * Where DuckDB and Athena (Trino) SQL differ, and nothing else: the
 * categories' SQL (categories.ts) is written once with these few
 * expressions, and each engine renders them in its own dialect.
 */
export interface SqlDialect {
  name: 'duckdb' | 'trino';
  /** An ISO-8601 instant (`2026-11-27T21:05:33.123Z`) as epoch milliseconds (BIGINT). */
  epochMs(iso: string): string;
  /** True when epochMs would convert `iso` (a real date and clock), false where it would fail the whole query. */
  isInstant(iso: string): string;
  /** Epoch milliseconds (BIGINT) as the archive writes an instant: `2026-11-27T21:05:33.123Z` (Date.toISOString). */
  isoOfEpochMs(ms: string): string;
  /** True when `predicate` (over the 1-based position `i`) holds at every position 1..n. */
  everyPosition(n: string, predicate: string): string;
  /** True when it holds at some position 1..n. */
  somePosition(n: string, predicate: string): string;
  /** The number of rows aggregated, as a list of strings (sorted). */
  sortedList(expr: string): string;
  /** The strings `expr` gives at each position 1..n (n ≥ 1), joined. */
  joinPositions(n: string, expr: string): string;
  /** `text` parses as JSON. */
  isJson(text: string): string;
  /** `text` parses as one JSON object. */
  isJsonObject(text: string): string;
  /** The JSON text of the value at `path` (`"a"`, `1`, `null`, `{…}`), or NULL when the key is absent. */
  jsonValue(doc: string, path: string): string;
  /** The scalar at `path` as SQL text (a string unescaped), NULL when absent or JSON null. */
  jsonText(doc: string, path: string): string;
  /**
   * The JSON texts at `paths` of `doc`, read once: a column to select once per
   * line, for valueAt and textAt. DuckDB parses the line once for them all
   * (a path's own json_extract parses it again each time, and a line's checks
   * read some forty); Trino's answer is NULL, and each path is read where it is
   * used, as before.
   */
  jsonValues(doc: string, paths: readonly string[]): string;
  /** jsonValue(doc, path), from the column `values` that jsonValues(doc, paths) made. */
  valueAt(values: string, doc: string, paths: readonly string[], path: string): string;
  /** jsonText(doc, path), from the same. */
  textAt(values: string, doc: string, paths: readonly string[], path: string): string;
  /** `text` matches the regular expression somewhere (anchor it to match the whole). */
  matches(text: string, pattern: string): string;
}

export const DUCKDB: SqlDialect = {
  name: 'duckdb',
  epochMs: (iso) => `epoch_ms(CAST(${iso} AS TIMESTAMPTZ))`,
  isInstant: (iso) => `(try_cast(${iso} AS TIMESTAMPTZ) IS NOT NULL)`,
  isoOfEpochMs: (ms) => `(strftime(make_timestamp(CAST(${ms} AS BIGINT) * 1000), '%Y-%m-%dT%H:%M:%S.%g') || 'Z')`,
  everyPosition: (n, predicate) => `coalesce(list_bool_and(list_transform(range(1, (${n}) + 1), i -> ${predicate})), true)`,
  somePosition: (n, predicate) => `coalesce(list_bool_or(list_transform(range(1, (${n}) + 1), i -> ${predicate})), false)`,
  sortedList: (expr) => `list_sort(list(${expr}))`,
  joinPositions: (n, expr) => `array_to_string(list_transform(range(1, (${n}) + 1), i -> ${expr}), '')`,
  isJson: (text) => `coalesce(json_valid(${text}), false)`,
  // One parse: try() answers NULL for text that is not JSON (json_type raises on it).
  isJsonObject: (text) => `coalesce(try(json_type(${text})) = 'OBJECT', false)`,
  // DuckDB's JSON functions raise on text that is not JSON (Trino's answer NULL): the CASE keeps it from them.
  jsonValue: (doc, path) => `(CASE WHEN json_valid(${doc}) THEN CAST(json_extract(${doc}, '${path}') AS VARCHAR) END)`,
  jsonText: (doc, path) => `(CASE WHEN json_valid(${doc}) THEN json_extract_string(${doc}, '${path}') END)`,
  // try(): NULL for a line that is not JSON (DuckDB's json_extract raises where Trino's answers NULL).
  jsonValues: (doc, paths) => `try(CAST(json_extract(${doc}, [${paths.map((p) => `'${p}'`).join(', ')}]) AS VARCHAR[]))`,
  valueAt: (values, _doc, paths, path) => `${values}[${positionOf(paths, path)}]`,
  textAt: (values, _doc, paths, path) => `json_extract_string(${values}[${positionOf(paths, path)}], '$')`,
  matches: (text, pattern) => `regexp_matches(${text}, '${pattern}')`,
};

/** A path's 1-based place among those read once; a path not among them is a mistake in the statement's code. */
function positionOf(paths: readonly string[], path: string): number {
  const at = paths.indexOf(path);
  if (at === -1) throw new Error(`${path} is not among the JSON paths read once (${paths.join(', ')})`);
  return at + 1;
}

export const TRINO: SqlDialect = {
  name: 'trino',
  epochMs: (iso) => `CAST(to_unixtime(from_iso8601_timestamp(${iso})) * 1000 AS BIGINT)`,
  isInstant: (iso) => `(try(from_iso8601_timestamp(${iso})) IS NOT NULL)`,
  // from_unixtime_nanos gives the instant in UTC; the pattern is Joda's, the letters T and Z quoted.
  isoOfEpochMs: (ms) => `format_datetime(from_unixtime_nanos(CAST(${ms} AS BIGINT) * 1000000), 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''')`,
  everyPosition: (n, predicate) => `(${n} = 0 OR all_match(sequence(1, ${n}), i -> ${predicate}))`,
  somePosition: (n, predicate) => `(${n} > 0 AND any_match(sequence(1, ${n}), i -> ${predicate}))`,
  sortedList: (expr) => `array_sort(array_agg(${expr}))`,
  joinPositions: (n, expr) => `array_join(transform(sequence(1, ${n}), i -> ${expr}), '')`,
  isJson: (text) => `(try(json_parse(${text})) IS NOT NULL)`,
  isJsonObject: (text) => `coalesce(substr(json_format(try(json_parse(${text}))), 1, 1) = '{', false)`,
  // json_extract keeps a JSON null as the JSON value null (Presto's own tests: velox PR #6439), as DuckDB does.
  jsonValue: (doc, path) => `json_format(json_extract(${doc}, '${path}'))`,
  jsonText: (doc, path) => `json_extract_scalar(${doc}, '${path}')`,
  jsonValues: () => 'CAST(NULL AS VARCHAR)',
  valueAt: (_values, doc, paths, path) => {
    positionOf(paths, path);
    return TRINO.jsonValue(doc, path);
  },
  textAt: (_values, doc, paths, path) => {
    positionOf(paths, path);
    return TRINO.jsonText(doc, path);
  },
  matches: (text, pattern) => `regexp_like(${text}, '${pattern}')`,
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
