import { NativeDuckDbWarehouse } from '../adapters/duckdb/nativeWarehouse';
import type { PollOptions, PollSummary } from './pollStale';
import { pollStaleInWarehouse } from './pollStaleInWarehouse';

export interface NativePollOptions extends PollOptions {
  /** DuckDB's memory_limit (e.g. `500MB`): beyond it, it spills to disk. */
  memoryLimit?: string;
  /** Ctrl-C: the running statements are interrupted, and the staged files removed. */
  signal?: AbortSignal;
}

/**
 * `poll-stale --engine duckdb`: the stale messages found by the statements
 * `--engine athena` sends, run by DuckDB on this machine over the scan's
 * objects, which it reads itself (nativeWarehouse.ts); then fetched and
 * appended as by the streaming poller.
 */
export async function pollStaleNatively(options: NativePollOptions): Promise<PollSummary> {
  return NativeDuckDbWarehouse.around(
    {
      store: options.store,
      layout: options.layout,
      // The hours pollStaleInWarehouse's statements read: from the window's start less the slack, to now.
      from: new Date(options.criteria.since.getTime() - options.slackMs),
      to: options.criteria.now,
      redactDigits: options.redactDigits,
      threads: options.threads,
      memoryLimit: options.memoryLimit,
      signal: options.signal,
    },
    async (warehouse) => {
      const { warehouse: cost, ...summary } = await pollStaleInWarehouse({
        ...options,
        warehouse,
        knownReads: warehouse.knownReads,
        maxObjectsExplained: Number.MAX_SAFE_INTEGER,
      });
      void cost;
      return summary;
    },
  );
}
