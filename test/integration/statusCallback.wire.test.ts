/**
 * The callback path through the real wire: signed HTTP POSTs → signature
 * gateway → twilio-run (a real process running the built Function) → the real
 * Firehose client → local Firehose endpoint → s3rver (a real process). The
 * objects are read back and the exact records asserted.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { LocalStack } from '../../dev/localStack';
import { postSignedCallback } from '../../dev/signedCallbacks';
import { schemaErrors } from '../helpers/archiveSchema';
import { ACCOUNT_SID, SERVICE_SID, smsCallback } from '../helpers/callbacks';
import { readObjects, readRecords, startS3rver, type S3rverHandle } from '../helpers/s3rverProcess';
import { ARCHIVE_BUCKET, AUTH_TOKEN, STREAM, startTestStack } from '../helpers/testStack';

let s3: S3rverHandle;
let stack: LocalStack;

beforeAll(async () => {
  s3 = await startS3rver([ARCHIVE_BUCKET]);
  stack = await startTestStack(s3, { ARCHIVE_REDACT_DIGITS: '0' });
});
afterAll(async () => {
  await stack?.stop();
  await s3?.stop();
});

const sid = (n: number) => `SM${n.toString(16).padStart(32, '0')}`;

async function archivedRecords(): Promise<Record<string, unknown>[]> {
  await stack.firehose.flush();
  return readRecords(s3.client, ARCHIVE_BUCKET, 'firehose/');
}

/** A POST with the request target exactly as given (absolute-form, odd paths), which fetch would normalise. */
function rawPost(target: string, body: string, contentType: string, signature = 'unsigned'): Promise<{ status: number }> {
  const { hostname, port } = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: hostname, port, method: 'POST', path: target, headers: { 'Content-Type': contentType, 'X-Twilio-Signature': signature } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function recordsFor(records: Record<string, unknown>[], messageSid: string) {
  return records.filter((r) => r.message_sid === messageSid);
}

describe('status callback through the real wire', () => {
  it('archives a signed callback, tags and all, as the exact v1 record', async () => {
    const started = new Date().toISOString();
    const params = smsCallback({ MessageSid: sid(1), SmsSid: sid(1), ErrorCode: '30003', MessageStatus: 'undelivered', SmsStatus: 'undelivered' });
    const response = await postSignedCallback(`${stack.url}/status-callback?order_id=42&client_ref=r-1#rc=5&rp=all`, params, AUTH_TOKEN);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');

    const [record] = recordsFor(await archivedRecords(), sid(1));
    expect(record).toEqual({
      v: 1,
      source: 'callback',
      recorded_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      event_at: '2026-11-26T15:30:00.000Z',
      account_sid: ACCOUNT_SID,
      message_sid: sid(1),
      messaging_service_sid: SERVICE_SID,
      status: 'undelivered',
      error_code: '30003',
      to: '+14155550101',
      from: '+15005550006',
      idempotency_token: null,
      tags: { order_id: '42', client_ref: 'r-1' },
      params,
    });
    expect(String(record.recorded_at) >= started).toBe(true);
    expect(schemaErrors(record)).toEqual([]);
  });

  it("delivers objects in Firehose's key layout under the firehose/ prefix", async () => {
    await postSignedCallback(`${stack.url}/status-callback`, smsCallback({ MessageSid: sid(2), SmsSid: sid(2) }), AUTH_TOKEN);
    await stack.firehose.flush();
    const keys = (await readObjects(s3.client, ARCHIVE_BUCKET, 'firehose/')).map((o) => o.key);
    for (const key of keys) {
      expect(key).toMatch(new RegExp(`^firehose/\\d{4}/\\d\\d/\\d\\d/\\d\\d/${STREAM}-1-\\d{4}-\\d\\d-\\d\\d-\\d\\d-\\d\\d-\\d\\d-[0-9a-f-]{36}$`));
    }
    expect(recordsFor(await archivedRecords(), sid(2))).toHaveLength(1);
  });

  it('takes SMS, MMS, WhatsApp and RCS callbacks, unknown statuses and parameters included', async () => {
    const mms = `MM${'a'.repeat(32)}`;
    const callbacks = [
      smsCallback({ MessageSid: mms, SmsSid: mms, MessageStatus: 'sent', SmsStatus: 'sent', RawDlrDoneDate: '' }),
      {
        ...smsCallback({ MessageSid: sid(3), SmsSid: sid(3), MessageStatus: 'read', SmsStatus: 'read' }),
        EventType: 'READ',
        ChannelPrefix: 'whatsapp',
        ChannelToAddress: '+14155550142',
        To: 'whatsapp:+14155550142',
      },
      {
        ...smsCallback({ MessageSid: sid(4), SmsSid: sid(4), MessageStatus: 'delivered' }),
        ChannelPrefix: 'rcs',
        To: 'rcs:+14155550143',
        ChannelStatusMessage: 'ok',
      },
      smsCallback({ MessageSid: sid(5), SmsSid: sid(5), MessageStatus: 'Teleported', SmsStatus: 'Teleported', NewParameterFrom2027: 'x' }),
    ];
    for (const params of callbacks) expect((await postSignedCallback(`${stack.url}/status-callback`, params, AUTH_TOKEN)).status).toBe(200);
    const records = await archivedRecords();
    expect(recordsFor(records, mms)[0]).toMatchObject({ status: 'sent', event_at: null });
    expect(recordsFor(records, sid(3))[0]).toMatchObject({ status: 'read', to: 'whatsapp:+14155550142', params: { EventType: 'READ' } });
    expect(recordsFor(records, sid(4))[0]).toMatchObject({ to: 'rcs:+14155550143', params: { ChannelStatusMessage: 'ok' } });
    expect(recordsFor(records, sid(5))[0]).toMatchObject({ status: 'teleported', params: { MessageStatus: 'Teleported', NewParameterFrom2027: 'x' } });
  });

  describe('signature', () => {
    const url = () => `${stack.url}/status-callback?order_id=7`;

    it('refuses a request without X-Twilio-Signature with 400, and archives nothing', async () => {
      const response = await postSignedCallback(url(), smsCallback({ MessageSid: sid(10), SmsSid: sid(10) }), AUTH_TOKEN, { signature: null });
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/Signature is missing or is invalid/);
    });

    it('refuses a forged signature', async () => {
      const response = await postSignedCallback(url(), smsCallback({ MessageSid: sid(11), SmsSid: sid(11) }), AUTH_TOKEN, {
        signature: 'bm90IGEgc2lnbmF0dXJl',
      });
      expect(response.status).toBe(400);
    });

    it('refuses a request signed with another auth token', async () => {
      const response = await postSignedCallback(url(), smsCallback({ MessageSid: sid(12), SmsSid: sid(12) }), 'ffffffffffffffffffffffffffffffff');
      expect(response.status).toBe(400);
    });

    it('refuses a signed request whose body or tags were changed on the way', async () => {
      const params = smsCallback({ MessageSid: sid(13), SmsSid: sid(13) });
      const { getExpectedTwilioSignature } = await import('twilio/lib/webhooks/webhooks');
      const signature = getExpectedTwilioSignature(AUTH_TOKEN, url(), params);
      const tamperedBody = await postSignedCallback(url(), { ...params, MessageStatus: 'failed' }, AUTH_TOKEN, { signature });
      const tamperedTags = await postSignedCallback(`${stack.url}/status-callback?order_id=8`, params, AUTH_TOKEN, { signature });
      expect([tamperedBody.status, tamperedTags.status]).toEqual([400, 400]);
    });

    it('accepts a correctly signed request whose URL carries extra query identifiers', async () => {
      const response = await postSignedCallback(
        `${stack.url}/status-callback?order_id=7&tenant=acme&batch=2026-11-26`,
        smsCallback({ MessageSid: sid(14), SmsSid: sid(14) }),
        AUTH_TOKEN,
      );
      expect(response.status).toBe(200);
      expect(recordsFor(await archivedRecords(), sid(14))[0].tags).toEqual({ order_id: '7', tenant: 'acme', batch: '2026-11-26' });
    });

    it('cannot be gone around: other spellings of the path need the signature too, and odd request targets are refused', async () => {
      const body = new URLSearchParams(smsCallback({ MessageSid: sid(15), SmsSid: sid(15) })).toString();
      const port = new URL(stack.url).port;
      for (const target of [
        '/Status-Callback',
        '/status-callback/',
        '/%73tatus-callback',
        '/x/../status-callback',
        `http://127.0.0.1:${port}/status-callback`,
        '//evil.example/status-callback',
        '/status-callback#frag',
      ]) {
        const answer = await rawPost(target, body, 'application/x-www-form-urlencoded');
        expect({ target, status: answer.status }).toEqual({ target, status: 400 });
      }
    });

    it('compares content types without regard to case', async () => {
      const params = smsCallback({ MessageSid: sid(16), SmsSid: sid(16) });
      const { getExpectedTwilioSignature } = await import('twilio/lib/webhooks/webhooks');
      const answer = await rawPost(
        '/status-callback',
        new URLSearchParams(params).toString(),
        'Application/X-WWW-Form-URLEncoded; Charset=UTF-8',
        getExpectedTwilioSignature(AUTH_TOKEN, `${stack.url}/status-callback`, params),
      );
      expect(answer.status).toBe(200);
    });

    it('archived none of the refused requests', async () => {
      const records = await archivedRecords();
      for (const n of [10, 11, 12, 13, 15]) expect(recordsFor(records, sid(n))).toEqual([]);
    });
  });

  it('runs twilio-run on loopback only, so the gateway is the one way in', async () => {
    const port = stack.twilioRun.port;
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    const listening = ['/proc/net/tcp', '/proc/net/tcp6']
      .flatMap((file) => readFileSync(file, 'utf8').trim().split('\n').slice(1))
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A' && fields[1].endsWith(`:${hex}`))
      .map((fields) => fields[1].split(':')[0]);
    // 127.0.0.1 (little-endian hex), or ::1; never 0.0.0.0 or ::.
    expect(listening.length).toBeGreaterThan(0);
    for (const address of listening) expect(['0100007F', '00000000000000000000000001000000']).toContain(address);
    for (const other of Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal && i.family === 'IPv4')) {
      const reached = await fetch(`http://${other!.address}:${port}/`, { signal: AbortSignal.timeout(2000) }).then(
        () => true,
        () => false,
      );
      expect({ address: other!.address, reached }).toEqual({ address: other!.address, reached: false });
    }
  });
});

describe('signature of a JSON body (bodySHA256)', () => {
  it('checks the body hash and the signed URL, as Twilio signs JSON webhooks', async () => {
    const { getExpectedBodyHash, getExpectedTwilioSignature } = await import('twilio/lib/webhooks/webhooks');
    const body = JSON.stringify(smsCallback({ MessageSid: sid(20), SmsSid: sid(20) }));
    const url = `${stack.url}/status-callback?bodySHA256=${getExpectedBodyHash(body)}`;
    const post = (payload: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Twilio-Signature': getExpectedTwilioSignature(AUTH_TOKEN, url, {}) },
        body: payload,
      });
    expect((await post(body.replace('delivered', 'failed'))).status).toBe(400);
    expect((await post(body)).status).toBe(200);
    const [record] = recordsFor(await archivedRecords(), sid(20));
    expect(record).toMatchObject({ status: 'delivered', tags: { bodySHA256: expect.any(String) } });
  });
});
