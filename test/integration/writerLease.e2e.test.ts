/**
 * Issue 22, items 4 and 5: writers of one archive take an exclusive lease
 * (two runs at once never append the same records twice; a second writer
 * exits 2 and says who holds it), and every output place is checked before
 * anything is read or appended (a failure after an append is exit 3 and says
 * what was appended).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { FolderArchiveStore, S3ArchiveStore } from '../../src/adapters/archive/archiveStore';
import { readObjects, S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../helpers/s3rverProcess';
import { firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine, type ArchiveRecord } from '../../src/domain/archiveRecord';
import { leaseExpired, parseLease, WRITER_LEASE_KEY, type WriterLease } from '../../src/domain/writerLease';
import { FakeTwilioApi } from '../../dev/fakeTwilio/fakeTwilioApi';
import { bufferedIo } from '../helpers/bufferedIo';
import { runScript } from '../helpers/runScript';
import { command as reconcileCommand } from '../../src/cli/reconcile';
import { command as pollStaleCommand } from '../../src/cli/pollStale';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'fake-auth-token-0123456789abcdef';
const DAY = '2026-11-25';
const HOUR = 3_600_000;
const sid = (n: number) => `SM${String(n).padStart(32, '0')}`;

function send(messageSid: string, at: string): ArchiveRecord {
  return {
    v: 1,
    source: 'send',
    recorded_at: at,
    event_at: at,
    account_sid: ACCOUNT,
    message_sid: messageSid,
    messaging_service_sid: null,
    status: 'queued',
    error_code: null,
    to: '+14155550100',
    from: '+15005550006',
    idempotency_token: null,
    tags: {},
    params: {},
  };
}

/** Two messages sent and never heard of again; Twilio says both were delivered: two corrections. */
async function reconcileFixture(dir: string): Promise<{ archive: string; csv: string }> {
  const archive = join(dir, 'archive');
  mkdirSync(archive);
  const store = new FolderArchiveStore(archive);
  const rows: string[] = [];
  for (const n of [1, 2]) {
    const at = `${DAY}T0${n}:00:00.000Z`;
    await store.put(
      firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: new Date(at), uuid: `u${n}`, gzip: false }),
      Buffer.from(toArchiveLine(send(sid(n), at))),
    );
    rows.push(`${sid(n)},delivered,+14155550100,${at},outbound-api`);
  }
  const csv = join(dir, 'messages.csv');
  writeFileSync(csv, `sid,status,to,date_created,direction\n${rows.join('\n')}\n`);
  return { archive, csv };
}

/** Every line under direct/ of a folder archive. */
function directLines(archive: string): string[] {
  const root = join(archive, 'direct');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .flatMap((e) => readFileSync(join(e.parentPath, e.name), 'utf8').split('\n').filter(Boolean));
}

