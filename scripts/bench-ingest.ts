/**
 * `npm run bench:ingest`: figures, not a test.
 *
 * 1. Cold start: a fresh Node process loads the built Function bundle
 *    (dist/, what is deployed) with its dependencies; median of many runs.
 *    The whole `twilio` package is loaded the same way for comparison.
 * 2. Per-callback cost on one core, against the local Firehose in another
 *    process over keep-alive HTTP: our path (parse the form body, check the
 *    signature, the Function's handler: record, redaction rules, PutRecord
 *    with retries/budget) side by side with a hand-written floor (parse the
 *    form body, check the signature, JSON.stringify, one PutRecord).
 *    Rounds alternate between the two; figures are medians over rounds.
 * 3. The same for the Event Streams Function (`/event-stream`): deliveries of
 *    1 and of 50 events, through its handler (signature check, records,
 *    PutRecordBatch with retries/budget), beside a hand-written floor (hash
 *    the body, check the signature, JSON.parse, JSON.stringify each event,
 *    one PutRecordBatch). Per delivery and per event.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirehoseClient, PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { getExpectedTwilioSignature, validateRequest } from 'twilio/lib/webhooks/webhooks';
import { messageStatusEvent } from '../dev/eventStreamSamples';
import { fmt, median, percentile } from './bench/stats';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const root = join(__dirname, '..');
const bundle = join(root, 'dist', 'deploy', 'functions', 'status-callback.protected.js');
const eventStreamBundle = join(root, 'dist', 'deploy', 'functions', 'event-stream.js');
const SINK_URL = 'https://example-1234.twil.io/event-stream';
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 21);
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const AUTH_TOKEN = '0123456789abcdef0123456789abcdef';
const URL_SIGNED = 'https://example-1234.twil.io/status-callback?order_id=42';

function coldLoad(modulePath: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(modulePath)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: root, env: { ...process.env }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return Number(run.stdout);
}

function coldStart(): void {
  const ours: number[] = [];
  const events: number[] = [];
  const twilio: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    ours.push(coldLoad(bundle));
    events.push(coldLoad(eventStreamBundle));
    twilio.push(coldLoad('twilio'));
  }
  const s = (v: number[]) => [...v].sort((a, b) => a - b);
  console.log(`\nCold start: load time in a fresh process, ${COLD_RUNS} runs each (target ≤ 150 ms)`);
  console.log(`  status-callback bundle + @aws-sdk/client-firehose  median ${fmt(median(ours))} ms  p90 ${fmt(percentile(s(ours), 90))} ms`);
  console.log(`  event-stream bundle (+ twilio's validators)        median ${fmt(median(events))} ms  p90 ${fmt(percentile(s(events), 90))} ms`);
  console.log(`  for comparison, require('twilio') alone             median ${fmt(median(twilio))} ms  p90 ${fmt(percentile(s(twilio), 90))} ms`);
}

async function startFirehose(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'scripts/local-firehose.ts', '--dir', dir, '--buffer-seconds', '2', '--quiet'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim().split('\n')[0]));
    child.once('exit', (code) => reject(new Error(`local Firehose exited with ${code}`)));
  });
  return {
    url,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

interface FakeResponse {
  statusCode: number;
}

type Path = (body: string, signature: string) => Promise<number>;

function callbackBody(i: number): { body: string; signature: string } {
  const sid = `SM${i.toString(16).padStart(32, '0')}`;
  const params = {
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    ApiVersion: '2010-04-01',
    From: '+15005550006',
    MessageSid: sid,
    MessageStatus: 'delivered',
    MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
    RawDlrDoneDate: '2611261530',
    SmsSid: sid,
    SmsStatus: 'delivered',
    To: '+14155550101',
  };
  return { body: new URLSearchParams(params).toString(), signature: getExpectedTwilioSignature(AUTH_TOKEN, URL_SIGNED, params) };
}

function parseForm(body: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body)) params[k] = v;
  return params;
}

function installTwilioGlobal(): void {
  (global as unknown as { Twilio: unknown }).Twilio = {
    Response: class {
      statusCode = 200;
      setStatusCode(c: number) {
        this.statusCode = c;
      }
      appendHeader() {}
      setBody() {}
    },
  };
}

type Handler = (c: unknown, e: unknown, cb: (err: unknown, r?: FakeResponse) => void) => void;

function loadHandler(bundlePath: string): Handler {
  installTwilioGlobal();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(bundlePath) as { handler: Handler }).handler;
}

function invoke(handler: Handler, context: unknown, event: unknown): Promise<number> {
  return new Promise((resolve, reject) =>
    handler(context, event, (err, response) => (err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve(response!.statusCode))),
  );
}

const FIREHOSE_CONTEXT = (firehoseUrl: string) => ({
  ARCHIVE_FIREHOSE_STREAM: 'message-status-archive',
  ARCHIVE_AWS_REGION: 'us-east-1',
  ARCHIVE_AWS_ACCESS_KEY_ID: 'LOCAL',
  ARCHIVE_AWS_SECRET_ACCESS_KEY: 'LOCAL',
  ARCHIVE_FIREHOSE_ENDPOINT: firehoseUrl,
});

function ourPath(firehoseUrl: string, bundlePath: string): Path {
  const handler = loadHandler(bundlePath);
  const context = FIREHOSE_CONTEXT(firehoseUrl);
  return (body, signature) => {
    const params = parseForm(body);
    if (!validateRequest(AUTH_TOKEN, signature, URL_SIGNED, params)) throw new Error('signature');
    return invoke(handler, context, { ...parseForm('order_id=42'), ...params, request: { headers: {}, cookies: {} } });
  };
}

function floorPath(firehoseUrl: string): Path {
  const client = new FirehoseClient({ region: 'us-east-1', endpoint: firehoseUrl, credentials: { accessKeyId: 'LOCAL', secretAccessKey: 'LOCAL' } });
  return async (body, signature) => {
    const params = parseForm(body);
    if (!validateRequest(AUTH_TOKEN, signature, URL_SIGNED, params)) throw new Error('signature');
    const line = `${JSON.stringify(params)}\n`;
    await client.send(new PutRecordCommand({ DeliveryStreamName: 'message-status-archive', Record: { Data: Buffer.from(line) } }));
    return 200;
  };
}

async function round(path: Path, inputs: { body: string; signature: string }[]): Promise<{ latencies: number[]; perSecond: number }> {
  return timedRound((input) => path(input.body, input.signature), inputs);
}

async function timedRound<I>(call: (input: I) => Promise<number>, inputs: I[]): Promise<{ latencies: number[]; perSecond: number }> {
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  for (const input of inputs) {
    const t = process.hrtime.bigint();
    const status = await call(input);
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (status !== 200) throw new Error(`answered ${status}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { latencies: latencies.sort((a, b) => a - b), perSecond: inputs.length / seconds };
}

async function perCallback(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  const firehose = await startFirehose(dir);
  try {
    // BENCH_BEFORE_BUNDLE: an earlier build of the Function, measured in the same run to show what a change did.
    const before = process.env.BENCH_BEFORE_BUNDLE;
    const paths: [string, Path][] = [
      ['our handler path', ourPath(firehose.url, bundle)],
      ...(before ? ([['before (BENCH_BEFORE_BUNDLE)', ourPath(firehose.url, before)]] as [string, Path][]) : []),
      ['hand-written floor', floorPath(firehose.url)],
    ];
    const inputs = Array.from({ length: CALLS_PER_ROUND }, (_, i) => callbackBody(i));
    for (const [, path] of paths) await round(path, inputs.slice(0, 300));
    const results = paths.map(() => [] as Awaited<ReturnType<typeof round>>[]);
    for (let r = 0; r < ROUNDS; r++) {
      for (const [i, [, path]] of paths.entries()) results[i].push(await round(path, inputs));
    }
    const summary = (rs: Awaited<ReturnType<typeof round>>[]) => ({
      p50: median(rs.map((r) => percentile(r.latencies, 50))),
      p99: median(rs.map((r) => percentile(r.latencies, 99))),
      perSecond: median(rs.map((r) => r.perSecond)),
    });
    const summaries = results.map(summary);
    const floor = summaries[summaries.length - 1];
    console.log(`\nPer callback, one at a time on one core, local Firehose in another process over keep-alive HTTP`);
    console.log(`  ${ROUNDS} alternating rounds of ${CALLS_PER_ROUND} callbacks each; medians over rounds (target: within 1.5× of the floor)`);
    console.log(`  ${''.padEnd(40)}  p50 ms    p99 ms  callbacks/s   time/callback vs floor`);
    summaries.forEach((m, i) => {
      const name = paths[i][0].padEnd(40);
      console.log(
        `  ${name}  ${fmt(m.p50, 3).padStart(6)}    ${fmt(m.p99, 3).padStart(6)}   ${fmt(m.perSecond, 0).padStart(8)}   ${fmt(floor.perSecond / m.perSecond)}×`,
      );
    });
  } finally {
    await firehose.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One signed Event Streams delivery, as Twilio sends it: the raw JSON, its hash in the URL, the signature over that URL. */
