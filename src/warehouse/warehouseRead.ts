/**
 * What the runs that read the archive where it lies (the Athena
 * reconciliation, the Athena stale scan) share: running their statements
 * side by side and stopping them all together, reading their rows, and
 * turning the warehouse's census of the archive's lines into the archive read
 * the summaries report, with line numbers for the few odd objects.
 */
import { readOneObject, type ReadProblem, type ScanReport } from '../adapters/archive/archiveScanner';
import { addObjectReport, byLocation } from '../adapters/archive/scanReport';
import type { ArchiveStore } from '../adapters/archive/archiveStore';
import { EmptyArchiveError } from '../adapters/archive/windowScan';
import { hourFolder } from '../domain/archiveLayout';
import { hourFoldersBetween } from '../domain/archiveWindow';
import type { ArchiveLayout } from '../config/archiveSettings';
import type { TextRow } from '../domain/reconcile/sql/verdictRows';
import type { SqlWarehouse, WarehouseQueryStats, WarehouseResult } from '../domain/reconcile/sql/warehouse';
import { lineFactStatements, type LineFactsFrom } from '../domain/reconcile/sql/archiveLines';

/** What the warehouse's statements scanned and cost, for a summary. */
export interface WarehouseSummary {
  engine: string;
  queries: WarehouseQueryStats[];
  bytes_scanned: number;
  cost_usd: number;
}

export function warehouseSummaryOf(engine: string, results: WarehouseResult[]): WarehouseSummary {
  const queries = results.map((r) => r.stats);
  return {
    engine,
    queries,
    bytes_scanned: queries.reduce((total, q) => total + q.bytesScanned, 0),
    cost_usd: queries.reduce((total, q) => total + q.costUsd, 0),
  };
}

/** The hour folders [from, to] as the tables' `datehour` partition names them (`yyyy/MM/dd/HH`, no slash). */
export function datehours(from: Date, to: Date): { from: string; to: string } {
  return { from: hourFolder(from).slice(0, -1), to: hourFolder(to).slice(0, -1) };
}

export async function collect<T>(result: WarehouseResult, parse: (row: TextRow) => T): Promise<T[]> {
  const rows: T[] = [];
  for await (const row of result.rows()) rows.push(parse(row));
  return rows;
}

export async function* parsedRows<T>(result: WarehouseResult, parse: (row: TextRow) => T): AsyncGenerator<T> {
  for await (const row of result.rows()) yield parse(row);
}

/**
 * Runs the statements side by side (Athena queues and runs them at once);
 * when one fails, or the caller's signal aborts, every other is stopped at
 * the engine too, and waited for, before the first failure is thrown: no
 * query is left running (and billing) behind a run that has ended.
 */
export async function allOrStopAll(
  statements: string[],
  run: (sql: string, stop: AbortSignal) => Promise<WarehouseResult>,
  signal: AbortSignal | undefined,
): Promise<WarehouseResult[]> {
  const stopAll = new AbortController();
  const onAbort = () => stopAll.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) stopAll.abort();
  try {
    const settled = await Promise.allSettled(
      statements.map((sql) =>
        run(sql, stopAll.signal).catch((error: unknown) => {
          stopAll.abort();
          throw error;
        }),
      ),
    );
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<WarehouseResult>).value);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** One row of lineCensusStatement (src/domain/reconcile/sql/archiveLines.ts). */
export interface CensusRow {
  objectKey: string;
  records: number;
  malformed: number;
  flagged: number;
  unattributable: number;
}

export function censusRowOf(row: TextRow): CensusRow {
  return {
    objectKey: row.object_key ?? '',
    records: Number(row.records),
    malformed: Number(row.malformed),
    flagged: Number(row.flagged),
    unattributable: Number(row.unattributable),
  };
}

/** Objects the engine read through the project's own reader (the native DuckDB engine's odd ones), and how many it listed. */
export interface KnownReads {
  /** By `"$path"`: each report stands for the warehouse's count of that object. */
  reads: ReadonlyMap<string, ScanReport>;
  /** Objects in the window, empty ones included. */
  objects: number;
}

/**
 * The archive's read as the streaming scan reports it, from the warehouse's
 * count of every object's lines; the few objects with malformed or flagged
 * lines are read here through the project's own reader (the Kinesis path's
 * as CloudEvents, masked as the scan masks them), so that each problem has its
 * key and line number as with the other engines. Objects already read
 * that way (`known`) are taken as read. Without `known`, the warehouse has no
 * count of empty objects: `objects` counts those with a line.
 */
