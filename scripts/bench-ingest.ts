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
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';
import { getExpectedTwilioSignature, validateRequest } from 'twilio/lib/webhooks/webhooks';
import { fmt, median, percentile } from './bench/stats';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const root = join(__dirname, '..');
const bundle = join(root, 'dist', 'deploy', 'functions', 'status-callback.protected.js');
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
  const twilio: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    ours.push(coldLoad(bundle));
    twilio.push(coldLoad('twilio'));
  }
  const s = (v: number[]) => [...v].sort((a, b) => a - b);
  console.log(`\nCold start: load time in a fresh process, ${COLD_RUNS} runs each (target ≤ 150 ms)`);
  console.log(`  status-callback bundle + @aws-sdk/client-firehose  median ${fmt(median(ours))} ms  p90 ${fmt(percentile(s(ours), 90))} ms`);
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

function ourPath(firehoseUrl: string, bundlePath: string): Path {
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(bundlePath) as { handler: (c: unknown, e: unknown, cb: (err: unknown, r?: FakeResponse) => void) => void };
  const context = {
    ARCHIVE_FIREHOSE_STREAM: 'message-status-archive',
    ARCHIVE_AWS_REGION: 'us-east-1',
    ARCHIVE_AWS_ACCESS_KEY_ID: 'LOCAL',
    ARCHIVE_AWS_SECRET_ACCESS_KEY: 'LOCAL',
    ARCHIVE_FIREHOSE_ENDPOINT: firehoseUrl,
  };
  return (body, signature) => {
    const params = parseForm(body);
    if (!validateRequest(AUTH_TOKEN, signature, URL_SIGNED, params)) throw new Error('signature');
    const event = { ...parseForm('order_id=42'), ...params, request: { headers: {}, cookies: {} } };
    return new Promise((resolve, reject) =>
      handler(context, event, (err, response) => (err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve(response!.statusCode))),
    );
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
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  for (const input of inputs) {
    const t = process.hrtime.bigint();
    const status = await path(input.body, input.signature);
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

async function main(): Promise<void> {
  console.log(`bench:ingest on Node ${process.version}, ${cpus().length} cores`);
  coldStart();
  await perCallback();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
