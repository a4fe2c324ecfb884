/**
 * One archive scan in its own process, so that its peak RSS is its own (the
 * worker threads' included): the compiled reader (npm run build), as the
 * installed command runs it. Prints {records, messages, ms, bytesRead,
 * bytesDecoded, maxRssBytes} as JSON.
 */
import { compiled } from './compiled';

const { FolderArchiveStore } = compiled<typeof import('../../src/adapters/archive/archiveStore')>('src/adapters/archive/archiveStore');
const { scanArchive } = compiled<typeof import('../../src/adapters/archive/archiveScanner')>('src/adapters/archive/archiveScanner');
const { DEFAULT_ARCHIVE_LAYOUT, prefixesForWindow } = compiled<typeof import('../../src/config/archiveSettings')>('src/config/archiveSettings');
const { MessageStates } = compiled<typeof import('../../src/domain/messageState')>('src/domain/messageState');

async function main(): Promise<void> {
  const [dir, from, to, threads = '1'] = process.argv.slice(2);
  const prefixes = prefixesForWindow(DEFAULT_ARCHIVE_LAYOUT, new Date(from), new Date(to));
  const states = new MessageStates();
  const started = process.hrtime.bigint();
  const report = await scanArchive(new FolderArchiveStore(dir), { prefixes, states, threads: Number(threads) });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!report.complete) throw new Error(`scan incomplete: ${JSON.stringify(report.problems.slice(0, 3))}`);
  console.log(
    JSON.stringify({
      records: report.records,
      messages: states.size,
      ms,
      bytesRead: report.bytesRead,
      bytesDecoded: report.bytesDecoded,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
