import { lineCensusStatement } from '../domain/reconcile/sql/archiveLines';
import { staleMessagesStatement } from '../domain/reconcile/sql/staleMessages';
import type { SqlWarehouse } from '../domain/reconcile/sql/warehouse';
import {
  allOrStopAll,
  archiveReadOf,
  censusRowOf,
  collect,
  datehours,
  emptyWindowError,
  keepForRun,
  warehouseSummaryOf,
  type KnownReads,
  type WarehouseSummary,
} from '../warehouse/warehouseRead';
import { pollMessages, type PollOptions, type PollSummary, type StaleMessage } from './pollStale';

export interface WarehousePollOptions extends PollOptions {
  warehouse: SqlWarehouse;
  /** Ctrl-C: every running statement is stopped at the engine. */
  signal?: AbortSignal;
  /** Objects with malformed or flagged lines read here for their line numbers, at most this many. @default 20 */
  maxObjectsExplained?: number;
  /** Objects the engine already read through the project's reader (the native DuckDB engine's odd ones). */
  knownReads?: KnownReads;
}

/** An instant the window never reaches: `--until` not given. */
const NO_LIMIT = '9999-12-31T23:59:59.999Z';

/**
 * `poll-stale --engine athena` (and `duckdb`, nativePollStale.ts): the stale messages found by SQL where the
 * archive lies (the same status rules, over the same hour folders as the
 * streaming scan), then fetched and appended as by the streaming poller.
 */
export async function pollStaleInWarehouse(options: WarehousePollOptions): Promise<PollSummary & { warehouse: WarehouseSummary }> {
  const started = Date.now();
  const { criteria, warehouse } = options;
  const scanFrom = new Date(criteria.since.getTime() - options.slackMs);
  const scanTo = criteria.now;
  const hours = datehours(scanFrom, scanTo);
  const parameters = {
    hour_from: hours.from,
    hour_to: hours.to,
    redact_digits: options.redactDigits,
    since: criteria.since.toISOString(),
    until: criteria.until?.toISOString() ?? NO_LIMIT,
    now: criteria.now.toISOString(),
    older_than_ms: criteria.olderThanMs,
  };
  const from = await keepForRun(warehouse, parameters, options.signal);
  const results = await allOrStopAll(
    [lineCensusStatement(warehouse.dialect, from), staleMessagesStatement(warehouse.dialect, from)],
    (sql, stop) => warehouse.query(sql, parameters, stop),
    options.signal,
  );
  const census = await collect(results[0], censusRowOf);
  if ((options.knownReads?.objects ?? census.length) === 0 && !options.allowEmpty) throw emptyWindowError(warehouse.description, hours);
  const scan = await archiveReadOf(census, options.store, options, options.maxObjectsExplained, options.knownReads);
  options.onProgress?.({
    phase: 'scan',
    objectsListed: scan.objectsListed,
    objectsRead: scan.objectsRead,
    bytesRead: 0,
    bytesDecoded: 0,
    records: scan.records,
  });

  let messages = 0;
  const stale: StaleMessage[] = [];
  for (const row of await collect(results[1], (r) => r)) {
    if (row.sid === null) messages = Number(row.messages);
    else stale.push({ sid: row.sid, accountSid: row.account_sid ?? '' });
  }
  const summary = await pollMessages(options, { started, scanFrom, scanTo, scan, messages, stale });
  return { ...summary, warehouse: warehouseSummaryOf(warehouse.description, results) };
}
