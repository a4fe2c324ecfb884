/**
 * A local stand-in for Athena over real HTTP (AWS JSON 1.1, `AmazonAthena.*`
 * targets, as @aws-sdk/client-athena speaks it): GetWorkGroup,
 * StartQueryExecution, GetQueryExecution (QUEUED, then SUCCEEDED or the
 * injected failure), GetQueryResults (the header row first, NextToken
 * paging) and StopQueryExecution.
 *
 * It runs no Trino. It knows the statements the Athena engine may send, in
 * Trino's dialect with `?` markers, and answers one only when the text is
 * exactly one of them: it then runs the same statement in DuckDB's dialect
 * (DuckDbWarehouse, over the archive's objects) with the execution parameters
 * it was sent, in their order. The staged Twilio list is read from S3 as the
 * `twilio_lists` table would read it.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { alertStatement, archiveLineTables, historyObjectsStatement, lineCensusStatement } from '../../src/domain/reconcile/sql/archiveLines';
import { categoryStatement, type CategoryQuery } from '../../src/domain/reconcile/sql/categories';
import { bindParameters, DUCKDB, TRINO } from '../../src/domain/reconcile/sql/dialect';
import { staleMessagesStatement } from '../../src/domain/reconcile/sql/staleMessages';
import type { TextRow } from '../../src/domain/reconcile/sql/verdictRows';
import { DuckDbWarehouse } from './duckDbWarehouse';
import { S3RVER_CREDENTIALS } from './s3rverProcess';
import { FolderArchiveStore } from '../../src/adapters/archive/archiveStore';

export interface FakeAthenaOptions {
  warehouse: DuckDbWarehouse;
  s3: S3Client;
  /** Where the reconciliation stages Twilio's lists (the `twilio_lists` table's location). */
  lists: { bucket: string; prefix: string };
  /** The workgroup's BytesScannedCutoffPerQuery; null: none. */
  scanLimit: number | null;
  /** Every query ends FAILED with this reason. */
  failWith?: string;
  /** Every query stays RUNNING until stopped. */
  neverFinish?: boolean;
  /** Rows a result page holds at most (Athena: 1,000). */
  pageRows?: number;
}

interface Execution {
  state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  polls: number;
  rows?: TextRow[];
  columns?: string[];
  reason?: string;
  bytes: number;
}

export interface FakeAthena {
  endpoint: string;
  /** Every StartQueryExecution's input, as sent. */
  started: { QueryString: string; ExecutionParameters?: string[]; WorkGroup?: string; Database?: string }[];
  stopped: string[];
  close(): Promise<void>;
}

/** An execution parameter as Athena takes it: a quoted text ('' for ') or a number. */
function literal(value: string): string | number {
  if (value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1).replace(/''/g, "'");
  const number = Number(value);
  if (!Number.isFinite(number)) throw new Error(`not a literal: ${value}`);
  return number;
}

/** The statements the engine sends, by their Trino text: each with its DuckDB twin and its parameters' names in order. */
function knownStatements(): Map<string, { duckdb: string; order: string[] }> {
  const known = new Map<string, { duckdb: string; order: string[] }>();
  const add = (trino: string, duckdb: string) => {
    const bound = bindParameters(TRINO, trino);
    known.set(bound.text, { duckdb, order: bound.order });
  };
  add(lineCensusStatement(TRINO), lineCensusStatement(DUCKDB));
  add(alertStatement(TRINO), alertStatement(DUCKDB));
  // history --engine athena: by SID, client reference, and the tag the tests look up.
  for (const by of [{ kind: 'sid' }, { kind: 'client_ref' }, { kind: 'tag', name: 'order_id' }] as const)
    add(historyObjectsStatement(TRINO, by), historyObjectsStatement(DUCKDB, by));
  add(staleMessagesStatement(TRINO), staleMessagesStatement(DUCKDB));
  for (const query of ['statusVerdicts', 'statusExceptionsAndTallies', 'candidatePairs', 'attemptVerdicts', 'unknownToTwilio'] as CategoryQuery[]) {
    add(categoryStatement(TRINO, query, archiveLineTables(TRINO)), categoryStatement(DUCKDB, query, archiveLineTables(DUCKDB)));
  }
  return known;
}

async function stagedRows(s3: S3Client, bucket: string, prefix: string): Promise<TextRow[]> {
  const rows: TextRow[] = [];
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  for (const item of listed.Contents ?? []) {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: item.Key! }));
    const body = Buffer.from(await got.Body!.transformToByteArray());
    const text = (item.Key!.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') rows.push(JSON.parse(line) as TextRow);
  }
  return rows;
}

