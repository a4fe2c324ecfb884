/**
 * The archive's window as the warehouse the SQL engines run on, on this
 * machine: DuckDB reads the archive's objects itself and runs the statements
 * Athena runs (src/domain/reconcile/sql), over the same `record_lines`
 * relation the infrastructure defines for Athena (`"$path"`, `prefix`,
 * `datehour`, `line`: each line as text). A folder archive is read where it
 * lies; an S3 archive's window is first staged into a temporary folder.
 *
 * Every object goes through the gate (objectGate.ts) first. DuckDB reads the
 * clean ones; the odd ones (damaged, not UTF-8, a carriage return, a huge
 * line) are read by the project's own reader, as `--engine local` reads them:
 * its report stands for the object, and the lines it keeps go to DuckDB
 * re-serialised (JSON.parse then JSON.stringify, so that the SQL sees what the
 * streaming engine saw: the last of two equal keys, no stray whitespace).
 *
 * DuckDB loads no extension and downloads nothing.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { ArchiveLayout } from '../../config/archiveSettings';
import { hourFoldersBetween } from '../../domain/archiveWindow';
import { parseArchiveLine } from '../../domain/archiveLine';
import { TWILIO_ROW_COLUMNS, twilioRowColumns } from '../../domain/reconcile/sql/categories';
import { bindParameters, DUCKDB } from '../../domain/reconcile/sql/dialect';
import type { SqlWarehouse, TwilioListStage, WarehouseResult } from '../../domain/reconcile/sql/warehouse';
import type { TwilioMessageRow } from '../../domain/reconcile/twilioRow';
import { readOneObject, type ScanReport } from '../archive/archiveScanner';
import { FolderArchiveStore, type ArchiveObject, type ArchiveStore } from '../archive/archiveStore';
import { openLines } from '../streams/textLines';
import { EVENT_LINE_START, gateObject, MAX_CLEAN_LINE_BYTES, RECORD_LINE_START } from './objectGate';

export interface NativeWarehouseOptions {
  store: ArchiveStore;
  layout: ArchiveLayout;
  /** The hours read: every hour folder from `from` to `to`, both included, under every prefix of the layout. */
  from: Date;
  to: Date;
  /** ARCHIVE_REDACT_DIGITS: an odd CloudEvents object is reported as the streaming reader reports it, numbers masked. */
  redactDigits: number;
  /** DuckDB's threads. @default DuckDB's own (one per core) */
  threads?: number;
  /** DuckDB's memory_limit, e.g. `600MB`: beyond it DuckDB spills to a temporary folder. */
  memoryLimit?: string;
  /** Objects gated (and staged) at once. @default 4 */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** Ctrl-C: staging stops at the next object, and what was staged is removed. */
  signal?: AbortSignal;
  /** Where the run's temporary folder (staged objects, DuckDB's spill) is made. @default os.tmpdir() (TMPDIR) */
  tempFolder?: string;
}

/** One object as DuckDB reads it: a local file, with the key it stands for. */
interface ObjectFile {
  file: string;
  key: string;
  prefix: string;
  datehour: string;
  /** gzip (by its bytes, whatever its name says), or plain text. */
  gzip: boolean;
  /** record_lines, or event_lines (the Kinesis path's CloudEvents, under the layout's events prefix). */
  table: LinesTable;
}

type LinesTable = 'record_lines' | 'event_lines';

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A value as Athena answers it: text, NULL as null. */
export function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TypeError(`a value of a type no statement selects: ${JSON.stringify(value)}`);
}

/** A statement in DuckDB's form (`$name`) with the values of the parameters it names: bound, never spliced. */
function bound(sql: string, parameters: Record<string, string | number>): [text: string, values: Record<string, string | number>] {
  const { text, order } = bindParameters(DUCKDB, sql);
  return [text, Object.fromEntries([...new Set(order)].map((name) => [name, parameters[name]]))];
}

