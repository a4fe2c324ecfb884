/**
 * `npm run send-samples [-- --url <callback URL>] [--env-file <file>]`:
 * posts signed sample status callbacks to the running local stack, signed
 * with the AUTH_TOKEN of the same settings `npm start` uses.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadLocalSettings } from '../dev/localSettings';
import { postSignedCallback, sampleCallbacks } from '../dev/signedCallbacks';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, 'env-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(
      'Usage: npm run send-samples [-- --url <callback URL>] [--env-file <file>]\n' +
        'Default URL: http://localhost:$PORT/status-callback?order_id=sample-<n>; settings from the environment, then --env-file, else .env, else .env.example.',
    );
    return 0;
  }
  const { settings } = loadLocalSettings(join(__dirname, '..'), values['env-file'] && resolve(values['env-file']));
  const url = values.url ?? `http://localhost:${settings.PORT || 3000}/status-callback?order_id=sample-${Date.now()}`;
  let failures = 0;
  for (const params of sampleCallbacks(settings.ACCOUNT_SID)) {
    const response = await postSignedCallback(url, params, settings.AUTH_TOKEN).catch((error: Error) => error);
    const outcome = response instanceof Error ? `failed: ${response.message}` : `HTTP ${response.status}`;
    if (response instanceof Error || !response.ok) failures++;
    console.log(`${params.MessageSid} ${params.MessageStatus.padEnd(11)} → ${outcome}`);
  }
  console.log(
    failures === 0
      ? 'All callbacks archived. Records appear in the archive after the buffer interval.'
      : `${failures} callback(s) failed: is \`npm start\` running?`,
  );
  return failures === 0 ? 0 : 1;
}

void main().then((code) => process.exit(code));
