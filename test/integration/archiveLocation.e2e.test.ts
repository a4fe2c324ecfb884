/**
 * Where the commands read: --archive parsed strictly (a typo is never an
 * empty archive), a window with no object refused unless --allow-empty, and
 * the archive's prefixes taken from the settings, through the real CLIs.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderArchiveStore } from '../../src/adapters/archive/archiveStore';
import { firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine, type ArchiveRecord } from '../../src/domain/archiveRecord';
import { FakeTwilioApi } from '../../dev/fakeTwilio/fakeTwilioApi';
import { runScript } from '../helpers/runScript';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const HOUR = 3_600_000;
const now = Date.now();
const sid = (n: number) => `SM${String(n).padStart(32, '0')}`;

function sendRecord(messageSid: string, at: number): ArchiveRecord {
  const iso = new Date(at).toISOString();
  return {
    v: 1,
    source: 'send',
    recorded_at: iso,
    event_at: iso,
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

/** Two messages sent 20 hours ago, never heard of since: stale. */
async function writeStaleMessages(dir: string, prefix: string): Promise<void> {
  const store = new FolderArchiveStore(dir);
  for (const n of [1, 2]) {
    const record = sendRecord(sid(n), now - 20 * HOUR);
    await store.put(
      firehoseObjectKey({ prefix, streamName: 's', streamVersion: 1, oldestArrival: new Date(record.recorded_at), uuid: `u${n}`, gzip: false }),
      Buffer.from(toArchiveLine(record)),
    );
  }
}

const pollStale = (args: string[], env: Record<string, string> = {}) => runScript('scripts/poll-stale.ts', args, env);
const reconcile = (args: string[], env: Record<string, string> = {}) => runScript('scripts/reconcile.ts', args, env);