/** Appends one row of Twilio's list to `twilio_lists` as one run's. */
function appendTwilioRow(appender: DuckDBAppender, run: string, row: Record<string, string | null>): void {
  for (const value of [run, ...TWILIO_ROW_COLUMNS.map((c) => row[c] ?? null)]) {
    if (value === null) appender.appendNull();
    else appender.appendVarchar(value);
  }
  appender.endRow();
}

/** Appends rows of Twilio's list to `twilio_lists` as one run's. */
export async function appendTwilioList(connection: DuckDBConnection, run: string, rows: Iterable<Record<string, string | null>>): Promise<void> {
  const appender = await connection.createAppender('twilio_lists');
  for (const row of rows) appendTwilioRow(appender, run, row);
  appender.closeSync();
}

/** Runs `work` on each item, at most `limit` at once, in order of start. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/**
 * The lines the project's reader keeps of an odd object, re-serialised, into
 * `file`: valid records, or (`cloudEvents`) lines that are JSON, which the
 * SQL then maps as the reader does.
 */
async function writeKeptLines(store: ArchiveStore, key: string, file: string, cloudEvents: boolean): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const out = createWriteStream(file);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  try {
    for await (const batch of await openLines(await store.open(key))) {
      const kept: string[] = [];
      for (const line of batch) {
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          continue;
        }
        if (!cloudEvents && !parseArchiveLine(line).ok) continue;
        kept.push(`${JSON.stringify(value)}\n`);
      }
      if (kept.length > 0 && !out.write(kept.join(''))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  } catch {
    // The damage is the reader's report's to tell (readOneObject): the lines before it are kept, as it keeps them.
  }
  out.end();
  await done;
}

export class NativeDuckDbWarehouse implements SqlWarehouse {
  readonly dialect = DUCKDB;

  private constructor(
    private readonly instance: DuckDBInstance,
    /** DuckDB's memory limit as given (`--memory`), for the error that says it was too small. */
    private readonly memoryLimit: string | undefined,
    private readonly work: string,
    readonly description: string,
    /** The odd objects' reports by `"$path"`: they stand for the census's counts of those objects. */
    readonly oddReads: Map<string, ScanReport>,
    /** Objects in the window, clean and odd. */
    readonly objects: number,
  ) {}

