import {
  FirehoseClient,
  PutRecordBatchCommand,
  PutRecordCommand,
  ServiceUnavailableException,
  ResourceNotFoundException,
  type PutRecordBatchCommandInput,
} from '@aws-sdk/client-firehose';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ArchiveWriter, ArchiveWriteError, type WriterEvent } from '../../../src/adapters/aws/archiveWriter';
import type { ArchiveWriterSettings } from '../../../src/config/archiveSettings';
import { RecordTooLargeError } from '../../../src/domain/errors';

const firehoseMock = mockClient(FirehoseClient);
const s3Mock = mockClient(S3Client);

const baseConfig: ArchiveWriterSettings = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
  streamName: 'archive',
  budgetMs: 7000,
  attemptTimeoutMs: 2000,
};

const throttled = () => new ServiceUnavailableException({ message: 'Slow down.', $metadata: { httpStatusCode: 503 } });

/** A clock that only moves when the writer sleeps, so budgets are exact. */
function fakeTime() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function writer(config: Partial<ArchiveWriterSettings> = {}, events: WriterEvent[] = []) {
  const time = fakeTime();
  const w = new ArchiveWriter(
    { ...baseConfig, ...config },
    {
      firehose: new FirehoseClient({ region: 'us-east-1' }),
      s3: new S3Client({ region: 'us-east-1' }),
      now: time.now,
      sleep: time.sleep,
      random: () => 1,
      onEvent: (e) => events.push(e),
    },
  );
  return { w, time };
}

beforeEach(() => {
  firehoseMock.reset();
  s3Mock.reset();
});