/** The keys of the objects under direct/, relative to the archive. */
function directKeys(archive: string): string[] {
  return readdirSync(join(archive, 'direct'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(archive, join(e.parentPath, e.name)).split(sep).join('/'));
}

/** Runs `then` once, when the fake Twilio API receives its first request: something that happens during a run, after its checks. */
function whenTwilioIsAsked(fake: FakeTwilioApi, then: () => void): void {
  const api = fake as unknown as { handle: (req: unknown, res: unknown) => Promise<void> };
  const handle = api.handle.bind(fake);
  let done = false;
  api.handle = (req, res) => {
    if (!done) {
      done = true;
      then();
    }
    return handle(req, res);
  };
}

/** A folder this process cannot write in: made read-only, or, for root (who writes anyway), /sys. */
function readOnlyFolder(dir: string): string {
  const folder = join(dir, 'readonly');
  mkdirSync(folder);
  chmodSync(folder, 0o500);
  for (const candidate of [folder, '/sys']) {
    try {
      writeFileSync(join(candidate, 'probe'), '');
      rmSync(join(candidate, 'probe'));
    } catch {
      return candidate;
    }
  }
  throw new Error('no read-only folder to test with');
}

const reconcileArgs = (archive: string, csv: string, out: string) => [
  '--archive',
  archive,
  '--day',
  DAY,
  '--export',
  csv,
  '--out',
  out,
  '--write',
  '--append',
  'archive',
  '--threads',
  '1',
];

describe('writers of one archive take an exclusive lease (issue 22, item 4)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'writer-lease-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('two reconcile --write --append archive started together append the corrections once', async () => {
    const { archive } = await reconcileFixture(dir);
    const fake = new FakeTwilioApi([{ accountSid: ACCOUNT, authToken: TOKEN }]);
    await fake.start();
    try {
      for (const n of [1, 2]) {
        const at = new Date(`${DAY}T0${n}:00:00.000Z`);
        fake.putMessage({ sid: sid(n), account_sid: ACCOUNT, status: 'delivered', to: '+14155550100', date_created: at, date_sent: at, date_updated: at });
      }
      // Both runs are held at Twilio's list until both have asked for it (or one has ended): they overlap however fast each starts.
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const api = fake as unknown as { handle: (req: { headers: Record<string, string> }, res: unknown) => Promise<void> };
      const handle = api.handle.bind(fake);
      let asked = 0;
      api.handle = async (req, res) => {
        if (++asked >= 2) open();
        await gate;
        return handle(req, res);
      };
      const env = { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.url };
      const [a, b] = await Promise.all(
        ['a', 'b'].map((name) => runScript('scripts/reconcile.ts', reconcileArgs(archive, 'twilio:api', join(dir, name)), env).finally(() => open())),
      );
      expect(directLines(archive)).toHaveLength(2);
      // One took the lease and appended; the other was refused, saying by whom.
      expect([a.code, b.code].sort()).toEqual([0, 2]);
      expect((a.code === 2 ? a : b).stderr).toMatch(/another writer holds the lease of .*: "reconcile --write --append archive" \(pid \d+ on .*\) since /);
      // The lease is released at the end.
      expect(existsSync(join(archive, WRITER_LEASE_KEY))).toBe(false);
    } finally {
      await fake.stop();
    }
  });

  it('Ctrl-C releases the lease before the run ends', async () => {
    const { archive } = await reconcileFixture(dir);
    const fake = new FakeTwilioApi([{ accountSid: ACCOUNT, authToken: TOKEN }]);
    await fake.start();
    try {
      let child: { kill(signal: NodeJS.Signals): boolean } | undefined;
      let leaseWhileRunning: WriterLease | null = null;
      // Twilio's list is read after the lease was taken: Ctrl-C then, with the request left unanswered.
      const api = fake as unknown as { handle: (req: unknown, res: unknown) => Promise<void> };
      api.handle = async () => {
        leaseWhileRunning = parseLease(readFileSync(join(archive, WRITER_LEASE_KEY), 'utf8'));
        child!.kill('SIGINT');
        return new Promise<void>(() => undefined);
      };
      const env = { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.url };
      const result = await runScript('scripts/reconcile.ts', reconcileArgs(archive, 'twilio:api', join(dir, 'out')), env, (c) => (child = c));
      expect(leaseWhileRunning).toMatchObject({ command: 'reconcile --write --append archive' });
      expect(result.code).toBe(130);
      expect(existsSync(join(archive, WRITER_LEASE_KEY))).toBe(false);
      expect(directLines(archive)).toHaveLength(0);
    } finally {
      await fake.stop();
    }
  });

  it('a second writer exits 2, says who holds the lease, since when and until when, and appends nothing', async () => {
    const { archive, csv } = await reconcileFixture(dir);
    const held: WriterLease = {
      host: hostname(),
      pid: process.pid,
      command: 'poll-stale --append archive',
      since: new Date().toISOString(),
      expires: new Date(Date.now() + HOUR).toISOString(),
      token: 'held-by-the-test',
    };
    writeFileSync(join(archive, WRITER_LEASE_KEY), JSON.stringify(held));
    const io = bufferedIo();
    expect(await reconcileCommand.run(reconcileArgs(archive, csv, join(dir, 'out')), io)).toBe(2);
    expect(io.stderrText()).toContain(`another writer holds the lease of ${archive}: "poll-stale --append archive" (pid ${process.pid} on ${hostname()})`);
    expect(io.stderrText()).toContain(`since ${held.since}`);
    expect(io.stderrText()).toContain(`until ${held.expires}`);
    expect(directLines(archive)).toHaveLength(0);
    // Someone else's lease is left alone.
    expect(JSON.parse(readFileSync(join(archive, WRITER_LEASE_KEY), 'utf8'))).toEqual(held);
  });

  it("a crashed run's lease (expired, or its process gone) is taken over, and released at the end", async () => {
    const { archive, csv } = await reconcileFixture(dir);
    const crashed = (expires: number, pid: number): WriterLease => ({
      host: hostname(),
      pid,
      command: 'reconcile --write',
      since: new Date(Date.now() - 2 * HOUR).toISOString(),
      expires: new Date(expires).toISOString(),
      token: 'crashed',
    });
    // An expired lease, though its holder still runs (it stopped renewing): taken over.
    writeFileSync(join(archive, WRITER_LEASE_KEY), JSON.stringify(crashed(Date.now() - 1000, process.pid)));
    const io = bufferedIo();
    expect(await reconcileCommand.run(reconcileArgs(archive, csv, join(dir, 'out')), io)).toBe(0);
    expect(directLines(archive)).toHaveLength(2);
    expect(existsSync(join(archive, WRITER_LEASE_KEY))).toBe(false);
    // A lease that has not expired, held on this host by a process that has ended: taken over at once.
    const ended = spawnSync(process.execPath, ['-e', '']);
    writeFileSync(join(archive, WRITER_LEASE_KEY), JSON.stringify(crashed(Date.now() + HOUR, ended.pid)));
    const again = bufferedIo();
    expect(await reconcileCommand.run(reconcileArgs(archive, csv, join(dir, 'out')), again)).toBe(0);
    expect(again.stderrText()).not.toMatch(/holds the lease/);
    expect(existsSync(join(archive, WRITER_LEASE_KEY))).toBe(false);
  });

  it('the lease object is never read as a record', async () => {
    const { archive, csv } = await reconcileFixture(dir);
    // Even a lease that is not JSON at all: readers list only the layout's hour folders, never the root.
    writeFileSync(join(archive, WRITER_LEASE_KEY), 'not json\n{"source":"send"}\n');
    const io = bufferedIo();
    await reconcileCommand.run(['--archive', archive, '--day', DAY, '--export', csv, '--out', join(dir, 'out'), '--threads', '1'], io);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8')) as {
      inputs: { archive_read: { complete: boolean; objects: number; problems: unknown[] } };
    };
    expect(summary.inputs.archive_read).toMatchObject({ complete: true, objects: 2, problems: [] });
  });
});

