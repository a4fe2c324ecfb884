/**
 * Under injected Firehose trouble, no callback is answered 2xx unless its
 * record is in the archive, and a callback answered 5xx is archived once
 * Twilio retries it.
 */
import type { FaultPlan } from '../../dev/firehose/faults';
import type { LocalStack } from '../../dev/localStack';
import { postSignedCallback } from '../../dev/signedCallbacks';
import { smsCallback } from '../helpers/callbacks';
import { readRecords, startS3rver, type S3rverHandle } from '../helpers/s3rverProcess';
import { ARCHIVE_BUCKET, AUTH_TOKEN, startTestStack } from '../helpers/testStack';

let s3: S3rverHandle;
let stack: LocalStack;
let next = 0;

beforeAll(async () => {
  s3 = await startS3rver([ARCHIVE_BUCKET]);
  // A short budget keeps the test quick; the attempt timeout is shorter than the injected slowness.
  stack = await startTestStack(s3, { ARCHIVE_WRITE_BUDGET_MS: '2500', ARCHIVE_ATTEMPT_TIMEOUT_MS: '600' });
});
afterAll(async () => {
  await stack?.stop();
  await s3?.stop();
});
afterEach(() => stack.firehose.setFaults({ mode: 'none' }));

function newCallback(): Record<string, string> {
  const sid = `SM${(++next).toString(16).padStart(32, 'c')}`;
  return smsCallback({ MessageSid: sid, SmsSid: sid });
}

const post = (params: Record<string, string>) => postSignedCallback(`${stack.url}/status-callback`, params, AUTH_TOKEN).then((r) => r.status);

async function archivedSids(): Promise<string[]> {
  await stack.firehose.flush();
  return (await readRecords(s3.client, ARCHIVE_BUCKET, 'firehose/')).map((r) => String(r.message_sid));
}

/** Retries a callback the way Twilio does after a 5xx, once Firehose is healthy again. */
async function twilioRetries(params: Record<string, string>): Promise<number> {
  stack.firehose.setFaults({ mode: 'none' });
  return post(params);
}

describe('Firehose faults through the real wire', () => {
  it.each<[string, FaultPlan]>([
    ['throttling', { mode: 'throttle', count: 2 }],
    ['500 InternalFailure', { mode: 'internal', count: 2 }],
    ['a failed PutRecord (the single-record face of a partial failure)', { mode: 'partial', count: 1 }],
  ])('rides out passing %s with retries and answers 200 only once archived', async (_what, plan) => {
    stack.firehose.setFaults(plan);
    const params = newCallback();
    expect(await post(params)).toBe(200);
    expect(await archivedSids()).toContain(params.MessageSid);
  });

  it('retries a write that timed out although Firehose took it: the record may be archived twice, never lost', async () => {
    stack.firehose.setFaults({ mode: 'slow', delayMs: 1200, takeRecords: true, count: 1 });
    const params = newCallback();
    expect(await post(params)).toBe(200);
    const copies = (await archivedSids()).filter((sid) => sid === params.MessageSid).length;
    expect(copies).toBeGreaterThanOrEqual(1);
    expect(copies).toBeLessThanOrEqual(2);
  });

  it.each<[string, FaultPlan]>([
    ['throttling', { mode: 'throttle' }],
    ['500s', { mode: 'internal' }],
    ['timeouts', { mode: 'slow', delayMs: 1500, takeRecords: false }],
  ])('answers 503 when %s outlast the budget, and archives the callback when Twilio retries', async (_what, plan) => {
    stack.firehose.setFaults(plan);
    const params = newCallback();
    const started = Date.now();
    expect(await post(params)).toBe(503);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await archivedSids()).not.toContain(params.MessageSid);
    expect(await twilioRetries(params)).toBe(200);
    expect(await archivedSids()).toContain(params.MessageSid);
  });

  it('under random throttling of concurrent callbacks: every 200 is archived, every 503 is archived after its retry', async () => {
    stack.firehose.setFaults({ mode: 'throttle', rate: 0.7 });
    const callbacks = Array.from({ length: 12 }, newCallback);
    const answers: number[] = [];
    for (let i = 0; i < callbacks.length; i += 4) answers.push(...(await Promise.all(callbacks.slice(i, i + 4).map(post))));
    expect(answers.every((s) => s === 200 || s === 503)).toBe(true);

    const archived = new Set(await archivedSids());
    callbacks.forEach((params, i) => {
      if (answers[i] === 200) expect(archived).toContain(params.MessageSid);
    });
    for (const [i, params] of callbacks.entries()) if (answers[i] !== 200) expect(await twilioRetries(params)).toBe(200);
    const finallyArchived = new Set(await archivedSids());
    for (const params of callbacks) expect(finallyArchived).toContain(params.MessageSid);
  });
});
