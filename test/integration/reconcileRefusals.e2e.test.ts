/**
 * Never a wrong append (issue 22, items 1–3), through the command as typed,
 * on every local engine: a list of another day, direction or none at all is
 * not compared (exit 2, nothing appended); a SID Twilio lists twice with rows
 * that differ is reported with both and never corrected; and --write appends
 * nothing from an archive it could read only in part.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FolderArchiveStore } from '../../src/adapters/archive/archiveStore';
import { firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine, type ArchiveRecord } from '../../src/domain/archiveRecord';
import type { Gap, ReconcileSummary } from '../../src/reconcile/reconcile';
import { runScript } from '../helpers/runScript';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const DAY = '2026-11-25';
const sid = (n: number) => `SM${String(n).padStart(32, '0')}`;
const MESSAGES = 40;

function callback(n: number, status = 'delivered', day = DAY): ArchiveRecord {
  return {
    v: 1,
    source: 'callback',
    recorded_at: `${day}T10:${String(n % 60).padStart(2, '0')}:00.000Z`,
    event_at: null,
    account_sid: ACCOUNT,
    message_sid: sid(n),
    messaging_service_sid: null,
    status,
    error_code: null,
    to: '+14155550100',
    from: '+15005550006',
    idempotency_token: null,
    tags: {},
    params: {},
  };
}

const csvHeader = 'Sid,AccountSid,Status,Direction,To,From,DateCreated,DateSent,ErrorCode';
const csvRow = (n: number, status = 'delivered', errorCode = '', day = DAY, direction = 'outbound-api') =>
  `${sid(n)},${ACCOUNT},${status},${direction},+14155550100,+15005550006,${day}T10:${String(n % 60).padStart(2, '0')}:00Z,${day}T10:${String(n % 60).padStart(2, '0')}:00Z,${errorCode}`;

let dir: string;
let archiveDir: string;
const engines = ['local', 'duckdb'] as const;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reconcile-refusals-'));
  archiveDir = join(dir, 'archive');
  const store = new FolderArchiveStore(archiveDir);
  const lines = Array.from({ length: MESSAGES }, (_, n) => toArchiveLine(callback(n))).join('');
  await store.put(
    firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: new Date(`${DAY}T10:00:00Z`), uuid: 'a', gzip: false }),
    Buffer.from(lines),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => runScript('scripts/reconcile.ts', args, { ARCHIVE_REDACT_DIGITS: '4' });
let runs = 0;

/** A reconcile --write --append archive of `archive` against the list in `file`: its result, and the corrections now in the archive. */
async function reconcileWrite(engine: string, archive: string, exportFile: string, extra: string[] = []) {
  const out = join(dir, `out-${runs++}`);
  const result = await run([
    '--archive',
    archive,
    '--day',
    DAY,
    '--export',
    exportFile,
    '--out',
    out,
    '--engine',
    engine,
    '--write',
    '--append',
    'archive',
    ...extra,
  ]);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as ReconcileSummary;
  const gaps = readFileSync(join(out, 'gaps.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Gap);
  return { ...result, summary, gaps, corrections: correctionsIn(archive) };
}

function correctionsIn(archive: string): string[] {
  const lines: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (path.includes(`${join(archive, 'direct')}`)) lines.push(...readFileSync(path, 'utf8').split('\n').filter(Boolean));
    }
  };
  walk(archive);
  return lines;
}

function copyArchive(name: string): string {
  const copy = join(dir, name);
  cpSync(archiveDir, copy, { recursive: true });
  return copy;
}

