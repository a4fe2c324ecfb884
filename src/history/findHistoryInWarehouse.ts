import { emptyHistoryRead, findInObject, findRecords } from '../adapters/archive/historyReader';
import { historyObjectsStatement } from '../domain/reconcile/sql/archiveLines';
import type { SqlWarehouse, WarehouseResult } from '../domain/reconcile/sql/warehouse';
import { matchesQuery } from '../domain/messageHistory';
import { ownValue } from '../domain/ownProperty';
import { collect, datehours, refuseCloudEventObjects, warehouseSummaryOf, type WarehouseSummary } from '../warehouse/warehouseRead';
import { attemptsOf, dayPrefixes, storiesOf, type HistoryOptions, type HistoryResult } from './findHistory';

/** The most messages a query by reference or tag may name on Athena: each costs one more scan of the range. */
export const MAX_MESSAGES_ON_ATHENA = 20;

const DAY_MS = 86_400_000;

/** The last millisecond of the day `day` (its midnight, UTC) begins. */
export function lastInstantOf(day: Date): Date {
  return new Date(day.getTime() + DAY_MS - 1);
}

/**
 * `history --engine athena` (and `duckdb`, findHistoryNatively.ts): SQL over the archive's `record_lines` (its date
 * projection limited to the range) finds the objects that hold the message's
 * records; the command reads those few objects itself, so that every record
 * has its line number and the story is told exactly as `--engine local` tells
 * it. A query by reference or tag runs once more per message it names.
 */
export async function findHistoryInWarehouse(
  options: HistoryOptions & { from: Date; to: Date; warehouse: SqlWarehouse; signal?: AbortSignal },
): Promise<HistoryResult & { warehouse: WarehouseSummary }> {
  const { store, layout, query, warehouse, redactDigits } = options;
  if (query.kind === 'to') throw new Error('--to is not looked up in SQL (a redacted number is matched digit by digit): use --engine local');
  const end = lastInstantOf(options.to);
  await refuseCloudEventObjects(store, layout, options.from, end, warehouse.dialect.name === 'duckdb' ? 'duckdb' : 'athena');
  const hours = datehours(options.from, end);
  const results: WarehouseResult[] = [];
  // `"$path"` names the whole object: the archive's root, then its key.
  const root = store.description.endsWith('/') ? store.description : `${store.description}/`;
  const objectsOf = async (by: Parameters<typeof historyObjectsStatement>[1], value: string) => {
    const result = await warehouse.query(historyObjectsStatement(warehouse.dialect, by), { hour_from: hours.from, hour_to: hours.to, value }, options.signal);
    results.push(result);
    const paths = await collect(result, (row) => row.object_key ?? '');
    const outside = paths.find((path) => !path.startsWith(root));
    if (outside !== undefined) throw new Error(`the warehouse names an object outside the archive ${root}: ${outside}`);
    return paths.map((path) => path.slice(root.length));
  };
  // Every object read here counts, over both passes and the matched attempts' days.
  const read = emptyHistoryRead();
  const readKeys = async (keys: readonly string[], wanted: (record: Record<string, unknown>) => boolean) => {
    const found = [];
    for (const key of [...new Set(keys)].sort()) found.push(...(await findInObject(store, layout, key, wanted, redactDigits, read)));
    return found;
  };

  const matches = (record: Record<string, unknown>) => matchesQuery(record, query);
  const value = query.kind === 'sid' ? query.sid : query.kind === 'client_ref' ? query.ref : query.value;
  let found = await readKeys(await objectsOf(query.kind === 'tag' ? { kind: 'tag', name: query.name } : { kind: query.kind }, value), matches);
  let how = 'the days asked for, the objects holding its records found by SQL';
  if (query.kind !== 'sid') {
    const sids = [...new Set(found.map((f) => ownValue(f.record, 'message_sid')).filter((s): s is string => typeof s === 'string'))];
    if (sids.length > MAX_MESSAGES_ON_ATHENA) {
      throw new Error(
        `the query names ${sids.length} messages, more than ${MAX_MESSAGES_ON_ATHENA} (each costs a scan of the range): narrow it, or look each up by --sid`,
      );
    }
    const keys = [...found.map((f) => f.key)];
    for (const sid of sids) keys.push(...(await objectsOf({ kind: 'sid' }, sid)));
    const inMessages = (record: Record<string, unknown>) => matches(record) || sids.includes(ownValue(record, 'message_sid') as string);
    found = await readKeys(keys, inMessages);
    how += '; then every record of the messages found';
  }

  // The attempts corrections matched to these messages, from the day each was made (one day read here per attempt).
  found.push(
    ...(await attemptsOf(found, async (day, wanted) => (await findRecords(store, layout, dayPrefixes(layout, day), wanted, redactDigits, read)).found)),
  );
  const { messages, unattached } = storiesOf(found.sort((a, b) => a.key.localeCompare(b.key) || a.line - b.line));
  const dayOf = (d: Date) => d.toISOString().slice(0, 10);
  const days = Math.round((options.to.getTime() - options.from.getTime()) / DAY_MS) + 1;
  return {
    looked: { from: dayOf(options.from), to: dayOf(options.to), days, how, ...read },
    messages,
    unattached,
    warehouse: warehouseSummaryOf(warehouse.description, results),
  };
}