  static async open(options: NativeWarehouseOptions): Promise<NativeDuckDbWarehouse> {
    const { store, layout } = options;
    const pathRoot = store.description.endsWith('/') ? store.description : `${store.description}/`;
    const local = store instanceof FolderArchiveStore ? store : null;
    const prefixes: [string, LinesTable][] = [
      [layout.firehose, 'record_lines'],
      [layout.fallback, 'record_lines'],
      [layout.direct, 'record_lines'],
      [layout.events, 'event_lines'],
    ];
    const listed: { object: ArchiveObject; prefix: string; hour: string; table: LinesTable }[] = [];
    for (const [prefix, table] of prefixes) {
      for (const hour of hourFoldersBetween(options.from, options.to)) {
        for await (const object of store.list(prefix + hour)) listed.push({ object, prefix, hour, table });
      }
    }
    const cloudEvents = { prefix: layout.events, redactDigits: options.redactDigits };
    const work = await mkdtemp(join(options.tempFolder ?? tmpdir(), 'archive-duckdb-'));
    try {
      if (!local)
        await refuseShortDisk(
          work,
          listed.reduce((total, l) => total + l.object.size, 0),
        );
      const files: ObjectFile[] = [];
      const oddReads = new Map<string, ScanReport>();
      let done = 0;
      await eachLimited(listed, options.concurrency ?? 4, async ({ object, prefix, hour, table }) => {
        options.signal?.throwIfAborted();
        const partition = { key: object.key, prefix: prefix.replace(/\/$/, ''), datehour: hour.replace(/\/$/, ''), table };
        let file = local ? local.fileOf(object.key) : join(work, 'staged', ...object.key.split('/'));
        if (!local) await stage(store, object, file);
        // The gate reads the object as DuckDB will. One that cannot be opened (a link or special file of a folder archive,
        // refused by open()) is odd too: the project's reader reports it, and the run goes on.
        const verdict = await (async () =>
          gateObject(local ? await store.open(object.key) : createReadStream(file), table === 'event_lines' ? EVENT_LINE_START : RECORD_LINE_START))().catch(
          (error: Error) => ({
            clean: false as const,
            reason: error.message,
            storedBytes: 0,
          }),
        );
        if (!verdict.clean) {
          oddReads.set(pathRoot + object.key, await readOneObject(store, object.key, 1000, cloudEvents));
          file = join(work, 'kept', `${randomUUID()}.ndjson`);
          await writeKeptLines(store, object.key, file, table === 'event_lines');
          files.push({ file, ...partition, gzip: false });
        } else if (verdict.storedBytes > 0) files.push({ file, ...partition, gzip: verdict.gzip });
        options.onProgress?.(++done, listed.length);
      });
      const instance = await DuckDBInstance.create(':memory:', {
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
        // Filter pushdown copies a relation's expressions into the filters above it: each line's JSON would be read
        // again for every reference (measured: the alerts' statement 8.9 s against 2.2 s, 100,000 messages).
        disabled_optimizers: 'filter_pushdown',
        temp_directory: join(work, 'spill'),
        // No statement relies on the order rows are stored in (each orders what it answers); without it DuckDB
        // keeps less in memory (its own advice when a query outgrows memory_limit).
        preserve_insertion_order: 'false',
        ...(options.threads ? { threads: String(options.threads) } : {}),
        ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
      });
      const connection = await instance.connect();
      try {
        await defineTables(connection, files, pathRoot);
      } finally {
        connection.closeSync();
      }
      return new NativeDuckDbWarehouse(instance, options.memoryLimit, work, `duckdb over ${store.description}`, oddReads, listed.length);
    } catch (error) {
      await rm(work, { recursive: true, force: true });
      throw memoryErrorOf(error, options.memoryLimit);
    }
  }

  /** Opens the window's warehouse, runs `work` over it, and closes it (its temporary folder removed) however `work` ends. */
  static async around<T>(options: NativeWarehouseOptions, work: (warehouse: NativeDuckDbWarehouse) => Promise<T>): Promise<T> {
    const warehouse = await NativeDuckDbWarehouse.open(options);
    try {
      return await work(warehouse);
    } finally {
      await warehouse.close();
    }
  }

  /** The odd objects' reports and the count of objects, as the runs over the census take them (KnownReads). */
  get knownReads(): { reads: ReadonlyMap<string, ScanReport>; objects: number } {
    return { reads: this.oddReads, objects: this.objects };
  }

  async query(sql: string, parameters: Record<string, string | number>, signal?: AbortSignal): Promise<WarehouseResult> {
    const [text, values] = bound(sql, parameters);
    // A connection each: a streamed result stays readable while the next statement runs on another.
    const connection = await this.instance.connect();
    const started = Date.now();
    const interrupt = () => connection.interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    const explain = (error: unknown) => memoryErrorOf(error, this.memoryLimit);
    const result = await (signal?.aborted ? Promise.reject(new Error('stopped before the statement ran')) : connection.stream(text, values)).catch(
      (error: unknown) => {
        signal?.removeEventListener('abort', interrupt);
        connection.closeSync();
        throw explain(error);
      },
    );
    return {
      stats: { queryId: `duckdb-${started}-${randomUUID().slice(0, 8)}`, bytesScanned: 0, costUsd: 0 },
      rows: async function* () {
        try {
          for await (const chunk of result.yieldRowObjectJs()) {
            for (const row of chunk) yield Object.fromEntries<string | null>(Object.entries(row).map(([k, v]) => [k, asText(v)]));
          }
        } catch (error) {
          throw explain(error);
        } finally {
          signal?.removeEventListener('abort', interrupt);
          connection.closeSync();
        }
      },
    };
  }