export async function startFakeAthena(options: FakeAthenaOptions): Promise<FakeAthena> {
  const known = knownStatements();
  const executions = new Map<string, Execution>();
  const started: FakeAthena['started'] = [];
  const stopped: string[] = [];
  // Statements arrive side by side: each waits for the one load of its run's list.
  const loadedRuns = new Map<string, Promise<void>>();
  let next = 0;

  const execute = async (input: { QueryString: string; ExecutionParameters?: string[] }): Promise<Execution> => {
    if (options.failWith) return { state: 'FAILED', polls: 0, reason: options.failWith, bytes: 0 };
    const statement = known.get(input.QueryString);
    if (!statement) return { state: 'FAILED', polls: 0, reason: 'SYNTAX_ERROR: not a statement this stand-in knows', bytes: 0 };
    const values = (input.ExecutionParameters ?? []).map(literal);
    if (values.length !== statement.order.length) {
      return { state: 'FAILED', polls: 0, reason: `expected ${statement.order.length} execution parameters, got ${values.length}`, bytes: 0 };
    }
    const parameters: Record<string, string | number> = {};
    statement.order.forEach((name, i) => (parameters[name] = values[i]));
    const run = parameters.run as string | undefined;
    if (run !== undefined) {
      if (!loadedRuns.has(run)) {
        loadedRuns.set(
          run,
          stagedRows(options.s3, options.lists.bucket, `${options.lists.prefix}${run}/`).then((rows) => options.warehouse.addTwilioList(run, rows)),
        );
      }
      await loadedRuns.get(run);
    }
    const result = await options.warehouse.query(statement.duckdb, parameters);
    const rows: TextRow[] = [];
    for await (const row of result.rows()) rows.push(row);
    return { state: 'QUEUED', polls: 0, rows, columns: rows.length > 0 ? Object.keys(rows[0]) : [], bytes: 1_234_567 };
  };

  const handlers: Record<string, (input: Record<string, unknown>) => Promise<unknown>> = {
    GetWorkGroup: async (input) => ({
      WorkGroup: { Name: input.WorkGroup, Configuration: options.scanLimit === null ? {} : { BytesScannedCutoffPerQuery: options.scanLimit } },
    }),
    StartQueryExecution: async (input) => {
      const typed = input as { QueryString: string; ExecutionParameters?: string[]; WorkGroup?: string; QueryExecutionContext?: { Database?: string } };
      started.push({
        QueryString: typed.QueryString,
        ExecutionParameters: typed.ExecutionParameters,
        WorkGroup: typed.WorkGroup,
        Database: typed.QueryExecutionContext?.Database,
      });
      const id = `fake-${++next}`;
      executions.set(id, await execute(typed));
      return { QueryExecutionId: id };
    },
    GetQueryExecution: async (input) => {
      const id = input.QueryExecutionId as string;
      const execution = executions.get(id)!;
      // Queued on the first poll: the engine must poll, not assume.
      if (execution.state === 'QUEUED' && execution.polls++ > 0) execution.state = options.neverFinish ? 'RUNNING' : 'SUCCEEDED';
      return {
        QueryExecution: {
          QueryExecutionId: id,
          Status: { State: execution.state, ...(execution.reason ? { StateChangeReason: execution.reason } : {}) },
          Statistics: { DataScannedInBytes: execution.bytes, EngineExecutionTimeInMillis: 5 },
        },
      };
    },
    GetQueryResults: async (input) => {
      const execution = executions.get(input.QueryExecutionId as string)!;
      const pageRows = Math.min(options.pageRows ?? 1000, (input.MaxResults as number | undefined) ?? 1000);
      const offset = Number((input.NextToken as string | undefined) ?? '0');
      const header = offset === 0 ? [{ Data: execution.columns!.map((name) => ({ VarCharValue: name })) }] : [];
      const slice = execution.rows!.slice(offset, offset + pageRows - header.length);
      const end = offset + slice.length;
      return {
        ResultSet: {
          Rows: [...header, ...slice.map((row) => ({ Data: execution.columns!.map((c) => (row[c] === null ? {} : { VarCharValue: row[c] })) }))],
        },
        ...(end < execution.rows!.length ? { NextToken: String(end) } : {}),
      };
    },
    StopQueryExecution: async (input) => {
      stopped.push(input.QueryExecutionId as string);
      const execution = executions.get(input.QueryExecutionId as string);
      if (execution) execution.state = 'CANCELLED';
      return {};
    },
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '').replace(/^AmazonAthena\./, '');
      const handler = handlers[target];
      const answer = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      };
      if (!handler) return answer(400, { __type: 'InvalidRequestException', Message: `not served here: ${target}` });
      handler(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>).then(
        (body) => answer(200, body),
        (error: Error) => answer(500, { __type: 'InternalServerException', Message: error.message }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    started,
    stopped,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a command needs to reach the stand-in and s3rver as it would reach Athena and S3 (the settings the infrastructure's CommandsEnvironment gives). */
export interface AthenaStandIn {
  athena: FakeAthena;
  warehouse: DuckDbWarehouse;
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A folder archive copied into s3rver's `archive` bucket, and the stand-in
 * Athena over the same objects (`"$path"` = `s3://archive/<key>`), staging
 * lists in the `athena-results` bucket.
 */
export async function startAthenaStandIn(
  folder: string,
  s3: { client: S3Client; endpoint: string },
  options: Partial<Omit<FakeAthenaOptions, 'warehouse' | 's3' | 'lists'>> = {},
): Promise<AthenaStandIn> {
  const objects: { key: string; body: Buffer }[] = [];
  for await (const object of new FolderArchiveStore(folder).list('')) {
    const body = readFileSync(join(folder, object.key));
    objects.push({ key: object.key, body });
    await s3.client.send(new PutObjectCommand({ Bucket: 'archive', Key: object.key, Body: body }));
  }
  const warehouse = await DuckDbWarehouse.of(objects, 's3://archive/');
  const athena = await startFakeAthena({
    warehouse,
    s3: s3.client,
    lists: { bucket: 'athena-results', prefix: 'twilio-lists/' },
    scanLimit: 100 * 1024 ** 3,
    ...options,
  });
  return {
    athena,
    warehouse,
    env: {
      ARCHIVE_S3_ENDPOINT: s3.endpoint,
      ARCHIVE_ATHENA_ENDPOINT: athena.endpoint,
      ARCHIVE_AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      ARCHIVE_AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      ARCHIVE_ATHENA_WORKGROUP: 'message-archive',
      ARCHIVE_ATHENA_DATABASE: 'message_archive',
      ARCHIVE_ATHENA_LISTS_S3_URI: 's3://athena-results/twilio-lists/',
    },
    async close() {
      await athena.close();
      await warehouse.close();
    },
  };
}
