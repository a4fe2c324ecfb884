import { readOneObject, type ReadProblem, type ScanReport } from '../adapters/archive/archiveScanner';
import { EmptyArchiveError } from '../adapters/archive/windowScan';
import type { ExportReadReport } from '../adapters/twilioExport/exportFileReader';
import { hourFolder } from '../domain/archiveLayout';
import type { ParamValue } from '../domain/archiveRecord';
import { redactParameters } from '../domain/redaction';
import { archiveLineTables, lineCensusStatement } from '../domain/reconcile/sql/archiveLines';
import { categoryStatement, type CategoryQuery } from '../domain/reconcile/sql/categories';
import { attemptVerdictOf, candidatePairOf, statusVerdictOf, unknownToTwilioOf, type AttemptVerdict, type TextRow } from '../domain/reconcile/sql/verdictRows';
import type { SqlWarehouse, WarehouseQueryStats, WarehouseResult } from '../domain/reconcile/sql/warehouse';
import { placeRow, scannedWindow, summaryOf, type ReconcileOptions, type ReconcileSummary } from './reconcile';
import { ReconcileReport, type AttemptEvidence } from './reconcileReport';
import { reportVerdicts } from './reportVerdicts';

export interface WarehouseReconcileOptions extends ReconcileOptions {
  warehouse: SqlWarehouse;
  /** Ctrl-C: every running statement is stopped at the engine. */
  signal?: AbortSignal;
  /** Objects with malformed or flagged lines read here for their line numbers, at most this many. @default 20 */
  maxObjectsExplained?: number;
}

/** What the warehouse's statements scanned and cost, for the summary. */
export interface WarehouseSummary {
  engine: string;
  queries: WarehouseQueryStats[];
  bytes_scanned: number;
  cost_usd: number;
}

async function collect<T>(result: WarehouseResult, parse: (row: TextRow) => T): Promise<T[]> {
  const rows: T[] = [];
  for await (const row of result.rows()) rows.push(parse(row));
  return rows;
}

async function* parsed<T>(result: WarehouseResult, parse: (row: TextRow) => T): AsyncGenerator<T> {
  for await (const row of result.rows()) yield parse(row);
}

interface CensusRow {
  objectKey: string;
  records: number;
  malformed: number;
  flagged: number;
  unattributable: number;
}

/**
 * The archive's read as the streaming scan reports it, from the warehouse's
 * count of every object's lines; the few objects with malformed or flagged
 * lines are read here through the project's own reader, so that each problem
 * has its key and line number as with the other engines.
 */
