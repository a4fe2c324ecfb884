/** One reconciliation in its own process (so its peak RSS is its own), by the engine named (local or duckdb); prints JSON figures. */
import { FolderArchiveStore } from '../../src/adapters/archive/archiveStore';
import { readExportFile } from '../../src/adapters/twilioExport/exportFileReader';
import { DEFAULT_ARCHIVE_LAYOUT } from '../../src/config/archiveSettings';
import { reconcile } from '../../src/reconcile/reconcile';
import { reconcileWithDuckDb } from '../../src/reconcile/sqlReconcile';

async function main(): Promise<void> {
  const [archive, exportFile, day, engine = 'local'] = process.argv.slice(2);
  const run = engine === 'duckdb' ? reconcileWithDuckDb : reconcile;
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
    direction: 'outbound',
    twilioList: (onRow) => readExportFile(exportFile, onRow),
    twilioListDescription: exportFile,
    appender: null,
    redactDigits: 0,
    onGap: () => void gaps++,
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
