/**
 * The stale-message scan (src/domain/staleness.ts, classifyMessage) as SQL,
 * for `poll-stale --engine athena`: messages created in [:since, :until)
 * whose archived status is not final, that no earlier poll found missing at
 * Twilio, and that the archive has heard nothing of for :older_than_ms before
 * :now. Over the same `messages` table as the reconciliation's categories,
 * so the status rules are the same ones.
 */
import { archiveLineTables, type LineFactsFrom } from './archiveLines';
import { isFinal, messageTables } from './categories';
import type { SqlDialect } from './dialect';

/**
 * One statement: a first row (no SID) counting every message of the window's
 * archive, then one row per stale message with its account, in SID order.
 */
export function staleMessagesStatement(d: SqlDialect, from: LineFactsFrom = 'lines'): string {
  const inputs = archiveLineTables(d, from).filter(([name]) => name !== 'twilio_rows');
  const tables = [...inputs, ...messageTables(d)].map(([name, body]) => `${name} AS (${body})`).join(',\n');
  return `WITH ${tables}
SELECT CAST(NULL AS VARCHAR) AS sid, CAST(NULL AS VARCHAR) AS account_sid, count(*) AS messages FROM messages
UNION ALL
SELECT message_sid AS sid, account_sid, CAST(NULL AS BIGINT) AS messages
FROM messages
WHERE created_ms >= ${d.epochMs(':since')} AND created_ms < ${d.epochMs(':until')}
  AND NOT coalesce(${isFinal('status')}, false)
  AND NOT coalesce(not_found, false)
  AND ${d.epochMs(':now')} - newest_recorded_ms >= :older_than_ms
ORDER BY sid NULLS FIRST`;
}
