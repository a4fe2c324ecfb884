/**
 * Issue 22, item 7: drain-spool exits 0 only when nothing at all is spooled or
 * claimed. A claim another drain holds is counted as remaining and says whose
 * it is; a claim whose drain ran on this host and has ended is taken back at
 * once (and appended once); a live drain's claim is never taken from it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { RecordSpool } from '../../src/adapters/spool/recordSpool';
import { FolderDestination } from '../../dev/firehose/destinations';
import { LocalFirehose } from '../../dev/firehose/localFirehose';
import { runScript } from '../helpers/runScript';
import { readObjects, S3RVER_CREDENTIALS, startS3rver } from '../helpers/s3rverProcess';
import { leaseExpired, parseLease, WRITER_LEASE_KEY } from '../../src/domain/writerLease';

const STREAM = 'drain-test';

describe('drain-spool and claimed records (issue 22, item 7)', () => {
  let dir: string;
  let firehose: LocalFirehose;
  let env: Record<string, string>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'drain-spool-'));
    firehose = new LocalFirehose({ streamNames: [STREAM], destination: new FolderDestination(join(dir, 'archive')), hints: { intervalMs: 60_000 } });
    env = {
      ARCHIVE_FIREHOSE_STREAM: STREAM,
      ARCHIVE_FIREHOSE_ENDPOINT: await firehose.start(),
      ARCHIVE_AWS_REGION: 'us-east-1',
      ARCHIVE_AWS_ACCESS_KEY_ID: 'LOCAL',
      ARCHIVE_AWS_SECRET_ACCESS_KEY: 'LOCAL',
      ARCHIVE_SPOOL_DIR: join(dir, 'spool'),
    };
  });
  afterEach(async () => {
    await firehose.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A spooled record, claimed a moment ago by `pid` on this host, as a drain names its claim. */
  async function claimedBy(pid: number): Promise<string> {
    const path = await new RecordSpool(join(dir, 'spool')).put(`{"v":1,"source":"send","recorded_at":"${new Date().toISOString()}","n":${pid}}\n`);
    const claimed = `${path}.claimed-${Date.now()}-${hostname()}-${pid}-${randomUUID()}`;
    renameSync(path, claimed);
    return claimed;
  }

  it("a live drain's claim is left to it, counted as remaining with its holder, and the run is not exit 0", async () => {
    // The test's own process stands for a drain that is appending the record now.
    await claimedBy(process.pid);
    const drained = await runScript('scripts/drain-spool.ts', [], env);
    expect(drained.stdout).toMatch(/Appended 0 spooled record\(s\) to Firehose stream drain-test; 1 remain/);
    expect(drained.stdout).toContain(`1 of them claimed by another drain (pid ${process.pid} on ${hostname()} since `);
    expect(drained.code).toBe(1);
    const dry = await runScript('scripts/drain-spool.ts', ['--dry-run'], env);
    expect(dry.stdout).toMatch(/^1 spooled record\(s\) in .*1 of them claimed by another drain/);
    expect(readdirSync(join(dir, 'spool'))).toHaveLength(1);
  });

  it('the claim of a drain that has ended (killed mid-way) is taken back at once and appended once: then exit 0', async () => {
    const ended = spawnSync(process.execPath, ['-e', '']);
    await claimedBy(ended.pid);
    const drained = await runScript('scripts/drain-spool.ts', [], env);
    expect(drained.stdout).toMatch(/Appended 1 spooled record\(s\) to Firehose stream drain-test; 0 remain/);
    expect(drained.code).toBe(0);
    expect(readdirSync(join(dir, 'spool'))).toEqual([]);
    const again = await runScript('scripts/drain-spool.ts', [], env);
    expect(again.stdout).toMatch(/Appended 0 spooled record\(s\)/);
    expect(again.code).toBe(0);
    await firehose.flush();
    const delivered = readdirSync(join(dir, 'archive'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .flatMap((e) => readFileSync(join(e.parentPath, e.name), 'utf8').split('\n').filter(Boolean));
    expect(delivered).toHaveLength(1);
  });
});

describe("drain-spool takes the writers' lease of the archive ARCHIVE_S3_URI names (issue 22, item 4)", () => {
  it('takes it at the root of that archive, and releases it at the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drain-lease-'));
    const s3 = await startS3rver(['archive']);
    const firehose = new LocalFirehose({ streamNames: [STREAM], destination: new FolderDestination(join(dir, 'delivered')), hints: { intervalMs: 60_000 } });
    try {
      await new RecordSpool(join(dir, 'spool')).put(`{"v":1,"source":"send","recorded_at":"${new Date().toISOString()}"}\n`);
      const drained = await runScript('scripts/drain-spool.ts', [], {
        ARCHIVE_FIREHOSE_STREAM: STREAM,
        ARCHIVE_FIREHOSE_ENDPOINT: await firehose.start(),
        ARCHIVE_AWS_REGION: 'us-east-1',
        ARCHIVE_AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        ARCHIVE_AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        ARCHIVE_S3_URI: 's3://archive/root/',
        ARCHIVE_S3_ENDPOINT: s3.endpoint,
        ARCHIVE_SPOOL_DIR: join(dir, 'spool'),
      });
      expect(drained.stderr).toBe('');
      expect(drained.stdout).not.toMatch(/No writers' lease/);
      expect(drained.code).toBe(0);
      // Taken at the root of that archive, and released by an expired copy (s3rver ignores If-None-Match; the refusal is tested against the SDK's 412).
      const [lease] = (await readObjects(s3.client, 'archive')).filter((o) => o.key === `root/${WRITER_LEASE_KEY}`);
      expect(parseLease(lease.text)).toMatchObject({ command: 'drain-spool' });
      expect(leaseExpired(parseLease(lease.text), new Date())).toBe(true);
    } finally {
      await firehose.stop();
      await s3.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
