/**
 * One stale scan by `poll-stale --engine duckdb` (src/poller/nativePollStale.ts)
 * in its own process, compiled (npm run build) as the installed command runs
 * it, as a dry run (nothing fetched or written): the window [from, to) read,
 * the messages of `from`'s day judged stale or not. Prints {records,
 * messages, stale, ms, maxRssBytes} as JSON.
 */
import { compiled } from './compiled';

const { FolderArchiveStore } = compiled<typeof import('../../src/adapters/archive/archiveStore')>('src/adapters/archive/archiveStore');
const { DEFAULT_ARCHIVE_LAYOUT } = compiled<typeof import('../../src/config/archiveSettings')>('src/config/archiveSettings');
const { pollStaleNatively } = compiled<typeof import('../../src/poller/nativePollStale')>('src/poller/nativePollStale');
const { DEFAULT_DUCKDB_MEMORY } = compiled<typeof import('../../src/cli/command')>('src/cli/command');

async function main(): Promise<void> {
  const [dir, from, to, threads = '1'] = process.argv.slice(2);
  const slackMs = 3_600_000;
  const started = process.hrtime.bigint();
  const summary = await pollStaleNatively({
    store: new FolderArchiveStore(dir),
    layout: DEFAULT_ARCHIVE_LAYOUT,
    allowEmpty: false,
    // The scan reads [since - slack, now]: the same hour folders as scanOnce's window.
    criteria: { since: new Date(Date.parse(from) + slackMs), now: new Date(to), olderThanMs: 12 * 3_600_000 },
    slackMs,
    fetcher: { fetch: () => Promise.reject(new Error('a dry run fetches nothing')) },
    appender: null,
    concurrency: 1,
    threads: Number(threads),
    memoryLimit: DEFAULT_DUCKDB_MEMORY,
    redactDigits: 0,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!summary.archive_read.complete) throw new Error(`scan incomplete: ${JSON.stringify(summary.archive_read.problems.slice(0, 3))}`);
  console.log(
    JSON.stringify({
      records: summary.counts.scanned_records,
      messages: summary.counts.messages,
      stale: summary.counts.stale,
      ms,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