describe('outputs are checked before anything is appended (issue 22, item 5)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'writer-outputs-'))));
  afterEach(() => {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reconcile --write: a directory where summary.json goes is refused before anything is appended (exit 2)', async () => {
    const { archive, csv } = await reconcileFixture(dir);
    const out = join(dir, 'out');
    mkdirSync(join(out, 'summary.json'), { recursive: true });
    const io = bufferedIo();
    expect(await reconcileCommand.run(reconcileArgs(archive, csv, out), io)).toBe(2);
    expect(io.stderrText()).toMatch(/summary\.json.*(a folder|directory)/);
    expect(io.stderrText()).toMatch(/nothing (was )?appended/i);
    expect(directLines(archive)).toHaveLength(0);
  });

  it('reconcile --write: an output that fails after the append is exit 3 and says what was appended', async () => {
    const { archive } = await reconcileFixture(dir);
    const out = join(dir, 'out');
    const fake = new FakeTwilioApi([{ accountSid: ACCOUNT, authToken: TOKEN }]);
    await fake.start();
    try {
      for (const n of [1, 2]) {
        const at = new Date(`${DAY}T0${n}:00:00.000Z`);
        fake.putMessage({ sid: sid(n), account_sid: ACCOUNT, status: 'delivered', to: '+14155550100', date_created: at, date_sent: at, date_updated: at });
      }
      // Once the outputs were checked and the run lists Twilio's messages, a folder appears where report.html goes.
      whenTwilioIsAsked(fake, () => mkdirSync(join(out, 'report.html'), { recursive: true }));
      const io = bufferedIo({ TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.url });
      const args = reconcileArgs(archive, 'twilio:api', out);
      expect(await reconcileCommand.run(args, io)).toBe(3);
      expect(directLines(archive)).toHaveLength(2);
      const [key] = directKeys(archive);
      expect(io.stderrText()).toContain(`Appended 2 record(s) to ${archive}: ${key}.`);
      expect(io.stderrText()).toMatch(/report\.html/);
    } finally {
      await fake.stop();
    }
  });

  it('reconcile: a read-only --out is refused with a message, not a stack trace (exit 2, nothing appended)', async () => {
    const { archive, csv } = await reconcileFixture(dir);
    const out = readOnlyFolder(dir);
    const result = await runScript('scripts/reconcile.ts', reconcileArgs(archive, csv, out));
    expect(result.stderr).not.toMatch(/Unhandled 'error' event|\n\s+at /);
    expect(result.stderr).toMatch(/cannot proceed: --out .* cannot be written/);
    expect(result.code).toBe(2);
    expect(directLines(archive)).toHaveLength(0);
  });
});

