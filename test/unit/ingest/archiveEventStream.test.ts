import { createHash } from 'node:crypto';
import { FirehoseClient, PutRecordBatchCommand, ServiceUnavailableException, type PutRecordBatchCommandInput } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { archiveEventStream, BODY_NOT_VERIFIED } from '../../../src/ingest/archiveEventStream';
import type { Log } from '../../../src/ingest/ingestContext';
import { inboundMessageEvent, messageStatusEvent } from '../../../dev/eventStreamSamples';
import { schemaErrors } from '../../helpers/archiveSchema';
import { ACCOUNT_SID, ARCHIVE_ENV, MESSAGE_SID } from '../../helpers/callbacks';

const firehoseMock = mockClient(FirehoseClient);
const AUTH_TOKEN = 'abcdefabcdefabcdefabcdefabcdef12';
const SINK_URL = 'https://archive-4821.twil.io/event-stream';
const env = { ...ARCHIVE_ENV, AUTH_TOKEN, DOMAIN_NAME: 'archive-4821.twil.io', PATH: '/event-stream', ARCHIVE_EVENT_STREAM_BUDGET_MS: '600' };
const now = () => new Date('2026-11-27T10:00:05.000Z');
const at = new Date('2026-11-27T10:00:01.000Z');

function logSpy() {
  const lines: string[] = [];
  const log: Log = (level, message, fields) => lines.push(JSON.stringify({ level, message, ...fields }));
  return { log, lines };
}

/**
 * What the Functions runtime makes of a signed delivery: the JSON body parsed
 * and spread beside the query (`bodySHA256`) and `request` (its headers).
 */
function delivery(rawBody: string, options: { signature?: string | null; hashOf?: string; sinkUrl?: string } = {}): Record<string, unknown> {
  const bodySHA256 = createHash('sha256')
    .update(options.hashOf ?? rawBody)
    .digest('hex');
  const signature =
    options.signature === undefined ? getExpectedTwilioSignature(AUTH_TOKEN, `${options.sinkUrl ?? SINK_URL}?bodySHA256=${bodySHA256}`, {}) : options.signature;
  let parsed: unknown = {};
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    // A body the runtime did not parse adds no fields.
  }
  return {
    request: { headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-twilio-signature': signature }) }, cookies: {} },
    bodySHA256,
    ...(parsed as object),
  };
}

const acknowledgeAll = (input: PutRecordBatchCommandInput) => ({
  FailedPutCount: 0,
  RequestResponses: input.Records!.map((_, i) => ({ RecordId: `r-${i}` })),
});

function written(): Record<string, unknown>[] {
  return firehoseMock
    .commandCalls(PutRecordBatchCommand)
    .flatMap((call) => call.args[0].input.Records!.map((r) => JSON.parse(Buffer.from(r.Data!).toString('utf8')) as Record<string, unknown>));
}

const delivered = () =>
  messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: MESSAGE_SID, status: 'delivered', at, id: 'EZ-delivered', tags: { order_id: 'o-1' } });
const sent = () => messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: MESSAGE_SID, status: 'sent', at, id: 'EZ-sent' });
const inbound = () => inboundMessageEvent({ accountSid: ACCOUNT_SID, messageSid: 'SM99999999999999999999999999999999', at, id: 'EZ-inbound' });

beforeEach(() => firehoseMock.reset());

