/**
 * The reconciliation's categories (src/domain/reconcile/sql) run in-process
 * on DuckDB, over relations this adapter fills: the archive's facts and
 * Twilio's masked rows. DuckDB reads local data only here: no extension is
 * loaded, none could be downloaded at run time.
 */
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { RecordFacts } from '../../domain/archiveLine';
import type { TwilioMessageRow } from '../../domain/reconcile/twilioRow';
import { attemptVerdictsSql, statusVerdictsSql, unknownToTwilioSql } from '../../domain/reconcile/sql/categories';
import { bindParameters, DUCKDB } from '../../domain/reconcile/sql/dialect';

export interface CategoryParameters {
  /** The window: messages created in [from, to), ISO-8601 instants. */
  windowFrom: string;
  windowTo: string;
  matchWindowMs: number;
  direction: 'outbound' | 'inbound' | 'all';
}

export interface StatusVerdict {
  sid: string;
  category: 'ok' | 'pending' | 'missing' | 'status_behind' | 'status_conflict';
  twilio_status: string;
  archive_status: string | null;
  archive_error_code: string | null;
  /** The archive holds any record of the message (a not-found poll included). */
  archived: boolean;
}

export interface AttemptVerdict {
  attempt_id: string;
  category: 'matched_by_envelope' | 'ambiguous_envelope' | 'unmatched_send_error' | 'matched_earlier';
  matched_sid: string | null;
  candidate_count: number;
}

export interface UnknownToTwilio {
  sid: string;
  archive_status: string;
}

const RECORD_COLUMNS = [
  'source',
  'recorded_at',
  'event_at',
  'account_sid',
  'message_sid',
  'status',
  'error_code',
  'to_number',
  'client_ref',
  'matched_attempt',
];
const TWILIO_COLUMNS = ['sid', 'account_sid', 'status', 'error_code', 'to_number', 'date_created', 'date_sent', 'direction'];

function appendText(appender: DuckDBAppender, value: string | null | undefined): void {
  if (value === null || value === undefined) appender.appendNull();
  else appender.appendVarchar(value);
}

/** `params.reconcile.matched_attempt` of a reconcile record (reconcileRecord.ts writes it). */
function matchedAttempt(params: Readonly<Record<string, unknown>>): string | null {
  const reconcile = params.reconcile;
  if (!reconcile || typeof reconcile !== 'object') return null;
  const matched = (reconcile as Record<string, unknown>).matched_attempt;
  return typeof matched === 'string' ? matched : null;
}

export class DuckDbCategories {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(): Promise<DuckDbCategories> {
    const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    const connection = await instance.connect();
    await connection.run(`CREATE TABLE records (${RECORD_COLUMNS.map((c) => `${c} VARCHAR`).join(', ')})`);
    await connection.run(`CREATE TABLE twilio_rows (${TWILIO_COLUMNS.map((c) => `${c} VARCHAR`).join(', ')})`);
    return new DuckDbCategories(instance, connection);
  }

  async addRecords(records: Iterable<RecordFacts>): Promise<void> {
    const appender = await this.connection.createAppender('records');
    for (const facts of records) {
      const ref = facts.tags.client_ref;
      for (const value of [
        facts.source,
        facts.recorded_at,
        facts.event_at,
        facts.account_sid,
        facts.message_sid,
        facts.status,
        facts.error_code,
        facts.to,
        typeof ref === 'string' ? ref : null,
        facts.source === 'reconcile' ? matchedAttempt(facts.params) : null,
      ]) {
        appendText(appender, value);
      }
      appender.endRow();
    }
    appender.closeSync();
  }

  async addTwilioRows(rows: Iterable<TwilioMessageRow>): Promise<void> {
    const appender = await this.connection.createAppender('twilio_rows');
    for (const row of rows) {
      for (const value of [row.sid, row.accountSid, row.status, row.errorCode, row.to, row.dateCreated, row.dateSent, row.direction])
        appendText(appender, value);
      appender.endRow();
    }
    appender.closeSync();
  }

  private async query<T>(sql: string, parameters: CategoryParameters): Promise<T[]> {
    const values: Record<string, string | number> = {
      window_from: parameters.windowFrom,
      window_to: parameters.windowTo,
      match_window_ms: parameters.matchWindowMs,
      direction: parameters.direction,
    };
    const { text, order } = bindParameters(DUCKDB, sql);
    const bound = Object.fromEntries([...new Set(order)].map((name) => [name, values[name]]));
    const reader = await this.connection.runAndReadAll(text, bound);
    return reader.getRowObjectsJS() as unknown as T[];
  }

  statusVerdicts(parameters: CategoryParameters): Promise<StatusVerdict[]> {
    return this.query(statusVerdictsSql(DUCKDB), parameters);
  }

  async attemptVerdicts(parameters: CategoryParameters): Promise<AttemptVerdict[]> {
    const rows = await this.query<AttemptVerdict & { candidate_count: bigint | number }>(attemptVerdictsSql(DUCKDB), parameters);
    return rows.map((row) => ({ ...row, candidate_count: Number(row.candidate_count) }));
  }

  unknownToTwilio(parameters: CategoryParameters): Promise<UnknownToTwilio[]> {
    return this.query(unknownToTwilioSql(DUCKDB), parameters);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
