/**
 * The Kinesis path's CloudEvents mapped in SQL (src/domain/reconcile/sql/
 * eventLines.ts, run here on DuckDB) against the streaming readers' mapping
 * (parseCloudEventLine), line by line: whether a line is a record, flagged,
 * unattributable, and the record's fields, with redaction off and on. Each
 * line is its own object, so that the census names it.
 */
import { DEFAULT_ARCHIVE_LAYOUT } from '../../src/config/archiveSettings';
import { firehoseObjectKey, objectKeyTime } from '../../src/domain/archiveLayout';
import { parseCloudEventLine } from '../../src/domain/eventStreamLine';
import { DUCKDB } from '../../src/domain/reconcile/sql/dialect';
import { eventLineTables } from '../../src/domain/reconcile/sql/eventLines';
import { lineCensusStatement } from '../../src/domain/reconcile/sql/archiveLines';
import { DuckDbWarehouse } from '../helpers/duckDbWarehouse';
import { hostileEventLines } from '../helpers/cloudEvents';

const ARRIVAL = new Date('2026-11-25T10:30:00Z');

/** One object per line: most named by Firehose (the arrival in the key), some by another writer (no time in the key). */
function objects(lines: string[]): { key: string; line: string }[] {
  return lines.flatMap((line, i) => [
    {
      key: firehoseObjectKey({
        prefix: DEFAULT_ARCHIVE_LAYOUT.events,
        streamName: 'events',
        streamVersion: 1,
        oldestArrival: ARRIVAL,
        uuid: `u${i}`,
        gzip: false,
      }),
      line,
    },
    { key: `${DEFAULT_ARCHIVE_LAYOUT.events}2026/11/25/10/hand-placed-${i}`, line },
  ]);
}

interface Mapped {
  valid: boolean;
  flagged: boolean;
  unattributable: boolean;
  fields?: Record<string, string | null>;
}

function streaming(key: string, line: string, redactDigits: number): Mapped {
  const parsed = parseCloudEventLine(line, objectKeyTime(key), redactDigits);
  if (!parsed.ok) return { valid: false, flagged: false, unattributable: false };
  if (!parsed.facts) return { valid: true, flagged: true, unattributable: true };
  const f = parsed.facts;
  return {
    valid: true,
    flagged: (f.problems ?? null) !== null,
    unattributable: false,
    fields: {
      recorded_at: f.recorded_at,
      event_at: f.event_at,
      account_sid: f.account_sid,
      message_sid: f.message_sid,
      status: f.status,
      error_code: f.error_code,
      to_number: f.to,
    },
  };
}

describe('CloudEvents mapped in SQL', () => {
  it.each([0, 4])('give the same records, flags and counts as the streaming mapping (%i digits redacted)', async (redactDigits) => {
    const placed = objects(hostileEventLines(1));
    const warehouse = await DuckDbWarehouse.of(
      placed.map(({ key, line }) => ({ key, body: Buffer.from(`${line}\n`) })),
      's3://archive/',
    );
    try {
      const parameters = { hour_from: '2026/11/25/00', hour_to: '2026/11/25/23', redact_digits: redactDigits };
      const tables = eventLineTables(DUCKDB)
        .map(([name, body]) => `${name} AS (${body})`)
        .join(',\n');
      const result = await warehouse.query(`WITH ${tables}\nSELECT * FROM event_records`, parameters);
      const sql = new Map<string, Mapped>();
      for await (const row of result.rows()) {
        const mapped: Mapped = { valid: row.valid === 'true', flagged: row.flagged === 'true', unattributable: row.unattributable === 'true' };
        if (mapped.valid && !mapped.unattributable) {
          const { object_key: _key, valid: _v, flagged: _f, unattributable: _u, ...fields } = row;
          mapped.fields = fields;
        }
        sql.set(row.object_key!.slice('s3://archive/'.length), mapped);
      }
      for (const { key, line } of placed) expect({ key, line, mapped: sql.get(key) }).toEqual({ key, line, mapped: streaming(key, line, redactDigits) });

      // The numbers in statuses, codes and addresses were there to be masked, and are.
      const fieldOf = (marker: string, field: string) => sql.get(placed.find(({ line }) => line.includes(marker))!.key)!.fields![field];
      const mask = (number: string) => (redactDigits > 0 ? `${number.slice(0, -4)}****` : number);
      expect([fieldOf('+14155550125', 'status'), fieldOf('14155550123', 'error_code'), fieldOf('+14155550129', 'to_number')]).toEqual([
        mask('+14155550125'),
        mask('14155550123'),
        mask('whatsapp:+14155550129'),
      ]);

      // The census counts them as the streaming reader does.
      const census = await warehouse.query(lineCensusStatement(DUCKDB), parameters);
      const counted = { records: 0, malformed: 0, flagged: 0, unattributable: 0 };
      for await (const row of census.rows()) for (const name of Object.keys(counted) as (keyof typeof counted)[]) counted[name] += Number(row[name]);
      const expected = placed.map(({ key, line }) => streaming(key, line, redactDigits));
      expect(counted).toEqual({
        records: expected.filter((m) => m.valid).length,
        malformed: expected.filter((m) => !m.valid).length,
        flagged: expected.filter((m) => m.flagged).length,
        unattributable: expected.filter((m) => m.unattributable).length,
      });
      // Enough of each kind for the agreement to mean something.
      expect(counted.malformed).toBeGreaterThan(5);
      expect(counted.unattributable).toBeGreaterThan(10);
      expect(expected.filter((m) => m.flagged && !m.unattributable).length).toBeGreaterThan(10);
    } finally {
      await warehouse.close();
    }
  });
});