describe('poll-stale --append archive --out (issue 22, item 5)', () => {
  let dir: string;
  let fake: FakeTwilioApi;
  let env: Record<string, string>;
  const now = Date.now();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'poll-outputs-'));
    const archive = join(dir, 'archive');
    mkdirSync(archive);
    const store = new FolderArchiveStore(archive);
    fake = new FakeTwilioApi([{ accountSid: ACCOUNT, authToken: TOKEN }]);
    await fake.start();
    for (const n of [1, 2, 3]) {
      const at = new Date(now - 20 * HOUR + n * 1000).toISOString();
      await store.put(
        firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: new Date(at), uuid: `u${n}`, gzip: false }),
        Buffer.from(toArchiveLine(send(sid(n), at))),
      );
      fake.putMessage({ sid: sid(n), account_sid: ACCOUNT, status: 'delivered', date_updated: new Date(now - 13 * HOUR) });
    }
    env = { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.url };
  });
  afterEach(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an --out under a file (no folder can be made there) is refused before anything is fetched or appended (exit 2)', async () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const io = bufferedIo(env);
    const code = await pollStaleCommand.run(
      ['--archive', join(dir, 'archive'), '--since', '3d', '--append', 'archive', '--out', join(dir, 'a-file', 'dir', 'x.json')],
      io,
    );
    expect(code).toBe(2);
    expect(io.stderrText()).toMatch(/--out .*a-file.* cannot be written .*nothing read, nothing appended/);
    expect(directLines(join(dir, 'archive'))).toHaveLength(0);
  });

  it('an --out in a folder that does not exist yet: the folder is made, and the summary written', async () => {
    const out = join(dir, 'new', 'dir', 'x.json');
    const io = bufferedIo(env);
    expect(await pollStaleCommand.run(['--archive', join(dir, 'archive'), '--since', '3d', '--append', 'archive', '--out', out], io)).toBe(0);
    expect(directLines(join(dir, 'archive'))).toHaveLength(3);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ counts: { now_final: 3 } });
  });

  it('a folder in the way of --out is refused before anything is appended (exit 2)', async () => {
    const out = join(dir, 'x.json');
    mkdirSync(out);
    const io = bufferedIo(env);
    expect(await pollStaleCommand.run(['--archive', join(dir, 'archive'), '--since', '3d', '--append', 'archive', '--out', out], io)).toBe(2);
    expect(directLines(join(dir, 'archive'))).toHaveLength(0);
  });

  it('an --out that fails after the poll records were appended is exit 3 and names the objects appended', async () => {
    const out = join(dir, 'x.json');
    whenTwilioIsAsked(fake, () => mkdirSync(out));
    const io = bufferedIo(env);
    expect(await pollStaleCommand.run(['--archive', join(dir, 'archive'), '--since', '3d', '--append', 'archive', '--out', out], io)).toBe(3);
    const [key] = directKeys(join(dir, 'archive'));
    expect(io.stderrText()).toContain(`Appended 3 record(s) to ${join(dir, 'archive')}: ${key}.`);
    expect(io.stderrText()).toContain(out);
  });

  it('a read-only --out is refused with a message, not a stack trace (exit 2, nothing appended)', async () => {
    const out = join(readOnlyFolder(dir), 'x.json');
    const result = await runScript('scripts/poll-stale.ts', ['--archive', join(dir, 'archive'), '--since', '3d', '--append', 'archive', '--out', out], env);
    expect(result.stderr).not.toMatch(/Unhandled 'error' event|\n\s+at /);
    expect(result.code).toBe(2);
    expect(directLines(join(dir, 'archive'))).toHaveLength(0);
  });

  it('the lease is shared: poll-stale is refused while another writer holds it', async () => {
    const archive = join(dir, 'archive');
    const lease: WriterLease = {
      host: 'another-host',
      pid: 1,
      command: 'reconcile --write --append archive',
      since: new Date().toISOString(),
      expires: new Date(Date.now() + HOUR).toISOString(),
      token: 't',
    };
    writeFileSync(join(archive, WRITER_LEASE_KEY), JSON.stringify(lease));
    const io = bufferedIo(env);
    expect(await pollStaleCommand.run(['--archive', archive, '--since', '3d', '--append', 'archive'], io)).toBe(2);
    expect(io.stderrText()).toContain('"reconcile --write --append archive" (pid 1 on another-host)');
    expect(directLines(archive)).toHaveLength(0);
  });
});

