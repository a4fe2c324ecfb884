/**
 * `history --engine athena`'s SQL (run here on DuckDB over the archive's raw
 * lines, as the differential tests do): it finds the objects, the command
 * reads them, and the story is exactly `--engine local`'s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderArchiveStore } from '../../src/adapters/archive/archiveStore';
import { DEFAULT_ARCHIVE_LAYOUT } from '../../src/config/archiveSettings';
import { directObjectKey, firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine, type ArchiveRecord } from '../../src/domain/archiveRecord';
import type { HistoryQuery } from '../../src/domain/messageHistory';
import { findHistory } from '../../src/history/findHistory';
import { findHistoryInWarehouse } from '../../src/history/findHistoryInWarehouse';
import { DuckDbWarehouse } from '../helpers/duckDbWarehouse';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const A = 'SM0000000000000000000000000000000a';
const B = 'SM0000000000000000000000000000000b';
const at = (day: number, hh: number) => new Date(Date.UTC(2026, 10, day, hh));

function rec(sid: string | null, source: ArchiveRecord['source'], status: string | null, recorded: Date, tags: Record<string, string> = {}): ArchiveRecord {
  return {
    v: 1,
    source,
    recorded_at: recorded.toISOString(),
    event_at: null,
    account_sid: ACCOUNT,
    message_sid: sid,
    messaging_service_sid: null,
    status,
    error_code: null,
    to: '+1415555****',
    from: null,
    idempotency_token: null,
    tags,
    params: {},
  };
}

let dir: string;
let store: FolderArchiveStore;
let warehouse: DuckDbWarehouse;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'history-warehouse-'));
  store = new FolderArchiveStore(dir);
  const objects: [string, ArchiveRecord[]][] = [
    [
      firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: at(24, 10), uuid: 'a', gzip: false }),
      [rec(A, 'send', 'queued', at(24, 10), { client_ref: 'r-1', order_id: 'o-1' }), rec(B, 'send', 'queued', at(24, 10), { client_ref: 'r-2' })],
    ],
    [
      firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: at(24, 11), uuid: 'b', gzip: false }),
      [rec(A, 'callback', 'sent', at(24, 11)), rec(A, 'callback', 'delivered', at(24, 11))],
    ],
    [
      directObjectKey('direct/', 'poll', at(25, 3), 'c'),
      [rec(A, 'poll', 'delivered', at(25, 3)), rec(null, 'send_error', 'failed', at(25, 3), { client_ref: 'r-1' })],
    ],
    [
      firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: at(26, 1), uuid: 'd', gzip: false }),
      [rec(B, 'callback', 'failed', at(26, 1))],
    ],
    // A send attempt whose SID never came back, and the correction that matched it to B by envelope.
    [directObjectKey('direct/', 'sender', at(24, 9), 'e'), [rec(null, 'send_error', 'failed', at(24, 9), { client_ref: 'r-2' })]],
    [
      directObjectKey('direct/', 'reconcile', at(25, 6), 'f'),
      [
        {
          ...rec(B, 'reconcile', 'failed', at(25, 6)),
          params: { reconcile: { category: 'matched_by_envelope', matched_attempt: `${at(24, 9).toISOString()}|r-2|+14155550100` } },
        },
      ],
    ],
  ];
  for (const [key, records] of objects) await store.put(key, Buffer.from(records.map(toArchiveLine).join('')));
  warehouse = await DuckDbWarehouse.over(dir, `${store.description}/`);
});
afterAll(async () => {
  await warehouse?.close();
  rmSync(dir, { recursive: true, force: true });
});

const options = (query: HistoryQuery) => ({
  store,
  layout: DEFAULT_ARCHIVE_LAYOUT,
  query,
  from: new Date('2026-11-24T00:00:00Z'),
  to: new Date('2026-11-26T00:00:00Z'),
  today: new Date('2026-11-27T00:00:00Z'),
  redactDigits: 0,
});

describe('history on the warehouse', () => {
  it.each<[string, HistoryQuery]>([
    ['a SID', { kind: 'sid', sid: A }],
    ['a client reference', { kind: 'client_ref', ref: 'r-1' }],
    ['a tag', { kind: 'tag', name: 'order_id', value: 'o-1' }],
  ])('finds by %s the same records, stories and rules as --engine local', async (_name, query) => {
    const local = await findHistory(options(query));
    const { warehouse: cost, ...sql } = await findHistoryInWarehouse({ ...options(query), from: options(query).from, to: options(query).to, warehouse });
    expect(sql.messages).toEqual(local.messages);
    expect(sql.unattached).toEqual(local.unattached);
    expect(local.messages.find((m) => m.message_sid === A)?.entries).toHaveLength(4);
    expect(cost.queries.length).toBeGreaterThanOrEqual(1);
  });

  it("puts the send attempt a correction matched to the message in the message's story, on both engines", async () => {
    const query: HistoryQuery = { kind: 'sid', sid: B };
    const local = await findHistory(options(query));
    const { warehouse: _cost, ...sql } = await findHistoryInWarehouse({ ...options(query), from: options(query).from, to: options(query).to, warehouse });
    expect(sql.messages).toEqual(local.messages);
    const [story] = local.messages;
    expect(story.entries.map((e) => e.source)).toEqual(['send_error', 'send', 'reconcile', 'callback']);
    expect(story.entries[0].notes).toEqual(['the send attempt the reconciliation matched to this message by envelope (its SID never came back): not folded']);
    expect(local.unattached).toEqual([]);
  });

  it('refuses a tag name that cannot stand in a JSON path, before any query', async () => {
    await expect(
      findHistoryInWarehouse({
        ...options({ kind: 'tag', name: "x') OR 1=1 --", value: 'v' }),
        from: options({ kind: 'sid', sid: A }).from,
        to: options({ kind: 'sid', sid: A }).to,
        warehouse,
      }),
    ).rejects.toThrow(/a tag name for SQL must match/);
  });
});
