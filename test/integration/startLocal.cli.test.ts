/**
 * `npm start`'s script as a user runs it: it starts (the environment's PORT
 * winning over the file's, an unclean stop's leftover secrets removed),
 * archives signed callbacks into a local folder in Firehose's layout, and on
 * SIGTERM delivers what it still buffers before it exits.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postSignedCallback, sampleCallbacks } from '../../dev/signedCallbacks';
import { freePort } from '../../dev/twilioRunProcess';
import { ACCOUNT_SID } from '../helpers/callbacks';
import { AUTH_TOKEN } from '../helpers/testStack';

const root = join(__dirname, '..', '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

it('archives callbacks into the local folder and delivers the buffer on SIGTERM', async () => {
  const work = mkdtempSync(join(tmpdir(), 'start-local-'));
  const archiveDir = join(work, 'archive');
  const port = await freePort();
  // An env file a killed stack left behind, holding its secrets: its process is gone.
  const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
  mkdirSync(join(root, '.local'), { recursive: true });
  const leftover = join(root, '.local', `twilio-run-${gone}-3999.env`);
  writeFileSync(leftover, `AUTH_TOKEN=${AUTH_TOKEN}\n`);
  const envFile = join(work, 'test.env');
  writeFileSync(
    envFile,
    [
      `ACCOUNT_SID=${ACCOUNT_SID}`,
      `AUTH_TOKEN=${AUTH_TOKEN}`,
      'ARCHIVE_FIREHOSE_STREAM=message-status-archive',
      'ARCHIVE_AWS_REGION=us-east-1',
      'ARCHIVE_AWS_ACCESS_KEY_ID=LOCAL',
      'ARCHIVE_AWS_SECRET_ACCESS_KEY=LOCAL',
      // The process environment says otherwise, and wins.
      'PORT=1',
      `LOCAL_FIREHOSE_PORT=${await freePort()}`,
      `LOCAL_ARCHIVE_DIR=${archiveDir}`,
      // Long enough that nothing is delivered before the stop.
      'LOCAL_FIREHOSE_BUFFER_SECONDS=900',
      'LOCAL_FIREHOSE_GZIP=true',
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/start-local.ts', '--env-file', envFile], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port) },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const deadline = Date.now() + 45_000;
    while (!stdout.includes('Local stack running.')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the stack did not start:\n${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stdout).toContain(`http://localhost:${port}/status-callback`);
    expect(stdout).toContain(archiveDir);
    expect(stderr).toMatch(/settings from .*test\.env, overridden by the environment's .*PORT/);
    expect(existsSync(leftover)).toBe(false);

    // `npm run send-samples` as a user runs it, against this stack's settings.
    const samples = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/send-sample-callbacks.ts', '--env-file', envFile], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PORT: String(port) },
    });
    expect(samples.stdout).toContain('All callbacks, the alert and the events archived.');
    expect(samples.stdout).toMatch(/Debugger alert about MM[0-9a-f]{32} → HTTP 200/);
    expect(samples.stdout).toContain('Event Streams delivery of 4 events → HTTP 200');
    expect(samples.status).toBe(0);
    const sentSids = [...samples.stdout.matchAll(/^((?:SM|MM)[0-9a-f]{32}) /gm)].map((m) => m[1]);
    expect(sentSids).toHaveLength(sampleCallbacks(ACCOUNT_SID).length);
    // A forged callback is refused with 400 by the gateway.
    const forged = await postSignedCallback(`http://localhost:${port}/status-callback`, sampleCallbacks(ACCOUNT_SID)[0], 'f'.repeat(32));
    expect(forged.status).toBe(400);
    expect(filesUnder(work).filter((f) => f.startsWith(archiveDir))).toEqual([]);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const files = filesUnder(archiveDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/firehose\/\d{4}\/\d\d\/\d\d\/\d\d\/message-status-archive-1-[\d-]{19}-[0-9a-f-]{36}\.gz$/);
    const { gunzipSync } = await import('node:zlib');
    const lines = gunzipSync(readFileSync(files[0])).toString('utf8').trimEnd().split('\n');
    const records = lines.map((l) => JSON.parse(l) as { source: string; message_sid: string; status: string; tags: Record<string, string> });
    expect(records.filter((r) => r.source === 'callback').map((r) => r.message_sid)).toEqual(sentSids);
    expect(records[0].tags.order_id).toMatch(/^sample-\d+$/);
    expect(records.filter((r) => r.source === 'event_stream').map((r) => r.status)).toEqual(['sent', 'delivered', 'failed', 'received']);
    const alerts = records.filter((r) => r.source === 'debugger');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: null, message_sid: sentSids.find((s) => s.startsWith('MM')) });
    expect(stderr).toMatch(/delivering 13 buffered record/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
});
