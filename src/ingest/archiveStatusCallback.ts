import { toArchiveLine } from '../domain/archiveRecord';
import { buildCallbackRecord } from '../domain/callbackRecord';
import { RecordTooLargeError } from '../domain/errors';
import { ArchiveWriter, ArchiveWriteError, type WriterEvent } from '../adapters/aws/archiveWriter';
import { ConfigError, ARCHIVE_VARIABLES, readArchiveSettings, type ArchiveSettings } from '../config/archiveSettings';

/** What the Function answers. */
export interface CallbackAnswer {
  statusCode: number;
  /** Empty on success: Twilio ignores a status callback's body. */
  body: string;
}

export type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** One JSON line per event, never with a phone number or a secret in it. */
export const jsonLog: Log = (level, message, fields = {}) => {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === 'info') console.log(line);
  else if (level === 'warn') console.warn(line);
  else console.error(line);
};

interface Ingest {
  config: ArchiveSettings;
  writer: ArchiveWriter;
}

/**
 * One writer (and so one Firehose client with its keep-alive connections) per
 * warm container, rebuilt only if the settings change.
 */
let cached: { key: string; ingest: Ingest } | undefined;
/** The log of the invocation under way: the cached writer outlives the invocation that made it. */
let currentLog: Log = jsonLog;

function ingestFor(env: Record<string, unknown>): Ingest {
  // The raw values are the cache key: reading and checking the settings happens once per container, not per callback.
  const key = ARCHIVE_VARIABLES.map((name) => (typeof env[name] === 'string' ? env[name] : '')).join('\u0000');
  if (cached?.key !== key) {
    const config = readArchiveSettings(env);
    const onEvent = (event: WriterEvent) => currentLog('warn', `archive write: ${event.type}`, { ...event });
    cached = { key, ingest: { config, writer: new ArchiveWriter(config.writer, { onEvent }) } };
  }
  return cached.ingest;
}

function errorAnswer(statusCode: number, message: string): CallbackAnswer {
  return { statusCode, body: JSON.stringify({ error: { message } }) };
}

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
  currentLog = log;
  let ingest: Ingest;
  try {
    ingest = ingestFor(env);
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

function headerOf(event: Record<string, unknown>, name: string): string | null {
  const request = event.request as { headers?: Record<string, unknown> } | undefined;
  const value = request?.headers?.[name];
  return typeof value === 'string' && value !== '' ? value : null;
}