describe('the lease on an S3 archive (s3rver)', () => {
  // s3rver ignores If-None-Match and If-Match on PUT (it never answers 412): the refusal of a second writer on S3 is
  // tested against the SDK's 412 PreconditionFailed in test/unit/adapters/writerLease.test.ts; here, taking and releasing it.
  let s3: S3rverHandle;
  let dir: string;
  beforeAll(async () => (s3 = await startS3rver(['archive'])));
  afterAll(async () => await s3.stop());
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'writer-lease-s3-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reconcile --write --append archive takes the lease at the archive root, appends, and releases it', async () => {
    const { csv } = await reconcileFixture(dir);
    const store = new S3ArchiveStore(s3.client, 'archive', '');
    for (const n of [1, 2]) {
      const at = `${DAY}T0${n}:00:00.000Z`;
      await store.put(
        firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: new Date(at), uuid: `u${n}`, gzip: false }),
        Buffer.from(toArchiveLine(send(sid(n), at))),
      );
    }
    const io = bufferedIo({
      ARCHIVE_S3_ENDPOINT: s3.endpoint,
      ARCHIVE_AWS_REGION: 'us-east-1',
      ARCHIVE_AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      ARCHIVE_AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    });
    const code = await reconcileCommand.run(reconcileArgs('s3://archive/', csv, join(dir, 'out')), io);
    expect(io.stderrText()).not.toMatch(/cannot proceed/);
    expect(code).toBe(0);
    expect((await readObjects(s3.client, 'archive', 'direct/')).flatMap((o) => o.text.split('\n').filter(Boolean))).toHaveLength(2);
    // Released by an expired copy (the commands may not delete in the archive bucket): the next writer takes it at once.
    const [lease] = (await readObjects(s3.client, 'archive')).filter((o) => o.key === WRITER_LEASE_KEY);
    expect(leaseExpired(parseLease(lease.text), new Date())).toBe(true);
    expect(parseLease(lease.text)).toMatchObject({ command: 'reconcile --write --append archive' });
  });
});
