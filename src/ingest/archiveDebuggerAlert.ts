import { buildDebuggerRecord } from '../domain/debuggerRecord';
import { jsonLog, openIngest, writeAndAnswer, type IngestAnswer, type Log } from './ingestContext';

/**
 * A Debugger webhook alert, archived: build the record, write it, answer 200
 * once the archive has it. Signed (the Function is protected), so never
 * refused for what it holds; 5xx when it could not be archived, so that
 * Twilio retries.
 */
export async function archiveDebuggerAlert(
  event: Record<string, unknown>,
  env: Record<string, unknown>,
  log: Log = jsonLog,
  now: () => Date = () => new Date(),
): Promise<IngestAnswer> {
  const ingest = openIngest(env, log);
  if ('statusCode' in ingest) return ingest;
  const recordedAt = now();
  const record = buildDebuggerRecord(event, { recordedAt, redactDigits: ingest.config.redactDigits });
  return writeAndAnswer(ingest, record, recordedAt, log, 'debugger alert');
}
