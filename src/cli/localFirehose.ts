/**
 * `twilio-message-archive local-firehose [--port N] [--dir folder] [--stream name] [--gzip]`
 * The local Firehose-compatible endpoint on its own, delivering into a folder
 * in Firehose's key layout: a stand-in for tests of an application that writes
 * to the archive. Prints its URL on the first line of stdout; SIGINT or
 * SIGTERM delivers what it buffers and stops it. The one command that uses
 * the development tools (dev/): loaded only when run.
 */
import { resolve } from 'node:path';
import { defineCommand, UsageError } from './command';

const HELP = `Usage: twilio-message-archive local-firehose [options]      (from a checkout: npm run local-firehose -- …)

Serves Firehose's JSON protocol (PutRecord, PutRecordBatch) on loopback and
delivers what it receives into a folder, in Firehose's S3 key layout, after
the buffer interval. Prints its URL on the first line of stdout. SIGINT or
SIGTERM delivers what is buffered, then stops.

Options:
  --port <n>              Port to listen on. Default: any free port.
  --dir <folder>          Where to deliver. Default: local-archive.
  --stream <name>         The delivery stream's name. Default: message-status-archive.
  --buffer-seconds <n>    Buffer interval. Default: 5.
  --gzip                  Compress delivered objects.
  --quiet                 No log on stderr.
  -h, --help              This text.`;

function whole(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number ≥ 0, not "${value}"`);
  return n;
}

export const command = defineCommand({
  name: 'local-firehose',
  help: HELP,
  options: {
    port: { type: 'string', default: '0' },
    dir: { type: 'string', default: 'local-archive' },
    stream: { type: 'string', default: 'message-status-archive' },
    'buffer-seconds': { type: 'string', default: '5' },
    gzip: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
  body: async (values, io) => {
    // Before anything is printed: a caller may signal as soon as it reads the URL.
    const stop = io.stop;
    const port = whole(values.port, 'port');
    const intervalMs = whole(values['buffer-seconds'], 'buffer-seconds') * 1000;
    const [{ FolderDestination }, { LocalFirehose }] = await Promise.all([
      import('../../dev/firehose/destinations'),
      import('../../dev/firehose/localFirehose'),
    ]);
    const firehose = new LocalFirehose({
      streamNames: [values.stream],
      destination: new FolderDestination(resolve(values.dir)),
      gzip: values.gzip,
      hints: { intervalMs },
      port,
      log: values.quiet ? undefined : (line) => io.err(line),
    });
    io.out(await firehose.start());
    if (!stop.aborted) await new Promise<void>((stopped) => stop.addEventListener('abort', () => stopped(), { once: true }));
    await firehose.stop();
    return 0;
  },
});