  /**
   * Keeps each relation for the run: as a table when it takes parameters (a
   * view cannot), is a whole statement (the line facts), or is per message and
   * read by several statements (`messages`); as a view otherwise, so that no
   * second copy of every record is held.
   */
  async keepRelations(relations: [name: string, select: string][], parameters: Record<string, string | number>, signal?: AbortSignal): Promise<void> {
    const connection = await this.instance.connect();
    const interrupt = () => connection.interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    try {
      for (const [name, select] of relations) {
        signal?.throwIfAborted();
        const [text, values] = bound(select, parameters);
        const kind = Object.keys(values).length > 0 || /^\s*WITH\b/.test(select) || name === 'messages' ? 'TABLE' : 'VIEW';
        await connection.run(`CREATE OR REPLACE ${kind} ${name} AS ${text}`, values);
      }
    } catch (error) {
      throw memoryErrorOf(error, this.memoryLimit);
    } finally {
      signal?.removeEventListener('abort', interrupt);
      connection.closeSync();
    }
  }

  /**
   * Each row goes into DuckDB as it is read (DuckDB may spill it to disk
   * under its memory limit): the list of a 10M-message day is never held in
   * JavaScript. The few rows read before the appender is ready wait for it.
   */
  stageTwilioList(): TwilioListStage {
    const run = randomUUID();
    const waiting: TwilioMessageRow[] = [];
    let appender: DuckDBAppender | null = null;
    let failure: Error | null = null;
    const keep = (error: unknown) => {
      const explained = memoryErrorOf(error, this.memoryLimit);
      failure ??= explained instanceof Error ? explained : new Error(`staging Twilio's list: ${JSON.stringify(explained)}`);
    };
    const ready = (async () => {
      const connection = await this.instance.connect();
      try {
        const opened = await connection.createAppender('twilio_lists');
        return { connection, opened };
      } catch (error) {
        connection.closeSync();
        throw error;
      }
    })();
    const append = (row: TwilioMessageRow) => {
      try {
        appendTwilioRow(appender!, run, twilioRowColumns(row));
      } catch (error) {
        // Kept for close(), which fails the run with it: add() has no caller to throw to mid-read.
        keep(error);
      }
    };
    void ready.then(
      ({ opened }) => {
        appender = opened;
        for (const row of waiting.splice(0)) append(row);
      },
      (error: unknown) => keep(error),
    );
    const end = async (keep: boolean) => {
      const { connection, opened } = await ready;
      try {
        for (const row of waiting.splice(0)) append(row);
        opened.closeSync();
        if (!keep) await connection.run('DELETE FROM twilio_lists WHERE run = $run', { run });
      } finally {
        connection.closeSync();
      }
    };
    return {
      add: (row) => {
        if (appender) append(row);
        else waiting.push(row);
      },
      close: async () => {
        await end(true).catch((error: unknown) => {
          throw memoryErrorOf(error, this.memoryLimit);
        });
        if (failure !== null) throw failure;
        return run;
      },
      abandon: () => end(false).catch(() => undefined),
    };
  }

  async close(): Promise<void> {
    this.instance.closeSync();
    await rm(this.work, { recursive: true, force: true });
  }
}

/** Copies an S3 object into the staging folder, checked against the version (ETag) and size the listing gave. */
async function stage(store: ArchiveStore, object: ArchiveObject, file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  let bytes = 0;
  const body = await store.open(object.key, object.etag);
  body.on('data', (chunk: Buffer) => (bytes += chunk.length));
  await pipeline(body, createWriteStream(file));
  if (bytes !== object.size) throw new Error(`staging ${object.key}: ${bytes} byte(s) read, the listing says ${object.size}: read again`);
}

