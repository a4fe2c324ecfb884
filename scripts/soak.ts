/**
 * `npm run soak`: the ingest path under load and injected faults (dev/soak/soakRun.ts).
 * Figures, not a test; exits 1 when a callback answered 2xx is not in the
 * archive (lost) or when one never got a 2xx (unarchived).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runSoak, type SoakReport } from '../dev/soak/soakRun';

const HELP = `Usage: npm run soak -- [--callbacks N] [--concurrency N] [--json]

Drives signed status callbacks through the local stack (signature gateway, the
built Function in twilio-run, the project's Firehose writer, the local Firehose
delivering into a temporary folder) while the Firehose endpoint throttles 5% of
requests, fails 1% (500), answers 0.5% past the writer's attempt timeout and
fails 1% of records as a partial batch failure would. A callback not answered
2xx within --timeout is retried up to --retries times, as Twilio does with
#rc=5&rp=all. Then reads back everything delivered and counts.

  --callbacks <n>     Default 200000.
  --concurrency <n>   Callbacks in flight at once. Default 64.
  --retries <n>       Twilio's retries after the first attempt. Default 5.
  --timeout <ms>      Twilio's wait for an answer. Default 15000.
  --throttle, --internal, --slow, --partial <share>
                      Each fault's share of Firehose requests. Defaults 0.05, 0.01, 0.005, 0.01.
  --write-budget <ms>, --attempt-timeout <ms>
                      The Function's ARCHIVE_WRITE_BUDGET_MS and ARCHIVE_ATTEMPT_TIMEOUT_MS.
                      Defaults 7000 and 2000, as deployed.
  --json              Print the report as JSON.`;

function share(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new Error(`--${name} must be a share from 0 to 1`);
  return n;
}

function count(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
  return n;
}

function print(r: SoakReport): void {
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(
    `Callbacks: ${r.callbacks.toLocaleString('en')} at concurrency ${r.concurrency}, in ${r.seconds.toFixed(1)} s: ${r.callbacks_per_second.toFixed(0)} callbacks/s`,
  );
  console.log(`Faults injected (share of Firehose requests): ${JSON.stringify(r.faults)}`);
  console.log(`Latency per attempt: p50 ${ms(r.latency.p50)}, p99 ${ms(r.latency.p99)}, max ${ms(r.latency.max)}`);
  console.log(
    `Answers: ${Object.entries(r.answers)
      .map(([status, n]) => `${status}: ${n.toLocaleString('en')}`)
      .join(', ')}; retried by "Twilio": ${r.retries.toLocaleString('en')}; retried by the Function's writer: ${r.writer_retries.toLocaleString('en')}`,
  );
  console.log(
    `Local Firehose: ${r.firehose.requests.toLocaleString('en')} requests, ${r.firehose.records_taken.toLocaleString('en')} records taken, ${r.firehose.records_refused.toLocaleString('en')} refused, ${r.firehose.records_delivered.toLocaleString('en')} delivered`,
  );
  console.log(`Duplicates in the archive: ${r.duplicates.toLocaleString('en')}`);
  console.log(`LOST (answered 2xx, not in the archive): ${r.lost}`);
  console.log(
    `UNARCHIVED (no attempt answered 2xx): ${r.unarchived}${r.unarchived ? ` (${r.unarchived_but_present} of them in the archive all the same)` : ''}`,
  );
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      callbacks: { type: 'string' },
      concurrency: { type: 'string' },
      retries: { type: 'string' },
      timeout: { type: 'string' },
      throttle: { type: 'string' },
      internal: { type: 'string' },
      slow: { type: 'string' },
      partial: { type: 'string' },
      'write-budget': { type: 'string' },
      'attempt-timeout': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const callbacks = count(values.callbacks, 200_000, 'callbacks');
  let lastShown = 0;
  const report = await runSoak({
    projectRoot: join(__dirname, '..'),
    callbacks,
    concurrency: count(values.concurrency, 64, 'concurrency'),
    retries: values.retries === undefined ? 5 : count(values.retries, 5, 'retries'),
    timeoutMs: count(values.timeout, 15_000, 'timeout'),
    faults: {
      throttle: share(values.throttle, 0.05, 'throttle'),
      internal: share(values.internal, 0.01, 'internal'),
      slow: share(values.slow, 0.005, 'slow'),
      partial: share(values.partial, 0.01, 'partial'),
    },
    slowMs: 3000,
    writeBudgetMs: count(values['write-budget'], 7000, 'write-budget'),
    attemptTimeoutMs: count(values['attempt-timeout'], 2000, 'attempt-timeout'),
    onProgress: (done) => {
      if (values.json || done - lastShown < callbacks / 20) return;
      lastShown = done;
      process.stderr.write(`  ${done.toLocaleString('en')} / ${callbacks.toLocaleString('en')}\n`);
    },
  });
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else print(report);
  return report.lost === 0 && report.unarchived === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`soak: ${(error as Error).message}`);
    process.exit(2);
  },
);
