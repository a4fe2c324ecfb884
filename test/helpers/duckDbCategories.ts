/**
 * The reconciliation's categories (src/domain/reconcile/sql) run in-process
 * on DuckDB, over relations this helper fills: the archive's facts as the
 * streaming reader gives them, and Twilio's masked rows. The differential
 * test holds the categories' SQL to the streaming engine's verdicts with it,
 * message by message, apart from how the lines are read and checked. (Once
 * `--engine duckdb` itself; now that engine reads the archive in DuckDB:
 * src/adapters/duckdb/nativeWarehouse.ts.)
 */
import { DuckDBDataChunk, DuckDBInstance, VARCHAR, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { RecordFacts } from '../../src/domain/archiveLine';
import type { TwilioMessageRow } from '../../src/domain/reconcile/twilioRow';
import { categorySelect, categoryTables, TWILIO_ROW_COLUMNS, twilioRowColumns, type CategoryQuery } from '../../src/domain/reconcile/sql/categories';
import { bindParameters, DUCKDB } from '../../src/domain/reconcile/sql/dialect';
import type { AttemptVerdict, CandidatePair, StatusVerdict, UnknownToTwilio } from '../../src/domain/reconcile/sql/verdictRows';

export type { AttemptVerdict, CandidatePair, StatusVerdict, UnknownToTwilio };

export interface CategoryParameters {
  /** The window: messages created in [from, to), ISO-8601 instants. */
  windowFrom: string;
  windowTo: string;
  matchWindowMs: number;
  direction: 'outbound' | 'inbound' | 'all';
}

/** Appends rows to a table as they come; close() before querying. */
export interface RowSink<T> {
  add(value: T): void;
  close(): void;
}

const RECORD_COLUMNS = [
  'source',
  'recorded_at',
  'event_at',
  'account_sid',
  'message_sid',
  'status',
  'error_code',
  'to_number',
  'client_ref',
  'matched_attempt',
  'tags',
];

/** DuckDB's vector size: rows go in a column chunk at a time, not a value at a time. */
const CHUNK_ROWS = 2048;

/** Text columns filled row by row and appended a chunk at a time. */
class ChunkedSink<T> implements RowSink<T> {
  private columns: (string | null)[][];
  private rows = 0;

  constructor(
    private readonly appender: DuckDBAppender,
    private readonly width: number,
    private readonly valuesOf: (value: T) => (string | null | undefined)[],
  ) {
    this.columns = this.empty();
  }

  add(value: T): void {
    const values = this.valuesOf(value);
    for (let c = 0; c < this.width; c++) this.columns[c].push(values[c] ?? null);
    if (++this.rows === CHUNK_ROWS) this.flush();
  }

  close(): void {
    this.flush();
    this.appender.closeSync();
  }

  private flush(): void {
    if (this.rows === 0) return;
    const chunk = DuckDBDataChunk.create(
      this.columns.map(() => VARCHAR),
      this.rows,
    );
    chunk.setColumns(this.columns);
    this.appender.appendDataChunk(chunk);
    this.columns = this.empty();
    this.rows = 0;
  }

  private empty(): (string | null)[][] {
    return Array.from({ length: this.width }, () => []);
  }
}

/** `params.reconcile.matched_attempt` of a reconcile record (reconcileRecord.ts writes it). */
function matchedAttempt(params: Readonly<Record<string, unknown>>): string | null {
  const reconcile = params.reconcile;
  if (!reconcile || typeof reconcile !== 'object') return null;
  const matched = (reconcile as Record<string, unknown>).matched_attempt;
  return typeof matched === 'string' ? matched : null;
}

function parameterValues(parameters: CategoryParameters): Record<string, string | number> {
  return { window_from: parameters.windowFrom, window_to: parameters.windowTo, match_window_ms: parameters.matchWindowMs, direction: parameters.direction };
}

/** A statement with its named parameters bound (never spliced in). */
function bound(sql: string, parameters: CategoryParameters): [string, Record<string, string | number>] {
  const { text, order } = bindParameters(DUCKDB, sql);
  const values = parameterValues(parameters);
  return [text, Object.fromEntries([...new Set(order)].map((name) => [name, values[name]]))];
}

export class DuckDbCategories {
  private decided: CategoryParameters | undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(): Promise<DuckDbCategories> {
    const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    const connection = await instance.connect();
    await connection.run(`CREATE TABLE records (${RECORD_COLUMNS.map((c) => `${c} VARCHAR`).join(', ')})`);
    await connection.run(`CREATE TABLE twilio_rows (${TWILIO_ROW_COLUMNS.map((c) => `${c} VARCHAR`).join(', ')})`);
    return new DuckDbCategories(instance, connection);
  }

  /** Where the archive's facts go, one at a time (the scanner reuses its objects: their values are taken as they are added). */
  async recordSink(): Promise<RowSink<RecordFacts>> {
    return new ChunkedSink(await this.connection.createAppender('records'), RECORD_COLUMNS.length, (facts) => {
      const ref = facts.tags.client_ref;
      return [
        facts.source,
        facts.recorded_at,
        facts.event_at,
        facts.account_sid,
        facts.message_sid,
        facts.status,
        facts.error_code,
        facts.to,
        typeof ref === 'string' ? ref : null,
        facts.source === 'reconcile' ? matchedAttempt(facts.params) : null,
        facts.source === 'send_error' ? JSON.stringify(facts.tags) : null,
      ];
    });
  }

  async twilioSink(): Promise<RowSink<TwilioMessageRow>> {
    return new ChunkedSink(await this.connection.createAppender('twilio_rows'), TWILIO_ROW_COLUMNS.length, (row) => {
      const columns = twilioRowColumns(row);
      return TWILIO_ROW_COLUMNS.map((name) => columns[name]);
    });
  }

  async addRecords(records: Iterable<RecordFacts>): Promise<void> {
    const sink = await this.recordSink();
    for (const facts of records) sink.add(facts);
    sink.close();
  }

  async addTwilioRows(rows: Iterable<TwilioMessageRow>): Promise<void> {
    const sink = await this.twilioSink();
    for (const row of rows) sink.add(row);
    sink.close();
  }

  /**
   * Materialises the categories' tables once (the queries below read them),
   * with the run's parameters bound. Call after the inputs are loaded.
   */
  async decide(parameters: CategoryParameters): Promise<void> {
    for (const [name, select] of categoryTables(DUCKDB)) {
      // Per-record tables stay views (a second copy of every record would double the memory); the per-message ones,
      // read by several queries, and those that take parameters (a view cannot), are computed once.
      const kind = bindParameters(DUCKDB, select).order.length === 0 && name !== 'messages' ? 'VIEW' : 'TABLE';
      await this.connection.run(...bound(`CREATE OR REPLACE TEMP ${kind} ${name} AS ${select}`, parameters));
    }
    this.decided = parameters;
  }

  /** A query's rows, a chunk at a time: the status verdicts of millions of messages are never all in memory at once. */
  async *rows<T>(query: CategoryQuery): AsyncGenerator<T> {
    if (!this.decided) throw new Error('decide() first: the categories are not computed yet');
    const result = await this.connection.stream(...bound(categorySelect(DUCKDB, query), this.decided));
    for await (const chunk of result.yieldRowObjectJs()) {
      // BIGINTs come back as bigint: epoch milliseconds fit a number exactly.
      for (const row of chunk) yield Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])) as T;
    }
  }

  async all<T>(query: CategoryQuery): Promise<T[]> {
    const rows: T[] = [];
    for await (const row of this.rows<T>(query)) rows.push(row);
    return rows;
  }

  statusVerdicts(): AsyncGenerator<StatusVerdict> {
    return this.rows('statusVerdicts');
  }

  attemptVerdicts(): Promise<AttemptVerdict[]> {
    return this.all('attemptVerdicts');
  }

  candidatePairs(): Promise<CandidatePair[]> {
    return this.all('candidatePairs');
  }

  unknownToTwilio(): Promise<UnknownToTwilio[]> {
    return this.all('unknownToTwilio');
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
