import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine } from '../../src/domain/archiveRecord';
import { sid, syntheticRecord } from './syntheticArchive';

export const BENCH_DAY = '2026-11-25';
const DAY_START = Date.parse(`${BENCH_DAY}T00:00:00.000Z`);

/**
 * A synthetic day for the reconciliation: every message has a `send` record
 * and a `delivered` callback, except that 1 in 200 lacks its callback (status
 * behind) and 1 in 200 is not in the archive at all (missing). Twilio's list
 * (a Bulk Export-style gzip JSON-lines file) says every message was delivered.
 * Generated once per size into `dir`.
 */
export async function ensureSyntheticDay(dir: string, messages: number): Promise<{ archive: string; exportFile: string; records: number }> {
  const archive = join(dir, 'archive');
  const exportFile = join(dir, `messages-${BENCH_DAY}.json.gz`);
  const marker = join(dir, 'done.json');
  const spacing = 86_400_000 / messages;
  let records = 0;
  for (let n = 0; n < messages; n++) records += n % 200 === 1 ? 0 : n % 200 === 0 ? 1 : 2;
  if (existsSync(marker)) return { archive, exportFile, records };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(archive, { recursive: true });

  const recordsPerObject = 20_000;
  let lines: string[] = [];
  let objectIndex = 0;
  let firstArrival = DAY_START;
  const flush = () => {
    if (lines.length === 0) return;
    const key = firehoseObjectKey({
      prefix: 'firehose/',
      streamName: 'bench',
      streamVersion: 1,
      oldestArrival: new Date(firstArrival),
      uuid: `obj-${objectIndex++}`,
      gzip: true,
    });
    mkdirSync(join(archive, key, '..'), { recursive: true });
    writeFileSync(join(archive, key), gzipSync(lines.join('')));
    lines = [];
  };

  const gzip = createGzip();
  const out = createWriteStream(exportFile);
  gzip.pipe(out);
  let batch: string[] = [];
  for (let n = 0; n < messages; n++) {
    const created = DAY_START + n * spacing;
    if (lines.length === 0) firstArrival = created;
    if (n % 200 !== 1) lines.push(toArchiveLine(syntheticRecord(n, 0, created, 'queued')));
    if (n % 200 !== 1 && n % 200 !== 0) lines.push(toArchiveLine(syntheticRecord(n, 1, created, 'delivered')));
    if (lines.length >= recordsPerObject) flush();
    const at = new Date(created).toISOString();
    batch.push(
      JSON.stringify({
        sid: sid('SM', n),
        account_sid: 'AC0123456789abcdef0123456789abcdef',
        status: 'delivered',
        direction: 'outbound-api',
        to: `+1415${String(n % 10_000_000).padStart(7, '0')}`,
        from: '+15005550006',
        date_created: at,
        date_sent: at,
        date_updated: at,
        error_code: null,
        num_segments: '1',
      }),
    );
    if (batch.length === 10_000) {
      if (!gzip.write(`${batch.join('\n')}\n`)) await new Promise((r) => gzip.once('drain', r));
      batch = [];
    }
  }
  flush();
  gzip.end(batch.length ? `${batch.join('\n')}\n` : '');
  await new Promise<void>((r) => out.once('close', () => r()));
  writeFileSync(marker, JSON.stringify({ messages }));
  return { archive, exportFile, records };
}
