/**
 * `npm run local-firehose -- [--port N] [--dir folder] [--stream name] [--gzip]`:
 * the local Firehose endpoint on its own, delivering into a folder. Prints
 * its URL on the first line of stdout; SIGTERM/SIGINT deliver and stop.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FolderDestination } from '../dev/firehose/destinations';
import { LocalFirehose } from '../dev/firehose/localFirehose';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      dir: { type: 'string', default: 'local-archive' },
      stream: { type: 'string', default: 'message-status-archive' },
      'buffer-seconds': { type: 'string', default: '5' },
      gzip: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  });
  const firehose = new LocalFirehose({
    streamNames: [values.stream],
    destination: new FolderDestination(resolve(values.dir)),
    gzip: values.gzip,
    hints: { intervalMs: Number(values['buffer-seconds']) * 1000 },
    port: Number(values.port),
    log: values.quiet ? undefined : (line) => console.error(line),
  });
  console.log(await firehose.start());
  const stop = async () => {
    await firehose.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
