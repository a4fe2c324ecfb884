import type { Twilio } from 'twilio';
import { ArchiveWriter, type ArchiveWriterDeps } from '../adapters/aws/archiveWriter';
import { InvalidInputError } from '../domain/errors';
import { checkFunctionUrl, DEFAULT_CONNECTION_OVERRIDES, parseConnectionOverrides, type ConnectionOverrides } from '../domain/statusCallbackUrl';
import { ConfigError, readArchiveSettings, readVariable, type ArchiveSettings } from '../config/archiveSettings';
import { RecordedSender } from './recordedSender';

export interface SenderConfig extends ArchiveSettings {
  functionUrl: string;
  overrides: ConnectionOverrides;
  /** ARCHIVE_SPOOL_DIR: the local spool's folder, when set. */
  spoolDir?: string;
}

/**
 * The sender's settings: the Function's own ARCHIVE_* variables (the same
 * stream, credentials and redaction, so both write the same archive the same
 * way), STATUS_CALLBACK_URL (the deployed Function) and, optionally,
 * STATUS_CALLBACK_OVERRIDES (the fragment, e.g. `rc=5&rp=all&tt=15000`) and
 * ARCHIVE_SPOOL_DIR (the local spool's folder).
 */
export function readSenderConfig(env: Record<string, unknown>): SenderConfig {
  const ingest = readArchiveSettings(env);
  const functionUrl = readVariable(env, 'STATUS_CALLBACK_URL') ?? '';
  if (functionUrl === '') throw new ConfigError("STATUS_CALLBACK_URL is not set: it must hold the deployed Function's https URL (see .env.example)");
  const rawOverrides = readVariable(env, 'STATUS_CALLBACK_OVERRIDES') ?? '';
  checked('STATUS_CALLBACK_URL', () => checkFunctionUrl(functionUrl));
  const overrides =
    rawOverrides === '' ? { ...DEFAULT_CONNECTION_OVERRIDES } : checked('STATUS_CALLBACK_OVERRIDES', () => parseConnectionOverrides(rawOverrides));
  const spoolDir = readVariable(env, 'ARCHIVE_SPOOL_DIR');
  return { ...ingest, functionUrl, overrides, ...(spoolDir ? { spoolDir } : {}) };
}

/** Runs a check of one variable's value, turning its InvalidInputError into a ConfigError that names the variable. */
function checked<T>(name: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof InvalidInputError) throw new ConfigError(`${name}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** A RecordedSender from the environment, writing through Firehose with the Function's retry budget and fallback. */
export function recordedSenderFromEnv(client: Twilio, env: Record<string, unknown> = process.env, deps: ArchiveWriterDeps = {}): RecordedSender {
  const config = readSenderConfig(env);
  return new RecordedSender({
    client,
    functionUrl: config.functionUrl,
    overrides: config.overrides,
    redactDigits: config.redactDigits,
    spoolDir: config.spoolDir,
    archive: new ArchiveWriter(config.writer, deps),
  });
}
