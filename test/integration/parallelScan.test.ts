/**
 * The parallel scan (worker threads, compact record batches) against the scan
 * in one thread, on the same archive: the same message states, the same
 * records handed over whole, the same counts and the same problems, each
 * with its key and line number; read from a folder and from s3rver.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { FolderArchiveStore, S3ArchiveStore, type ArchiveStore } from '../../src/adapters/archive/archiveStore';
import { scanArchive, type ReadProblem } from '../../src/adapters/archive/archiveScanner';
import type { RecordFacts } from '../../src/domain/archiveLine';
import { toArchiveLine, type ArchiveRecord } from '../../src/domain/archiveRecord';
import { MessageStates } from '../../src/domain/messageState';
import { startS3rver, type S3rverHandle } from '../helpers/s3rverProcess';

const HOUR = 'firehose/2026/11/26/10/';
const BASE = Date.parse('2026-11-26T10:00:00.000Z');
const STATUSES = ['accepted', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read', 'canceled', 'mystery'];

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    return x / 2 ** 32;
  };
}

function record(rand: () => number, n: number): ArchiveRecord {
  const pick = rand();
  const oddSid = n % 37 === 0;
  const sid = oddSid ? `SM-not-compact-${n % 50}` : `${n % 11 === 0 ? 'MM' : 'SM'}${(n % 400).toString(16).padStart(32, '0')}`;
  const at = (offset: number) => new Date(BASE + Math.floor(rand() * 3_600_000) + offset).toISOString();
  const base: ArchiveRecord = {
    v: 1,
    source: 'callback',
    recorded_at: at(0),
    event_at: rand() < 0.4 ? at(-1000) : null,
    account_sid: rand() < 0.9 ? 'AC0123456789abcdef0123456789abcdef' : 'ACfedcba9876543210fedcba9876543210',
    message_sid: sid,
    messaging_service_sid: null,
    status: STATUSES[Math.floor(rand() * STATUSES.length)],
    error_code: rand() < 0.15 ? String(30000 + Math.floor(rand() * 10)) : null,
    to: `+1415555${String(n % 10_000).padStart(4, '0')}`,
    from: null,
    idempotency_token: null,
    tags: { order: String(n) },
    params: { n },
  };
  if (pick < 0.05) return { ...base, source: 'send_error', message_sid: null, status: 'send_error', event_at: at(0) };
  if (pick < 0.08) return { ...base, source: 'poll', status: 'not_found' };
  if (pick < 0.1) return { ...base, source: 'reconcile', params: { matched_attempt: `attempt-${n % 7}` } };
  if (pick < 0.3) return { ...base, source: 'send', event_at: at(-5000) };
  if (pick < 0.32) return { ...base, problems: ['SmsSid differs from MessageSid: MessageSid is taken'] };
  if (pick < 0.33) return { ...base, status: null, problems: ['MessageStatus is missing'] };
  // Debugger alerts: handed over, never folded.
  if (pick < 0.34) return { ...base, source: 'debugger', status: null, to: null, idempotency_token: `NO${n}`, message_sid: n % 2 ? sid : null };
  return base;
}

/** Objects of every kind the scanner meets: gzip and plain, damaged, with malformed and blank lines. */
function archiveObjects(): Map<string, Buffer> {
  const rand = random(2611);
  const objects = new Map<string, Buffer>();
  let n = 0;
  for (let o = 0; o < 24; o++) {
    const lines: string[] = [];
    const count = 50 + Math.floor(rand() * 3000);
    for (let i = 0; i < count; i++) {
      const damage = rand();
      if (damage < 0.003) lines.push('{"v":1,"source":"callb\n');
      else if (damage < 0.005) lines.push('\n');
      else if (damage < 0.006) lines.push('{"v":2}\n');
      else lines.push(toArchiveLine(record(rand, n++)));
    }
    const body = Buffer.from(lines.join(''));
    objects.set(`${HOUR}s-1-2026-11-26-10-${String(o).padStart(2, '0')}-00-obj-${o}`, o % 3 === 2 ? body : gzipSync(body));
  }
  const truncated = gzipSync(Buffer.from(Array.from({ length: 400 }, () => toArchiveLine(record(rand, n++))).join('')));
  objects.set(`${HOUR}s-1-2026-11-26-10-59-00-truncated.gz`, truncated.subarray(0, Math.floor(truncated.length / 2)));
  objects.set(`${HOUR}s-1-2026-11-26-10-59-01-not-utf8`, Buffer.concat([Buffer.from(toArchiveLine(record(rand, n++))), Buffer.from([0xc3, 0x28, 0x0a])]));
  objects.set(`${HOUR}s-1-2026-11-26-10-59-02-bad-gzip`, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03]));
  objects.set(`${HOUR}s-1-2026-11-26-10-59-03-empty`, Buffer.alloc(0));
  return objects;
}

