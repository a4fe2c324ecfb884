import type { TwilioMessageRow } from '../twilioRow';
import type { SqlDialect } from './dialect';
import type { TextRow } from './verdictRows';

/** What one statement cost. */
export interface WarehouseQueryStats {
  queryId: string;
  bytesScanned: number;
  costUsd: number;
}

export interface WarehouseResult {
  stats: WarehouseQueryStats;
  /** The rows, every value as text (NULL as null), read as they come. */
  rows(): AsyncIterable<TextRow>;
}

/** Twilio's list on its way into the warehouse: rows added one by one, then staged as one run's table. */
export interface TwilioListStage {
  add(row: TwilioMessageRow): void;
  /** Waits until every row is stored and answers the run's id (the `:run` of archiveLines.ts). */
  close(): Promise<string>;
  /** Gives up: nothing is left half-staged that a later run could read. */
  abandon(): Promise<void>;
}

/**
 * An SQL engine that reads the archive where it lies (Athena; DuckDB over the
 * same tables in the tests): it holds `record_lines` (archiveLines.ts) and
 * takes Twilio's list into `twilio_lists`.
 */
export interface SqlWarehouse {
  readonly dialect: SqlDialect;
  /** For the summary, e.g. `athena workgroup message-archive, database message_archive`. */
  readonly description: string;
  /** Runs one statement to its end; `:name` parameters are bound by the engine, never spliced. Aborting stops it. */
  query(sql: string, parameters: Record<string, string | number>, signal?: AbortSignal): Promise<WarehouseResult>;
  stageTwilioList(): TwilioListStage;
  /**
   * Computes these relations once for the run, in order (each may read those
   * before it), keeping each as a table or a view as the engine sees fit;
   * statements then read them by name instead of computing them again. An
   * engine that computes each statement where the data lies (Athena) has none;
   * the DuckDB one on this machine does, since six statements would otherwise
   * read and check every line six times. Aborting interrupts the relation
   * being computed.
   */
  keepRelations?(relations: [name: string, select: string][], parameters: Record<string, string | number>, signal?: AbortSignal): Promise<void>;
}