describe('where the commands read the archive', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'archive-location-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a mistyped S3 URI, a missing folder and a file, each with exit 2 and what is wrong', async () => {
    writeFileSync(join(dir, 'a-file'), 'not an archive');
    const cases: [string, RegExp][] = [
      ['s3:my-archive/', /--archive "s3:my-archive\/" begins with s3: but is not an S3 URI/],
      ['S3:/my-archive/', /begins with s3: but is not an S3 URI/],
      [join(dir, 'no-such-folder'), /the archive folder .*no-such-folder does not exist/],
      [join(dir, 'a-file'), /the archive .*a-file is not a folder/],
    ];
    for (const [archive, message] of cases) {
      const result = await pollStale(['--archive', archive, '--dry-run']);
      expect(result).toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
    }
    // No folder called "S3:" was read or made: the upper-case scheme went to S3 (here an endpoint that does not answer).
    const upper = await pollStale(['--archive', 'S3://my-archive/', '--dry-run'], {
      ARCHIVE_S3_ENDPOINT: 'http://127.0.0.1:9',
      ARCHIVE_AWS_ACCESS_KEY_ID: 'x',
      ARCHIVE_AWS_SECRET_ACCESS_KEY: 'y',
    });
    expect(upper.code).toBe(2);
    expect(upper.stderr).toMatch(/cannot proceed: .*(ECONNREFUSED|connect)/i);
    expect(existsSync('S3:')).toBe(false);
  });

  it('poll-stale refuses a window with no object at all, naming the prefixes and the question, unless --allow-empty', async () => {
    const refused = await pollStale(['--archive', dir, '--since', '1d', '--dry-run']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /holds no object in the hour folders \d{4}\/\d\d\/\d\d\/\d\d\/ to \d{4}\/\d\d\/\d\d\/\d\d\/ under any of its prefixes \(firehose\/, fallback\/, direct\/, events\/\)/,
    );
    expect(refused.stderr).toMatch(/Is --archive the archive root, the folder that holds firehose\/\?/);
    expect(refused.stderr).toMatch(/--allow-empty/);
    const allowed = await pollStale(['--archive', dir, '--since', '1d', '--dry-run', '--allow-empty']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/0 records, 0 messages/);
  });

  it('reconcile refuses an empty window before it writes anything, unless --allow-empty', async () => {
    const day = new Date(now - 3 * 24 * HOUR).toISOString().slice(0, 10);
    writeFileSync(join(dir, 'list.csv'), `sid,status,to,date_created,direction\n${sid(1)},delivered,+14155550100,${day}T10:00:00Z,outbound-api\n`);
    mkdirSync(join(dir, 'archive'));
    const args = [
      '--archive',
      join(dir, 'archive'),
      '--day',
      day,
      '--export',
      join(dir, 'list.csv'),
      '--out',
      join(dir, 'out'),
      '--write',
      '--append',
      'archive',
    ];
    const refused = await reconcile(args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds no object .*Is --archive the archive root, the folder that holds firehose\/\?/s);
    expect(readdirSync(join(dir, 'archive'))).toEqual([]);
    expect(existsSync(join(dir, 'out', 'gaps.ndjson'))).toBe(false);
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
    // Allowed to be empty, the one message is missing: 100%, so --write still appends nothing (the plausibility check).
    const allowed = await reconcile([...args, '--allow-empty']);
    expect(allowed.code).toBe(2);
    expect(allowed.stdout).toMatch(/--write REFUSED: 100% of Twilio's messages \(1 of 1\) are missing/);
    expect(readdirSync(join(dir, 'archive'))).toEqual([]);
  });

  it('reads the prefix ARCHIVE_FIREHOSE_PREFIX names, and appends (and reads back) where ARCHIVE_DIRECT_PREFIX says', async () => {
    await writeStaleMessages(dir, 'delivered/raw/');
    // With the default layout the window is empty: the records are where no default prefix looks.
    expect((await pollStale(['--archive', dir, '--since', '1d', '--dry-run'])).code).toBe(2);
    const layout = { ARCHIVE_FIREHOSE_PREFIX: 'delivered/raw/', ARCHIVE_DIRECT_PREFIX: 'appended/' };
    const dry = await pollStale(['--archive', dir, '--since', '1d', '--dry-run'], layout);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Stale .*: 2\./);

    const fake = new FakeTwilioApi([{ accountSid: ACCOUNT, authToken: 'token' }]);
    await fake.start();
    try {
      for (const n of [1, 2]) fake.putMessage({ sid: sid(n), account_sid: ACCOUNT, status: 'delivered' });
      const twilio = { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: 'token', TWILIO_API_BASE_URL: fake.url };
      expect((await pollStale(['--archive', dir, '--since', '1d', '--append', 'archive'], { ...layout, ...twilio })).code).toBe(0);
      expect(readdirSync(dir).sort()).toEqual(['appended', 'delivered']);
      // The next run reads its own poll records back from there: nothing is stale any more.
      const again = await pollStale(['--archive', dir, '--since', '1d', '--append', 'archive'], { ...layout, ...twilio });
      expect(again.stdout).toMatch(/Stale .*: 0\./);
      expect(fake.fetchedSids).toHaveLength(2);
    } finally {
      await fake.stop();
    }
  });

  it('reconcile refuses a fallback whose URI climbs out of the archive with .. (it read and folded the objects out there as ok)', async () => {
    const day = new Date(now - 3 * 24 * HOUR).toISOString().slice(0, 10);
    const at = Date.parse(`${day}T10:00:00Z`);
    const archive = join(dir, 'x', 'y', 'archive');
    mkdirSync(archive, { recursive: true });
    // One message inside the archive; the other only in dir/outside/, three levels up from the archive root.
    for (const [root, prefix, n] of [
      [archive, 'firehose/', 1],
      [dir, 'outside/', 2],
    ] as const) {
      await new FolderArchiveStore(root).put(
        firehoseObjectKey({ prefix, streamName: 's', streamVersion: 1, oldestArrival: new Date(at), uuid: `u${n}`, gzip: false }),
        Buffer.from(toArchiveLine({ ...sendRecord(sid(n), at), source: 'callback', status: 'delivered' })),
      );
    }
    const list = [1, 2].map((n) => `${sid(n)},delivered,+14155550100,${day}T10:00:00Z,outbound-api`).join('\n');
    writeFileSync(join(dir, 'list.csv'), `sid,status,to,date_created,direction\n${list}\n`);
    const args = ['--archive', archive, '--day', day, '--export', join(dir, 'list.csv'), '--out', join(dir, 'out')];
    const env = { ARCHIVE_S3_URI: 's3://bkt/r/', ARCHIVE_FALLBACK_S3_URI: 's3://bkt/r/../../../outside/' };
    const escaped = await reconcile(args, env);
    expect(escaped).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/ARCHIVE_FALLBACK_S3_URI s3:\/\/bkt\/r\/\.\.\/\.\.\/\.\.\/outside\/ has a "\.\." segment/),
    });
    expect(escaped.stdout).not.toMatch(/No gap left/);
    expect(existsSync(join(dir, 'out', 'summary.json'))).toBe(false);
    // Within the archive, the same run reads only what is inside it: the other message is missing.
    const inside = await reconcile(args, { ...env, ARCHIVE_FALLBACK_S3_URI: 's3://bkt/r/fallback/' });
    expect(inside.stdout).toMatch(/Twilio lists 2 message\(s\): 1 ok, 0 pending, 1 missing/);
  });

  it.each([
    ['--archive', 's3://archive/r/../../other/', '..'],
    ['ARCHIVE_S3_URI', 's3://archive/r/./', '.'],
  ])('refuses %s %s (a %s segment) with exit 2, naming it, before reading anything', async (name, uri, segment) => {
    const archive = name === '--archive' ? uri : dir;
    const env: Record<string, string> = name === '--archive' ? {} : { [name]: uri, ARCHIVE_FALLBACK_S3_URI: 's3://archive/r/fallback/' };
    const result = await pollStale(['--archive', archive, '--since', '1d', '--dry-run'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${name} ${uri} has a "${segment}" segment`);
  });

  it('refuses a fallback outside the archive it reads, at start', async () => {
    await writeStaleMessages(dir, 'firehose/');
    const result = await pollStale(['--archive', dir, '--since', '1d', '--dry-run'], {
      ARCHIVE_S3_URI: 's3://archive/',
      ARCHIVE_FALLBACK_S3_URI: 's3://other-bucket/fallback/',
    });
    expect(result).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /ARCHIVE_FALLBACK_S3_URI s3:\/\/other-bucket\/fallback\/ is outside the archive s3:\/\/archive\/: the poller and the reconciliation would never read/,
      ),
    });
  });
});
