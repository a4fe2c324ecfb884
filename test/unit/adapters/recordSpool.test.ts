import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordSpool } from '../../../src/adapters/spool/recordSpool';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spool-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('RecordSpool', () => {
  it('keeps each line whole in its own file, newline-terminated, readable only by its owner', async () => {
    const spool = new RecordSpool(join(dir, 'spool'));
    const path = await spool.put('{"v":1}');
    expect(readFileSync(path, 'utf8')).toBe('{"v":1}\n');
    expect(readdirSync(join(dir, 'spool'))).toEqual([path.split('/').pop()]);
    expect(await spool.count()).toBe(1);
  });

  it('drains oldest first and removes only what the archive acknowledged', async () => {
    const spool = new RecordSpool(dir);
    for (const n of [1, 2, 3]) {
      await spool.put(`{"n":${n}}\n`);
      await new Promise((r) => setTimeout(r, 2));
    }
    const appended: string[] = [];
    const outcome = await spool.drain(async (line) => {
      if (line.includes('"n":2')) throw new Error('ServiceUnavailableException');
      appended.push(line);
    });
    // The archive refused the second: the drain gives it back and stops, keeping the third untried.
    expect(appended).toEqual(['{"n":1}\n']);
    expect(outcome).toEqual({ appended: 1, remaining: 2, error: 'ServiceUnavailableException', claimed: [] });
    expect(await spool.count()).toBe(2);
    expect(readdirSync(dir).every((name) => /^\d{13}-[0-9a-f-]{36}\.ndjson$/.test(name))).toBe(true);
    expect(await spool.drain(async (line) => void appended.push(line))).toEqual({ appended: 2, remaining: 0, error: null, claimed: [] });
    expect(appended).toEqual(['{"n":1}\n', '{"n":2}\n', '{"n":3}\n']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('lets two drains at once append each entry exactly once', async () => {
    const spool = new RecordSpool(dir);
    for (let n = 0; n < 40; n++) await spool.put(`{"n":${n}}\n`);
    const appended: string[] = [];
    const slowAppend = async (line: string) => {
      await new Promise((r) => setTimeout(r, 1));
      appended.push(line);
    };
    const [a, b] = await Promise.all([new RecordSpool(dir).drain(slowAppend), new RecordSpool(dir).drain(slowAppend)]);
    expect(a.appended + b.appended).toBe(40);
    expect(new Set(appended).size).toBe(40);
    expect(appended).toHaveLength(40);
  });

  it('takes over an entry a crashed drain claimed long ago, but not one being drained now (which remains, with its holder)', async () => {
    const spool = new RecordSpool(dir);
    const path = await spool.put('{"n":1}\n');
    const name = path.split('/').pop()!;
    const now = Date.now();
    renameSync(path, join(dir, `${name}.claimed-${now}-host-1-x`));
    expect(await spool.drain(async () => undefined)).toEqual({
      appended: 0,
      remaining: 1,
      error: null,
      claimed: [{ since: new Date(now).toISOString(), host: 'host', pid: 1 }],
    });
    expect(await spool.count()).toBe(1);
    renameSync(join(dir, readdirSync(dir)[0]), join(dir, `${name}.claimed-${Date.now() - 11 * 60_000}-host-1-x`));
    expect(await spool.drain(async () => undefined)).toEqual({ appended: 1, remaining: 0, error: null, claimed: [] });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reads the holder of a claim whose uuid has a group of digits alone, on a host whose name has dashes and digits', async () => {
    // CI once read `…-vm-4646-78bb848b-501f-4a1e-8271-…` as pid 8271 on host `vm-4646-78bb848b-501f-4a1e`.
    const spool = new RecordSpool(dir);
    const path = await spool.put('{"n":1}\n');
    const since = Date.now();
    renameSync(path, `${path}.claimed-${since}-ip-10-0-0-1-4646-78bb848b-501f-4a1e-8271-0123456789ab`);
    expect(await spool.claims()).toEqual([{ since: new Date(since).toISOString(), host: 'ip-10-0-0-1', pid: 4646 }]);
    renameSync(join(dir, readdirSync(dir)[0]), `${path}.claimed-${since}-${hostname()}-4646-78bb848b-501f-4a1e-8271-0123456789ab`);
    expect(await spool.claims()).toEqual([{ since: new Date(since).toISOString(), host: hostname(), pid: 4646 }]);
  });

  it("leaves a claim that names this process's own pid: another copy of this module, or a container's pid 1 on this host, may hold it", async () => {
    // A review's finding: taking such claims back appended an entry twice when the module was loaded twice.
    const spool = new RecordSpool(dir);
    const path = await spool.put('{"n":1}\n');
    renameSync(path, `${path}.claimed-${Date.now()}-${hostname()}-${process.pid}-${randomUUID()}`);
    const appended: string[] = [];
    expect(await spool.drain(async (line) => void appended.push(line))).toMatchObject({
      appended: 0,
      remaining: 1,
      claimed: [{ host: hostname(), pid: process.pid }],
    });
    expect(appended).toEqual([]);
  });

  it('leaves a claim another drain of this process holds now (same pid, same host) to that drain', async () => {
    const spool = new RecordSpool(dir);
    await spool.put('{"n":1}\n');
    let release!: () => void;
    let started!: () => void;
    const appending = new Promise<void>((r) => (started = r));
    const first = spool.drain(async () => {
      started();
      await new Promise<void>((r) => (release = r));
    });
    await appending;
    const second = await new RecordSpool(dir).drain(async () => {
      throw new Error('appended twice');
    });
    expect(second).toMatchObject({ appended: 0, remaining: 1, error: null, claimed: [{ host: hostname(), pid: process.pid }] });
    release();
    expect(await first).toEqual({ appended: 1, remaining: 0, error: null, claimed: [] });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('finds nothing in a folder that does not exist yet', async () => {
    expect(await new RecordSpool(join(dir, 'never')).drain(async () => undefined)).toEqual({ appended: 0, remaining: 0, error: null, claimed: [] });
  });
});
