import { ArchiveWriter, type WriterEvent } from '../adapters/aws/archiveWriter';
import { ARCHIVE_VARIABLES, readArchiveSettings, type ArchiveSettings } from '../config/archiveSettings';

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
