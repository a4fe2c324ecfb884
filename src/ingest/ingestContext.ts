import { ArchiveWriter, ArchiveWriteError, type WriterEvent } from '../adapters/aws/archiveWriter';
import { ARCHIVE_VARIABLES, ConfigError, readArchiveSettings, type ArchiveSettings } from '../config/archiveSettings';
import { toArchiveLine, type ArchiveRecord } from '../domain/archiveRecord';
import { RecordTooLargeError } from '../domain/errors';

/** What a Function answers. */
export interface IngestAnswer {
  statusCode: number;
  /** Empty on success: Twilio ignores the body of an answer to a callback or a delivery. */
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

export interface Ingest {
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

/** The container's writer for these settings, logging through `log` from now on. Throws ConfigError. */
export function ingestFor(env: Record<string, unknown>, log: Log): Ingest {
  currentLog = log;
  // The raw values are the cache key: reading and checking the settings happens once per container, not per request.
  const key = ARCHIVE_VARIABLES.map((name) => (typeof env[name] === 'string' ? env[name] : '')).join('\u0000');
  if (cached?.key !== key) {
    const config = readArchiveSettings(env);
    const onEvent = (event: WriterEvent) => currentLog('warn', `archive write: ${event.type}`, { ...event });
    cached = { key, ingest: { config, writer: new ArchiveWriter(config.writer, { onEvent }) } };
  }
  return cached.ingest;
}

export function errorAnswer(statusCode: number, message: string): IngestAnswer {
  return { statusCode, body: JSON.stringify({ error: { message } }) };
}

/** A request header as the Functions runtime passes it (`event.request.headers`, lower-case names). */
export function headerOf(event: Record<string, unknown>, name: string): string | null {
  const request = event.request as { headers?: Record<string, unknown> } | undefined;
  const value = request?.headers?.[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The container's ingest, or the 500 a misconfigured Function answers (the log names the variable). */
export function openIngest(env: Record<string, unknown>, log: Log): Ingest | IngestAnswer {
  try {
    return ingestFor(env, log);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log('error', 'ingest is misconfigured', { error: error.message });
    return errorAnswer(500, 'the archive is not configured; see the Function logs');
  }
}

/**
 * Writes one record (a callback, an alert) and answers as its Function must:
 * 200 once the archive has acknowledged it; 413 when it is too large for
 * Firehose and no fallback takes it; 503 when it could not be archived, so
 * that Twilio retries. `what` names the record in the log, which never holds
 * a number: only SIDs, keys and counts.
 */
export async function writeAndAnswer(ingest: Ingest, record: ArchiveRecord, recordedAt: Date, log: Log, what: string): Promise<IngestAnswer> {
  const messageSid = record.message_sid;
  // The problems name parameters, never their values: no number reaches the log.
  if (record.problems) log('warn', `${what} archived with problems`, { message_sid: messageSid, problems: record.problems });
  try {
    const outcome = await ingest.writer.write(toArchiveLine(record), recordedAt);
    if (outcome.destination === 'fallback') log('warn', `${what} archived through the S3 fallback`, { message_sid: messageSid, key: outcome.reference });
    return { statusCode: 200, body: '' };
  } catch (error) {
    if (error instanceof RecordTooLargeError) {
      log('warn', `${what} refused: too large for Firehose, and no fallback is configured`, { message_sid: messageSid, size_bytes: error.sizeBytes });
      return errorAnswer(413, error.message);
    }
    if (!(error instanceof ArchiveWriteError)) throw error;
    log('error', `${what} not archived; answering 503 so that Twilio retries`, { message_sid: messageSid, attempts: error.attempts, error: error.message });
    return errorAnswer(503, 'the record could not be archived; retry later');
  }
}
