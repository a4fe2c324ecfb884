import { NativeDuckDbWarehouse } from '../adapters/duckdb/nativeWarehouse';
import { scannedWindow, type ReconcileOptions, type ReconcileSummary } from './reconcile';
import { reconcileInWarehouse } from './warehouseReconcile';

export interface DuckDbReconcileOptions extends ReconcileOptions {
  /** DuckDB's memory_limit (e.g. `600MB`): beyond it, it spills to disk. */
  memoryLimit?: string;
  /** Ctrl-C: the running statements are interrupted, and the staged files removed. */
  signal?: AbortSignal;
  /** Where the temporary folder is made. @default os.tmpdir() (TMPDIR) */
  tempFolder?: string;
}

/**
 * `--engine duckdb`: the statements the Athena engine sends, run by DuckDB on
 * this machine over the archive's objects, which DuckDB reads itself (after
 * the gate of objectGate.ts; odd objects through the project's reader). The
 * same report turns the verdicts into the same gaps, corrections and summary
 * as --engine local's (test/integration/sqlCategories.differential.test.ts).
 */
export async function reconcileNatively(options: DuckDbReconcileOptions): Promise<ReconcileSummary> {
  const scanned = scannedWindow(options);
  return NativeDuckDbWarehouse.around(
    {
      store: options.store,
      layout: options.layout,
      from: scanned.from,
      to: scanned.to,
      redactDigits: options.redactDigits,
      threads: options.threads,
      memoryLimit: options.memoryLimit,
      signal: options.signal,
      tempFolder: options.tempFolder,
      onProgress: (done, total) => options.onProgress?.('archive', done, total),
    },
    async (warehouse) => {
      const { warehouse: cost, ...summary } = await reconcileInWarehouse({
        ...options,
        warehouse,
        knownReads: warehouse.knownReads,
        // Every object with a malformed line named with its line numbers, as --engine local names them: read here, not
        // fetched from S3 again as the Athena engine would.
        maxObjectsExplained: Number.MAX_SAFE_INTEGER,
      });
      void cost;
      return summary;
    },
  );
}
