import { FirehoseClient, PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { S3Destination } from '../../dev/firehose/destinations';
import { LocalFirehose } from '../../dev/firehose/localFirehose';
import { readObjects, startS3rver, type S3rverHandle } from '../helpers/s3rverProcess';

let s3: S3rverHandle;
beforeAll(async () => {
  s3 = await startS3rver(['firehose-test']);
});
afterAll(async () => {
  await s3.stop();
});

async function withFirehose(
  options: { gzip?: boolean; sizeBytes?: number; prefix?: string },
  run: (fh: LocalFirehose, client: FirehoseClient) => Promise<void>,
) {
  const firehose = new LocalFirehose({
    streamNames: ['stream-a'],
    destination: new S3Destination(s3.client, 'firehose-test'),
    prefix: options.prefix ?? 'firehose/',
    gzip: options.gzip,
    hints: { sizeBytes: options.sizeBytes ?? 1024 * 1024, intervalMs: 60_000 },
  });
  const endpoint = await firehose.start();
  const client = new FirehoseClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  try {
    await run(firehose, client);
  } finally {
    client.destroy();
    await firehose.stop();
  }
}

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('local Firehose endpoint (real SDK client over HTTP, s3rver behind it)', () => {
  it("takes PutRecord and PutRecordBatch and delivers them concatenated, in Firehose's key layout", async () => {
    await withFirehose({ prefix: 'plain/' }, async (fh, client) => {
      const put = await client.send(new PutRecordCommand({ DeliveryStreamName: 'stream-a', Record: { Data: bytes('one\n') } }));
      expect(put.RecordId).toEqual(expect.any(String));
      const batch = await client.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'stream-a', Records: [{ Data: bytes('two\n') }, { Data: bytes('three\n') }] }),
      );
      expect(batch.FailedPutCount).toBe(0);
      expect(batch.RequestResponses).toHaveLength(2);
      await fh.flush();
    });
    const objects = await readObjects(s3.client, 'firehose-test', 'plain/');
    expect(objects).toHaveLength(1);
    expect(objects[0].key).toMatch(/^plain\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/stream-a-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}$/);
    expect(objects[0].text).toBe('one\ntwo\nthree\n');
  });

  it('gzips delivered objects when asked, with a .gz key', async () => {
    await withFirehose({ gzip: true, prefix: 'gz/' }, async (fh, client) => {
      await client.send(new PutRecordCommand({ DeliveryStreamName: 'stream-a', Record: { Data: bytes('zipped\n') } }));
      await fh.flush();
    });
    const [object] = await readObjects(s3.client, 'firehose-test', 'gz/');
    expect(object.key).toMatch(/\.gz$/);
    expect(object.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(object.text).toBe('zipped\n');
  });

  it('delivers by size without being asked', async () => {
    await withFirehose({ sizeBytes: 10, prefix: 'sized/' }, async (_fh, client) => {
      await client.send(new PutRecordCommand({ DeliveryStreamName: 'stream-a', Record: { Data: bytes('0123456789abc\n') } }));
      const deadline = Date.now() + 5000;
      while ((await readObjects(s3.client, 'firehose-test', 'sized/')).length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    expect((await readObjects(s3.client, 'firehose-test', 'sized/')).map((o) => o.text)).toEqual(['0123456789abc\n']);
  });

  it('answers ResourceNotFoundException for an unknown stream, as Firehose does', async () => {
    await withFirehose({}, async (_fh, client) => {
      await expect(client.send(new PutRecordCommand({ DeliveryStreamName: 'nope', Record: { Data: bytes('x') } }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    });
  });

  it('injects throttling and 500s that the SDK sees as Firehose errors, then recovers', async () => {
    await withFirehose({ prefix: 'faults/' }, async (fh, client) => {
      fh.setFaults({ mode: 'throttle', count: 1 });
      await expect(client.send(new PutRecordCommand({ DeliveryStreamName: 'stream-a', Record: { Data: bytes('a\n') } }))).rejects.toMatchObject({
        name: 'ServiceUnavailableException',
        $metadata: { httpStatusCode: 503 },
      });
      fh.setFaults({ mode: 'internal', count: 1 });
      await expect(client.send(new PutRecordCommand({ DeliveryStreamName: 'stream-a', Record: { Data: bytes('b\n') } }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 500 },
      });
      await client.send(new PutRecordCommand({ DeliveryStreamName: 'stream-a', Record: { Data: bytes('c\n') } }));
      await fh.flush();
    });
    expect((await readObjects(s3.client, 'firehose-test', 'faults/')).map((o) => o.text)).toEqual(['c\n']);
  });

  it('fails single records of a batch, lined up by index, and keeps only the others', async () => {
    let failed: number[] = [];
    await withFirehose({ prefix: 'partial/' }, async (fh, client) => {
      fh.setFaults({ mode: 'partial', count: 1, rate: 0.5 });
      const records = Array.from({ length: 40 }, (_, i) => ({ Data: bytes(`${i}\n`) }));
      const answer = await client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'stream-a', Records: records }));
      failed = answer.RequestResponses!.flatMap((r, i) => (r.ErrorCode ? [i] : []));
      expect(answer.FailedPutCount).toBe(failed.length);
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.length).toBeLessThan(40);
      expect(answer.RequestResponses![failed[0]].ErrorCode).toBe('ServiceUnavailableException');
      await fh.flush();
    });
    const delivered = (await readObjects(s3.client, 'firehose-test', 'partial/'))[0].text.split('\n').filter(Boolean).map(Number);
    expect(delivered).toEqual(Array.from({ length: 40 }, (_, i) => i).filter((i) => !failed.includes(i)));
  });

  it('delivers on stop what it still buffers', async () => {
    await withFirehose({ prefix: 'stop/' }, async (fh, client) => {
      await client.send(new PutRecordCommand({ DeliveryStreamName: 'stream-a', Record: { Data: bytes('kept\n') } }));
      expect(fh.pendingRecords).toBe(1);
    });
    expect((await readObjects(s3.client, 'firehose-test', 'stop/')).map((o) => o.text)).toEqual(['kept\n']);
  });
});
