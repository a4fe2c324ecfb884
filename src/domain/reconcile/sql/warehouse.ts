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
   * Fills a table of each of the statements' line facts (archiveLines.ts,
   * lineFactStatements) once for the run, so that the statements read those
   * (`'tables'`) instead of reading and checking every line again. An engine
   * that reads each statement's lines where they lie (Athena) has none.
   */
  fillLineFacts?(statements: [name: string, statement: string][], parameters: Record<string, string | number>): Promise<void>;
}
