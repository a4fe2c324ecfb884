import { NativeDuckDbWarehouse } from '../adapters/duckdb/nativeWarehouse';
import { refuseCloudEventObjects } from '../warehouse/warehouseRead';
import type { HistoryOptions, HistoryResult } from './findHistory';
import { findHistoryInWarehouse, lastInstantOf } from './findHistoryInWarehouse';

/**
 * `history --engine duckdb`: the statement `--engine athena` sends finds the
 * objects that hold the message's records, run by DuckDB on this machine over
 * the days asked for (which it reads itself: nativeWarehouse.ts); those few
 * objects are then read by the project's reader, as on Athena.
 */
export async function findHistoryNatively(
  options: HistoryOptions & { from: Date; to: Date; memoryLimit?: string; threads?: number; signal?: AbortSignal },
): Promise<HistoryResult> {
  if (options.query.kind === 'to') throw new Error('--to is not looked up in SQL (a redacted number is matched digit by digit): use --engine local');
  // Before DuckDB reads the days: a window it would search incompletely is refused at once.
  await refuseCloudEventObjects(options.store, options.layout, options.from, lastInstantOf(options.to), 'duckdb');
  return NativeDuckDbWarehouse.around(
    {
      store: options.store,
      layout: options.layout,
      from: options.from,
      to: lastInstantOf(options.to),
      redactDigits: options.redactDigits,
      threads: options.threads,
      memoryLimit: options.memoryLimit,
      signal: options.signal,
    },
    async (warehouse) => {
      const { warehouse: cost, ...result } = await findHistoryInWarehouse({ ...options, warehouse });
      void cost;
      return result;
    },
  );
}
