/**
 * One reconciliation in its own process (so its peak RSS is its own, the
 * worker threads' included), by the engine named (local, or duckdb: DuckDB
 * reading the archive itself, src/reconcile/nativeReconcile.ts, within the
 * memory limit given or the command's default) and the threads given, compiled (npm run build) as the installed command runs it;
 * prints JSON figures.
 */
import { compiled } from './compiled';

const { FolderArchiveStore } = compiled<typeof import('../../src/adapters/archive/archiveStore')>('src/adapters/archive/archiveStore');
const { readExportFile } = compiled<typeof import('../../src/adapters/twilioExport/exportFileReader')>('src/adapters/twilioExport/exportFileReader');
const { DEFAULT_ARCHIVE_LAYOUT } = compiled<typeof import('../../src/config/archiveSettings')>('src/config/archiveSettings');
const { reconcile } = compiled<typeof import('../../src/reconcile/reconcile')>('src/reconcile/reconcile');
const { reconcileNatively } = compiled<typeof import('../../src/reconcile/nativeReconcile')>('src/reconcile/nativeReconcile');
const { DEFAULT_DUCKDB_MEMORY } = compiled<typeof import('../../src/cli/command')>('src/cli/command');

async function main(): Promise<void> {
  const [archive, exportFile, day, engine = 'local', threads = '1', memoryLimit = DEFAULT_DUCKDB_MEMORY] = process.argv.slice(2);
  const run = engine === 'duckdb' ? reconcileNatively : reconcile;
  const from = new Date(`${day}T00:00:00.000Z`);
  const started = process.hrtime.bigint();
  let gaps = 0;
  const summary = await run({
    store: new FolderArchiveStore(archive),
    layout: DEFAULT_ARCHIVE_LAYOUT,
    allowEmpty: false,
    from,
    to: new Date(from.getTime() + 86_400_000),
    slackMs: 3_600_000,
    matchWindowMs: 300_000,
    threads: Number(threads),
    direction: 'outbound',
    twilioList: (onRow) => readExportFile(exportFile, onRow),
    twilioListDescription: exportFile,
    appender: null,
    redactDigits: 0,
    onGap: () => void gaps++,
    ...(engine === 'duckdb' ? { memoryLimit } : {}),
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(
    JSON.stringify({
      ms,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      missing: summary.counts.missing,
      behind: summary.counts.status_behind,
      ok: summary.counts.ok,
      gaps,
      partial: summary.partial,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
