import { toArchiveLine } from '../domain/archiveRecord';
import { buildCallbackRecord } from '../domain/callbackRecord';
import { RecordTooLargeError } from '../domain/errors';
import { ArchiveWriteError } from '../adapters/aws/archiveWriter';
import { ConfigError } from '../config/archiveSettings';
import { errorAnswer, headerOf, ingestFor, jsonLog, type IngestAnswer, type Ingest, type Log } from './ingestContext';

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
  let ingest: Ingest;
  try {
    ingest = ingestFor(env, log);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log('error', 'ingest is misconfigured', { error: error.message });
    return errorAnswer(500, 'the archive is not configured; see the Function logs');
  }

  const recordedAt = now();
  const record = buildCallbackRecord(event, {
    recordedAt,
    idempotencyToken: headerOf(event, 'i-twilio-idempotency-token'),
    redactDigits: ingest.config.redactDigits,
  });
  const messageSid = record.message_sid;
  // The problems name parameters, never their values: no number reaches the log.
  if (record.problems) log('warn', 'callback archived with problems', { message_sid: messageSid, problems: record.problems });

  try {
    const outcome = await ingest.writer.write(toArchiveLine(record), recordedAt);
    if (outcome.destination === 'fallback') {
      log('warn', 'callback archived through the S3 fallback', { message_sid: messageSid, key: outcome.reference });
    }
    return { statusCode: 200, body: '' };
  } catch (error) {
    if (error instanceof RecordTooLargeError) {
      log('warn', 'callback refused: too large for Firehose, and no fallback is configured', { message_sid: messageSid, size_bytes: error.sizeBytes });
      return errorAnswer(413, error.message);
    }
    if (!(error instanceof ArchiveWriteError)) throw error;
    log('error', 'callback not archived; answering 503 so that Twilio retries', {
      message_sid: messageSid,
      attempts: error.attempts,
      error: error.message,
    });
    return errorAnswer(503, 'the record could not be archived; retry later');
  }
}