describe('ArchiveWriter', () => {
  it('puts the line, newline included, to the configured stream', async () => {
    firehoseMock.on(PutRecordCommand).resolves({ RecordId: 'r-1' });
    const outcome = await writer().w.write('{"v":1}\n', new Date());
    expect(outcome).toEqual({ destination: 'firehose', attempts: 1, reference: 'r-1' });
    const input = firehoseMock.commandCalls(PutRecordCommand)[0].args[0].input;
    expect(input.DeliveryStreamName).toBe('archive');
    expect(Buffer.from(input.Record!.Data!).toString()).toBe('{"v":1}\n');
  });

  it('retries throttling and 5xx with backoff until Firehose takes the record', async () => {
    const internal = Object.assign(new Error('boom'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
    firehoseMock.on(PutRecordCommand).rejectsOnce(throttled()).rejectsOnce(internal).resolves({ RecordId: 'r-3' });
    const events: WriterEvent[] = [];
    const outcome = await writer({}, events).w.write('x\n', new Date());
    expect(outcome.attempts).toBe(3);
    expect(events.map((e) => e.type)).toEqual(['retry', 'retry']);
    expect(events.map((e) => (e.type === 'retry' ? e.delayMs : 0))).toEqual([100, 200]);
  });

  it('retries a timed-out attempt (a write that may or may not have landed: duplicates are allowed)', async () => {
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    firehoseMock.on(PutRecordCommand).rejectsOnce(timeout).resolves({ RecordId: 'r-2' });
    expect((await writer().w.write('x\n', new Date())).attempts).toBe(2);
  });

  it('gives up inside the budget and says how often it tried', async () => {
    firehoseMock.on(PutRecordCommand).rejects(throttled());
    const { w, time } = writer({ budgetMs: 3000 });
    const error = await w.write('x\n', new Date()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveWriteError);
    expect((error as ArchiveWriteError).message).toMatch(/ServiceUnavailableException \(HTTP 503\)/);
    expect((error as ArchiveWriteError).attempts).toBeGreaterThan(3);
    expect(time.now()).toBeLessThanOrEqual(3000);
  });

  it('does not retry what retrying cannot fix', async () => {
    firehoseMock.on(PutRecordCommand).rejects(new ResourceNotFoundException({ message: 'no stream', $metadata: { httpStatusCode: 400 } }));
    const error = (await writer()
      .w.write('x\n', new Date())
      .catch((e: unknown) => e)) as ArchiveWriteError;
    expect(error.attempts).toBe(1);
    expect(error.message).toMatch(/ResourceNotFoundException/);
  });

  it('writes straight to S3 under the fallback prefix when Firehose will not take the record', async () => {
    firehoseMock.on(PutRecordCommand).rejects(throttled());
    s3Mock.on(PutObjectCommand).resolves({});
    const events: WriterEvent[] = [];
    const { w, time } = writer({ fallback: { bucket: 'archive-bucket', prefix: 'fallback/' } }, events);
    const outcome = await w.write('{"v":1}\n', new Date('2026-11-26T15:31:02.123Z'));
    expect(outcome.destination).toBe('fallback');
    expect(outcome.reference).toMatch(/^fallback\/2026\/11\/26\/15\/archive-fallback-2026-11-26-15-31-02-[0-9a-f-]{36}$/);
    const put = s3Mock.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({ Bucket: 'archive-bucket', Key: outcome.reference, ContentMD5: expect.any(String) });
    expect(Buffer.from(put.Body as Buffer).toString()).toBe('{"v":1}\n');
    expect(events.at(-1)?.type).toBe('fallback');
    // Firehose retries stopped early enough to leave the fallback its reserve.
    expect(time.now()).toBeLessThanOrEqual(5000);
  });

  it('fails when the fallback fails too, naming both failures', async () => {
    firehoseMock.on(PutRecordCommand).rejects(throttled());
    s3Mock.on(PutObjectCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const error = (await writer({ fallback: { bucket: 'b', prefix: 'fallback/' } })
      .w.write('x\n', new Date())
      .catch((e: unknown) => e)) as ArchiveWriteError;
    expect(error).toBeInstanceOf(ArchiveWriteError);
    expect(error.message).toMatch(/ServiceUnavailableException.*S3 fallback failed too: AccessDenied \(HTTP 403\)/);
  });

  it('takes an answer without a RecordId for a failure, and tries again', async () => {
    firehoseMock.on(PutRecordCommand).resolvesOnce({}).resolves({ RecordId: 'r-2' });
    const events: WriterEvent[] = [];
    const outcome = await writer({}, events).w.write('x\n', new Date());
    expect(outcome).toEqual({ destination: 'firehose', attempts: 2, reference: 'r-2' });
    expect(events[0]).toMatchObject({ type: 'retry', error: 'MissingRecordIdError' });
  });

  it("sends a record over Firehose's limit straight to the fallback, without asking Firehose", async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    const big = `${'x'.repeat(1000 * 1024)}\n`;
    const outcome = await writer({ fallback: { bucket: 'archive-bucket', prefix: 'fallback/' } }).w.write(big, new Date('2026-11-26T15:31:02.123Z'));
    expect(outcome).toMatchObject({ destination: 'fallback', attempts: 0 });
    expect(firehoseMock.commandCalls(PutRecordCommand)).toHaveLength(0);
    expect(Buffer.from(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.Body as Buffer).length).toBe(big.length);
  });

  it("refuses a record over Firehose's limit with RecordTooLargeError when there is no fallback", async () => {
    const error = await writer()
      .w.write(`${'x'.repeat(1000 * 1024)}\n`, new Date())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordTooLargeError);
    expect(firehoseMock.commandCalls(PutRecordCommand)).toHaveLength(0);
  });
});

describe('ArchiveWriter.writeBatch', () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `{"n":${i}}\n`);
  const sentLines = () =>
    firehoseMock.commandCalls(PutRecordBatchCommand).map((call) => call.args[0].input.Records!.map((r) => Buffer.from(r.Data!).toString()));
  /** Every record acknowledged except those at the given indexes of the request. */
  const answer = (input: PutRecordBatchCommandInput, failAt: number[] = []) => ({
    FailedPutCount: failAt.length,
    RequestResponses: input.Records!.map((_, i) =>
      failAt.includes(i) ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' } : { RecordId: `r-${i}` },
    ),
  });

  it('puts every line in one PutRecordBatch and counts them acknowledged', async () => {
    firehoseMock.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => answer(input));
    const outcome = await writer().w.writeBatch(lines(3), new Date());
    expect(outcome).toEqual({ firehose: 3, fallback: 0, attempts: 1 });
    expect(sentLines()).toEqual([lines(3)]);
  });

  it('resends only the records a 200 answer marks as failed, or leaves without a RecordId', async () => {
    firehoseMock
      .on(PutRecordBatchCommand)
      .callsFakeOnce((input: PutRecordBatchCommandInput) => answer(input, [1]))
      .callsFakeOnce(() => ({ FailedPutCount: 0, RequestResponses: [{}] }))
      .callsFake((input: PutRecordBatchCommandInput) => answer(input));
    const events: WriterEvent[] = [];
    const outcome = await writer({}, events).w.writeBatch(lines(3), new Date());
    expect(outcome).toEqual({ firehose: 3, fallback: 0, attempts: 3 });
    expect(sentLines()).toEqual([lines(3), [lines(3)[1]], [lines(3)[1]]]);
    expect(events.map((e) => e.type)).toEqual(['retry', 'retry']);
    expect(events[0]).toMatchObject({ records: 1, error: expect.stringContaining('ServiceUnavailableException') });
  });

  it('takes an answer that does not line up with the request for a failure of the whole batch', async () => {
    firehoseMock
      .on(PutRecordBatchCommand)
      .resolvesOnce({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'r-0' }] })
      .callsFake((input: PutRecordBatchCommandInput) => answer(input));
    const outcome = await writer().w.writeBatch(lines(2), new Date());
    expect(outcome).toEqual({ firehose: 2, fallback: 0, attempts: 2 });
    expect(sentLines()).toEqual([lines(2), lines(2)]);
  });

  it("cuts a delivery into Firehose's 500-record batches, sent side by side", async () => {
    firehoseMock.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => answer(input));
    const outcome = await writer().w.writeBatch(lines(1201), new Date());
    expect(outcome.firehose).toBe(1201);
    expect(sentLines().map((batch) => batch.length)).toEqual([500, 500, 201]);
  });

  it('gives up when the budget ends with records unacknowledged, and says how many', async () => {
    firehoseMock.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => answer(input, [0]));
    const { w } = writer({ budgetMs: 1000 });
    const error = (await w.writeBatch(lines(4), new Date()).catch((e: unknown) => e)) as ArchiveWriteError;
    expect(error).toBeInstanceOf(ArchiveWriteError);
    expect(error.message).toMatch(/did not take 1 of 4 record\(s\) after \d+ round\(s\)/);
  });

  it('stops at once on a refusal no retry will change', async () => {
    firehoseMock.on(PutRecordBatchCommand).rejects(new ResourceNotFoundException({ message: 'no such stream', $metadata: { httpStatusCode: 400 } }));
    const error = (await writer()
      .w.writeBatch(lines(2), new Date())
      .catch((e: unknown) => e)) as ArchiveWriteError;
    expect(error).toBeInstanceOf(ArchiveWriteError);
    expect(error.attempts).toBe(1);
  });

  it('writes what Firehose would not take, and any line over its limit, to the fallback as one object', async () => {
    firehoseMock.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => answer(input, input.Records!.length === 3 ? [2] : [0]));
    s3Mock.on(PutObjectCommand).resolves({});
    const big = `${'x'.repeat(1000 * 1024)}\n`;
    const events: WriterEvent[] = [];
    const { w } = writer({ budgetMs: 4000, fallback: { bucket: 'archive-bucket', prefix: 'fallback/' } }, events);
    const outcome = await w.writeBatch([...lines(3), big], new Date('2026-11-27T10:00:00Z'));
    expect(outcome).toMatchObject({ firehose: 2, fallback: 2, fallbackKey: expect.stringMatching(/^fallback\/2026\/11\/27\/10\//) });
    const body = Buffer.from(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.Body as Buffer).toString();
    expect(body).toBe(`${lines(3)[2]}${big}`);
    expect(events.at(-1)).toMatchObject({ type: 'fallback', records: 2 });
  });

  it('writes the others, then refuses a line over the limit with RecordTooLargeError when there is no fallback', async () => {
    firehoseMock.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => answer(input));
    const error = await writer()
      .w.writeBatch([lines(1)[0], `${'x'.repeat(1000 * 1024)}\n`], new Date())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordTooLargeError);
    expect(sentLines()).toEqual([lines(1)]);
  });
});
