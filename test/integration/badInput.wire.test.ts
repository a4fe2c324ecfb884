/**
 * Bad input through the real wire: a signed callback is archived whatever it
 * holds (what was odd named in the record's problems), a request the stack
 * cannot read gets a clear 4xx, the server never crashes, and nothing is
 * half-written: the archive holds exactly the accepted callbacks.
 */
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import type { LocalStack } from '../../dev/localStack';
import { postSignedCallback } from '../../dev/signedCallbacks';
import { smsCallback } from '../helpers/callbacks';
import { readRecords, startS3rver, type S3rverHandle } from '../helpers/s3rverProcess';
import { ARCHIVE_BUCKET, AUTH_TOKEN, startTestStack } from '../helpers/testStack';

let s3: S3rverHandle;
let stack: LocalStack;
/** The message SID of every callback answered 200 (null for those that named none). */
const accepted: (string | null)[] = [];

beforeAll(async () => {
  s3 = await startS3rver([ARCHIVE_BUCKET]);
  stack = await startTestStack(s3);
});
afterAll(async () => {
  await stack?.stop();
  await s3?.stop();
});

const sid = (n: number) => `SM${n.toString(16).padStart(32, 'b')}`;
const url = () => `${stack.url}/status-callback`;

/** Posts raw bytes, signed over the parameters a UTF-8 form parser reads from them. */
async function postRaw(body: Buffer | string, contentType = 'application/x-www-form-urlencoded', target = url()): Promise<Response> {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const params: Record<string, string | string[]> = {};
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) {
      const seen = Object.prototype.hasOwnProperty.call(params, k) ? params[k] : undefined;
      const value = seen === undefined ? v : [...(Array.isArray(seen) ? seen : [seen]), v];
      Object.defineProperty(params, k, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  const signature = getExpectedTwilioSignature(AUTH_TOKEN, target, params);
  return fetch(target, { method: 'POST', headers: { 'Content-Type': contentType, 'X-Twilio-Signature': signature }, body: raw });
}

async function expectRefused(response: Response, status: number, message: RegExp) {
  expect(response.status).toBe(status);
  expect(await response.text()).toMatch(message);
}

/** The archived records of this suite, once the local Firehose has delivered. */
async function archived() {
  await stack.firehose.flush();
  return readRecords(s3.client, ARCHIVE_BUCKET, 'firehose/');
}

describe('bad input through the real wire', () => {
  it('archives a signed empty body, naming everything it lacks', async () => {
    expect((await postRaw('')).status).toBe(200);
    accepted.push(null);
    expect((await archived()).find((r) => r.message_sid === null && (r.problems as string[]).length === 3)).toMatchObject({
      account_sid: null,
      status: null,
      problems: ['MessageSid is missing', 'AccountSid is missing', 'MessageStatus is missing'],
    });
  });

  it('archives a signed callback without MessageSid', async () => {
    const { MessageSid: _m, SmsSid: _s, ...params } = smsCallback({ ErrorCode: '30005' });
    expect((await postSignedCallback(url(), params, AUTH_TOKEN)).status).toBe(200);
    accepted.push(null);
    expect((await archived()).find((r) => r.error_code === '30005')).toMatchObject({
      message_sid: null,
      status: 'delivered',
      problems: ['MessageSid is missing'],
    });
  });

  it('archives a MessageSid that is not a SID (an injection attempt) verbatim in params, and names no message', async () => {
    expect((await postSignedCallback(url(), smsCallback({ MessageSid: "SM1' OR '1'='1", SmsSid: "SM1' OR '1'='1" }), AUTH_TOKEN)).status).toBe(200);
    accepted.push(null);
    const record = (await archived()).find((r) => (r.params as Record<string, unknown>).MessageSid === "SM1' OR '1'='1");
    expect(record).toMatchObject({
      message_sid: null,
      problems: expect.arrayContaining(['MessageSid is not a SID of the expected form: the field is left null']),
    });
  });

  it('archives a repeated To with both values, and guesses neither', async () => {
    const body = `${new URLSearchParams(smsCallback({ MessageSid: sid(1), SmsSid: sid(1) })).toString()}&To=%2B14155550999`;
    expect((await postRaw(body)).status).toBe(200);
    accepted.push(sid(1));
    const record = (await archived()).find((r) => r.message_sid === sid(1));
    expect(record).toMatchObject({
      to: null,
      status: 'delivered',
      params: { To: ['+14155550101', '+14155550999'] },
      problems: ['To was sent 2 times with different values: the field is left null'],
    });
  });

  it('refuses a body over 1 MiB at the door', async () => {
    const big = new URLSearchParams({ ...smsCallback({ MessageSid: sid(2), SmsSid: sid(2) }), Pad: 'x'.repeat(2 * 1024 * 1024) }).toString();
    await expectRefused(await postRaw(big), 413, /larger than/);
  });

  it('refuses a callback whose record Firehose could never take (over 1,000 KiB)', async () => {
    const params = { ...smsCallback({ MessageSid: sid(3), SmsSid: sid(3) }), Pad: 'x'.repeat(1020 * 1024) };
    await expectRefused(await postSignedCallback(url(), params, AUTH_TOKEN), 413, /at most 1024000 bytes/);
  });

  it('refuses bytes that are not UTF-8, raw or percent-escaped', async () => {
    const base = new URLSearchParams(smsCallback({ MessageSid: sid(4), SmsSid: sid(4) })).toString();
    await expectRefused(await postRaw(`${base}&ChannelStatusMessage=caf%E9`), 400, /not valid UTF-8/);
    await expectRefused(await postRaw(Buffer.concat([Buffer.from(`${base}&ChannelStatusMessage=caf`), Buffer.from([0xe9])])), 400, /not valid UTF-8/);
  });

  it('keeps a % that starts no escape as text, as both form parsers do: signed, so archived, never refused', async () => {
    const base = new URLSearchParams(smsCallback({ MessageSid: sid(7), SmsSid: sid(7) })).toString();
    const response = await postRaw(`${base}&ChannelStatusMessage=100%&Note=%:(%41`);
    expect(response.status).toBe(200);
    accepted.push(sid(7));
    const record = (await archived()).find((r) => r.message_sid === sid(7));
    expect(record?.params).toMatchObject({ ChannelStatusMessage: '100%', Note: '%:(A' });
  });

  it('refuses a charset it cannot read', async () => {
    const base = new URLSearchParams(smsCallback({ MessageSid: sid(5), SmsSid: sid(5) })).toString();
    const response = await postRaw(base, 'application/x-www-form-urlencoded; charset=ISO-8859-1');
    expect(response.status).toBe(415);
  });

  it('stores unicode and injection strings exactly, as inert data', async () => {
    const odd = {
      ChannelStatusMessage: '👩🏽‍💻 ñ 中文 עברית \u2028 \u0000',
      Sql: "'; DROP TABLE messages; --",
      Html: '<script>alert(document.cookie)</script>',
      Json: '"}\n{"v":1,"source":"forged","message_sid":"SM00000000000000000000000000000000"}',
      Path: '../../../etc/passwd',
      Template: '${process.env.AUTH_TOKEN} {{7*7}}',
      'Weird[Name]': 'x',
    };
    const params = { ...smsCallback({ MessageSid: sid(6), SmsSid: sid(6) }), ...odd };
    const body = `${new URLSearchParams(params).toString()}&__proto__=polluted`;
    const response = await postRaw(body, 'application/x-www-form-urlencoded', `${url()}?note=%F0%9F%93%A6&constructor=y`);
    expect(response.status).toBe(200);
    accepted.push(sid(6));
    await stack.firehose.flush();
    const records = await readRecords(s3.client, ARCHIVE_BUCKET, 'firehose/');
    const mine = records.filter((r) => r.message_sid === sid(6));
    expect(mine).toHaveLength(1);
    expect(mine[0].params).toEqual(params);
    expect(mine[0].tags).toEqual(JSON.parse('{"note":"📦","constructor":"y","__proto__":"polluted"}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(records.some((r) => r.source === 'forged')).toBe(false);
  });

  it('is still serving, and the archive holds exactly the accepted callbacks', async () => {
    const response = await postSignedCallback(url(), smsCallback({ MessageSid: sid(7), SmsSid: sid(7) }), AUTH_TOKEN);
    expect(response.status).toBe(200);
    accepted.push(sid(7));
    const records = await archived();
    expect(records.map((r) => r.message_sid).sort()).toEqual([...accepted].sort());
  });
});
