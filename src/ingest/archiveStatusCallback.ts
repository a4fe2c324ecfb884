import { buildCallbackRecord } from '../domain/callbackRecord';
import { headerOf, jsonLog, openIngest, writeAndAnswer, type IngestAnswer, type Log } from './ingestContext';

export type { Log } from './ingestContext';
/** What the Function answers. */
export type CallbackAnswer = IngestAnswer;

/**
 * The whole callback path: build the record, write it, and answer 200 only
 * once the archive has acknowledged it. The callback is signed (the Function
 * is protected), so it is never refused for what it holds: whatever is odd is
 * archived with the record's `problems`. Only a record too large for Firehose
 * with no fallback to take it is answered 413. Anything that kept the record
 * out of the archive: 5xx, so Twilio retries.
 */
export async function archiveStatusCallback(
  event: Record<string, unknown>,
  env: Record<string, unknown>,
  log: Log = jsonLog,
  now: () => Date = () => new Date(),
): Promise<CallbackAnswer> {
  const ingest = openIngest(env, log);
  if ('statusCode' in ingest) return ingest;
  const recordedAt = now();
  const record = buildCallbackRecord(event, {
    recordedAt,
    idempotencyToken: headerOf(event, 'i-twilio-idempotency-token'),
    redactDigits: ingest.config.redactDigits,
  });
  return writeAndAnswer(ingest, record, recordedAt, log, 'callback');
}
