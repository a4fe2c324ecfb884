/**
 * Event Streams' webhook sink through the real wire: JSON deliveries signed
 * as Twilio signs them (bodySHA256) → gateway → twilio-run running the built
 * `/event-stream` Function → the real Firehose client (PutRecordBatch) →
 * local Firehose → s3rver. The records are read back and folded by the
 * archive's own line reader and status rules.
 */
import { inboundMessageEvent, messageStatusEvent, postSignedDelivery, sampleEventStreamDelivery } from '../../dev/eventStreamSamples';
import type { LocalStack } from '../../dev/localStack';
import { randomSid } from '../../dev/signedCallbacks';
import { parseArchiveLine } from '../../src/domain/archiveLine';
import { MessageStates } from '../../src/domain/messageState';
import { schemaErrors } from '../helpers/archiveSchema';
import { ACCOUNT_SID } from '../helpers/callbacks';
import { readRecords, startS3rver, type S3rverHandle } from '../helpers/s3rverProcess';
import { ARCHIVE_BUCKET, AUTH_TOKEN, startTestStack } from '../helpers/testStack';

let s3: S3rverHandle;
let stack: LocalStack;
let sinkUrl: string;
/** What the stack logged: the Functions' own lines among them. */
const logged: string[] = [];

beforeAll(async () => {
  s3 = await startS3rver([ARCHIVE_BUCKET]);
  stack = await startTestStack(s3, { ARCHIVE_EVENT_STREAM_BUDGET_MS: '2500' }, (line) => logged.push(line));
  sinkUrl = `${stack.url}/event-stream`;
});
afterAll(async () => {
  await stack?.stop();
  await s3?.stop();
});
afterEach(() => stack.firehose.setFaults({ mode: 'none' }));

async function archivedRecords(): Promise<Record<string, unknown>[]> {
  await stack.firehose.flush();
  return readRecords(s3.client, ARCHIVE_BUCKET, 'firehose/');
}

/** Folds records as every reader of the archive does: each line through parseArchiveLine, then the status rules. */
function fold(records: Record<string, unknown>[]): MessageStates {
  const states = new MessageStates();
  for (const record of records) {
    const line = parseArchiveLine(JSON.stringify(record));
    if (!line.ok) throw new Error(`an archived line the readers refuse: ${line.reason}`);
    if (line.facts) states.fold(line.facts);
  }
  return states;
}

