/**
 * The scan's work in DuckDB, for comparison: the same files read with
 * read_json (only the fields a fold reads, no validation), every message's
 * latest status by the status rules' rank and times, its creation time and
 * the newest time the archive heard of it. Prints JSON figures.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { RANK_SQL } from './duckdbRank';

async function main(): Promise<void> {
  const [archive] = process.argv.slice(2);
  const started = process.hrtime.bigint();
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const sql = `
    WITH records AS (
      SELECT * FROM read_json('${archive}/firehose/**/*', format = 'newline_delimited', compression = 'gzip',
        columns = {source: 'VARCHAR', recorded_at: 'VARCHAR', event_at: 'VARCHAR', account_sid: 'VARCHAR', message_sid: 'VARCHAR',
                   status: 'VARCHAR', error_code: 'VARCHAR'})
    ),
    messages AS (
      SELECT message_sid, count(*) AS n,
             arg_max(status, (${RANK_SQL}, event_at IS NOT NULL, event_at, recorded_at)) AS status,
             min(coalesce(event_at, recorded_at)) AS created_at, max(recorded_at) AS newest, min(account_sid) AS account_sid
      FROM records GROUP BY message_sid
    )
    SELECT sum(n) AS records, count(*) FILTER (WHERE message_sid IS NOT NULL) AS messages FROM messages`;
  const [records, messages] = (await c.runAndReadAll(sql)).getRows()[0].map(Number);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(JSON.stringify({ records, messages, ms, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
