/**
 * The archive reader against s3rver (a real S3-compatible server process) and
 * a local folder: list paging past 1,000 objects, gzip told by magic bytes,
 * plain objects, corrupt objects and malformed lines reported with where they
 * are, and the direct-to-S3 fallback prefix read alongside Firehose's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { FolderArchiveStore, S3ArchiveStore, type ArchiveStore } from '../../src/adapters/archive/archiveStore';
import { scanArchive } from '../../src/adapters/archive/archiveScanner';
import type { RecordFacts } from '../../src/domain/archiveLine';
import { toArchiveLine } from '../../src/domain/archiveRecord';
import { hourFoldersBetween } from '../../src/domain/archiveWindow';
import { latestStatus, MessageStates } from '../../src/domain/messageState';
import { syntheticRecord } from '../../scripts/bench/syntheticArchive';
import { startS3rver, type S3rverHandle } from '../helpers/s3rverProcess';

const HOUR = '2026/11/26/10/';
const created = Date.parse('2026-11-26T10:00:00.000Z');
const line = (n: number, step: number, status: string) => toArchiveLine(syntheticRecord(n, step, created, status));

/** The archive every store in this test holds: its objects by key. */
function archiveObjects(count: number): Map<string, Buffer> {
  const objects = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const body = Buffer.from(line(i, 0, 'queued') + line(i, 1, 'delivered'));
    // Every other object gzipped, named without .gz half the time: the reader must go by the bytes.
    const gzip = i % 2 === 0;
    objects.set(`firehose/${HOUR}s-1-2026-11-26-10-00-00-${String(i).padStart(5, '0')}${gzip && i % 4 === 0 ? '.gz' : ''}`, gzip ? gzipSync(body) : body);
  }
  const truncated = gzipSync(Buffer.from(line(90_001, 0, 'queued') + line(90_002, 0, 'queued')));
  objects.set(`firehose/${HOUR}s-1-2026-11-26-10-59-00-truncated.gz`, truncated.subarray(0, truncated.length - 12));
  objects.set(
    `firehose/${HOUR}s-1-2026-11-26-10-59-01-malformed`,
    Buffer.from(`${line(90_003, 0, 'queued')}{"v":1,"source":"callb\n${line(90_004, 0, 'queued')}`),
  );
  objects.set(`firehose/${HOUR}s-1-2026-11-26-10-59-02-bad-gzip`, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03]));
  objects.set(`fallback/${HOUR}s-fallback-2026-11-26-10-30-00-one`, Buffer.from(line(90_005, 1, 'failed')));
  return objects;
}

async function scan(store: ArchiveStore) {
  const states = new MessageStates();
  const seenKeys = new Set<string>();
  const prefixes = ['firehose/', 'fallback/'].flatMap((p) =>
    hourFoldersBetween(new Date('2026-11-26T09:00:00Z'), new Date('2026-11-26T11:00:00Z')).map((h) => p + h),
  );
  const report = await scanArchive(store, {
    prefixes,
    concurrency: 8,
    onRecord: (facts: RecordFacts, key) => {
      states.fold(facts);
      seenKeys.add(key);
    },
  });
  return { states, report, seenKeys };
}

function expectTheArchive(result: Awaited<ReturnType<typeof scan>>, count: number) {
  const { states, report } = result;
  expect(report.objectsListed).toBe(count + 4);
  expect(report.objectsRead).toBe(count + 4);
  // count messages × 2 records, +1 before the truncation point at most, +2 good lines around the bad one, +1 fallback.
  expect(report.records).toBeGreaterThanOrEqual(count * 2 + 3);
  expect(report.malformedLines).toBe(1);
  expect(report.corruptObjects).toBe(2);
  expect(report.complete).toBe(false);
  expect(report.problems).toEqual(
    expect.arrayContaining([
      { key: `firehose/${HOUR}s-1-2026-11-26-10-59-01-malformed`, line: 2, reason: 'not JSON' },
      expect.objectContaining({ key: `firehose/${HOUR}s-1-2026-11-26-10-59-00-truncated.gz`, reason: expect.stringMatching(/unreadable/) }),
      expect.objectContaining({ key: `firehose/${HOUR}s-1-2026-11-26-10-59-02-bad-gzip`, reason: expect.stringMatching(/unreadable/) }),
    ]),
  );
  for (let i = 0; i < count; i += 97) expect(latestStatus(states.get(`SM${i.toString(16).padStart(32, '0')}`)!)).toBe('delivered');
  expect(latestStatus(states.get(`SM${(90_005).toString(16).padStart(32, '0')}`)!)).toBe('failed');
  expect(states.get(`SM${(90_004).toString(16).padStart(32, '0')}`)).toBeDefined();
}

describe('archive scanner on s3rver', () => {
  let s3: S3rverHandle;
  const COUNT = 1_050;
  beforeAll(async () => {
    s3 = await startS3rver(['scan-test']);
    const objects = [...archiveObjects(COUNT)];
    for (let i = 0; i < objects.length; i += 50) {
      await Promise.all(
        objects.slice(i, i + 50).map(([key, body]) => s3.client.send(new PutObjectCommand({ Bucket: 'scan-test', Key: `archive/${key}`, Body: body }))),
      );
    }
  }, 120_000);
  afterAll(async () => {
    await s3?.stop();
  });

  it('pages through more than 1,000 objects and reads them all, gzip or not, reporting what it cannot read', async () => {
    const result = await scan(new S3ArchiveStore(s3.client, 'scan-test', 'archive/'));
    expectTheArchive(result, COUNT);
    expect([...result.seenKeys].every((k) => !k.startsWith('archive/'))).toBe(true);
  });

  it('reads a clean archive as complete', async () => {
    const { report } = await scan(new S3ArchiveStore(s3.client, 'scan-test', 'no-such-root/'));
    expect(report).toMatchObject({ objectsListed: 0, records: 0, complete: true, problems: [] });
  });
});

describe('archive scanner on a local folder', () => {
  it('reads the same archive from a folder with the same layout, skipping half-written files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-folder-'));
    try {
      const store = new FolderArchiveStore(dir);
      for (const [key, body] of archiveObjects(30)) await store.put(key, body);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(dir, 'firehose', ...HOUR.split('/').filter(Boolean), 'in-progress.partial'), 'garbage');
      expectTheArchive(await scan(store), 30);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