describe('Event Streams deliveries through the real wire', () => {
  it('archives a signed batch of status and inbound events, each as a v1 record the readers take', async () => {
    const events = sampleEventStreamDelivery(ACCOUNT_SID);
    const response = await postSignedDelivery(sinkUrl, events, AUTH_TOKEN);
    expect(response.status).toBe(200);
    const ids = events.map((event) => event.id);
    const records = (await archivedRecords()).filter((record) => ids.includes(record.idempotency_token));
    expect(records.map((record) => [record.idempotency_token, record.status])).toEqual(
      events.map((event) => [event.id, (event.type as string).endsWith('received') ? 'received' : (event.type as string).split('.').pop()]),
    );
    for (const record of records) {
      expect(schemaErrors(record)).toEqual([]);
      expect(record.problems).toBeUndefined();
    }
    expect(records[0].params).toEqual(events[0]);
  });

  it('archives a single event (a JSON object, not an array)', async () => {
    const event = messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: randomSid('SM'), status: 'queued', at: new Date() });
    expect((await postSignedDelivery(sinkUrl, event, AUTH_TOKEN)).status).toBe(200);
    const [record] = (await archivedRecords()).filter((r) => r.idempotency_token === event.id);
    expect(record).toMatchObject({ source: 'event_stream', status: 'queued' });
    expect(record.problems).toBeUndefined();
  });

  it.each([
    ['forged', 'bm90IGEgc2lnbmF0dXJlIGF0IGFsbA=='],
    ['unsigned', null],
  ])('answers a %s delivery 503 (retried by Twilio, never dropped by a 4xx) and archives nothing of it', async (_name, signature) => {
    const event = messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: randomSid('SM'), status: 'sent', at: new Date() });
    const response = await postSignedDelivery(sinkUrl, [event], AUTH_TOKEN, { signature });
    expect(response.status).toBe(503);
    expect((await archivedRecords()).some((r) => r.idempotency_token === event.id)).toBe(false);
  });

  it('answers 503 to a delivery signed for a sink URL that differs by a character, logs the URL it checked, and archives the same events once the URLs agree', async () => {
    const event = messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: randomSid('SM'), status: 'delivered', at: new Date() });
    // The sink was created with a custom domain in front of the Function: Twilio signs that URL, the Function checks its own.
    const mismatched = await postSignedDelivery(sinkUrl, [event], AUTH_TOKEN, { signedFor: 'https://archive.example.com/event-stream' });
    expect(mismatched.status).toBe(503);
    expect((await archivedRecords()).some((r) => r.idempotency_token === event.id)).toBe(false);
    const line = logged.find((l) => l.includes('its signature does not check'));
    expect(line).toContain(`"checked_against":"${sinkUrl}"`);
    expect(line).toMatch(/"level":"error"/);
    expect(line).toMatch(/sink's destination is not exactly this URL/);
    // Twilio retries a 5xx for up to four hours: once the sink and the Function agree, the retry archives the events.
    expect((await postSignedDelivery(sinkUrl, [event], AUTH_TOKEN)).status).toBe(200);
    expect((await archivedRecords()).filter((r) => r.idempotency_token === event.id)).toHaveLength(1);
  });

  it('archives, flagged, a delivery whose body was swapped after signing: the body no longer matches bodySHA256 in the signed URL', async () => {
    const signedFor = [messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: randomSid('SM'), status: 'sent', at: new Date() })];
    const swapped = [messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: randomSid('SM'), status: 'delivered', at: new Date() })];
    // Sign for one body, send another: the Function finds the signed hash is not the body's. Never refused (a 4xx would drop
    // a genuine delivery that the runtime merely wrote back differently), but never unflagged.
    const raw = JSON.stringify(signedFor);
    const { createHash } = await import('node:crypto');
    const { getExpectedTwilioSignature } = await import('twilio/lib/webhooks/webhooks');
    const url = `${sinkUrl}?bodySHA256=${createHash('sha256').update(raw).digest('hex')}`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Twilio-Signature': getExpectedTwilioSignature(AUTH_TOKEN, url, {}) },
      body: JSON.stringify(swapped),
    });
    expect(response.status).toBe(200);
    const [record] = (await archivedRecords()).filter((r) => r.idempotency_token === swapped[0].id);
    expect(record.problems).toEqual([expect.stringContaining('bodySHA256')]);
  });

  it('retries the one record Firehose fails in a batch, and answers 200 only when all are in', async () => {
    const sid = randomSid('SM');
    const events = (['queued', 'sent', 'delivered'] as const).map((status) =>
      messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: sid, status, at: new Date() }),
    );
    stack.firehose.setFaults({ mode: 'partial', count: 1, failRecords: [1] });
    const refusedBefore = stack.firehose.stats.recordsRefused;
    expect((await postSignedDelivery(sinkUrl, events, AUTH_TOKEN)).status).toBe(200);
    expect(stack.firehose.stats.recordsRefused - refusedBefore).toBe(1);
    const records = (await archivedRecords()).filter((r) => r.message_sid === sid);
    expect(records.map((r) => r.status).sort()).toEqual(['delivered', 'queued', 'sent']);
  });

  it('answers 503 while Firehose takes nothing, so that Twilio retries the delivery', async () => {
    stack.firehose.setFaults({ mode: 'throttle' });
    const event = messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: randomSid('SM'), status: 'sent', at: new Date() });
    expect((await postSignedDelivery(sinkUrl, [event], AUTH_TOKEN)).status).toBe(503);
  });

  it('folds duplicate deliveries (the same event ids) and events out of order into one final status', async () => {
    const sid = randomSid('SM');
    const at = Date.now();
    const sent = messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: sid, status: 'sent', at: new Date(at) });
    const delivered = messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: sid, status: 'delivered', at: new Date(at + 1000) });
    // Delivered first, then the same delivery again (Twilio's at-least-once), then the earlier sent.
    for (const body of [[delivered], [delivered], [sent]]) expect((await postSignedDelivery(sinkUrl, body, AUTH_TOKEN)).status).toBe(200);
    const records = (await archivedRecords()).filter((r) => r.message_sid === sid);
    expect(records.map((r) => r.idempotency_token)).toEqual([delivered.id, delivered.id, sent.id]);
    expect(fold(records).get(sid)?.status).toBe('delivered');
  });

  it('keeps an event of a type it does not know, verbatim, with a problem', async () => {
    const other = { specversion: '1.0', type: 'com.twilio.studio.flow.execution.started', id: `EZ${randomSid('')}`, data: { flowSid: 'FW1' } };
    const inbound = inboundMessageEvent({ accountSid: ACCOUNT_SID, messageSid: randomSid('SM'), at: new Date() });
    expect((await postSignedDelivery(sinkUrl, [other, inbound], AUTH_TOKEN)).status).toBe(200);
    const records = await archivedRecords();
    const kept = records.find((r) => r.idempotency_token === other.id)!;
    expect(kept.params).toEqual(other);
    expect(kept.problems).toEqual([expect.stringContaining('com.twilio.studio.flow.execution.started')]);
    const received = records.find((r) => r.idempotency_token === inbound.id)!;
    expect(received.status).toBe('received');
    expect(received.problems).toBeUndefined();
  });

  it("meets a signed body that is not JSON with the runtime's own 400, before any code of ours runs (a documented limit)", async () => {
    // twilio-run's JSON body parser refuses it; the deployed runtime is taken to do the same. Twilio drops a 4xx'd
    // delivery, so such a body cannot be archived by any Function: docs/event-streams.md says so.
    const response = await postSignedDelivery(sinkUrl, '[{"specversion":"1.0",', AUTH_TOKEN);
    expect(response.status).toBe(400);
  });
});