export async function archiveReadOf(
  census: CensusRow[],
  store: ArchiveStore,
  events: { layout: ArchiveLayout; redactDigits: number },
  maxObjectsExplained = 20,
  known?: KnownReads,
): Promise<ScanReport> {
  const counted = census.filter((row) => !known?.reads.has(row.objectKey));
  const sum = (pick: (row: CensusRow) => number) => counted.reduce((total, row) => total + pick(row), 0);
  const objects = known?.objects ?? census.length;
  const report: ScanReport = {
    objectsListed: objects,
    objectsRead: objects,
    bytesRead: 0,
    bytesDecoded: 0,
    records: sum((r) => r.records),
    malformedLines: sum((r) => r.malformed),
    corruptObjects: 0,
    problems: [],
    flaggedRecords: sum((r) => r.flagged),
    unattributableRecords: sum((r) => r.unattributable),
    flagged: [],
    complete: sum((r) => r.malformed) === 0,
  };
  // `"$path"` names the whole object: the archive's root, then its key.
  const root = store.description.endsWith('/') ? store.description : `${store.description}/`;
  const odd = [
    ...counted.filter((r) => r.malformed > 0 || r.flagged > 0).map((row) => ({ path: row.objectKey, row, read: undefined })),
    ...[...(known?.reads ?? [])].map(([path, read]) => ({ path, row: undefined, read })),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  let explainedCount = 0;
  let unexplained: string | null = null;
  let unexplainedCount = 0;
  for (const { path, row, read } of odd) {
    if (read) {
      addObjectReport(report, read, Infinity);
      continue;
    }
    if (!row) continue;
    if (explainedCount >= maxObjectsExplained) {
      unexplained ??= path;
      unexplainedCount++;
      continue;
    }
    explainedCount++;
    if (!path.startsWith(root)) {
      report.problems.push({ key: path, reason: `${row.malformed} malformed line(s) counted by the warehouse, in an object outside ${root}` });
      continue;
    }
    const key = path.slice(root.length);
    const reread = await readOneObject(store, key, 1000, { prefix: events.layout.events, redactDigits: events.redactDigits });
    report.problems.push(...reread.problems);
    report.flagged.push(...reread.flagged);
    if (reread.malformedLines < row.malformed) {
      report.problems.push({ key, reason: `the warehouse counts ${row.malformed} malformed line(s) here; this reader found ${reread.malformedLines}` });
    }
  }
  // In the order the streaming scan reports them.
  report.problems.sort(byLocation);
  report.flagged.sort(byLocation);
  if (unexplained !== null) {
    const more: ReadProblem = { key: unexplained, reason: `and ${unexplainedCount} more object(s) with malformed or flagged lines` };
    (report.malformedLines > 0 ? report.problems : report.flagged).push(more);
  }
  return report;
}

/**
 * Has the warehouse keep the line facts once for the run when it can, and
 * says where the statements find them. Parameters: :hour_from, :hour_to,
 * :redact_digits.
 */
export async function keepForRun(warehouse: SqlWarehouse, parameters: Record<string, string | number>, signal?: AbortSignal): Promise<LineFactsFrom> {
  if (!warehouse.keepRelations) return 'lines';
  await warehouse.keepRelations(lineFactStatements(warehouse.dialect), parameters, signal);
  return 'tables';
}

export function emptyWindowError(engine: string, hours: { from: string; to: string }): EmptyArchiveError {
  return new EmptyArchiveError(
    `${engine} finds no archive line in the hour folders ${hours.from} to ${hours.to}. ` +
      'Is the archive table over the right bucket, and the window right? If this part of the archive is really empty, run again with --allow-empty.',
  );
}

/**
 * `history` on the SQL engines finds a message's objects in the archive's
 * record lines only (historyObjectsStatement), not in the Kinesis path's
 * CloudEvents: a window that holds any would be searched incompletely. So
 * such a search is refused before anything runs (exit 2), naming the object.
 * (The reconciliation and the stale scan read the events in SQL: eventLines.ts.)
 */
export async function refuseCloudEventObjects(store: ArchiveStore, layout: ArchiveLayout, from: Date, to: Date, engine = 'athena'): Promise<void> {
  for (const hour of hourFoldersBetween(from, to)) {
    for await (const object of store.list(layout.events + hour)) {
      throw new Error(
        `the window holds Event Streams CloudEvents from the Kinesis path (${object.key}, under ${layout.events}), which history --engine ${engine} does not read yet: ` +
          'run history with --engine local, which reads them through the same mapping as the /event-stream Function',
      );
    }
  }
}