/** Staging needs the window's stored size on disk (and DuckDB some room to spill). */
async function refuseShortDisk(folder: string, needed: number): Promise<void> {
  const disk = await statfs(folder);
  const free = disk.bavail * disk.bsize;
  if (free < needed * 1.1) {
    throw new ShortDiskError(
      `staging the window's objects needs ${(needed / 2 ** 20).toFixed(0)} MiB in ${folder}; ${(free / 2 ** 20).toFixed(0)} MiB are free. ` +
        'Free some, point TMPDIR elsewhere, or run with --engine local, which reads as it goes.',
    );
  }
}

export class ShortDiskError extends Error {
  override name = 'ShortDiskError';
}

/** DuckDB could not keep within its memory limit (it spills what it can, not everything). */
export class DuckDbMemoryError extends Error {
  override name = 'DuckDbMemoryError';
}

/** DuckDB's out-of-memory error in the command's words: what to run instead. Any other error as it is. */
function memoryErrorOf(error: unknown, memoryLimit: string | undefined): unknown {
  // By its message, not instanceof: the native module's errors may come from another realm's Error.
  const message = typeof (error as { message?: unknown } | null)?.message === 'string' ? (error as { message: string }).message : '';
  if (!/Out of Memory Error/i.test(message)) return error;
  return new DuckDbMemoryError(
    `DuckDB needed more memory than ${memoryLimit === undefined ? 'it had' : `--memory ${memoryLimit}`} allows (it spills what it can to the temporary folder, ` +
      'not everything): run again with a larger --memory (a 10M-message day needs more than 500MB), or with --engine local. ' +
      `DuckDB said: ${message.split('\n')[0]}`,
  );
}

/** Reads lines as text, nothing else: no quote, no escape, no header, one column; the gate keeps out what this would misread. */
function readLines(files: ObjectFile[], gzip: boolean): string {
  const list = `[${files.map((f) => quote(f.file)).join(', ')}]`;
  return `SELECT filename, line FROM read_csv(${list}, columns = {'line': 'VARCHAR'}, delim = '\\x02', quote = '', escape = '',
    header = false, auto_detect = false, new_line = '\\n', strict_mode = false, filename = true,
    compression = '${gzip ? 'gzip' : 'none'}', max_line_size = ${2 * MAX_CLEAN_LINE_BYTES})`;
}

/** `record_lines` and `event_lines` over the files, and `twilio_lists` to stage lists into. */
async function defineTables(connection: DuckDBConnection, files: ObjectFile[], pathRoot: string): Promise<void> {
  await connection.run(`CREATE TABLE twilio_lists (run VARCHAR, ${TWILIO_ROW_COLUMNS.map((c) => `${c} VARCHAR`).join(', ')})`);
  await connection.run('CREATE TABLE object_files (file VARCHAR, "$path" VARCHAR, prefix VARCHAR, datehour VARCHAR)');
  const appender = await connection.createAppender('object_files');
  for (const f of files) {
    appender.appendVarchar(f.file);
    appender.appendVarchar(pathRoot + f.key);
    appender.appendVarchar(f.prefix);
    appender.appendVarchar(f.datehour);
    appender.endRow();
  }
  appender.closeSync();
  for (const table of ['record_lines', 'event_lines'] as const) {
    const ofTable = files.filter((f) => f.table === table);
    const sources = [true, false]
      .map((gzip) => ofTable.filter((f) => f.gzip === gzip))
      .map((group, i) => (group.length > 0 ? readLines(group, i === 0) : null))
      .filter((select) => select !== null);
    const lines = sources.length > 0 ? sources.join('\nUNION ALL\n') : 'SELECT NULL::VARCHAR AS filename, NULL::VARCHAR AS line WHERE false';
    await connection.run(`CREATE VIEW ${table} AS
SELECT f."$path", f.prefix, f.datehour, l.line
FROM (${lines}) l JOIN object_files f ON f.file = l.filename`);
  }
}