describe('archiveEventStream', () => {
  it('archives a single signed event and answers 200 with an empty body', async () => {
    firehoseMock.on(PutRecordBatchCommand).callsFake(acknowledgeAll);
    const answer = await archiveEventStream(delivery(JSON.stringify(delivered())), env, logSpy().log, now);
    expect(answer).toEqual({ statusCode: 200, body: '' });
    const [record] = written();
    expect(record).toMatchObject({
      source: 'event_stream',
      message_sid: MESSAGE_SID,
      status: 'delivered',
      idempotency_token: 'EZ-delivered',
      tags: { order_id: 'o-1' },
      recorded_at: now().toISOString(),
    });
    expect(record.problems).toBeUndefined();
    expect(schemaErrors(record)).toEqual([]);
  });

  it('archives every event of a batch (a JSON array) in one PutRecordBatch, in order', async () => {
    firehoseMock.on(PutRecordBatchCommand).callsFake(acknowledgeAll);
    const answer = await archiveEventStream(delivery(JSON.stringify([sent(), delivered(), inbound()])), env, logSpy().log, now);
    expect(answer.statusCode).toBe(200);
    expect(firehoseMock.commandCalls(PutRecordBatchCommand)).toHaveLength(1);
    expect(written().map((r) => [r.idempotency_token, r.status, r.problems])).toEqual([
      ['EZ-sent', 'sent', undefined],
      ['EZ-delivered', 'delivered', undefined],
      ['EZ-inbound', 'received', undefined],
    ]);
  });

  it.each([
    ['forged', { signature: 'bm90IGEgc2lnbmF0dXJl' }],
    ['unsigned', { signature: null }],
    ['signed for another URL', { sinkUrl: 'https://elsewhere.example/event-stream' }],
  ])('answers a %s delivery 503, which Twilio retries (a 4xx would drop it), writes nothing, and logs the URL it checked', async (_name, options) => {
    const { log, lines } = logSpy();
    const answer = await archiveEventStream(delivery(JSON.stringify(delivered()), options), env, log, now);
    expect(answer.statusCode).toBe(503);
    expect(firehoseMock.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
    const logged = lines.join('\n');
    expect(logged).not.toContain(AUTH_TOKEN);
    expect(logged).toMatch(/"level":"error"/);
    expect(logged).toContain(`"checked_against":"https://${env.DOMAIN_NAME}${env.PATH}"`);
    expect(logged).toMatch(/sink's destination is not exactly this URL/);
  });

  it('archives, flagged, a delivery whose URL signature is valid but whose body is not the one hashed', async () => {
    firehoseMock.on(PutRecordBatchCommand).callsFake(acknowledgeAll);
    const answer = await archiveEventStream(delivery(JSON.stringify([delivered()]), { hashOf: JSON.stringify([sent()]) }), env, logSpy().log, now);
    expect(answer.statusCode).toBe(200);
    expect(written()[0].problems).toEqual([BODY_NOT_VERIFIED]);
  });

  it('archives an event of an unknown type verbatim, with a problem, and answers 200', async () => {
    firehoseMock.on(PutRecordBatchCommand).callsFake(acknowledgeAll);
    const other = { specversion: '1.0', type: 'com.twilio.voice.insights.call-summary.complete', id: 'EZ-voice', data: { callSid: 'CA1' } };
    expect((await archiveEventStream(delivery(JSON.stringify([other])), env, logSpy().log, now)).statusCode).toBe(200);
    const [record] = written();
    expect(record.params).toEqual(other);
    expect(record.problems).toEqual([expect.stringContaining('is not a messaging status or inbound message')]);
  });

  it('answers 200 to an empty batch and writes nothing', async () => {
    expect((await archiveEventStream(delivery('[]'), env, logSpy().log, now)).statusCode).toBe(200);
    expect(firehoseMock.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
  });

  it('answers 503 when the runtime passed no body for a signed delivery that had one, so Twilio retries', async () => {
    const { log, lines } = logSpy();
    const answer = await archiveEventStream(delivery('not json at all'), env, log, now);
    expect(answer.statusCode).toBe(503);
    expect(lines.join('\n')).toContain('not readable');
  });

  it('resends the one record Firehose failed, then answers 200', async () => {
    firehoseMock
      .on(PutRecordBatchCommand)
      .callsFakeOnce((input: PutRecordBatchCommandInput) => ({
        FailedPutCount: 1,
        RequestResponses: input.Records!.map((_, i) => (i === 1 ? { ErrorCode: 'ServiceUnavailableException' } : { RecordId: `r-${i}` })),
      }))
      .callsFake(acknowledgeAll);
    const answer = await archiveEventStream(delivery(JSON.stringify([sent(), delivered(), inbound()])), env, logSpy().log, now);
    expect(answer.statusCode).toBe(200);
    expect(written().map((r) => r.idempotency_token)).toEqual(['EZ-sent', 'EZ-delivered', 'EZ-inbound', 'EZ-delivered']);
  });

  it('answers 503 when Firehose will not take every event within the budget', async () => {
    firehoseMock.on(PutRecordBatchCommand).rejects(new ServiceUnavailableException({ message: 'Slow down.', $metadata: { httpStatusCode: 503 } }));
    const { log, lines } = logSpy();
    const answer = await archiveEventStream(delivery(JSON.stringify([sent(), delivered()])), env, log, now);
    expect(answer.statusCode).toBe(503);
    expect(lines.join('\n')).toContain('answering 503');
  });

  it('masks numbers in the records and never logs them or the token', async () => {
    firehoseMock.on(PutRecordBatchCommand).callsFake(acknowledgeAll);
    const { log, lines } = logSpy();
    const odd = { ...delivered(), id: undefined };
    await archiveEventStream(delivery(JSON.stringify([odd, inbound()])), { ...env, ARCHIVE_REDACT_DIGITS: '4' }, log, now);
    const text = JSON.stringify(written());
    expect(text).not.toMatch(/4155550101|4155550142|5005550006/);
    expect(written()[0].to).toBe('+1415555****');
    expect(lines.join('\n')).not.toMatch(/4155550|5005550006|abcdefabcdef/);
    expect(lines.join('\n')).toContain('archived with problems');
  });

  it('answers 500 when it cannot check signatures (no AUTH_TOKEN), so Twilio retries once it is fixed', async () => {
    const { AUTH_TOKEN: _unset, ...withoutToken } = env;
    const { log, lines } = logSpy();
    expect((await archiveEventStream(delivery(JSON.stringify(delivered())), withoutToken, log, now)).statusCode).toBe(500);
    expect(lines.join('\n')).toContain('AUTH_TOKEN is not set');
  });

  it('checks against ARCHIVE_EVENT_STREAM_URL when set, and refuses one with a query', async () => {
    firehoseMock.on(PutRecordBatchCommand).callsFake(acknowledgeAll);
    const custom = { ...env, ARCHIVE_EVENT_STREAM_URL: 'https://archive.example.com/event-stream' };
    expect((await archiveEventStream(delivery(JSON.stringify(delivered())), custom, logSpy().log, now)).statusCode).toBe(503);
    const signedForCustom = delivery(JSON.stringify(delivered()), { sinkUrl: 'https://archive.example.com/event-stream' });
    expect((await archiveEventStream(signedForCustom, custom, logSpy().log, now)).statusCode).toBe(200);
    const withQuery = { ...env, ARCHIVE_EVENT_STREAM_URL: 'https://archive.example.com/event-stream?x=1' };
    expect((await archiveEventStream(signedForCustom, withQuery, logSpy().log, now)).statusCode).toBe(500);
  });
});
