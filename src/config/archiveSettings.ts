import { DEFAULT_FALLBACK_PREFIX } from '../domain/archiveLayout';

/** A setting is missing or malformed. Names the variable and what it expects. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface AwsAccess {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface ArchiveWriterConfig extends AwsAccess {
  streamName: string;
  /** Endpoint override for Firehose (the local stack); unset in production. */
  firehoseEndpoint?: string;
  /** Direct-to-S3 fallback for records Firehose would not take; unset: answer 5xx so Twilio retries. */
  fallback?: { bucket: string; prefix: string };
  /** Endpoint override for S3 (the local stack); unset in production. */
  s3Endpoint?: string;
  /** Time for the whole write, Firehose retries and fallback included. */
  budgetMs: number;
  /** Time for one Firehose attempt. */
  attemptTimeoutMs: number;
}

export interface IngestConfig {
  writer: ArchiveWriterConfig;
  /** Trailing digits of each phone number masked in records (0: none). */
  redactDigits: number;
}

/** Defaults chosen to end well inside the Functions' 10-second limit. */
export const DEFAULT_WRITE_BUDGET_MS = 7000;
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 2000;
const MAX_WRITE_BUDGET_MS = 8500;

type Env = Record<string, unknown>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function required(env: Env, name: string, what: string): string {
  const value = read(env, name);
  if (value === undefined) throw new ConfigError(`${name} is not set: it must hold ${what} (see .env.example)`);
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = read(env, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  }
  return n;
}

function url(env: Env, name: string): string | undefined {
  const value = read(env, name);
  if (value !== undefined && !/^https?:\/\/[^/]+/.test(value)) {
    throw new ConfigError(`${name} must be an http(s) URL, not "${value}"`);
  }
  return value;
}

/** `s3://bucket/prefix/` → bucket and prefix (prefix ends with `/` unless empty). */
export function parseS3Uri(value: string, name: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(value);
  if (!match) throw new ConfigError(`${name} must look like s3://bucket/prefix/, not "${value}"`);
  let prefix = match[2] ?? '';
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  return { bucket: match[1], prefix };
}

/**
 * AWS access from the project's own variable names: Twilio Functions run on
 * AWS Lambda, where `AWS_*` names are reserved, and a Function must never pick
 * up the platform's ambient credentials.
 */
export function readAwsAccess(env: Env): AwsAccess {
  const sessionToken = read(env, 'ARCHIVE_AWS_SESSION_TOKEN');
  return {
    region: required(env, 'ARCHIVE_AWS_REGION', 'the AWS region of the delivery stream, e.g. us-east-1'),
    credentials: {
      accessKeyId: required(env, 'ARCHIVE_AWS_ACCESS_KEY_ID', 'the access key id of the IAM user that may put records'),
      secretAccessKey: required(env, 'ARCHIVE_AWS_SECRET_ACCESS_KEY', 'that IAM user\'s secret access key'),
      ...(sessionToken ? { sessionToken } : {}),
    },
  };
}

/** Every variable readIngestConfig reads: a change in any of them is a change of settings. */
export const INGEST_VARIABLES = [
  'ARCHIVE_AWS_REGION',
  'ARCHIVE_AWS_ACCESS_KEY_ID',
  'ARCHIVE_AWS_SECRET_ACCESS_KEY',
  'ARCHIVE_AWS_SESSION_TOKEN',
  'ARCHIVE_FIREHOSE_STREAM',
  'ARCHIVE_FIREHOSE_ENDPOINT',
  'ARCHIVE_FALLBACK_S3_URI',
  'ARCHIVE_S3_ENDPOINT',
  'ARCHIVE_WRITE_BUDGET_MS',
  'ARCHIVE_ATTEMPT_TIMEOUT_MS',
  'ARCHIVE_REDACT_DIGITS',
] as const;

/** Reads the ingest settings from a Function's `context` (or any env-like map). */
export function readIngestConfig(env: Env): IngestConfig {
  const fallbackUri = read(env, 'ARCHIVE_FALLBACK_S3_URI');
  const fallback = fallbackUri ? parseS3Uri(fallbackUri, 'ARCHIVE_FALLBACK_S3_URI') : undefined;
  if (fallback && fallback.prefix === '') fallback.prefix = DEFAULT_FALLBACK_PREFIX;
  return {
    writer: {
      ...readAwsAccess(env),
      streamName: required(env, 'ARCHIVE_FIREHOSE_STREAM', 'the name of the Firehose delivery stream'),
      firehoseEndpoint: url(env, 'ARCHIVE_FIREHOSE_ENDPOINT'),
      fallback,
      s3Endpoint: url(env, 'ARCHIVE_S3_ENDPOINT'),
      budgetMs: integer(env, 'ARCHIVE_WRITE_BUDGET_MS', DEFAULT_WRITE_BUDGET_MS, 500, MAX_WRITE_BUDGET_MS),
      attemptTimeoutMs: integer(env, 'ARCHIVE_ATTEMPT_TIMEOUT_MS', DEFAULT_ATTEMPT_TIMEOUT_MS, 100, MAX_WRITE_BUDGET_MS),
    },
    redactDigits: readRedactDigits(env),
  };
}

/** ARCHIVE_REDACT_DIGITS: trailing digits masked in every phone number (0–15, default 0). */
export function readRedactDigits(env: Env): number {
  return integer(env, 'ARCHIVE_REDACT_DIGITS', 0, 0, 15);
}