const byPlace = (a: ReadProblem, b: ReadProblem) => a.key.localeCompare(b.key) || (a.line ?? 0) - (b.line ?? 0) || a.reason.localeCompare(b.reason);

/** What a scan found, in an order that does not depend on which object was read first. */
async function scan(store: ArchiveStore, threads: number) {
  const states = new MessageStates();
  const whole: string[] = [];
  const alerts: string[] = [];
  const report = await scanArchive(store, {
    prefixes: [HOUR],
    states,
    foldExcept: ['send_error'],
    onRecord: (facts: RecordFacts, key) => whole.push(JSON.stringify([key, facts])),
    wholeSources: ['send_error', 'reconcile'],
    onAlert: (alert, key) => alerts.push(JSON.stringify([key, alert])),
    threads,
    // All of them: which first thousand are kept depends on which object is read first.
    maxProblemsKept: 100_000,
  });
  const messages = [...states.entries()].map(([sid, state]) => JSON.stringify([sid, state])).sort();
  return {
    messages,
    whole: whole.sort(),
    alerts: alerts.sort(),
    report: { ...report, problems: [...report.problems].sort(byPlace), flagged: [...report.flagged].sort(byPlace) },
  };
}

describe('the parallel scan', () => {
  let dir: string;
  let folder: FolderArchiveStore;
  let oneThread: Awaited<ReturnType<typeof scan>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parallel-scan-'));
    folder = new FolderArchiveStore(dir);
    for (const [key, body] of archiveObjects()) await folder.put(key, body);
    oneThread = await scan(folder, 1);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the archive has every case in it', () => {
    const { report } = oneThread;
    expect(report.records).toBeGreaterThan(30_000);
    expect(report.malformedLines).toBeGreaterThan(50);
    expect(report.corruptObjects).toBe(3);
    expect(report.flaggedRecords).toBeGreaterThan(100);
    expect(oneThread.alerts.length).toBeGreaterThan(100);
    // An alert is never folded: no message's state holds a debugger record's null status.
    expect(oneThread.messages.some((m) => m.includes('"status":null'))).toBe(false);
    expect(report.unattributableRecords).toBeGreaterThan(100);
    expect(oneThread.messages.length).toBeGreaterThan(400);
    expect(oneThread.messages.some((m) => m.includes('SM-not-compact-'))).toBe(true);
    expect(oneThread.messages.some((m) => m.includes('"notFoundAt":"2026'))).toBe(true);
    expect(oneThread.whole.some((w) => w.includes('"source":"send_error"'))).toBe(true);
    expect(oneThread.whole.some((w) => w.includes('"matched_attempt"'))).toBe(true);
    expect(report.problems.map((p) => p.reason)).toEqual(
      expect.arrayContaining([
        'not JSON',
        'unknown record version 2',
        expect.stringMatching(/^unreadable after line \d+: unexpected end of file/),
        // The line before the damaged one is read (issue 22): the damaged line is named, not the object only.
        'partly read: not UTF-8 text: read no further',
      ]),
    );
    expect(report.problems).toContainEqual({ key: `${HOUR}s-1-2026-11-26-10-59-01-not-utf8`, line: 2, reason: expect.stringMatching(/not UTF-8/) });
  });

  it.each([2, 3])('finds with %i threads exactly what one thread finds, from a folder', async (threads) => {
    expect(await scan(folder, threads)).toEqual(oneThread);
  });

  it('stops every thread and fails the scan when what it feeds throws', async () => {
    const states = new MessageStates();
    await expect(
      scanArchive(folder, {
        prefixes: [HOUR],
        states,
        onRecord: () => {
          throw new Error('the consumer broke');
        },
        wholeSources: ['reconcile'],
        threads: 2,
      }),
    ).rejects.toThrow('the consumer broke');
  });

  describe('from s3rver', () => {
    let s3: S3rverHandle;
    beforeAll(async () => {
      s3 = await startS3rver(['parallel-scan']);
      for (const [key, body] of archiveObjects()) await s3.client.send(new PutObjectCommand({ Bucket: 'parallel-scan', Key: `root/${key}`, Body: body }));
    }, 60_000);
    afterAll(async () => {
      await s3?.stop();
    });

    it('finds with 2 threads exactly what one thread finds in the folder', async () => {
      expect(await scan(new S3ArchiveStore(s3.client, 'parallel-scan', 'root/'), 2)).toEqual(oneThread);
    });
  });
});
