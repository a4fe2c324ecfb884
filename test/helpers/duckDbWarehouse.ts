/**
 * The warehouse the Athena engine runs on, stood in for by DuckDB with the
 * same tables the infrastructure defines (infra/constructs/archiveTables.ts):
 * `record_lines` (`"$path"`, `prefix`, `datehour`, `line`) filled with every
 * line of a folder archive as Athena's text reader gives them, `event_lines`
 * (the same columns) with those of the objects under the layout's events
 * prefix (the Kinesis path's CloudEvents, which record_lines does not hold,
 * as the tables' projections divide them), and `twilio_lists` (one `run` per
 * staged list). The Athena engine's SQL runs
 * here in DuckDB's dialect, so the tests prove it against the other engines.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_ARCHIVE_LAYOUT } from '../../src/config/archiveSettings';
import { TWILIO_ROW_COLUMNS, twilioRowColumns } from '../../src/domain/reconcile/sql/categories';
import { bindParameters, DUCKDB } from '../../src/domain/reconcile/sql/dialect';
import type { TextRow } from '../../src/domain/reconcile/sql/verdictRows';
import type { SqlWarehouse, TwilioListStage, WarehouseResult } from '../../src/domain/reconcile/sql/warehouse';
import type { TwilioMessageRow } from '../../src/domain/reconcile/twilioRow';
import { appendTwilioList, asText } from '../../src/adapters/duckdb/nativeWarehouse';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** An object's lines as a text table reads them: split at newlines, no row for the newline that ends the last line. */
function linesOf(body: Buffer): string[] {
  const lines = body.toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export class DuckDbWarehouse implements SqlWarehouse {
  readonly dialect = DUCKDB;
  readonly description = 'duckdb standing in for athena';
  /** Every statement run, as bound: what an Athena run would have sent. */
  readonly statements: string[] = [];
  /** One connection runs one thing at a time: the engine sends its statements side by side, so they queue here. */
  private queue: Promise<unknown> = Promise.resolve();

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** Loads every object of the folder archive; `"$path"` is `pathRoot` + the object's key. */
  static async over(folder: string, pathRoot: string, eventsPrefix = DEFAULT_ARCHIVE_LAYOUT.events): Promise<DuckDbWarehouse> {
    const objects = filesUnder(folder).map((file) => ({ key: relative(folder, file).split(sep).join('/'), body: readFileSync(file) }));
    return DuckDbWarehouse.of(objects, pathRoot, eventsPrefix);
  }

  /**
   * Loads the given objects (keys relative to the archive root, bodies as stored: gzipped where the key ends in
   * .gz): those under `eventsPrefix` into event_lines, the others into record_lines.
   */
  static async of(objects: { key: string; body: Buffer }[], pathRoot: string, eventsPrefix = DEFAULT_ARCHIVE_LAYOUT.events): Promise<DuckDbWarehouse> {
    const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    const connection = await instance.connect();
    for (const table of ['record_lines', 'event_lines'])
      await connection.run(`CREATE TABLE ${table} ("$path" VARCHAR, prefix VARCHAR, datehour VARCHAR, line VARCHAR)`);
    await connection.run(`CREATE TABLE twilio_lists (run VARCHAR, ${TWILIO_ROW_COLUMNS.map((c) => `${c} VARCHAR`).join(', ')})`);
    const records = await connection.createAppender('record_lines');
    const events = await connection.createAppender('event_lines');
    for (const { key, body } of objects) {
      const appender = key.startsWith(eventsPrefix) ? events : records;
      const parts = key.split('/');
      for (const line of linesOf(key.endsWith('.gz') ? gunzipSync(body) : body)) {
        appender.appendVarchar(pathRoot + key);
        appender.appendVarchar(parts[0]);
        appender.appendVarchar(parts.slice(1, 5).join('/'));
        appender.appendVarchar(line);
        appender.endRow();
      }
    }
    records.closeSync();
    events.closeSync();
    return new DuckDbWarehouse(instance, connection);
  }

  async query(sql: string, parameters: Record<string, string | number>): Promise<WarehouseResult> {
    const { text, order } = bindParameters(DUCKDB, sql);
    this.statements.push(text);
    const values = Object.fromEntries([...new Set(order)].map((name) => [name, parameters[name]]));
    const reader = await this.serially(() => this.connection.runAndReadAll(text, values));
    const rows: TextRow[] = reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, asText(v)])));
    return {
      stats: { queryId: `duckdb-${this.statements.length}`, bytesScanned: 0, costUsd: 0 },
      rows: async function* () {
        yield* rows;
      },
    };
  }

  /** Rows of a list staged elsewhere (the fake Athena reads them from S3), as one run's. */
  addTwilioList(run: string, rows: Record<string, string | null>[]): Promise<void> {
    return this.serially(() => appendTwilioList(this.connection, run, rows));
  }

  stageTwilioList(): TwilioListStage {
    const run = randomUUID();
    const rows: TwilioMessageRow[] = [];
    return {
      add: (row) => void rows.push(row),
      close: async () => {
        await this.addTwilioList(run, rows.map(twilioRowColumns));
        return run;
      },
      abandon: async () => undefined,
    };
  }

  async close(): Promise<void> {
    await this.queue;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
