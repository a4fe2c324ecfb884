import { gunzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3TwilioListStage } from '../../../src/adapters/athena/twilioListStage';
import type { TwilioMessageRow } from '../../../src/domain/reconcile/twilioRow';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'us-east-1' });

const row = (n: number): TwilioMessageRow => ({
  sid: `SM${String(n).padStart(32, '0')}`,
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  status: 'delivered',
  direction: 'outbound-api',
  to: '+1415555****',
  from: '+15005550006',
  dateCreated: '2026-11-25T10:00:00.000Z',
  dateSent: null,
  errorCode: null,
  messagingServiceSid: null,
});

describe("Twilio's list staged in S3 for the Athena engine", () => {
  beforeEach(() => s3.reset());

  it("goes up in gzipped parts under the run's own prefix, one JSON line a row with the table's column names", async () => {
    s3.on(PutObjectCommand).resolves({});
    const stage = new S3TwilioListStage(client, { bucket: 'results', prefix: 'twilio-lists/' }, 'run-1', 2);
    for (let n = 1; n <= 5; n++) stage.add(row(n));
    await expect(stage.close()).resolves.toBe('run-1');
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Key)).toEqual([
      'twilio-lists/run-1/part-00001.ndjson.gz',
      'twilio-lists/run-1/part-00002.ndjson.gz',
      'twilio-lists/run-1/part-00003.ndjson.gz',
    ]);
    const lines = puts.flatMap((p) =>
      gunzipSync(p.Body as Buffer)
        .toString('utf8')
        .trimEnd()
        .split('\n'),
    );
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[0])).toEqual({
      sid: row(1).sid,
      account_sid: row(1).accountSid,
      status: 'delivered',
      error_code: null,
      to_number: '+1415555****',
      from_number: '+15005550006',
      date_created: '2026-11-25T10:00:00.000Z',
      date_sent: null,
      direction: 'outbound-api',
      messaging_service_sid: null,
    });
  });

  it('fails at close when a part could not be stored, naming where, and never as an unhandled rejection', async () => {
    s3.on(PutObjectCommand).rejects(new Error('AccessDenied'));
    const stage = new S3TwilioListStage(client, { bucket: 'results', prefix: 'twilio-lists/' }, 'run-2', 1);
    stage.add(row(1));
    stage.add(row(2));
    // Let the rejected uploads settle before close is called.
    await new Promise((resolve) => setImmediate(resolve));
    await expect(stage.close()).rejects.toThrow(/could not stage Twilio's list in s3:\/\/results\/twilio-lists\/run-2\/: AccessDenied/);
  });

  it('abandoned, waits for what is in flight and uploads nothing more', async () => {
    s3.on(PutObjectCommand).resolves({});
    const stage = new S3TwilioListStage(client, { bucket: 'results', prefix: 'lists/' }, 'run-3', 10);
    stage.add(row(1));
    await stage.abandon();
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});
