import { alertStatement, archiveLineTables, lineCensusStatement } from '../domain/reconcile/sql/archiveLines';
import { categorySelect, categoryStatement, categoryTables, type CategoryQuery } from '../domain/reconcile/sql/categories';
import { attemptVerdictOf, candidatePairOf, statusRowOf, statusVerdictOf, unknownToTwilioOf } from '../domain/reconcile/sql/verdictRows';
import type { SqlWarehouse, WarehouseResult } from '../domain/reconcile/sql/warehouse';
import {
  allOrStopAll,
  archiveReadOf,
  censusRowOf,
  collect,
  datehours,
  emptyWindowError,
  keepForRun,
  parsedRows,
  warehouseSummaryOf,
  type KnownReads,
  type WarehouseSummary,
} from '../warehouse/warehouseRead';
import { readTwilioList, scannedWindow, summaryOf, type ReconcileOptions, type ReconcileSummary, type TwilioListRead } from './reconcile';
import { AlertBook } from './alertBook';
import { ReconcileReport } from './reconcileReport';
import { reportVerdicts } from './reportVerdicts';

export interface WarehouseReconcileOptions extends ReconcileOptions {
  warehouse: SqlWarehouse;
  /** Ctrl-C: every running statement is stopped at the engine. */
  signal?: AbortSignal;
  /** Objects with malformed or flagged lines read here for their line numbers, at most this many. @default 20 */
  maxObjectsExplained?: number;
  /** Objects the engine already read through the project's reader (the native DuckDB engine's odd ones). */
  knownReads?: KnownReads;
}

export type { WarehouseSummary };

/**
 * The reconciliation run where the archive lies (`--engine athena`): Twilio's
 * list is read and masked here as for the other engines and staged in the
 * warehouse; the categories' SQL runs there over the archive's lines, with
 * every line checked as the streaming reader checks it (the Kinesis path's
 * CloudEvents mapped as it maps them); the same report
 * writes the same gaps, corrections and summary.
 */
export async function reconcileInWarehouse(options: WarehouseReconcileOptions): Promise<ReconcileSummary & { warehouse: WarehouseSummary }> {
  const started = Date.now();
  const now = options.now ?? (() => new Date());
  const { warehouse, signal } = options;
  const fromIso = options.from.toISOString();
  const toIso = options.to.toISOString();
  const scanned = scannedWindow(options);
  const hours = datehours(scanned.from, scanned.to);

  const alerts = new AlertBook();
  const report = new ReconcileReport({ ...options, now, alerts });
  // The engine checks the archive's lines (where it keeps them for the run) while this reads Twilio's list: the one
  // works in DuckDB's threads, the other in JavaScript's.
  // Stopped by Ctrl-C, or when the list cannot be read (no need to finish what the run will not use).
  const stopLineFacts = new AbortController();
  const onAbort = () => stopLineFacts.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) stopLineFacts.abort();
  const lineFacts = keepForRun(warehouse, { hour_from: hours.from, hour_to: hours.to, redact_digits: options.redactDigits }, stopLineFacts.signal).finally(() =>
    signal?.removeEventListener('abort', onAbort),
  );
  const settledLineFacts = lineFacts.then(
    () => undefined,
    () => undefined,
  );
  const stage = warehouse.stageTwilioList();
  let twilioRead: TwilioListRead;
  let run: string;
  try {
    twilioRead = await readTwilioList(options, report, (row) => stage.add(row));
    options.onProgress?.('twilio', twilioRead.rows, twilioRead.rows);
    run = await stage.close();
  } catch (error) {
    report.discard();
    stopLineFacts.abort();
    await stage.abandon();
    await settledLineFacts;
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
  let results: WarehouseResult[];
  try {
    const d = warehouse.dialect;
    // Kept for the run where the engine can: the line facts, and the categories' tables over them (then each
    // category's statement is its final SELECT alone).
    const from = await lineFacts;
    const kept = from === 'tables';
    if (kept) await warehouse.keepRelations!([...archiveLineTables(d, 'tables'), ...categoryTables(d)], parameters, signal);
    const inputs = archiveLineTables(d, from);
    const statement = (query: CategoryQuery) => (kept ? categorySelect(d, query) : categoryStatement(d, query, inputs));
    // The list's messages that are ok or pending are counted where the verdicts are, not read back one by one
    // (at 100,000 messages that read was 2.4 s of a 9 s run), unless the caller asks for every verdict.
    const statusQuery = options.onVerdict ? 'statusVerdicts' : 'statusExceptionsAndTallies';
    const statements = [
      lineCensusStatement(warehouse.dialect, from),
      ...([statusQuery, 'candidatePairs', 'attemptVerdicts', 'unknownToTwilio'] as const).map(statement),
      alertStatement(warehouse.dialect, from),
    ];
    results = await allOrStopAll(statements, (sql, stop) => warehouse.query(sql, parameters, stop), signal);
  } catch (error) {
    report.discard();
    throw error;
  }
  const [census, status, pairs, attempts, unknown, alertRows] = results;
  const censusRows = await collect(census, censusRowOf);
  if ((options.knownReads?.objects ?? censusRows.length) === 0 && !options.allowEmpty) {
    report.discard();
    throw emptyWindowError(warehouse.description, hours);
  }
  const scan = await archiveReadOf(censusRows, options.store, options, options.maxObjectsExplained, options.knownReads);
  for (const row of await collect(alertRows, (r) => r)) {
    if (row.message_sid)
      alerts.addQuoted(row.message_sid, {
        alert_sid: row.alert_sid ?? null,
        at: row.event_at ?? null,
        level: row.level ?? null,
        error_code: row.error_code ?? null,
      });
  }
  options.onProgress?.('archive', scan.objectsRead, scan.objectsListed);

  await reportVerdicts(report, {
    statusRows: parsedRows(status, options.onVerdict ? (row) => ({ kind: 'verdict', verdict: statusVerdictOf(row) }) : statusRowOf),
    candidatePairs: () => collect(pairs, candidatePairOf),
    attemptVerdicts: () => collect(attempts, attemptVerdictOf),
    unknownToTwilio: () => collect(unknown, unknownToTwilioOf),
    redactDigits: options.redactDigits,
  });
  const summary = summaryOf(options, started, scan, twilioRead, await report.close({ archive: scan, twilio: twilioRead }));
  return { ...summary, warehouse: warehouseSummaryOf(warehouse.description, results) };
}