async function archiveReadOf(census: CensusRow[], options: WarehouseReconcileOptions): Promise<ScanReport> {
  const sum = (pick: (row: CensusRow) => number) => census.reduce((total, row) => total + pick(row), 0);
  const report: ScanReport = {
    objectsListed: census.length,
    objectsRead: census.length,
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
  const root = options.store.description.endsWith('/') ? options.store.description : `${options.store.description}/`;
  const odd = census.filter((r) => r.malformed > 0 || r.flagged > 0);
  const explained = odd.slice(0, options.maxObjectsExplained ?? 20);
  for (const row of explained) {
    if (!row.objectKey.startsWith(root)) {
      report.problems.push({ key: row.objectKey, reason: `${row.malformed} malformed line(s) counted by the warehouse, in an object outside ${root}` });
      continue;
    }
    const key = row.objectKey.slice(root.length);
    const read = await readOneObject(options.store, key);
    report.problems.push(...read.problems);
    report.flagged.push(...read.flagged);
    if (read.malformedLines < row.malformed) {
      report.problems.push({ key, reason: `the warehouse counts ${row.malformed} malformed line(s) here; this reader found ${read.malformedLines}` });
    }
  }
  if (odd.length > explained.length) {
    const more: ReadProblem = {
      key: odd[explained.length].objectKey,
      reason: `and ${odd.length - explained.length} more object(s) with malformed or flagged lines`,
    };
    (report.malformedLines > 0 ? report.problems : report.flagged).push(more);
  }
  return report;
}

/**
 * Runs the statements side by side (Athena queues and runs them at once);
 * when one fails, or the caller's signal aborts, every other is stopped at
 * the engine too, and waited for, before the first failure is thrown: no
 * query is left running (and billing) behind a run that has ended.
 */
async function allOrStopAll(
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

function emptyArchiveError(options: WarehouseReconcileOptions, hours: { from: string; to: string }): EmptyArchiveError {
  return new EmptyArchiveError(
    `${options.warehouse.description} finds no archive line in the hour folders ${hours.from} to ${hours.to}. ` +
      'Is the archive table over the right bucket, and the window right? If this part of the archive is really empty, run again with --allow-empty.',
  );
}

/**
 * The reconciliation run where the archive lies (`--engine athena`): Twilio's
 * list is read and masked here as for the other engines and staged in the
 * warehouse; the categories' SQL runs there over the archive's lines, with
 * every line checked as the streaming reader checks it; the same report
 * writes the same gaps, corrections and summary.
 */
export async function reconcileInWarehouse(options: WarehouseReconcileOptions): Promise<ReconcileSummary & { warehouse: WarehouseSummary }> {
  const started = Date.now();
  const now = options.now ?? (() => new Date());
  const { warehouse, signal } = options;
  const fromIso = options.from.toISOString();
  const toIso = options.to.toISOString();
  const scanned = scannedWindow(options);
  // The table's datehour partition is the hour folder without its slash.
  const datehour = (at: Date) => hourFolder(at).slice(0, -1);
  const hours = { from: datehour(scanned.from), to: datehour(scanned.to) };

  const report = new ReconcileReport({ ...options, now });
  const stage = warehouse.stageTwilioList();
  let twilioRead: ExportReadReport;
  let run: string;
  try {
    twilioRead = await options.twilioList((unmasked) => {
      const row = placeRow(unmasked, report, options.redactDigits, options.direction, fromIso, toIso);
      if (row) stage.add(row);
    });
    options.onProgress?.('twilio', twilioRead.rows, twilioRead.rows);
    run = await stage.close();
  } catch (error) {
    report.discard();
    await stage.abandon();
    throw error;
  }

  const parameters = {
    hour_from: hours.from,
    hour_to: hours.to,
    run,
    redact_digits: options.redactDigits,
    window_from: fromIso,
    window_to: toIso,
    match_window_ms: options.matchWindowMs,
    direction: options.direction,
  };
  const inputs = archiveLineTables(warehouse.dialect);
  const statement = (query: CategoryQuery) => categoryStatement(warehouse.dialect, query, inputs);
  const statements = [
    lineCensusStatement(warehouse.dialect),
    ...(['statusVerdicts', 'candidatePairs', 'attemptVerdicts', 'unknownToTwilio'] as const).map(statement),
  ];
  let results: WarehouseResult[];
  try {
    results = await allOrStopAll(statements, (sql, stop) => warehouse.query(sql, parameters, stop), signal);
  } catch (error) {
    report.discard();
    throw error;
  }
  const [census, status, pairs, attempts, unknown] = results;
  const queries = [census, status, pairs, attempts, unknown].map((r) => r.stats);
  const censusRows = await collect(census, (row) => ({
    objectKey: row.object_key ?? '',
    records: Number(row.records),
    malformed: Number(row.malformed),
    flagged: Number(row.flagged),
    unattributable: Number(row.unattributable),
  }));
  if (censusRows.length === 0 && !options.allowEmpty) {
    report.discard();
    throw emptyArchiveError(options, hours);
  }
  const scan = await archiveReadOf(censusRows, options);
  options.onProgress?.('archive', scan.objectsRead, scan.objectsListed);

  const attemptOf = (verdict: AttemptVerdict): AttemptEvidence => {
    const tags = verdict.tags === null ? {} : (JSON.parse(verdict.tags) as Record<string, ParamValue>);
    return { id: verdict.attempt_id, to: verdict.to_number, at: verdict.attempt_at, tags: redactParameters(tags, options.redactDigits) };
  };
  await reportVerdicts(report, {
    statusVerdicts: parsed(status, statusVerdictOf),
    candidatePairs: () => collect(pairs, candidatePairOf),
    attemptVerdicts: () => collect(attempts, attemptVerdictOf),
    unknownToTwilio: () => collect(unknown, unknownToTwilioOf),
    attemptOf,
  });
  const bytesScanned = queries.reduce((total, q) => total + q.bytesScanned, 0);
  const summary = summaryOf(options, started, scan, twilioRead, await report.close());
  return {
    ...summary,
    warehouse: { engine: warehouse.description, queries, bytes_scanned: bytesScanned, cost_usd: queries.reduce((total, q) => total + q.costUsd, 0) },
  };
}
