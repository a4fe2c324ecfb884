/**
 * Every statement the Athena engine sends, parsed by Trino's grammar
 * (test/helpers/trinoGrammar.ts) as Athena is sent it: rendered in the TRINO
 * dialect, its parameters bound as `?` markers. Nothing here runs on Athena;
 * what parses may still name a function Trino lacks (docs/reconciliation.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { alertStatement, archiveLineTables, historyObjectsStatement, lineCensusStatement } from '../../../../src/domain/reconcile/sql/archiveLines';
import { CATEGORY_QUERIES, categoryStatement, type CategoryQuery } from '../../../../src/domain/reconcile/sql/categories';
import { bindParameters, DUCKDB, TRINO } from '../../../../src/domain/reconcile/sql/dialect';
import { staleMessagesStatement } from '../../../../src/domain/reconcile/sql/staleMessages';
import { trinoSyntaxErrors } from '../../../helpers/trinoGrammar';

const root = join(__dirname, '..', '..', '..', '..');
const sqlDir = join(root, 'src', 'domain', 'reconcile', 'sql');

type HistoryBy = Parameters<typeof historyObjectsStatement>[1];

/** One lookup of each kind `history --engine athena` makes: a kind added to historyObjectsStatement does not compile here until it is listed. */
const HISTORY_LOOKUPS: { [K in HistoryBy['kind']]: Extract<HistoryBy, { kind: K }> } = {
  sid: { kind: 'sid' },
  client_ref: { kind: 'client_ref' },
  tag: { kind: 'tag', name: 'order_id' },
};

interface Statement {
  /** The exported function of src/domain/reconcile/sql that builds it. */
  builder: string;
  name: string;
  /** As Athena is sent it. */
  sql: string;
}

function statement(builder: string, name: string, sql: string): Statement {
  return { builder, name, sql: bindParameters(TRINO, sql).text };
}

/** Every statement the Athena engine sends (reconcile, poll-stale, history), each query and lookup kind enumerated, not named. */
const STATEMENTS: Statement[] = [
  statement('lineCensusStatement', 'lineCensusStatement', lineCensusStatement(TRINO)),
  statement('alertStatement', 'alertStatement', alertStatement(TRINO)),
  statement('staleMessagesStatement', 'staleMessagesStatement', staleMessagesStatement(TRINO)),
  ...(Object.keys(CATEGORY_QUERIES) as CategoryQuery[]).map((query) =>
    statement('categoryStatement', `categoryStatement ${query}`, categoryStatement(TRINO, query, archiveLineTables(TRINO))),
  ),
  ...Object.values(HISTORY_LOOKUPS).map((by) => statement('historyObjectsStatement', `historyObjectsStatement ${by.kind}`, historyObjectsStatement(TRINO, by))),
];

/** An error (`line:column message`) with its line of the statement as Athena is sent it, and a caret under the column. */
function where(sql: string, error: string): string {
  const [, line, column] = /^(\d+):(\d+)/.exec(error) ?? [];
  const text = sql.split('\n')[Number(line) - 1];
  if (text === undefined) return error;
  return `${error}\n  ${text}\n  ${' '.repeat(Math.max(0, Number(column) - 1))}^`;
}

/** The 1-based line of `text` where `fragment` starts (which must be there: the statement was broken as meant). */
function lineOf(text: string, fragment: string): number {
  const at = text.indexOf(fragment);
  if (at === -1) throw new Error(`"${fragment}" is not in the statement`);
  return text.slice(0, at).split('\n').length;
}

// The check can fail: statements that are not Trino SQL are reported, on the line where they break.
const census = lineCensusStatement(TRINO).replace('count_if(valid)', 'count_if(valid');
const duckHistory = bindParameters(DUCKDB, historyObjectsStatement(DUCKDB, { kind: 'sid' })).text;
const cast = historyObjectsStatement(TRINO, { kind: 'sid' }).replace('"$path" AS', '"$path"::VARCHAR AS');
const BROKEN: [what: string, sql: string, line: number, message: string][] = [
  ['a parenthesis lost', census, lineOf(census, 'count_if(valid AS'), 'is not valid at this position'],
  ["DuckDB's parameter markers", duckHistory, lineOf(duckHistory, '$hour_from'), "'$' is not valid"],
  ["DuckDB's :: cast", cast, lineOf(cast, '::VARCHAR'), "':' is not valid"],
  ["DuckDB's SELECT * EXCLUDE", 'SELECT * EXCLUDE (line) FROM record_lines', 1, "'EXCLUDE' is not valid"],
];

// Every statement's errors, the broken ones' after, from one parser: it learns the grammar on the first statement
// (most of the time it takes), the others go fast.
let errors: string[][] = [];
beforeAll(() => {
  errors = trinoSyntaxErrors([...STATEMENTS.map((s) => s.sql), ...BROKEN.map(([, sql]) => bindParameters(TRINO, sql).text)]);
});

describe("the Athena engine's statements in Trino's grammar", () => {
  it.each(STATEMENTS.map((s, i) => [s.name, i]))('%s parses as Trino SQL', (name, i) => {
    if (errors[i].length > 0) throw new Error(`${name} does not parse as Trino SQL:\n${errors[i].map((e) => where(STATEMENTS[i].sql, e)).join('\n')}`);
  });

  it('checks every statement builder of src/domain/reconcile/sql (each exported …Statement function)', async () => {
    const builders: string[] = [];
    for (const file of readdirSync(sqlDir).filter((name) => name.endsWith('.ts'))) {
      const exported = (await import(join(sqlDir, file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(exported)) if (typeof value === 'function' && name.endsWith('Statement')) builders.push(name);
    }
    const checked = new Set(STATEMENTS.map((s) => s.builder));
    const unchecked = builders.filter((name) => !checked.has(name));
    if (unchecked.length > 0) throw new Error(`not checked against Trino's grammar: ${unchecked.join(', ')}: add each statement it builds to STATEMENTS`);
    expect([...checked].sort()).toEqual(builders.sort());
  });

  it('finds SQL text nowhere else in src but DuckDB’s own adapter: a statement written elsewhere would escape this check', () => {
    const elsewhere: string[] = [];
    const sqlStart = /[`'"]\s*(SELECT|WITH|INSERT|CREATE|DROP|ALTER|MSCK|SHOW|DESCRIBE|EXPLAIN|UNLOAD|DELETE|UPDATE|MERGE)\s/;
    const src = join(root, 'src');
    for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'))) {
      const path = relative(root, join(src, file));
      if (path.startsWith(join('src', 'domain', 'reconcile', 'sql')) || path.startsWith(join('src', 'adapters', 'duckdb'))) continue;
      readFileSync(join(src, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (sqlStart.test(line)) elsewhere.push(`${path}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(elsewhere).toEqual([]);
  });
});

describe("Trino's grammar as a check", () => {
  it.each(BROKEN.map(([what, , line, message], i) => [what, line, message, STATEMENTS.length + i] as const))(
    'reports %s (line %i)',
    (_what, line, message, i) => {
      expect(errors[i]).toContainEqual(expect.stringMatching(new RegExp(`^${line}:\\d+ .*${message.replace(/[$*.]/g, '\\$&')}`)));
    },
  );
});
