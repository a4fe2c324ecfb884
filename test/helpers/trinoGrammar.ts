/**
 * Trino's grammar as a check of the statements Athena is sent: dt-sql-parser's
 * TrinoSQL, an ANTLR build of an adaptation of Trino's own grammar (SqlBase.g4,
 * Trino 450). It parses; it does not know Trino's functions or types, so it
 * catches syntax (a lost parenthesis, a DuckDB `$name` or `::` cast,
 * `SELECT * EXCLUDE`) and nothing that only an engine would refuse.
 *
 * The package ships only an ES module build whose imports name directories
 * and extensionless files, which Node's ESM loader (and so Jest) cannot
 * resolve. esbuild (already here for the Functions' bundle) bundles its Trino
 * part alone, with the few lines below that read statements and answer their
 * errors, into one CommonJS file under node_modules/.cache/, named by what it
 * is built from: built once per install (about 0.2 s), never committed, and
 * `npm ci` starts it anew.
 *
 * It runs in a Node.js process of its own, not in Jest's: under Jest, iterating
 * a string with for…of is some 30 times slower (measured: 2 million 8-character
 * strings, 6 s in a Jest test, 0.2 s in plain Node), and ANTLR hashes every
 * string that way, so the statements took 15 s there and take 3 s here.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync, version as esbuildVersion } from 'esbuild';

const root = join(__dirname, '..', '..');

// The Trino parser only (the package's index would bring in its six other dialects' parsers, ten times the size);
// statements in on stdin as a JSON list, each one's errors out on stdout, in order.
const ENTRY = `
import { readFileSync } from 'node:fs';
import { TrinoSQL } from 'dt-sql-parser/dist/parser/trino';
const parser = new TrinoSQL();
const statements = JSON.parse(readFileSync(0, 'utf8'));
const errors = statements.map((sql) => parser.validate(sql).map((e) => e.startLine + ':' + e.startColumn + ' ' + e.message));
process.stdout.write(JSON.stringify(errors));
`;

/** The bundle's path, built first when this install has none. */
function trinoBundle(): string {
  // dt-sql-parser pins its ANTLR runtime (antlr4ng, antlr4-c3) to exact versions: its own version names them too.
  const parserVersion = (JSON.parse(readFileSync(require.resolve('dt-sql-parser/package.json'), 'utf8')) as { version: string }).version;
  const key = createHash('sha256')
    .update(JSON.stringify([ENTRY, parserVersion, esbuildVersion]))
    .digest('hex')
    .slice(0, 16);
  const dir = join(root, 'node_modules', '.cache', 'trino-grammar');
  const file = join(dir, `trino-sql-${key}.cjs`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  // Written aside, then renamed: a run that reads the bundle while another writes it never reads half of one.
  const partial = `${file}.${process.pid}.partial`;
  buildSync({
    stdin: { contents: ENTRY, resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile: partial,
    legalComments: 'none',
    logLevel: 'error',
  });
  renameSync(partial, file);
  // A bundle of another version is never read again.
  for (const name of readdirSync(dir)) if (name.endsWith('.cjs') && join(dir, name) !== file) rmSync(join(dir, name), { force: true });
  return file;
}

/** Trino's syntax errors in each statement (`line:column message`), in order; an empty list for one Trino's grammar parses. */
export function trinoSyntaxErrors(statements: readonly string[]): string[][] {
  const run = spawnSync(process.execPath, [trinoBundle()], {
    input: JSON.stringify(statements),
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  // The parser also prints what it finds on stderr (ANTLR's console listener): only a failed run's is worth showing.
  if (run.status !== 0) throw new Error(`Trino's grammar did not run (${run.error?.message ?? `exit ${run.status ?? run.signal}`}): ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}
