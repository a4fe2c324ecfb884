/**
 * `npm start`: the local stack. Ctrl-C (or SIGTERM) stops it gracefully and
 * delivers whatever the local Firehose still buffers.
 */
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadLocalSettings } from '../dev/localSettings';
import { startLocalStack } from '../dev/localStack';

async function main(): Promise<void> {
  const projectRoot = join(__dirname, '..');
  const { values } = parseArgs({ options: { 'env-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(
      'Usage: npm start [-- --env-file <file>]\nSettings come from the process environment first (PORT=8080 npm start), then from\n--env-file, else .env, else .env.example.',
    );
    return;
  }
  const { file, settings, fromProcess } = loadLocalSettings(projectRoot, values['env-file'] && resolve(values['env-file']));
  const log = (line: string) => console.error(line);
  // Names only: values may be secrets.
  log(`settings from ${relative(projectRoot, file)}${fromProcess.length ? `, overridden by the environment's ${fromProcess.join(', ')}` : ''}`);
  const stack = await startLocalStack({ projectRoot, settings, log });

  console.log(`
Local stack running.
  Status callback:  ${stack.url}/status-callback   (X-Twilio-Signature checked with AUTH_TOKEN)
  Event Streams:    ${stack.url}/event-stream    (webhook sink; the Function checks the bodySHA256 signature with AUTH_TOKEN)
  Local Firehose:   ${stack.firehose.url}   (stream "${settings.ARCHIVE_FIREHOSE_STREAM}")
  Archive lands in: ${stack.destination.description}
Send signed sample callbacks:  npm run send-samples
Stop with Ctrl-C: buffered records are delivered first.
`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping; delivering ${stack.firehose.pendingRecords} buffered record(s)…`);
    await stack.stop();
    log(`stopped. Archive: ${stack.destination.description}`);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${(error as Error).message}`);
  process.exit(1);
});
