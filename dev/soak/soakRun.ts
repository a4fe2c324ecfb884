/**
 * The ingest path under load and faults, end to end: the real local stack
 * (signature gateway, twilio-run serving the built Function, the project's
 * Firehose writer, the local Firehose delivering into a folder) driven by
 * many signed callbacks at once while the Firehose endpoint throttles, fails,
 * answers late and drops records. The driver behaves as Twilio does with
 * `#rc=5&rp=all`: an answer other than 2xx, or none within the timeout, is
 * retried up to 5 times. At the end the stack is stopped gracefully and every
 * delivered record is read back, to count what was lost.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderDestination } from '../firehose/destinations';
import type { FaultPlan } from '../firehose/faults';
import { startLocalStack } from '../localStack';
import { postSignedCallback, randomSid } from '../signedCallbacks';

export interface SoakOptions {
  projectRoot: string;
  callbacks: number;
  concurrency: number;
  /** Twilio's retries after the first attempt (`rc`). */
  retries: number;
  /** Twilio's wait for an answer (`tt`), ms. */
  timeoutMs: number;
  /** The share of Firehose requests each fault takes. */
  faults: NonNullable<FaultPlan['mix']>;
  /** How late a slow answer comes: past the writer's attempt timeout. */
  slowMs: number;
  /** The writer's settings, as the Function is deployed with them. */
  writeBudgetMs: number;
  attemptTimeoutMs: number;
  onProgress?: (done: number) => void;
}

export interface SoakReport {
  callbacks: number;
  concurrency: number;
  faults: SoakOptions['faults'];
  seconds: number;
  callbacks_per_second: number;
  /** Per attempt, ms. */
  latency: { p50: number; p99: number; max: number };
  /** Answers by HTTP status; `timeout` for none within the timeout, `error` for a broken connection. */
  answers: Record<string, number>;
  /** Attempts made again by the driver, as Twilio would. */
  retries: number;
  /** Firehose requests beyond one per attempt: the Function's writer retrying within its budget. */
  writer_retries: number;
  firehose: { requests: number; records_taken: number; records_refused: number; records_delivered: number };
  /** Records in the archive beyond one per callback (a late success retried, or retried by Twilio). */
  duplicates: number;
  /** Callbacks answered 2xx at least once and absent from the archive: must be 0. */
  lost: number;
  /** Callbacks that no attempt got a 2xx for (Twilio gave up): must be 0 at these fault rates. */
  unarchived: number;
  /** Of those, the ones the archive holds all the same (written, but answered too late). */
  unarchived_but_present: number;
  /** Lines in the delivered objects that are not archive records of this run. */
  foreign_lines: number;
}

const AUTH_TOKEN = '0123456789abcdef0123456789abcdef';
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** A callback with the parameters Twilio sends for a delivered SMS; the SID is the callback's identity. */
function callbackParams(sid: string): Record<string, string> {
  return {
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    From: '+15005550006',
    To: '+14155550100',
    MessageSid: sid,
    SmsSid: sid,
    MessageStatus: 'delivered',
    SmsStatus: 'delivered',
    RawDlrDoneDate: '2611271200',
  };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const dir = mkdtempSync(join(tmpdir(), 'soak-'));
  const stack = await startLocalStack({
    projectRoot: options.projectRoot,
    settings: {
      ACCOUNT_SID,
      AUTH_TOKEN,
      ARCHIVE_FIREHOSE_STREAM: 'soak',
      ARCHIVE_AWS_REGION: 'us-east-1',
      ARCHIVE_AWS_ACCESS_KEY_ID: 'LOCAL',
      ARCHIVE_AWS_SECRET_ACCESS_KEY: 'LOCAL',
      ARCHIVE_WRITE_BUDGET_MS: String(options.writeBudgetMs),
      ARCHIVE_ATTEMPT_TIMEOUT_MS: String(options.attemptTimeoutMs),
      LOCAL_FIREHOSE_BUFFER_SECONDS: '2',
      LOCAL_FIREHOSE_BUFFER_MB: '4',
      PORT: '0',
    },
    destination: new FolderDestination(dir),
    // As deployed: warm, the module loaded once; twilio-run's default forks a process per request.
    warmFunctions: true,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stack.stop();
  };
  try {
    stack.firehose.setFaults({ mode: 'mix', mix: options.faults, delayMs: options.slowMs, takeRecords: true });
    const sids = Array.from({ length: options.callbacks }, () => randomSid('SM'));
    const answeredOk = new Uint8Array(options.callbacks);
    const latencies: number[] = [];
    const answers: Record<string, number> = {};
    let retries = 0;
    let next = 0;
    let done = 0;
    const url = `${stack.url}/status-callback?soak=1#rc=${options.retries}&rp=all`;
    const started = performance.now();
    const worker = async () => {
      for (let i = next++; i < options.callbacks; i = next++) {
        const params = callbackParams(sids[i]);
        for (let attempt = 0; attempt <= options.retries; attempt++) {
          if (attempt > 0) retries++;
          const t = performance.now();
          let answer: string;
          try {
            const response = await postSignedCallback(url, params, AUTH_TOKEN, { signal: AbortSignal.timeout(options.timeoutMs) });
            await response.arrayBuffer();
            answer = String(response.status);
          } catch (error) {
            answer = (error as Error).name === 'TimeoutError' ? 'timeout' : 'error';
          }
          latencies.push(performance.now() - t);
          answers[answer] = (answers[answer] ?? 0) + 1;
          if (answer.startsWith('2')) {
            answeredOk[i] = 1;
            break;
          }
        }
        options.onProgress?.(++done);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;

    // Graceful stop: the local Firehose delivers what it holds before it closes.
    stack.firehose.setFaults({ mode: 'none' });
    const stats = { ...stack.firehose.stats };
    await stop();

    const copies = new Map<string, number>();
    let foreign = 0;
    for (const file of filesUnder(dir)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (line === '') continue;
        let sid: unknown;
        try {
          sid = (JSON.parse(line) as { message_sid?: unknown }).message_sid;
        } catch {
          sid = undefined;
        }
        if (typeof sid === 'string') copies.set(sid, (copies.get(sid) ?? 0) + 1);
        else foreign++;
      }
    }
    let lost = 0;
    let unarchived = 0;
    let unarchivedButPresent = 0;
    let duplicates = 0;
    sids.forEach((sid, i) => {
      const count = copies.get(sid) ?? 0;
      if (count > 1) duplicates += count - 1;
      if (answeredOk[i] && count === 0) lost++;
      if (!answeredOk[i]) {
        unarchived++;
        if (count > 0) unarchivedButPresent++;
      }
    });
    const sorted = latencies.sort((a, b) => a - b);
    return {
      callbacks: options.callbacks,
      concurrency: options.concurrency,
      faults: options.faults,
      seconds,
      callbacks_per_second: options.callbacks / seconds,
      latency: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? 0 },
      answers,
      retries,
      writer_retries: Math.max(0, stats.requests - latencies.length),
      firehose: {
        requests: stats.requests,
        records_taken: stats.recordsTaken,
        records_refused: stats.recordsRefused,
        records_delivered: stack.firehose.stats.recordsDelivered,
      },
      duplicates,
      lost,
      unarchived,
      unarchived_but_present: unarchivedButPresent,
      foreign_lines: foreign,
    };
  } finally {
    await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
