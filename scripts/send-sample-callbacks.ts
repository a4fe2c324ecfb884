/**
 * `npm run send-samples [-- --url <callback URL>] [--env-file <file>]`:
 * posts signed sample status callbacks, then one signed Event Streams
 * delivery (a batch of status and inbound events), to the running local
 * stack, signed with the AUTH_TOKEN of the same settings `npm start` uses.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { postSignedDelivery, sampleEventStreamDelivery } from '../dev/eventStreamSamples';
import { loadLocalSettings } from '../dev/localSettings';
import { postSignedCallback, sampleCallbacks, sampleDebuggerAlert } from '../dev/signedCallbacks';

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
  const base = `http://localhost:${settings.PORT || 3000}`;
  const url = values.url ?? `${base}/status-callback?order_id=sample-${Date.now()}`;
  let failures = 0;
  const callbacks = sampleCallbacks(settings.ACCOUNT_SID);
  for (const params of callbacks) {
    const response = await postSignedCallback(url, params, settings.AUTH_TOKEN).catch((error: Error) => error);
    const outcome = response instanceof Error ? `failed: ${response.message}` : `HTTP ${response.status}`;
    if (response instanceof Error || !response.ok) failures++;
    console.log(`${params.MessageSid} ${params.MessageStatus.padEnd(11)} → ${outcome}`);
  }
  // A Debugger alert about the undelivered MMS above (its error code, 30003, is in the payload).
  const alertSid = callbacks.find((p) => p.MessageStatus === 'undelivered')!.MessageSid;
  const debuggerUrl = values.url ? new URL('/debugger', values.url).href : `${base}/debugger`;
  const alert = await postSignedCallback(debuggerUrl, sampleDebuggerAlert(settings.ACCOUNT_SID, alertSid), settings.AUTH_TOKEN).catch((error: Error) => error);
  if (alert instanceof Error || !alert.ok) failures++;
  console.log(`Debugger alert about ${alertSid} → ${alert instanceof Error ? `failed: ${alert.message}` : `HTTP ${alert.status}`}`);

  const sinkUrl = values.url ? new URL('/event-stream', values.url).href : `${base}/event-stream`;
  const events = sampleEventStreamDelivery(settings.ACCOUNT_SID);
  const delivery = await postSignedDelivery(sinkUrl, events, settings.AUTH_TOKEN).catch((error: Error) => error);
  if (delivery instanceof Error || !delivery.ok) failures++;
  console.log(`Event Streams delivery of ${events.length} events → ${delivery instanceof Error ? `failed: ${delivery.message}` : `HTTP ${delivery.status}`}`);
  console.log(
    failures === 0
      ? 'All callbacks, the alert and the events archived. Records appear in the archive after the buffer interval.'
      : `${failures} request(s) failed: is \`npm start\` running?`,
  );
  return failures === 0 ? 0 : 1;
}

void main().then((code) => process.exit(code));
