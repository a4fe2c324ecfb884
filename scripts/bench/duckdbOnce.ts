/**
 * The same reconciliation's core in DuckDB, for comparison: the latest status
 * per message by the status rules' rank, then Twilio's list anti-joined and
 * compared against it. Prints JSON figures.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { RANK_SQL } from './duckdbRank';

async function main(): Promise<void> {
  const [archive, exportFile] = process.argv.slice(2);
  const started = process.hrtime.bigint();
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const sql = `
    WITH records AS (
      SELECT message_sid, status, recorded_at, event_at FROM read_json('${archive}/firehose/**/*', format = 'newline_delimited', compression = 'gzip',
        columns = {message_sid: 'VARCHAR', status: 'VARCHAR', recorded_at: 'VARCHAR', event_at: 'VARCHAR'})
    ),
    latest AS (
      SELECT message_sid, arg_max(status, (${RANK_SQL}, event_at IS NOT NULL, event_at, recorded_at)) AS status FROM records WHERE message_sid IS NOT NULL GROUP BY message_sid
    ),
    twilio AS (
      SELECT sid, status FROM read_json('${exportFile}', format = 'newline_delimited', compression = 'gzip', columns = {sid: 'VARCHAR', status: 'VARCHAR'})
    )
    SELECT count(*) FILTER (WHERE l.message_sid IS NULL) AS missing,
           count(*) FILTER (WHERE l.message_sid IS NOT NULL AND l.status <> t.status) AS differ,
           count(*) AS listed
    FROM twilio t LEFT JOIN latest l ON l.message_sid = t.sid`;
  const rows = (await c.runAndReadAll(sql)).getRows();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const [missing, differ, listed] = rows[0].map(Number);
  console.log(JSON.stringify({ ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, missing, differ, listed }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
