import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetWorkGroupCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type QueryExecutionState,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AthenaCostGuardError,
  AthenaQueryError,
  athenaCostUsd,
  executionParameter,
  runAthenaQuery,
  scanLimitOf,
} from '../../../src/adapters/athena/athenaQuery';
import { AthenaWarehouse } from '../../../src/adapters/athena/athenaWarehouse';
import { S3Client } from '@aws-sdk/client-s3';

const athena = mockClient(AthenaClient);
const client = new AthenaClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

function states(...sequence: QueryExecutionState[]) {
  const mock = athena.on(GetQueryExecutionCommand);
  for (const state of sequence) {
    mock.resolvesOnce({
      QueryExecution: {
        Status: { State: state, StateChangeReason: state === 'FAILED' ? 'HIVE_CURSOR_ERROR: Row is not a valid JSON Object' : undefined },
        Statistics: { DataScannedInBytes: 1_300_000_000, EngineExecutionTimeInMillis: 4200 },
      },
    });
  }
}

const base = {
  client,
  workGroup: 'message-archive',
  database: 'message_archive',
  sql: 'SELECT sid FROM records WHERE datehour >= ? AND n = ?',
  parameters: ['2026/11/25/00', 5],
};

describe('an Athena query', () => {
  let slept: number[];
  const sleep = async (ms: number) => void slept.push(ms);
  beforeEach(() => {
    athena.reset();
    slept = [];
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
  });

  it('is sent with its parameters bound as execution parameters, never spliced into the text', async () => {
    states('SUCCEEDED');
    await runAthenaQuery({ ...base, sleep });
    expect(athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input).toEqual({
      QueryString: 'SELECT sid FROM records WHERE datehour >= ? AND n = ?',
      QueryExecutionContext: { Database: 'message_archive' },
      WorkGroup: 'message-archive',
      ExecutionParameters: ["'2026/11/25/00'", '5'],
    });
    expect(executionParameter("O'Brien")).toBe("'O''Brien'");
    expect(() => executionParameter(NaN)).toThrow(RangeError);
  });

  it('is polled through QUEUED and RUNNING with a growing delay, and reports the bytes scanned and their cost', async () => {
    states('QUEUED', 'RUNNING', 'RUNNING', 'RUNNING', 'SUCCEEDED');
    const result = await runAthenaQuery({ ...base, sleep, pollMs: { first: 100, max: 300 } });
    expect(slept).toEqual([100, 200, 300, 300]);
    expect(result.stats).toEqual({ queryExecutionId: 'q-1', bytesScanned: 1_300_000_000, costUsd: athenaCostUsd(1_300_000_000), engineMs: 4200 });
    expect(athenaCostUsd(1_300_000_000)).toBeCloseTo((Math.ceil(1_300_000_000 / 2 ** 20) * 2 ** 20 * 5) / 2 ** 40, 10);
    // At least 10 MB is billed.
    expect(athenaCostUsd(1)).toBeCloseTo((10 * 2 ** 20 * 5) / 2 ** 40, 12);
  });

  it.each(['FAILED', 'CANCELLED'] as const)('throws when it ends %s, with the reason', async (state) => {
    states('RUNNING', state);
    const error = await runAthenaQuery({ ...base, sleep }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AthenaQueryError);
    expect((error as AthenaQueryError).queryExecutionId).toBe('q-1');
    expect(String(error)).toContain(`q-1 ${state.toLowerCase()}`);
    if (state === 'FAILED') expect(String(error)).toContain('HIVE_CURSOR_ERROR');
  });

  it('is stopped at Athena when the run is interrupted (Ctrl-C)', async () => {
    const stop = new AbortController();
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const interrupt = async () => {
      slept.push(0);
      if (slept.length === 2) stop.abort();
    };
    const error = await runAthenaQuery({ ...base, sleep: interrupt, signal: stop.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AthenaQueryError);
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([{ QueryExecutionId: 'q-1' }]);
  });

  it("is read page by page, each row keyed by the header row's names, NULLs kept", async () => {
    states('SUCCEEDED');
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', MaxResults: 1000, NextToken: undefined })
      .resolves({
        ResultSet: { Rows: [{ Data: [{ VarCharValue: 'sid' }, { VarCharValue: 'status' }] }, { Data: [{ VarCharValue: 'SM1' }, {}] }] },
        NextToken: 't2',
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', MaxResults: 1000, NextToken: 't2' })
      .resolves({ ResultSet: { Rows: [{ Data: [{ VarCharValue: 'SM2' }, { VarCharValue: 'delivered' }] }] } });
    const result = await runAthenaQuery({ ...base, sleep });
    const rows: Record<string, string | null>[] = [];
    for await (const row of result.rows()) rows.push(row);
    expect(rows).toEqual([
      { sid: 'SM1', status: null },
      { sid: 'SM2', status: 'delivered' },
    ]);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(2);
  });
});

describe("the cost guard on the workgroup's scan limit", () => {
  beforeEach(() => athena.reset());

  it('passes a workgroup with a per-query limit, and gives it', async () => {
    athena.on(GetWorkGroupCommand).resolves({ WorkGroup: { Name: 'message-archive', Configuration: { BytesScannedCutoffPerQuery: 100 * 2 ** 30 } } });
    await expect(scanLimitOf(client, 'message-archive', false)).resolves.toBe(100 * 2 ** 30);
  });

  it('refuses a workgroup without one, unless the cost is accepted', async () => {
    athena.on(GetWorkGroupCommand).resolves({ WorkGroup: { Name: 'primary', Configuration: {} } });
    await expect(scanLimitOf(client, 'primary', false)).rejects.toThrow(AthenaCostGuardError);
    await expect(scanLimitOf(client, 'primary', false)).rejects.toThrow(/no bytes-scanned limit per query.*--i-accept-cost/);
    await expect(scanLimitOf(client, 'primary', true)).resolves.toBeNull();
  });
});

describe('the archive database as the warehouse the SQL runs on', () => {
  beforeEach(() => {
    athena.reset();
    athena.on(GetWorkGroupCommand).resolves({ WorkGroup: { Name: 'message-archive', Configuration: { BytesScannedCutoffPerQuery: 100 * 2 ** 30 } } });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-9' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 0 } } });
  });
  const settings = { workGroup: 'message-archive', database: 'message_archive', lists: { bucket: 'results', prefix: 'twilio-lists/' } };

  it("binds a statement's named parameters in the order Trino's markers take them, a value used twice given twice, nothing spliced", async () => {
    const warehouse = await AthenaWarehouse.open(client, new S3Client({ region: 'us-east-1' }), settings, false);
    await warehouse.query("SELECT ':not_a_parameter' AS t FROM records WHERE run = :run AND a >= :since AND b < :since LIMIT :n", {
      run: "x' OR '1'='1",
      since: '2026-11-25T00:00:00.000Z',
      n: 3,
    });
    expect(athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input).toMatchObject({
      QueryString: "SELECT ':not_a_parameter' AS t FROM records WHERE run = ? AND a >= ? AND b < ? LIMIT ?",
      ExecutionParameters: ["'x'' OR ''1''=''1'", "'2026-11-25T00:00:00.000Z'", "'2026-11-25T00:00:00.000Z'", '3'],
    });
    expect(warehouse.description).toBe('athena workgroup message-archive, database message_archive (scan limit 100 GiB a query)');
  });

  it('refuses a statement whose parameter was not given, before anything is started', async () => {
    const warehouse = await AthenaWarehouse.open(client, new S3Client({ region: 'us-east-1' }), settings, false);
    await expect(warehouse.query('SELECT 1 FROM records WHERE run = :run', {})).rejects.toThrow(/takes :run, which was not given/);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });
});
