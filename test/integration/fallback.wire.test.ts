/**
 * The optional direct-to-S3 fallback, through the real wire: when Firehose
 * will not take a record within the budget, the Function writes it to S3 under
 * the fallback prefix and answers 200, as it does at once for a record too
 * large for Firehose; when S3 refuses too, it answers 503.
 */
import { postSignedCallback } from '../../dev/signedCallbacks';
import { schemaErrors } from '../helpers/archiveSchema';
import { smsCallback } from '../helpers/callbacks';
import { readObjects, readRecords, startS3rver, type S3rverHandle } from '../helpers/s3rverProcess';
import { ARCHIVE_BUCKET, AUTH_TOKEN, STREAM, startTestStack } from '../helpers/testStack';

let s3: S3rverHandle;
beforeAll(async () => {
  s3 = await startS3rver([ARCHIVE_BUCKET]);
});
afterAll(async () => {
  await s3?.stop();
});

describe('direct-to-S3 fallback', () => {
  it('archives under fallback/ what Firehose refuses, in the same hour layout and record format', async () => {
    const stack = await startTestStack(s3, {
      ARCHIVE_S3_URI: `s3://${ARCHIVE_BUCKET}/`,
      ARCHIVE_FALLBACK_S3_URI: `s3://${ARCHIVE_BUCKET}/fallback/`,
      ARCHIVE_WRITE_BUDGET_MS: '3000',
    });
    try {
      stack.firehose.setFaults({ mode: 'throttle' });
      const sid = `SM${'d'.repeat(32)}`;
      const response = await postSignedCallback(`${stack.url}/status-callback?order_id=9`, smsCallback({ MessageSid: sid, SmsSid: sid }), AUTH_TOKEN);
      expect(response.status).toBe(200);

      const objects = await readObjects(s3.client, ARCHIVE_BUCKET, 'fallback/');
      expect(objects).toHaveLength(1);
      expect(objects[0].key).toMatch(new RegExp(`^fallback/\\d{4}/\\d\\d/\\d\\d/\\d\\d/${STREAM}-fallback-[\\d-]{19}-[0-9a-f-]{36}$`));
      const [record] = await readRecords(s3.client, ARCHIVE_BUCKET, 'fallback/');
      expect(record).toMatchObject({ source: 'callback', message_sid: sid, tags: { order_id: '9' } });
      expect(schemaErrors(record)).toEqual([]);
      stack.firehose.setFaults({ mode: 'none' });
      await stack.firehose.flush();
      expect((await readRecords(s3.client, ARCHIVE_BUCKET, 'firehose/')).filter((r) => r.message_sid === sid)).toEqual([]);

      // A record too large for Firehose at all goes straight to the fallback: archived, answered 200, not 413.
      const bigSid = `SM${'f'.repeat(32)}`;
      const big = await postSignedCallback(
        `${stack.url}/status-callback`,
        { ...smsCallback({ MessageSid: bigSid, SmsSid: bigSid }), Pad: 'x'.repeat(1020 * 1024) },
        AUTH_TOKEN,
      );
      expect(big.status).toBe(200);
      const bigRecord = (await readRecords(s3.client, ARCHIVE_BUCKET, 'fallback/')).find((r) => r.message_sid === bigSid);
      expect((bigRecord?.params as Record<string, string>).Pad).toHaveLength(1020 * 1024);
    } finally {
      await stack.stop();
    }
  });

  it('answers 503 when the fallback refuses the record too', async () => {
    const stack = await startTestStack(s3, {
      ARCHIVE_S3_URI: 's3://no-such-bucket/',
      ARCHIVE_FALLBACK_S3_URI: 's3://no-such-bucket/fallback/',
      ARCHIVE_WRITE_BUDGET_MS: '3000',
    });
    try {
      stack.firehose.setFaults({ mode: 'throttle' });
      const sid = `SM${'e'.repeat(32)}`;
      const response = await postSignedCallback(`${stack.url}/status-callback`, smsCallback({ MessageSid: sid, SmsSid: sid }), AUTH_TOKEN);
      expect(response.status).toBe(503);
    } finally {
      await stack.stop();
    }
  });
});