describe.each(engines)('reconcile --engine %s refuses to compare what cannot be compared (item 1)', (engine) => {
  const wrongLists: [string, string, Buffer | string][] = [
    [
      'an export of the day before',
      'yesterday.csv',
      `${csvHeader}\n${Array.from({ length: MESSAGES }, (_, n) => csvRow(n, 'delivered', '', '2026-11-24')).join('\n')}\n`,
    ],
    [
      'an all-inbound export',
      'inbound.csv',
      `${csvHeader}\n${Array.from({ length: MESSAGES }, (_, n) => csvRow(n + 1000, 'received', '', DAY, 'inbound')).join('\n')}\n`,
    ],
    ['a 0-byte CSV', 'empty.csv', ''],
    ['a header-only CSV', 'header.csv', `${csvHeader}\n`],
    ['an empty .json.gz', 'empty.json.gz', gzipSync(Buffer.alloc(0))],
  ];

  it.each(wrongLists)('%s: exit 2, "not comparable", the flag named, nothing appended', async (_what, file, body) => {
    writeFileSync(join(dir, `${engine}-${file}`), body);
    const archive = copyArchive(`wrong-${engine}-${file}`);
    const result = await reconcileWrite(engine, archive, join(dir, `${engine}-${file}`));
    expect(result.stdout).not.toMatch(/No gap left/);
    expect(result.stdout).toMatch(/NOT COMPARABLE: Twilio's list names no outbound message created in the window, but the archive holds 40/);
    expect(result.stdout).toMatch(/--accept-short-list/);
    expect(result.code).toBe(2);
    expect(result.summary.not_comparable).toMatch(/--accept-short-list/);
    expect(result.summary.written).toBe(0);
    expect(result.corrections).toEqual([]);
  });

  it('a list mostly of another day, though it names a few of the window, is refused; the flag accepts it', async () => {
    const file = join(dir, `${engine}-mostly-yesterday.csv`);
    const rows = [...Array.from({ length: MESSAGES }, (_, n) => csvRow(n + 100, 'delivered', '', '2026-11-24')), csvRow(0), csvRow(1)];
    writeFileSync(file, `${csvHeader}\n${rows.join('\n')}\n`);
    const refused = await reconcileWrite(engine, copyArchive(`mostly-${engine}`), file);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/most of Twilio's list \(40 of 42 rows\) was created outside the window/);
    expect(refused.corrections).toEqual([]);
    const accepted = await reconcileWrite(engine, copyArchive(`mostly-accepted-${engine}`), file, ['--accept-short-list']);
    expect(accepted.summary.not_comparable).toBeNull();
    expect(accepted.stdout).toMatch(/Twilio lists 2 message\(s\): 2 ok/);
    expect(accepted.code).toBe(0);
  });

  it('a list naming fewer messages than the archive holds is compared: late callbacks of older messages, other accounts', async () => {
    // Found by a review: 30 older messages' late `read` callbacks (or an earlier run's corrections) in the window made
    // a quiet day's right list look short, and the daily job failed.
    const archive = copyArchive(`late-${engine}`);
    const late = Array.from({ length: 30 }, (_, n) => toArchiveLine({ ...callback(n + 200, 'read'), recorded_at: `${DAY}T12:00:00.000Z` })).join('');
    await new FolderArchiveStore(archive).put(
      firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: new Date(`${DAY}T12:00:00Z`), uuid: 'late', gzip: false }),
      Buffer.from(late),
    );
    const file = join(dir, `${engine}-quiet.csv`);
    writeFileSync(file, `${csvHeader}\n${Array.from({ length: 10 }, (_, n) => csvRow(n)).join('\n')}\n`);
    const result = await reconcileWrite(engine, archive, file);
    expect(result.summary.not_comparable).toBeNull();
    expect(result.summary.archive_messages).toBe(70);
    expect(result.stdout).toMatch(/Twilio lists 10 message\(s\): 10 ok/);
    expect(result.code).toBe(0);
  });

  it('the whole day listed is compared as before', async () => {
    const file = join(dir, `${engine}-whole.csv`);
    writeFileSync(file, `${csvHeader}\n${Array.from({ length: MESSAGES }, (_, n) => csvRow(n)).join('\n')}\n`);
    const result = await reconcileWrite(engine, copyArchive(`whole-${engine}`), file);
    expect(result.stdout).toMatch(/No gap left/);
    expect(result.code).toBe(0);
    expect(result.summary.archive_messages).toBe(MESSAGES);
  });
});

describe.each(engines)('reconcile --engine %s, a SID Twilio lists twice (item 2)', (engine) => {
  it('identical rows count once; rows that differ are reported with both rows, never corrected, never exit 0', async () => {
    const file = join(dir, `${engine}-twice.csv`);
    const rows = [
      ...Array.from({ length: MESSAGES }, (_, n) => csvRow(n)),
      csvRow(3), // identical: one message
      csvRow(41, 'delivered'),
      csvRow(42, 'delivered'), // missing from the archive: corrected once
      csvRow(41, 'undelivered', '30003'), // contradicts the row above
    ];
    writeFileSync(file, `${csvHeader}\n${rows.join('\n')}\n`);
    const archive = copyArchive(`twice-${engine}`);
    const result = await reconcileWrite(engine, archive, file);
    expect(result.code).toBe(1);
    expect(result.summary.counts).toMatchObject({ twilio_messages: 42, ok: 40, missing: 1, listed_twice: 1 });
    expect(result.summary.inputs.twilio_read).toMatchObject({ repeated_rows: 1, sids_listed_twice: 1 });
    const twice = result.gaps.filter((g) => g.category === 'listed_twice');
    expect(twice).toEqual([
      {
        category: 'listed_twice',
        message_sid: sid(41),
        evidence: {
          twilio_rows: [
            expect.objectContaining({ status: 'delivered', error_code: null }),
            expect.objectContaining({ status: 'undelivered', error_code: '30003' }),
          ],
        },
      },
    ]);
    expect(result.gaps.filter((g) => g.message_sid === sid(41))).toHaveLength(1);
    expect(result.stdout).toMatch(/Listed twice by Twilio with rows that differ: 1 SID/);
    // One correction, for the missing message only: none for the SID the list contradicts itself about.
    expect(result.corrections).toHaveLength(1);
    expect(result.corrections[0]).toContain(sid(42));
    expect(result.corrections.join('')).not.toContain(sid(41));
    // The next run finds no conflict the tool wrote, and the same list problem again.
    const again = await reconcileWrite(engine, archive, file);
    expect(again.summary.counts).toMatchObject({ status_conflict: 0, missing: 0, listed_twice: 1 });
    expect(again.corrections).toHaveLength(1);
    expect(again.code).toBe(1);
  });
});

