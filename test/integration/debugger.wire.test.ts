/**
 * The Debugger webhook through the real wire: signed form POSTs → gateway
 * (which refuses a protected Function's unsigned or forged request) →
 * twilio-run running the built `/debugger` Function → local Firehose → s3rver.
 */
import type { LocalStack } from '../../dev/localStack';
import { postSignedCallback, randomSid, sampleDebuggerAlert } from '../../dev/signedCallbacks';
import { parseArchiveLine } from '../../src/domain/archiveLine';
import { schemaErrors } from '../helpers/archiveSchema';
import { ACCOUNT_SID } from '../helpers/callbacks';
import { readRecords, startS3rver, type S3rverHandle } from '../helpers/s3rverProcess';
import { ARCHIVE_BUCKET, AUTH_TOKEN, startTestStack } from '../helpers/testStack';

let s3: S3rverHandle;
let stack: LocalStack;

beforeAll(async () => {
  s3 = await startS3rver([ARCHIVE_BUCKET]);
  stack = await startTestStack(s3, { ARCHIVE_REDACT_DIGITS: '4' });
});
afterAll(async () => {
  await stack?.stop();
  await s3?.stop();
});

async function archivedRecords(): Promise<Record<string, unknown>[]> {
  await stack.firehose.flush();
  return readRecords(s3.client, ARCHIVE_BUCKET, 'firehose/');
}

describe('Debugger alerts through the real wire', () => {
  it('archives a signed alert about a message as a debugger record the readers take as an alert, numbers masked', async () => {
    const messageSid = randomSid('SM');
    const alert = sampleDebuggerAlert(ACCOUNT_SID, messageSid);
    const response = await postSignedCallback(`${stack.url}/debugger?ticket=t-1`, alert, AUTH_TOKEN);
    expect(response.status).toBe(200);
    const [record] = (await archivedRecords()).filter((r) => r.idempotency_token === alert.Sid);
    expect(record).toMatchObject({ source: 'debugger', status: null, message_sid: messageSid, error_code: '30003', tags: { ticket: 't-1' } });
    expect(record.problems).toBeUndefined();
    expect(schemaErrors(record)).toEqual([]);
    expect(JSON.stringify(record)).not.toContain('4155550103');
    expect(parseArchiveLine(JSON.stringify(record))).toMatchObject({ ok: true, facts: null, alert: { message_sid: messageSid } });
  });

  it.each([
    ['forged', 'bm90IGEgc2lnbmF0dXJl'],
    ['unsigned', null],
  ])('refuses a %s alert at the gateway (400) and archives nothing', async (_name, signature) => {
    const alert = sampleDebuggerAlert(ACCOUNT_SID, randomSid('SM'));
    const response = await postSignedCallback(`${stack.url}/debugger`, alert, AUTH_TOKEN, { signature });
    expect(response.status).toBe(400);
    expect((await archivedRecords()).some((r) => r.idempotency_token === alert.Sid)).toBe(false);
  });

  it('archives a signed alert whose payload is not JSON, flagged, and answers 200', async () => {
    const alert: Record<string, string> = { ...sampleDebuggerAlert(ACCOUNT_SID, randomSid('SM')), Payload: '<html>oops' };
    expect((await postSignedCallback(`${stack.url}/debugger`, alert, AUTH_TOKEN)).status).toBe(200);
    const [record] = (await archivedRecords()).filter((r) => r.idempotency_token === alert.Sid);
    expect(record).toMatchObject({ message_sid: null, problems: ['Payload is not JSON: kept as text'], params: { Payload: '<html>oops' } });
  });
});