interface Delivery {
  raw: string;
  bodySHA256: string;
  signature: string;
}

function delivery(n: number, size: number): Delivery {
  const at = new Date('2026-11-27T10:00:00Z');
  const events = Array.from({ length: size }, (_, i) =>
    messageStatusEvent({
      accountSid: 'AC0123456789abcdef0123456789abcdef',
      messageSid: `SM${(n * size + i).toString(16).padStart(32, '0')}`,
      status: 'delivered',
      at,
      messagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
      rawDlrDoneDate: at,
      tags: { order_id: `o-${n}` },
    }),
  );
  const raw = JSON.stringify(events);
  const bodySHA256 = createHash('sha256').update(raw).digest('hex');
  return { raw, bodySHA256, signature: getExpectedTwilioSignature(AUTH_TOKEN, `${SINK_URL}?bodySHA256=${bodySHA256}`, {}) };
}

type DeliveryPath = (input: Delivery) => Promise<number>;

/** What the runtime hands the Function: the parsed body spread beside the query and the headers. */
function eventStreamPath(firehoseUrl: string, bundlePath: string): DeliveryPath {
  const handler = loadHandler(bundlePath);
  const context = { ...FIREHOSE_CONTEXT(firehoseUrl), AUTH_TOKEN, ARCHIVE_EVENT_STREAM_URL: SINK_URL };
  return (input) =>
    invoke(handler, context, {
      request: { headers: { 'content-type': 'application/json', 'x-twilio-signature': input.signature }, cookies: {} },
      bodySHA256: input.bodySHA256,
      ...(JSON.parse(input.raw) as object),
    });
}

