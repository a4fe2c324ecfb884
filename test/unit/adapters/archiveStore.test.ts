import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveLocationError, FolderArchiveStore } from '../../../src/adapters/archive/archiveStore';

describe('a folder archive', () => {
  let dir: string;
  let store: FolderArchiveStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'folder-store-'));
    mkdirSync(join(dir, 'archive'));
    mkdirSync(join(dir, 'outside', '2026'), { recursive: true });
    writeFileSync(join(dir, 'outside', '2026', 'object'), '{}\n');
    store = new FolderArchiveStore(join(dir, 'archive'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('never lists, opens or writes a key that climbs out of its root', async () => {
    const listed = async (prefix: string) => {
      const keys: string[] = [];
      for await (const o of store.list(prefix)) keys.push(o.key);
      return keys;
    };
    await expect(listed('../outside/')).rejects.toThrow(ArchiveLocationError);
    await expect(listed('fallback/../../outside/')).rejects.toThrow(/has a "\.\." segment: it could lie outside the archive folder/);
    await expect(store.open('../outside/2026/object')).rejects.toThrow(ArchiveLocationError);
    await expect(store.put('../outside/2026/new', Buffer.from('{}\n'))).rejects.toThrow(ArchiveLocationError);
    expect(readdirSync(join(dir, 'outside', '2026'))).toEqual(['object']);
    expect(await listed('')).toEqual([]);
  });
});
