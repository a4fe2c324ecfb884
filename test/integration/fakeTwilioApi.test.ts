/**
 * The fake Twilio API, through the real `twilio` client (its httpClient
 * rebased on TWILIO_API_BASE_URL), with its answers checked against Twilio's
 * own OpenAPI spec.
 */
import { FakeTwilioApi } from '../../dev/fakeTwilio/fakeTwilioApi';
import { twilioClientFromEnv, type RetryEvent } from '../../src/adapters/twilio/twilioClient';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createAndServiceSchemas, messageSchemas, serverlessAnswerChecker, TWILIO_OAI_DIR, twilioSchemaValidator } from '../helpers/twilioOpenApi';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'fake-auth-token-0123456789abcdef';
const sid = (n: number) => `SM${n.toString(16).padStart(32, '0')}`;

let fake: FakeTwilioApi;
beforeAll(async () => {
  fake = new FakeTwilioApi([{ accountSid: ACCOUNT, authToken: TOKEN, apiKeys: { SK0123456789abcdef0123456789abcdef: 'key-secret' } }]);
  await fake.start();
  const day = Date.parse('2026-11-25T00:00:00Z');
  for (let i = 0; i < 230; i++) {
    const at = new Date(day + i * 300_000);
    fake.putMessage({
      sid: sid(i),
      account_sid: ACCOUNT,
      date_created: at,
      date_sent: at,
      date_updated: at,
      status: i % 10 === 0 ? 'undelivered' : 'delivered',
      error_code: i % 10 === 0 ? 30003 : null,
    });
  }
});
afterAll(async () => {
  await fake.stop();
});
afterEach(() => fake.setFaults({}));

function client(env: Record<string, string> = {}, onRetry?: (e: RetryEvent) => void) {
  return twilioClientFromEnv(
    { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.url, ...env },
    { onRetry, retry: { baseDelayMs: 5 } },
  ).client;
}