describe.each(engines)('reconcile --engine %s, a SID listed twice however its rows fall (review findings)', (engine) => {
  // A SID with letters, once in each case.
  const cased = (row: string, hex: string) => row.replace(sid(77), `SM${hex.repeat(16)}`);
  it.each([
    ['the row outside the window first', [csvRow(77, 'delivered', '', '2026-11-24'), csvRow(77, 'undelivered', '30003')]],
    ['the row outside the window last', [csvRow(77, 'undelivered', '30003'), csvRow(77, 'delivered', '', '2026-11-24')]],
    ['a row of another direction first', [csvRow(77, 'received', '', DAY, 'inbound'), csvRow(77, 'undelivered', '30003')]],
    ['the SID in two cases', [cased(csvRow(77, 'delivered'), 'ab'), cased(csvRow(77, 'undelivered', '30003'), 'AB')]],
  ])('%s: listed_twice, never corrected, never exit 0', async (what, twice) => {
    const name = `${engine}-twice-${what.replace(/\W+/g, '-')}`;
    const file = join(dir, `${name}.csv`);
    writeFileSync(file, `${csvHeader}\n${[...Array.from({ length: MESSAGES }, (_, n) => csvRow(n)), ...twice].join('\n')}\n`);
    const result = await reconcileWrite(engine, copyArchive(name), file);
    expect(result.summary.counts.listed_twice).toBe(1);
    expect(result.corrections).toEqual([]);
    expect(result.code).toBe(1);
  });
});

describe.each(engines)('reconcile --engine %s, numbers where a status or code should be (review finding)', (engine) => {
  it('are masked in gaps, summary and report with ARCHIVE_REDACT_DIGITS=4', async () => {
    const file = join(dir, `${engine}-numbers.csv`);
    const odd = `${sid(78)},+14155554321,+14155551234,outbound-api,+14155550100,+15005550006,${DAY}T10:00:00Z,${DAY}T10:00:00Z,+14155559876`;
    writeFileSync(file, `${csvHeader}\n${[...Array.from({ length: MESSAGES }, (_, n) => csvRow(n)), odd].join('\n')}\n`);
    const out = join(dir, `numbers-${engine}`);
    await run(['--archive', copyArchive(`numbers-${engine}`), '--day', DAY, '--export', file, '--out', out, '--engine', engine]);
    for (const name of ['gaps.ndjson', 'summary.json', 'report.html']) {
      expect(readFileSync(join(out, name), 'utf8')).not.toMatch(/4155554321|4155551234|4155559876/);
    }
  });
});

describe.each(engines)('reconcile --engine %s --write after a partial read (item 3)', (engine) => {
  it('appends nothing, exits 2, says "nothing appended" and names the object to repair', async () => {
    const archive = copyArchive(`partial-${engine}`);
    const store = new FolderArchiveStore(archive);
    const damagedKey = firehoseObjectKey({
      prefix: 'firehose/',
      streamName: 's',
      streamVersion: 1,
      oldestArrival: new Date(`${DAY}T11:00:00Z`),
      uuid: 'corrupt',
      gzip: true,
    });
    // Two messages whose records sit in an object that cannot be read.
    const whole = gzipSync(Buffer.from([toArchiveLine(callback(50)), toArchiveLine(callback(51))].join('')));
    // The deflate data damaged from its first byte: nothing of it can be read.
    await store.put(damagedKey, Buffer.concat([whole.subarray(0, 10), Buffer.alloc(whole.length - 10, 0xff)]));
    const file = join(dir, `${engine}-partial.csv`);
    writeFileSync(
      file,
      `${csvHeader}\n${Array.from({ length: MESSAGES }, (_, n) => csvRow(n))
        .concat([csvRow(50), csvRow(51)])
        .join('\n')}\n`,
    );
    const result = await reconcileWrite(engine, archive, file);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/--write REFUSED: the archive was only partly read/);
    expect(result.stdout).toMatch(/Nothing was appended/);
    expect(result.stdout).toContain(damagedKey);
    expect(result.summary.written).toBe(0);
    expect(result.summary.counts.missing).toBe(2);
    expect(result.corrections).toEqual([]);
    // Without --write the same run reports, exit 1: never 0.
    const out = join(dir, `partial-report-${engine}`);
    const report = await run(['--archive', archive, '--day', DAY, '--export', file, '--out', out, '--engine', engine]);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(/RESULT INCOMPLETE/);
    // An archive object cannot be repaired, only explained: once checked, the user may append all the same.
    const accepted = await reconcileWrite(engine, archive, file, ['--accept-partial-read']);
    expect(accepted.summary.write_refused).toBeNull();
    expect(accepted.corrections).toHaveLength(2);
  });
});
