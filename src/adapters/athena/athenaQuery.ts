/**
 * One Athena query, start to last row: started in a workgroup with its
 * parameters bound (Athena's execution parameters, never spliced into the
 * text), polled with backoff (the SDK has no waiter for it), stopped when the
 * caller's signal aborts (Ctrl-C stops the query, not only the command), and
 * read page by page. A workgroup without a per-query scan limit is refused
 * unless the caller accepts the cost.
 */
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetWorkGroupCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
} from '@aws-sdk/client-athena';

/** The query failed, was cancelled, or was stopped: no row of it can be trusted as complete. */
export class AthenaQueryError extends Error {
  override name = 'AthenaQueryError';
  constructor(
    message: string,
    readonly queryExecutionId: string | undefined,
  ) {
    super(message);
  }
}

/** The workgroup would let one query scan (and bill) without limit. */
export class AthenaCostGuardError extends Error {
  override name = 'AthenaCostGuardError';
}

/** Athena's price: $5 per TB scanned, each query rounded up to the MB, at least 10 MB. */
const USD_PER_TB = 5;
const MB = 1024 * 1024;
const MIN_BILLED_BYTES = 10 * MB;

export function athenaCostUsd(bytesScanned: number): number {
  const billed = Math.max(MIN_BILLED_BYTES, Math.ceil(bytesScanned / MB) * MB);
  return (billed / 1024 ** 4) * USD_PER_TB;
}

/**
 * A value as an execution parameter: Athena substitutes each as a SQL literal,
 * so a text is quoted (its quotes doubled) and a number must be finite.
 */
export function executionParameter(value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a number Athena can take: ${value}`);
    return String(value);
  }
  return `'${value.replace(/'/g, "''")}'`;
}

/** The workgroup's per-query scan limit in bytes; refuses (AthenaCostGuardError) when it has none and the cost is not accepted. */
export async function scanLimitOf(client: AthenaClient, workGroup: string, acceptCost: boolean): Promise<number | null> {
  const answer = await client.send(new GetWorkGroupCommand({ WorkGroup: workGroup }));
  const limit = answer.WorkGroup?.Configuration?.BytesScannedCutoffPerQuery ?? null;
  if (limit === null && !acceptCost) {
    throw new AthenaCostGuardError(
      `Athena workgroup ${workGroup} has no bytes-scanned limit per query, so one query could scan (and bill) the whole archive. ` +
        'Use the workgroup the infrastructure creates (it has one), set a limit on this one, or pass --i-accept-cost.',
    );
  }
  return limit;
}

export interface AthenaQueryOptions {
  client: AthenaClient;
  workGroup: string;
  database: string;
  /** The statement with `?` markers, one per parameter, in order. */
  sql: string;
  parameters: (string | number)[];
  /** Aborting stops the query at Athena. */
  signal?: AbortSignal;
  /** Poll delays: the first, doubled up to the last. */
  pollMs?: { first: number; max: number };
  sleep?: (ms: number) => Promise<void>;
}

export interface AthenaQueryStats {
  queryExecutionId: string;
  bytesScanned: number;
  costUsd: number;
  engineMs: number;
}

export interface AthenaQueryResult {
  stats: AthenaQueryStats;
  /** The result's rows, page by page (1,000 a page), each keyed by its column's name (the header row); null for SQL NULL. */
  rows(): AsyncGenerator<Record<string, string | null>>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs the query to its end and returns its statistics and a reader of its rows. */
export async function runAthenaQuery(options: AthenaQueryOptions): Promise<AthenaQueryResult> {
  const { client, signal } = options;
  const sleep = options.sleep ?? defaultSleep;
  const poll = options.pollMs ?? { first: 250, max: 5000 };
  if (signal?.aborted) throw new AthenaQueryError('interrupted before the query started', undefined);
  const started = await client.send(
    new StartQueryExecutionCommand({
      QueryString: options.sql,
      QueryExecutionContext: { Database: options.database },
      WorkGroup: options.workGroup,
      ExecutionParameters: options.parameters.length > 0 ? options.parameters.map(executionParameter) : undefined,
    }),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new AthenaQueryError('Athena answered StartQueryExecution without a QueryExecutionId', undefined);

  for (let delay = poll.first; ; delay = Math.min(poll.max, delay * 2)) {
    if (signal?.aborted) {
      await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
      throw new AthenaQueryError(`interrupted: query ${id} was stopped at Athena`, id);
    }
    const { QueryExecution: execution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const state = execution?.Status?.State;
    if (state === 'SUCCEEDED') {
      const bytesScanned = execution?.Statistics?.DataScannedInBytes ?? 0;
      return {
        stats: { queryExecutionId: id, bytesScanned, costUsd: athenaCostUsd(bytesScanned), engineMs: execution?.Statistics?.EngineExecutionTimeInMillis ?? 0 },
        rows: () => readRows(client, id),
      };
    }
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason = execution?.Status?.StateChangeReason ?? execution?.Status?.AthenaError?.ErrorMessage ?? 'no reason given';
      throw new AthenaQueryError(`Athena query ${id} ${state.toLowerCase()}: ${reason}`, id);
    }
    if (state !== 'QUEUED' && state !== 'RUNNING') throw new AthenaQueryError(`Athena query ${id} is in an unknown state: ${String(state)}`, id);
    await sleep(delay);
  }
}

async function* readRows(client: AthenaClient, id: string): AsyncGenerator<Record<string, string | null>> {
  let token: string | undefined;
  let names: string[] | undefined;
  do {
    const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1000, NextToken: token }));
    for (const row of page.ResultSet?.Rows ?? []) {
      const values = (row.Data ?? []).map((datum) => datum.VarCharValue ?? null);
      // A SELECT's first page starts with the column names.
      if (!names) {
        names = values.map((name, i) => name ?? `_col${i}`);
        continue;
      }
      yield Object.fromEntries(names.map((name, i) => [name, values[i] ?? null]));
    }
    token = page.NextToken;
  } while (token);
}
