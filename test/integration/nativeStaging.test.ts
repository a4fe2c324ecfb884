/**
 * --engine duckdb over an s3:// archive: the window's objects are copied into
 * a temporary folder first, each checked against what the listing said of it.
 * Through S3's wire (s3rver); the changed object is a listing that names an
 * older version, as a write between the list and the read would leave it.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3ArchiveStore, type ArchiveObject } from '../../src/adapters/archive/archiveStore';
import { NativeDuckDbWarehouse } from '../../src/adapters/duckdb/nativeWarehouse';
import { DEFAULT_ARCHIVE_LAYOUT } from '../../src/config/archiveSettings';
import { firehoseObjectKey } from '../../src/domain/archiveLayout';
import { startS3rver, type S3rverHandle } from '../helpers/s3rverProcess';

const HOUR = new Date('2026-11-25T10:00:00.000Z');
const LINE =
  '{"v":1,"source":"callback","recorded_at":"2026-11-25T10:00:01.000Z","event_at":null,"account_sid":"AC00000000000000000000000000000001","message_sid":"SM00000000000000000000000000000001","status":"sent","error_code":null,"to":null,"tags":{},"params":{}}\n';

/** The store as it would be if each object had been rewritten after it was listed: the listing names the older ETag. */
class ListedBeforeAWrite extends S3ArchiveStore {
  override async *list(prefix: string): AsyncIterable<ArchiveObject> {
    for await (const object of super.list(prefix)) yield { ...object, etag: '"0123456789abcdef0123456789abcdef"' };
  }
}

describe('--engine duckdb staging an s3:// window', () => {
  let s3: S3rverHandle;
  let scratch: string;
  beforeAll(async () => {
    s3 = await startS3rver(['archive']);
    const store = new S3ArchiveStore(s3.client, 'archive', '');
    for (const uuid of ['a', 'b', 'c'])
      await store.put(firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: HOUR, uuid, gzip: false }), Buffer.from(LINE));
  }, 60_000);
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'staging-'));
  });
  afterEach(() => {
    rmSync(scratch, { recursive: true, force: true });
  });
  afterAll(async () => {
    await s3.stop();
  });

  const open = (store: S3ArchiveStore) =>
    NativeDuckDbWarehouse.open({
      store,
      layout: DEFAULT_ARCHIVE_LAYOUT,
      from: HOUR,
      to: HOUR,
      redactDigits: 0,
      threads: 1,
      memoryLimit: '100MB',
      tempFolder: scratch,
    });

  it('reads every listed object once staged, and removes the staging folder on close', async () => {
    const warehouse = await open(new S3ArchiveStore(s3.client, 'archive', ''));
    try {
      const result = await warehouse.query('SELECT count(*) AS lines, count(DISTINCT "$path") AS objects FROM record_lines', {});
      const rows = [];
      for await (const row of result.rows()) rows.push(row);
      expect(rows).toEqual([{ lines: '3', objects: '3' }]);
      expect(readdirSync(scratch)).toHaveLength(1);
    } finally {
      await warehouse.close();
    }
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('refuses an object that is not the version listed, naming it, and leaves nothing staged', async () => {
    await expect(open(new ListedBeforeAWrite(s3.client, 'archive', ''))).rejects.toThrow(
      /firehose\/2026\/11\/25\/10\/.* changed after it was listed \(ETag "0123/,
    );
    expect(readdirSync(scratch)).toEqual([]);
  });
});