async function rawGet(path: string, auth = `${ACCOUNT}:${TOKEN}`) {
  const response = await fetch(`${fake.url}${path}`, { headers: { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

describe('fake Twilio API', () => {
  it("answers a message fetch that matches Twilio's OpenAPI schema", async () => {
    const { status, body } = await rawGet(`/2010-04-01/Accounts/${ACCOUNT}/Messages/${sid(10)}.json`);
    expect(status).toBe(200);
    expect(twilioSchemaValidator('twilio_api_v2010.json', messageSchemas().message)(body)).toEqual([]);
    expect(body).toMatchObject({ sid: sid(10), status: 'undelivered', error_code: 30003, date_created: 'Wed, 25 Nov 2026 00:50:00 +0000' });
  });

  it('creates a message with an answer that matches the schema, and refuses one without a recipient as Twilio does', async () => {
    const auth = { Authorization: `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' };
    const url = `${fake.url}/2010-04-01/Accounts/${ACCOUNT}/Messages.json`;
    const created = await fetch(url, { method: 'POST', headers: auth, body: new URLSearchParams({ To: '+14155550100', From: '+15005550006', Body: 'Hi' }) });
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown>;
    expect(twilioSchemaValidator('twilio_api_v2010.json', createAndServiceSchemas().created)(body)).toEqual([]);
    expect(body).toMatchObject({ status: 'queued', to: '+14155550100', date_sent: null });
    fake.deleteMessage(body.sid as string);
    const refused = await fetch(url, { method: 'POST', headers: auth, body: new URLSearchParams({ From: '+15005550006' }) });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 21604 });
  });

  it("answers a Messaging Service fetch that matches the Messaging API's schema", async () => {
    const service = fake.services.putMessagingService({ account_sid: ACCOUNT, status_callback: 'https://x.twil.io/status-callback' });
    const { status, body } = await rawGet(`/v1/Services/${service.sid}`);
    expect(status).toBe(200);
    expect(twilioSchemaValidator('twilio_messaging_v1.json', createAndServiceSchemas().messagingService)(body)).toEqual([]);
    expect(body).toMatchObject({ sid: service.sid, status_callback: 'https://x.twil.io/status-callback' });
  });

  it('checks with a validator that does catch a resource off the spec', async () => {
    const { body } = await rawGet(`/2010-04-01/Accounts/${ACCOUNT}/Messages/${sid(11)}.json`);
    const validate = twilioSchemaValidator('twilio_api_v2010.json', messageSchemas().message);
    expect(validate({ ...body, date_created: '2026-11-25T00:55:00Z', error_code: '30003', status: 'teleported' })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\/date_created/), expect.stringMatching(/^\/error_code/), expect.stringMatching(/^\/status/)]),
    );
  });

  it('answers list pages that match the schema', async () => {
    const { body } = await rawGet(`/2010-04-01/Accounts/${ACCOUNT}/Messages.json?PageSize=100`);
    expect(twilioSchemaValidator('twilio_api_v2010.json', messageSchemas().list)(body)).toEqual([]);
    expect((body.messages as unknown[]).length).toBe(100);
    expect(body.next_page_uri).toMatch(/^\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Messages\.json\?.*Page=1/);
  });

  it('answers a Bulk Export day with a 307 redirect_to that matches the schema, and serves the gzip day file', async () => {
    const { status, body } = await rawGet('/v1/Exports/Messages/Days/2026-11-25');
    expect(status).toBe(307);
    const spec = JSON.parse(readFileSync(join(TWILIO_OAI_DIR, 'twilio_bulkexports_v1.json'), 'utf8')) as {
      paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: object }> }> } }>;
    };
    const schema = spec.paths['/v1/Exports/{ResourceType}/Days/{Day}'].get.responses['307'].content['application/json'].schema;
    expect(twilioSchemaValidator('twilio_bulkexports_v1.json', schema)(body)).toEqual([]);
    const file = await fetch(String(body.redirect_to));
    const lines = gunzipSync(Buffer.from(await file.arrayBuffer()))
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(230);
    expect(lines[0]).not.toHaveProperty('price_unit');
    expect(lines[0].date_created).toMatch(/^2026-11-25T\d\d:\d\d:\d\d\.000Z$/);
  });

  it('is reached by the real twilio client, which fetches through it', async () => {
    const message = await client().messages(sid(3)).fetch();
    expect(message).toMatchObject({ sid: sid(3), status: 'delivered', numSegments: '1' });
    expect(message.dateCreated).toEqual(new Date('2026-11-25T00:15:00Z'));
  });

  it('accepts an API key and secret', async () => {
    const viaKey = client({ TWILIO_AUTH_TOKEN: '', TWILIO_API_KEY: 'SK0123456789abcdef0123456789abcdef', TWILIO_API_SECRET: 'key-secret' });
    expect((await viaKey.messages(sid(4)).fetch()).sid).toBe(sid(4));
  });

  it('refuses wrong credentials with 401, as Twilio does', async () => {
    await expect(client({ TWILIO_AUTH_TOKEN: 'wrong' }).messages(sid(1)).fetch()).rejects.toMatchObject({ status: 401, code: 20003 });
  });

  it('answers 404 for a message it does not have', async () => {
    fake.deleteMessage(sid(229));
    await expect(client().messages(sid(229)).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  it('lists with DateSent filters and pages, which the client follows', async () => {
    const listed = await client().messages.list({
      dateSentAfter: new Date('2026-11-25T01:00:00Z'),
      dateSentBefore: new Date('2026-11-25T10:00:00Z'),
      pageSize: 20,
    });
    expect(listed).toHaveLength(108);
    expect(new Set(listed.map((m) => m.sid)).size).toBe(108);
  });

  it('injects 429 with Retry-After, which the client honours and retries', async () => {
    fake.setFaults({ rate429: 1, retryAfterSeconds: 0.05 });
    const retries: RetryEvent[] = [];
    const c = client({}, (e) => retries.push(e));
    await expect(c.messages(sid(5)).fetch()).rejects.toMatchObject({ status: 429 });
    expect(retries.map((r) => [r.statusCode, r.delayMs])).toEqual([
      [429, 50],
      [429, 50],
      [429, 50],
      [429, 50],
    ]);
    retries.length = 0;
    fake.setFaults({ next429: 3, retryAfterSeconds: 0.01 });
    expect((await c.messages(sid(5)).fetch()).sid).toBe(sid(5));
    expect(retries.map((r) => [r.statusCode, r.delayMs])).toEqual([
      [429, 10],
      [429, 10],
      [429, 10],
    ]);
  });

  it('injects 500s and slowness', async () => {
    fake.setFaults({ rate500: 1 });
    await expect(client().messages(sid(6)).fetch()).rejects.toMatchObject({ status: 500 });
    fake.setFaults({ latencyMs: 200 });
    const started = Date.now();
    await client().messages(sid(6)).fetch();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});

describe("the Serverless stand-in's refusals, as Twilio's", () => {
  const auth = { Authorization: `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}` };
  const post = (path: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const value of [v].flat()) body.append(k, value);
    return fetch(`${fake.url}${path}`, { method: 'POST', headers: { ...auth, ...headers }, body });
  };

  it('takes an upload on the upload host only, and refuses an unknown runtime and a handler the runtime does not take with 20001', async () => {
    const service = (await (await post('/v1/Services', { UniqueName: 'refusals', FriendlyName: 'refusals' })).json()) as { sid: string };
    const fn = (await (await post(`/v1/Services/${service.sid}/Functions`, { FriendlyName: 'f' })).json()) as { sid: string };
    const upload = () => {
      const form = new FormData();
      form.append('Path', '/f');
      form.append('Visibility', 'protected');
      form.append('Content', new Blob(['exports.handler = () => {};'], { type: 'application/javascript' }), 'f');
      return form;
    };
    const versions = `${fake.url}/v1/Services/${service.sid}/Functions/${fn.sid}/Versions`;
    expect((await fetch(versions, { method: 'POST', headers: auth, body: upload() })).status).toBe(404);
    // fetch will not set Host: the upload host's request, as the deploy's preload makes it, with node:http.
    const multipart = new Response(upload());
    const bytes = Buffer.from(await multipart.arrayBuffer());
    const uploaded = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(versions, {
        method: 'POST',
        headers: { ...auth, host: 'serverless-upload.twilio.com', 'content-type': multipart.headers.get('content-type')!, 'content-length': bytes.length },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end(bytes);
    });
    expect(uploaded.status).toBe(201);
    const version = JSON.parse(uploaded.body) as { sid: string };

    const build = (form: Record<string, string | string[]>) => post(`/v1/Services/${service.sid}/Builds`, { FunctionVersions: version.sid, ...form });
    const unknownRuntime = await build({ Runtime: 'node18' });
    expect(unknownRuntime.status).toBe(400);
    expect(await unknownRuntime.json()).toMatchObject({ code: 20001, message: 'unsupported runtime: node18' });
    const latest = await build({ Runtime: 'node22', Dependencies: JSON.stringify([{ name: '@twilio/runtime-handler', version: '2.1.0' }]) });
    expect(latest.status).toBe(400);
    expect(await latest.json()).toMatchObject({
      code: 20001,
      message: expect.stringMatching(/No matching version found for @twilio\/runtime-handler@2\.1\.0/),
    });
    const accepted = await build({ Runtime: 'node22', Dependencies: `"${JSON.stringify([{ name: '@twilio/runtime-handler', version: '2.0.3' }])}"` });
    expect(accepted.status).toBe(201);
    expect(await accepted.json()).toMatchObject({
      status: 'building',
      runtime: 'node22',
      dependencies: [{ name: '@twilio/runtime-handler', version: '2.0.3' }],
    });
    expect(fake.serverless.exchanges.flatMap(serverlessAnswerChecker())).toEqual([]);
  });
});
