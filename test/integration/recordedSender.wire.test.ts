/**
 * The sending library through the real wire: the `twilio` client against the
 * fake Twilio API, records through the local Firehose into a folder archive.
 * Success, Twilio's 4xx and 5xx, a timeout after Twilio created the message,
 * a dropped connection, an archive that will not take the record; then the
 * reconciliation (the real CLI) over those records finds the timed-out
 * message by its envelope.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Twilio } from 'twilio';
import RestException from 'twilio/lib/base/RestException';
import { ArchiveWriter } from '../../src/adapters/aws/archiveWriter';
import { FolderArchiveStore } from '../../src/adapters/archive/archiveStore';
import { openLines } from '../../src/adapters/streams/textLines';
import { twilioClientFromEnv } from '../../src/adapters/twilio/twilioClient';
import type { ArchiveRecord } from '../../src/domain/archiveRecord';
import { FolderDestination } from '../../dev/firehose/destinations';
import { LocalFirehose } from '../../dev/firehose/localFirehose';
import { FakeTwilioApi } from '../../dev/fakeTwilio/fakeTwilioApi';
import type { Gap } from '../../src/reconcile/reconcile';
import { RecordedSender, UnrecordedSendError } from '../../src/sender';
import { schemaErrors } from '../helpers/archiveSchema';
import { runScript } from '../helpers/runScript';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'fake-auth-token-0123456789abcdef';
const FUNCTION_URL = 'https://archive-1234-prod.twil.io/status-callback';
const STREAM = 'sender-test';
const FROM = '+15005550006';

describe('RecordedSender through the fake Twilio API and the local Firehose', () => {
  let dir: string;
  let fake: FakeTwilioApi;
  let firehose: LocalFirehose;
  let client: Twilio;
  let sender: RecordedSender;
  let writerConfig: ConstructorParameters<typeof ArchiveWriter>[0];
  let refs = 0;

  beforeEach(async () => {
    refs = 0;
    dir = mkdtempSync(join(tmpdir(), 'sender-'));
    fake = new FakeTwilioApi([{ accountSid: ACCOUNT, authToken: TOKEN }]);
    await fake.start();
    firehose = new LocalFirehose({ streamNames: [STREAM], destination: new FolderDestination(join(dir, 'archive')), hints: { intervalMs: 60_000 } });
    const firehoseEndpoint = await firehose.start();
    // No retries: a retried create can send a message twice. A short timeout, for the timeout case.
    client = twilioClientFromEnv(
      { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.url },
      { retry: { maxAttempts: 1 }, timeoutMs: 1000 },
    ).client;
    writerConfig = {
      region: 'us-east-1',
      credentials: { accessKeyId: 'LOCAL', secretAccessKey: 'LOCAL' },
      streamName: STREAM,
      firehoseEndpoint,
      budgetMs: 3000,
      attemptTimeoutMs: 1000,
    };
    sender = new RecordedSender({
      client,
      functionUrl: FUNCTION_URL,
      archive: new ArchiveWriter(writerConfig),
      spoolDir: join(dir, 'spool'),
      newClientRef: () => `ref-${++refs}`,
    });
  });

  afterEach(async () => {
    await firehose.stop();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function archived(): Promise<ArchiveRecord[]> {
    await firehose.flush();
    const store = new FolderArchiveStore(join(dir, 'archive'));
    const records: ArchiveRecord[] = [];
    for await (const object of store.list('firehose/')) {
      for await (const lines of await openLines(await store.open(object.key))) records.push(...lines.map((l) => JSON.parse(l) as ArchiveRecord));
    }
    for (const record of records) expect(schemaErrors(record)).toEqual([]);
    return records;
  }

  it('on success: sets the callback URL with the tags and overrides, and records the SID, initial status and API response', async () => {
    const { message } = await sender.send({ to: '+14155550101', from: FROM, body: 'Your statement is ready' }, { tags: { order_id: '42' } });

    const held = fake.getMessage(message.sid)!;
    expect(message.status).toBe('queued');
    expect(fake.statusCallbacks.get(message.sid)).toBe(`${FUNCTION_URL}?order_id=42&client_ref=ref-1#tt=15000&rc=5&rp=all`);
    const [record] = await archived();
    expect(record).toMatchObject({
      source: 'send',
      message_sid: message.sid,
      account_sid: ACCOUNT,
      status: 'queued',
      event_at: held.date_created.toISOString().replace(/\.\d{3}Z$/, '.000Z'),
      to: '+14155550101',
      from: FROM,
      messaging_service_sid: null,
      tags: { order_id: '42', client_ref: 'ref-1' },
    });
    // The resource as the API answered it, field for field, dates in ISO form.
    const answered = (await (
      await fetch(`${fake.url}/2010-04-01/Accounts/${ACCOUNT}/Messages/${message.sid}.json`, {
        headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}` },
      })
    ).json()) as Record<string, unknown>;
    const isoDates = Object.fromEntries(
      Object.entries(answered).map(([k, v]) => [k, k.startsWith('date_') && typeof v === 'string' ? new Date(v).toISOString() : v]),
    );
    expect(record.params).toEqual(isoDates);
  });

  it('with a Messaging Service: records its SID and the initial status accepted', async () => {
    const service = 'MG0123456789abcdef0123456789abcdef';
    const { message } = await sender.send({ to: '+14155550102', messagingServiceSid: service, body: 'Hi' }, { clientRef: 'mine-7' });
    const [record] = await archived();
    expect(record).toMatchObject({ message_sid: message.sid, status: 'accepted', messaging_service_sid: service, from: null, tags: { client_ref: 'mine-7' } });
  });

  it("on a 4xx: rethrows Twilio's error unchanged after recording the attempt with its code", async () => {
    const error = await sender.send({ to: '+1415', from: FROM, body: 'Hi' }, { tags: { order_id: '43' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestException);
    expect(error).toMatchObject({ status: 400, code: 21211 });
    const [record] = await archived();
    expect(record).toMatchObject({
      source: 'send_error',
      message_sid: null,
      account_sid: ACCOUNT,
      to: '+1415',
      from: FROM,
      error_code: '21211',
      tags: { order_id: '43', client_ref: 'ref-1' },
      params: {
        error: { kind: 'error_response', http_status: 400, code: 21211, more_info: 'https://www.twilio.com/docs/errors/21211' },
        request: { to: '+1415', body: 'Hi' },
      },
    });
    expect(fake.stats.creates).toBe(1);
  });

  it('with redaction on, masks the numbers of the envelope, the tags and the callback URL in the record', async () => {
    const redacting = new RecordedSender({
      client,
      functionUrl: FUNCTION_URL,
      archive: new ArchiveWriter(writerConfig),
      spoolDir: join(dir, 'spool'),
      redactDigits: 4,
      newClientRef: () => 'r-9',
    });
    fake.setFaults({ createErrors: [{ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' }] });
    await expect(redacting.send({ to: '+14155550109', from: FROM, body: 'Hi' }, { tags: { callee: '+14155550109' } })).rejects.toMatchObject({ code: 21610 });
    const { message: sent } = await redacting.send({ to: '+14155550108', from: FROM, body: 'Hi' }, { tags: { callee: '+14155550108' } });
    // Twilio itself gets the real numbers.
    expect(fake.statusCallbacks.get(sent.sid)).toContain('callee=%2B14155550108');
    const records = await archived();
    expect(records.map((r) => r.source)).toEqual(['send_error', 'send']);
    for (const record of records) {
      expect(record).toMatchObject({
        to: expect.stringMatching(/^\+1415555\*{4}$/),
        from: '+1500555****',
        tags: { callee: expect.stringMatching(/^\+1415555\*{4}$/) },
      });
      expect(JSON.stringify(record)).not.toMatch(/55501(08|09)|550006/);
    }
    expect((records[0].params.request as Record<string, string>).statusCallback).toBe(
      `${FUNCTION_URL}?callee=%2B1415555****&client_ref=r-9#tt=15000&rc=5&rp=all`,
    );
  });

  it('on a 5xx: rethrows, records the attempt, and does not retry the create', async () => {
    fake.setFaults({ createErrors: [{ status: 503, code: 20503, message: 'Service Unavailable' }] });
    const before = Date.now();
    const error = await sender.send({ to: '+14155550103', from: FROM, body: 'Hi' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, code: 20503 });
    expect(fake.stats.creates).toBe(1);
    const [record] = await archived();
    expect(record).toMatchObject({ source: 'send_error', error_code: '20503', params: { error: { kind: 'error_response', http_status: 503 } } });
    expect(Date.parse(record.event_at!)).toBeGreaterThanOrEqual(before);
  });

  it.each([
    ['a timeout after Twilio created the message', { createThenHang: 1 }, /timeout/i],
    ['a dropped connection after Twilio created the message', { createThenDrop: 1 }, /socket hang up|ECONNRESET/],
  ])('on %s: rethrows, and records the envelope with no SID', async (_name, faults, message) => {
    fake.setFaults(faults);
    const error = await sender.send({ to: '+14155550104', from: FROM, body: 'Hi' }, { tags: { order_id: '44' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect(fake.stats.creates).toBe(1);
    const [record] = await archived();
    expect(record).toMatchObject({
      source: 'send_error',
      message_sid: null,
      to: '+14155550104',
      error_code: null,
      tags: { order_id: '44', client_ref: 'ref-1' },
    });
    expect(record.params).toMatchObject({ error: { kind: 'no_response', http_status: null, code: null, message } });
  });

  it('when the archive will not take the record: keeps it in the spool and resolves, saying so', async () => {
    const unreachable = new ArchiveWriter({ ...writerConfig, firehoseEndpoint: 'http://127.0.0.1:9', budgetMs: 600, attemptTimeoutMs: 200 });
    const spooling = new RecordedSender({ client, functionUrl: FUNCTION_URL, archive: unreachable, spoolDir: join(dir, 'spool') });
    const result = await spooling.send({ to: '+14155550105', from: FROM, body: 'Hi' });
    expect(result.recorded).toBe('spool');
    expect(await spooling.spool.count()).toBe(1);
    const [entry] = readdirSync(join(dir, 'spool'));
    expect(JSON.parse(readFileSync(join(dir, 'spool', entry), 'utf8'))).toMatchObject({ source: 'send', message_sid: result.message.sid });
    expect(await archived()).toEqual([]);
  });

  it('when neither the archive nor the spool will take the record: throws UnrecordedSendError carrying the SID and the line', async () => {
    const unreachable = new ArchiveWriter({ ...writerConfig, firehoseEndpoint: 'http://127.0.0.1:9', budgetMs: 600, attemptTimeoutMs: 200 });
    writeFileSync(join(dir, 'not-a-folder'), '');
    const failing = new RecordedSender({ client, functionUrl: FUNCTION_URL, archive: unreachable, spoolDir: join(dir, 'not-a-folder', 'spool') });
    const error = await failing.send({ to: '+14155550105', from: FROM, body: 'Hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnrecordedSendError);
    const unrecorded = error as UnrecordedSendError;
    const [sid] = [...fake.statusCallbacks.keys()];
    expect(unrecorded.messageSid).toBe(sid);
    expect(unrecorded.sent?.sid).toBe(sid);
    expect(JSON.parse(unrecorded.line)).toMatchObject({ source: 'send', message_sid: sid });
    expect(unrecorded.message).toMatch(
      new RegExp(`message ${sid} was sent, but its record is neither in the archive \\(.*\\) nor in the spool at .*not-a-folder`),
    );

    // A failed send whose record is lost too: both errors reach the caller.
    fake.setFaults({ createErrors: [{ status: 400, code: 21211, message: 'Invalid' }] });
    const both = (await failing.send({ to: '+14155550106', from: FROM }).catch((e: unknown) => e)) as UnrecordedSendError;
    expect(both).toBeInstanceOf(UnrecordedSendError);
    expect(both.messageSid).toBeNull();
    expect(both.sendError).toBeInstanceOf(RestException);
    expect(JSON.parse(both.line)).toMatchObject({ source: 'send_error', error_code: '21211' });
  });

  it('a caller that retries on errors sends once: the record waits in the spool, and drain-spool appends it exactly once', async () => {
    const refusing = new ArchiveWriter({ ...writerConfig, streamName: 'no-such-stream', budgetMs: 600, attemptTimeoutMs: 200 });
    const spoolDir = join(dir, 'spool');
    const spooling = new RecordedSender({ client, functionUrl: FUNCTION_URL, archive: refusing, spoolDir });
    // What job queues do: try again, up to three times, whenever the call rejects.
    const withRetries = async <T>(call: () => Promise<T>): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await call();
        } catch (error) {
          if (attempt === 3) throw error;
        }
      }
    };
    const result = await withRetries(() => spooling.send({ to: '+14155550113', from: FROM, body: 'Your code' }, { tags: { order_id: '46' } }));
    expect(result.recorded).toBe('spool');
    expect(fake.stats.creates).toBe(1);
    expect(await spooling.spool.count()).toBe(1);

    const drainEnv = {
      ARCHIVE_FIREHOSE_STREAM: STREAM,
      ARCHIVE_FIREHOSE_ENDPOINT: writerConfig.firehoseEndpoint!,
      ARCHIVE_AWS_REGION: 'us-east-1',
      ARCHIVE_AWS_ACCESS_KEY_ID: 'LOCAL',
      ARCHIVE_AWS_SECRET_ACCESS_KEY: 'LOCAL',
      ARCHIVE_SPOOL_DIR: spoolDir,
    };
    const drained = await runScript('scripts/drain-spool.ts', [], drainEnv);
    expect(drained.stderr).toBe('');
    expect(drained).toMatchObject({ code: 0, stdout: expect.stringMatching(/Appended 1 spooled record\(s\) to Firehose stream sender-test; 0 remain/) });
    expect(readdirSync(spoolDir)).toEqual([]);
    // A second drain finds nothing to append.
    expect((await runScript('scripts/drain-spool.ts', [], drainEnv)).stdout).toMatch(/Appended 0 spooled record\(s\)/);
    const records = await archived();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ source: 'send', message_sid: result.message.sid, tags: { order_id: '46' } });
  });

  it('drains the spool into the archive on a later send, once the archive takes records again', async () => {
    const spoolDir = join(dir, 'spool');
    const down = new RecordedSender({
      client,
      functionUrl: FUNCTION_URL,
      archive: new ArchiveWriter({ ...writerConfig, streamName: 'no-such-stream', budgetMs: 600, attemptTimeoutMs: 200 }),
      spoolDir,
    });
    const spooled = await down.send({ to: '+14155550114', from: FROM, body: 'a' });
    expect(spooled.recorded).toBe('spool');
    const up = new RecordedSender({ client, functionUrl: FUNCTION_URL, archive: new ArchiveWriter(writerConfig), spoolDir });
    const later = await up.send({ to: '+14155550115', from: FROM, body: 'b' });
    expect(later.recorded).toBe('archive');
    expect(await up.drainSpool()).toMatchObject({ remaining: 0, error: null });
    expect(readdirSync(spoolDir)).toEqual([]);
    expect((await archived()).map((r) => r.message_sid).sort()).toEqual([spooled.message.sid, later.message.sid].sort());
  });

  it('refuses, before sending anything, what cannot make a record', async () => {
    await expect(sender.send({ to: '+14155550107', from: FROM }, { tags: { OrderId: '1' } })).rejects.toThrow(/tag name "OrderId"/);
    await expect(sender.send({ from: FROM } as never)).rejects.toThrow(/params.to is required/);
    await expect(sender.send({ to: '+14155550107', from: FROM, statusCallback: 'https://elsewhere' } as never)).rejects.toThrow(/set by the sender/);
    await expect(sender.send({ to: '+14155550107', from: FROM }, { clientRef: 'a', tags: { client_ref: 'b' } })).rejects.toThrow(/differ/);
    expect(() => new RecordedSender({ client, functionUrl: 'http://insecure.example/cb', archive: new ArchiveWriter(writerConfig) })).toThrow(/must be https/);
    expect(fake.stats.creates).toBe(0);
  });

  it('the reconciliation finds the message a timed-out send created, by its envelope, and names the client reference', async () => {
    await sender.send({ to: '+14155550110', from: FROM, body: 'ok' });
    fake.setFaults({ createThenHang: 1 });
    await expect(sender.send({ to: '+14155550111', from: FROM, body: 'lost answer' }, { tags: { order_id: '45' } })).rejects.toThrow(/timeout/i);
    fake.setFaults({ createErrors: [{ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' }] });
    await expect(sender.send({ to: '+14155550112', from: FROM })).rejects.toMatchObject({ code: 21610 });
    await firehose.flush();
    const timedOut = [...fake.statusCallbacks.keys()].find((sid) => fake.getMessage(sid)!.to === '+14155550111')!;

    const out = join(dir, 'out');
    const now = Date.now();
    const result = await runScript(
      'scripts/reconcile.ts',
      [
        '--archive',
        join(dir, 'archive'),
        '--from',
        new Date(now - 3_600_000).toISOString(),
        '--to',
        new Date(now + 60_000).toISOString(),
        '--export',
        'twilio:api',
        '--out',
        out,
      ],
      { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.url },
    );
    expect(result.stderr).not.toMatch(/error|cannot/i);
    // Exit 1: until --write records the match, the timed-out message has no status in the archive (missing).
    expect(result.code).toBe(1);
    const gaps = readFileSync(join(out, 'gaps.ndjson'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Gap);
    const matched = gaps.filter((g) => g.category === 'matched_by_envelope');
    expect(matched).toHaveLength(1);
    expect(matched[0]).toMatchObject({ message_sid: timedOut, evidence: { attempt: { to: '+14155550111', client_ref: 'ref-2', tags: { order_id: '45' } } } });
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { counts: Record<string, number> };
    expect(summary.counts).toMatchObject({ twilio_messages: 2, ok: 1, missing: 1, matched_by_envelope: 1, unmatched_send_error: 1, send_errors: 2 });
  });
});
