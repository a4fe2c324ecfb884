import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { exportKindOf, readCsv, readJsonLines } from '../../src/adapters/twilioExport/exportFileReader';
import type { TwilioMessageRow } from '../../src/domain/reconcile/twilioRow';

const sid = (n: number) => `SM${String(n).padStart(32, '0')}`;

async function collect(read: (input: Readable, source: string, onRow: (row: TwilioMessageRow) => void) => Promise<unknown>, body: Buffer | string) {
  const rows: TwilioMessageRow[] = [];
  const report = await read(Readable.from([Buffer.isBuffer(body) ? body : Buffer.from(body)]), 'test-export', (row) => rows.push(row));
  return { rows, report: report as { rows: number; malformedRows: number; complete: boolean; problems: { line?: number; reason: string }[] } };
}

describe('Console CSV export', () => {
  it('reads by header with a BOM, CRLF and quoted bodies holding commas and newlines', async () => {
    const csv =
      '\uFEFFSid,From,To,Body,Status,SentDate,ErrorCode,Direction,AccountSid,NumSegments\r\n' +
      `${sid(1)},+15005550006,+14155550101,"Hello, world\r\nsecond line ""quoted""",delivered,2026-11-26T10:00:00Z,,outbound-api,AC1,1\r\n` +
      `${sid(2)},+15005550006,+14155550102,plain,undelivered,2026-11-26T10:01:00Z,30003,outbound-api,AC1,1\r\n`;
    const { rows, report } = await collect(readCsv, csv);
    expect(report).toMatchObject({ rows: 2, malformedRows: 0, complete: true });
    expect(rows.map((r) => [r.sid, r.status, r.errorCode, r.dateSent])).toEqual([
      [sid(1), 'delivered', null, '2026-11-26T10:00:00.000Z'],
      [sid(2), 'undelivered', '30003', '2026-11-26T10:01:00.000Z'],
    ]);
  });

  it('reports a row it cannot read with its line number, and goes on', async () => {
    const csv = `sid,status,date_sent\n${sid(1)},sent,2026-11-26T10:00:00Z\n${sid(2)},sent\nnot-a-sid,sent,2026-11-26T10:00:00Z\n${sid(4)},delivered,2026-11-26T10:00:00Z\n`;
    const { rows, report } = await collect(readCsv, csv);
    expect(rows.map((r) => r.sid)).toEqual([sid(1), sid(4)]);
    expect(report).toMatchObject({ rows: 2, malformedRows: 2, complete: false });
    expect(report.problems.map((p) => p.line)).toEqual([3, 4]);
  });
});

describe('Bulk Export day file (JSON lines)', () => {
  const lines = [
    { sid: sid(1), status: 'delivered', direction: 'outbound-api', to: '+14155550101', date_created: '2026-11-26T10:00:00Z', error_code: null },
    { sid: sid(2), status: 'failed', direction: 'outbound-api', to: '+14155550102', date_created: '2026-11-26T10:00:01Z', error_code: 30008 },
  ].map((o) => JSON.stringify(o));

  it('reads gzip JSON lines, told by the magic bytes', async () => {
    const { rows, report } = await collect(readJsonLines, gzipSync(`${lines.join('\n')}\n`));
    expect(report).toMatchObject({ rows: 2, complete: true });
    expect(rows[1]).toMatchObject({ sid: sid(2), status: 'failed', errorCode: '30008', dateCreated: '2026-11-26T10:00:01.000Z' });
  });

  it('reports malformed lines and a truncated file', async () => {
    const gz = gzipSync(`${lines[0]}\n{"sid":\n${lines[1]}\n`);
    const { rows, report } = await collect(readJsonLines, gz.subarray(0, gz.length - 10));
    expect(report.complete).toBe(false);
    expect(report.problems[0]).toMatchObject({ line: 2, reason: 'not JSON' });
    expect(report.problems.at(-1)?.reason).toMatch(/unreadable after line/);
    expect(rows.length).toBeLessThanOrEqual(2);
  });

  it('knows the file kinds by name', () => {
    expect(['a.csv', 'day.json.gz', 'day.jsonl.gz', 'day.jsonl', 'x.txt'].map(exportKindOf)).toEqual(['csv', 'jsonl', 'jsonl', 'jsonl', null]);
  });
});