function eventStreamFloor(firehoseUrl: string): DeliveryPath {
  const client = new FirehoseClient({ region: 'us-east-1', endpoint: firehoseUrl, credentials: { accessKeyId: 'LOCAL', secretAccessKey: 'LOCAL' } });
  return async (input) => {
    if (createHash('sha256').update(input.raw).digest('hex') !== input.bodySHA256) throw new Error('body');
    if (!validateRequest(AUTH_TOKEN, input.signature, `${SINK_URL}?bodySHA256=${input.bodySHA256}`, {})) throw new Error('signature');
    const events = JSON.parse(input.raw) as unknown[];
    await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'message-status-archive',
        Records: events.map((event) => ({ Data: Buffer.from(`${JSON.stringify(event)}\n`) })),
      }),
    );
    return 200;
  };
}

async function perDelivery(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-events-'));
  const firehose = await startFirehose(dir);
  try {
    const paths: [string, DeliveryPath][] = [
      ['our handler path', eventStreamPath(firehose.url, eventStreamBundle)],
      ['hand-written floor', eventStreamFloor(firehose.url)],
    ];
    console.log(`\nEvent Streams, per delivery, one at a time on one core; ${ROUNDS} alternating rounds, medians over rounds`);
    console.log(`  ${''.padEnd(34)}  p50 ms    p99 ms  deliveries/s   µs/event   time vs floor`);
    for (const size of [1, 50]) {
      const count = Math.max(20, Math.round(CALLS_PER_ROUND / size / (size === 1 ? 1 : 2)));
      const inputs = Array.from({ length: count }, (_, n) => delivery(n, size));
      for (const [, path] of paths) await timedRound(path, inputs.slice(0, Math.min(50, count)));
      const results = paths.map(() => [] as Awaited<ReturnType<typeof timedRound>>[]);
      for (let r = 0; r < ROUNDS; r++) for (const [i, [, path]] of paths.entries()) results[i].push(await timedRound(path, inputs));
      const summaries = results.map((rs) => ({
        p50: median(rs.map((r) => percentile(r.latencies, 50))),
        p99: median(rs.map((r) => percentile(r.latencies, 99))),
        perSecond: median(rs.map((r) => r.perSecond)),
      }));
      const floor = summaries[summaries.length - 1];
      summaries.forEach((m, i) => {
        const name = `${size} event${size === 1 ? '' : 's'}: ${paths[i][0]}`.padEnd(34);
        const perEvent = 1e6 / (m.perSecond * size);
        console.log(
          `  ${name}  ${fmt(m.p50, 3).padStart(6)}    ${fmt(m.p99, 3).padStart(6)}   ${fmt(m.perSecond, 0).padStart(8)}   ${fmt(perEvent, 1).padStart(8)}   ${fmt(floor.perSecond / m.perSecond)}×`,
        );
      });
    }
  } finally {
    await firehose.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`bench:ingest on Node ${process.version}, ${cpus().length} cores`);
  coldStart();
  await perCallback();
  await perDelivery();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
