import { DEFAULT_DIRECT_PREFIX, DEFAULT_EVENTS_PREFIX, DEFAULT_FALLBACK_PREFIX, DEFAULT_FIREHOSE_PREFIX, keyPrefixProblem } from '../domain/archiveLayout';
import { hourFoldersBetween } from '../domain/archiveWindow';

/** A setting is missing or malformed. Names the variable and what it expects. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface AwsAccess {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** An S3 bucket and a key prefix within it ('' or ending in `/`). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

export interface ArchiveWriterSettings extends AwsAccess {
  streamName: string;
  /** Endpoint override for Firehose (the local stack); unset in production. */
  firehoseEndpoint?: string;
  /** Direct-to-S3 fallback for records Firehose would not take (inside the archive); unset: answer 5xx so Twilio retries. */
  fallback?: S3Location;
  /** Endpoint override for S3 (the local stack); unset in production. */
  s3Endpoint?: string;
  /** Time for the whole write, Firehose retries and fallback included. */
  budgetMs: number;
  /** Time for one Firehose attempt. */
  attemptTimeoutMs: number;
}

export interface ArchiveSettings {
  writer: ArchiveWriterSettings;
  /** Where each kind of record lives in the archive. */
  layout: ArchiveLayout;
  /** Trailing digits of each phone number masked in records (0: none). */
  redactDigits: number;
}

/** Defaults chosen to end well inside the Functions' 10-second limit. */
export const DEFAULT_WRITE_BUDGET_MS = 7000;
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 2000;
const MAX_WRITE_BUDGET_MS = 8500;
/** Time the writer keeps back from the Firehose retries for the fallback write, when there is one. */
export const FALLBACK_RESERVE_MS = 2000;
/** A Firehose attempt shorter than this is not worth starting. */
export const MIN_ATTEMPT_MS = 100;

type Env = Record<string, unknown>;

/** The one way a variable is read: trimmed, and undefined when unset or blank. */
export function readVariable(env: Env, name: string): string | undefined {
  const value = env[name];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function required(env: Env, name: string, what: string): string {
  const value = readVariable(env, name);
  if (value === undefined) throw new ConfigError(`${name} is not set: it must hold ${what} (see .env.example)`);
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = readVariable(env, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  }
  return n;
}

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * An endpoint override: https, or http to a loopback host (a local stand-in).
 * Plain http elsewhere would send signed requests and records in the clear.
 */
function endpoint(env: Env, name: string): string | undefined {
  const value = readVariable(env, name);
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an https URL (or http to localhost), not "${value}"`);
  }
  const loopback = LOOPBACK_HOSTS.test(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw new ConfigError(`${name} must be https unless its host is loopback (localhost, 127.0.0.1, [::1]), not "${value}"`);
  }
  return value;
}

/**
 * `s3://bucket/prefix/` → bucket and prefix (ending with `/` unless empty).
 * The scheme is read in any case (`S3://` is S3, not a folder); the bucket
 * must be a valid bucket name; a prefix with a `.`, `..` or empty segment is
 * refused. The one parser of S3 URIs in the project.
 */
export function parseS3Uri(value: string, name: string): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(value.replace(/^s3:/i, 's3:'));
  if (!match) throw new ConfigError(`${name} must look like s3://bucket/prefix/, not "${value}"`);
  let prefix = match[2] ?? '';
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  const problem = keyPrefixProblem(prefix);
  if (problem !== null) {
    // S3 keeps `..` as two characters of a key, but a folder archive (and the
    // prefix arithmetic that checks a location lies inside the archive) would
    // climb out of the root with it: never a location of this project.
    throw new ConfigError(`${name} ${value} has ${problem}: name the location plainly, each segment a folder name (e.g. s3://${match[1]}/archive/)`);
  }
  return { bucket: match[1], prefix };
}

/** Where an archive is: an S3 bucket and root prefix, or a local folder with the same layout. */
export type ArchiveLocation = ({ kind: 's3' } & S3Location) | { kind: 'folder'; path: string };

/**
 * `--archive`: `s3://…` (any case) is S3; anything else beginning `s3:` is a
 * mistyped URI, refused rather than read as a local folder called `s3:`.
 * Whether a folder exists is checked where it is opened.
 */
export function parseArchiveLocation(value: string, name = '--archive'): ArchiveLocation {
  if (/^s3:\/\//i.test(value)) return { kind: 's3', ...parseS3Uri(value, name) };
  if (/^s3:/i.test(value)) throw new ConfigError(`${name} "${value}" begins with s3: but is not an S3 URI: write s3://bucket/prefix/`);
  if (value.trim() === '') throw new ConfigError(`${name} is empty: give s3://bucket/prefix/ or a folder`);
  return { kind: 'folder', path: value };
}

/**
 * Where each kind of record lives, relative to the archive root. Readers list
 * all three; a record written anywhere else would never be read.
 */
export interface ArchiveLayout {
  /** The delivery stream's S3 prefix (ARCHIVE_FIREHOSE_PREFIX). */
  firehose: string;
  /** Where the Function's direct-to-S3 fallback writes (from ARCHIVE_FALLBACK_S3_URI). */
  fallback: string;
  /** Where commands append straight into the archive (ARCHIVE_DIRECT_PREFIX). */
  direct: string;
  /** Where the Kinesis path delivers Event Streams' CloudEvents, read through the same mapping as /event-stream's (ARCHIVE_EVENTS_PREFIX). */
  events: string;
}

/** The layout when no variable says otherwise. */
export const DEFAULT_ARCHIVE_LAYOUT: Readonly<ArchiveLayout> = {
  firehose: DEFAULT_FIREHOSE_PREFIX,
  fallback: DEFAULT_FALLBACK_PREFIX,
  direct: DEFAULT_DIRECT_PREFIX,
  events: DEFAULT_EVENTS_PREFIX,
};

/** The prefixes a reader lists, each followed by hour folders. */
export function archivePrefixes(layout: ArchiveLayout): string[] {
  return [layout.firehose, layout.fallback, layout.direct, layout.events];
}

/** Every key prefix a reader lists to see what arrived between `from` and `to`: each layout prefix, each hour folder. */
export function prefixesForWindow(layout: ArchiveLayout, from: Date, to: Date): string[] {
  const hours = hourFoldersBetween(from, to);
  return archivePrefixes(layout).flatMap((prefix) => hours.map((hour) => prefix + hour));
}

function relativePrefix(env: Env, name: string, fallback: string): string {
  const value = readVariable(env, name) ?? fallback;
  if (!/^([A-Za-z0-9!_.*'()-]+\/)*$/.test(value) || value.split('/').some((part) => part === '.' || part === '..')) {
    throw new ConfigError(`${name} must be a key prefix inside the archive such as "${fallback}" (segments ending in /, no leading /), not "${value}"`);
  }
  return value;
}

const LAYOUT_VARIABLES: Record<keyof ArchiveLayout, string> = {
  firehose: 'ARCHIVE_FIREHOSE_PREFIX',
  fallback: 'ARCHIVE_FALLBACK_S3_URI',
  direct: 'ARCHIVE_DIRECT_PREFIX',
  events: 'ARCHIVE_EVENTS_PREFIX',
};

/**
 * The archive's layout from the environment, and the fallback's S3 location
 * when one is set. The fallback must lie inside the archive root:
 * ARCHIVE_S3_URI when set, else the archive being read (a reader's S3
 * `--archive`). One outside it is refused: the poller and the reconciliation
 * would never read what it writes.
 */
export function readArchiveLayout(env: Env, archiveBeingRead?: ArchiveLocation): ArchiveLayout & { fallbackLocation?: S3Location } {
  const firehose = relativePrefix(env, 'ARCHIVE_FIREHOSE_PREFIX', DEFAULT_FIREHOSE_PREFIX);
  const direct = relativePrefix(env, 'ARCHIVE_DIRECT_PREFIX', DEFAULT_DIRECT_PREFIX);
  const events = relativePrefix(env, 'ARCHIVE_EVENTS_PREFIX', DEFAULT_EVENTS_PREFIX);
  const rootUri = readVariable(env, 'ARCHIVE_S3_URI');
  const root = rootUri ? parseS3Uri(rootUri, 'ARCHIVE_S3_URI') : archiveBeingRead?.kind === 's3' ? archiveBeingRead : undefined;
  const fallbackUri = readVariable(env, 'ARCHIVE_FALLBACK_S3_URI');
  let fallback = DEFAULT_FALLBACK_PREFIX;
  let fallbackLocation: S3Location | undefined;
  if (fallbackUri) {
    fallbackLocation = parseS3Uri(fallbackUri, 'ARCHIVE_FALLBACK_S3_URI');
    if (fallbackLocation.prefix === '') fallbackLocation.prefix = DEFAULT_FALLBACK_PREFIX;
    if (!root) {
      throw new ConfigError(
        'ARCHIVE_FALLBACK_S3_URI is set but ARCHIVE_S3_URI is not: set ARCHIVE_S3_URI to the archive root (the bucket and prefix the stream delivers into), so that the fallback is known to lie inside the archive',
      );
    }
    const inside = fallbackLocation.bucket === root.bucket && fallbackLocation.prefix.startsWith(root.prefix) && fallbackLocation.prefix !== root.prefix;
    if (!inside) {
      throw new ConfigError(
        `ARCHIVE_FALLBACK_S3_URI ${fallbackUri} is outside the archive s3://${root.bucket}/${root.prefix}: the poller and the reconciliation would never read what the fallback writes; point it at a prefix inside the archive, e.g. s3://${root.bucket}/${root.prefix}${DEFAULT_FALLBACK_PREFIX}`,
      );
    }
    fallback = fallbackLocation.prefix.slice(root.prefix.length);
  }
  const layout: ArchiveLayout = { firehose, fallback, direct, events };
  const kinds = Object.keys(layout) as (keyof ArchiveLayout)[];
  for (const [i, a] of kinds.entries()) {
    for (const b of kinds.slice(i + 1)) {
      if (layout[a] === layout[b]) {
        throw new ConfigError(`${LAYOUT_VARIABLES[a]} and ${LAYOUT_VARIABLES[b]} give the same prefix "${layout[a]}": each kind of record needs its own`);
      }
    }
  }
  return fallbackLocation ? { ...layout, fallbackLocation } : layout;
}

/**
 * AWS access from the project's own variable names: Twilio Functions run on
 * AWS Lambda, where `AWS_*` names are reserved, and a Function must never pick
 * up the platform's ambient credentials.
 */
export function readAwsAccess(env: Env): AwsAccess {
  const sessionToken = readVariable(env, 'ARCHIVE_AWS_SESSION_TOKEN');
  return {
    region: required(env, 'ARCHIVE_AWS_REGION', 'the AWS region of the delivery stream, e.g. us-east-1'),
    credentials: {
      accessKeyId: required(env, 'ARCHIVE_AWS_ACCESS_KEY_ID', 'the access key id of the IAM user that may put records'),
      secretAccessKey: required(env, 'ARCHIVE_AWS_SECRET_ACCESS_KEY', "that IAM user's secret access key"),
      ...(sessionToken ? { sessionToken } : {}),
    },
  };
}

/**
 * AWS access for the commands (the poller, the reconciliation): unlike the
 * Function, a command may use the ambient credential chain (a CI role, a
 * profile). ARCHIVE_AWS_* win when set; the endpoint overrides point at
 * local stand-ins, under the same rule as the Function's.
 */
export function readCommandAwsAccess(env: Env): { region: string; credentials?: AwsAccess['credentials']; s3Endpoint?: string; firehoseEndpoint?: string } {
  const accessKeyId = readVariable(env, 'ARCHIVE_AWS_ACCESS_KEY_ID');
  const secretAccessKey = readVariable(env, 'ARCHIVE_AWS_SECRET_ACCESS_KEY');
  const sessionToken = readVariable(env, 'ARCHIVE_AWS_SESSION_TOKEN');
  return {
    region: readVariable(env, 'ARCHIVE_AWS_REGION') ?? readVariable(env, 'AWS_REGION') ?? 'us-east-1',
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
    s3Endpoint: endpoint(env, 'ARCHIVE_S3_ENDPOINT'),
    firehoseEndpoint: endpoint(env, 'ARCHIVE_FIREHOSE_ENDPOINT'),
  };
}

/** Where the Athena engine works (`--engine athena`): the infrastructure's workgroup and database, and where it stages Twilio's list. */
export interface AthenaSettings {
  workGroup: string;
  database: string;
  /** The `twilio_lists` table's location: each run's list goes under `<prefix><run>/`. */
  lists: S3Location;
  /** An Athena endpoint override (a local stand-in); unset in production. */
  endpoint?: string;
}

/** The Athena engine's settings: the infrastructure's CommandsEnvironment output gives each. */
export function readAthenaSettings(env: Env): AthenaSettings {
  const required = (name: string) => {
    const value = readVariable(env, name);
    if (!value) throw new ConfigError(`${name} is not set: --engine athena needs it (the infrastructure's CommandsEnvironment output gives it)`);
    return value;
  };
  const workGroup = required('ARCHIVE_ATHENA_WORKGROUP');
  const database = required('ARCHIVE_ATHENA_DATABASE');
  const lists = parseS3Uri(required('ARCHIVE_ATHENA_LISTS_S3_URI'), 'ARCHIVE_ATHENA_LISTS_S3_URI');
  return { workGroup, database, lists, endpoint: endpoint(env, 'ARCHIVE_ATHENA_ENDPOINT') };
}

/** Every variable readArchiveSettings reads: a change in any of them is a change of settings. */
export const ARCHIVE_VARIABLES = [
  'ARCHIVE_AWS_REGION',
  'ARCHIVE_AWS_ACCESS_KEY_ID',
  'ARCHIVE_AWS_SECRET_ACCESS_KEY',
  'ARCHIVE_AWS_SESSION_TOKEN',
  'ARCHIVE_FIREHOSE_STREAM',
  'ARCHIVE_FIREHOSE_ENDPOINT',
  'ARCHIVE_FALLBACK_S3_URI',
  'ARCHIVE_S3_URI',
  'ARCHIVE_FIREHOSE_PREFIX',
  'ARCHIVE_DIRECT_PREFIX',
  'ARCHIVE_EVENTS_PREFIX',
  'ARCHIVE_S3_ENDPOINT',
  'ARCHIVE_WRITE_BUDGET_MS',
  'ARCHIVE_ATTEMPT_TIMEOUT_MS',
  'ARCHIVE_REDACT_DIGITS',
] as const;

/** The archive's settings (the Function's and the sending library's) from a Function's `context` or any env-like map. */
export function readArchiveSettings(env: Env): ArchiveSettings {
  const { fallbackLocation, ...layout } = readArchiveLayout(env);
  const budgetMs = integer(env, 'ARCHIVE_WRITE_BUDGET_MS', DEFAULT_WRITE_BUDGET_MS, 500, MAX_WRITE_BUDGET_MS);
  if (fallbackLocation && budgetMs < FALLBACK_RESERVE_MS + MIN_ATTEMPT_MS) {
    throw new ConfigError(
      `ARCHIVE_WRITE_BUDGET_MS is ${budgetMs}: with a fallback, its last ${FALLBACK_RESERVE_MS} ms are kept for the S3 write, which leaves no time for Firehose; give at least ${FALLBACK_RESERVE_MS + MIN_ATTEMPT_MS}`,
    );
  }
  return {
    writer: {
      ...readAwsAccess(env),
      streamName: required(env, 'ARCHIVE_FIREHOSE_STREAM', 'the name of the Firehose delivery stream'),
      firehoseEndpoint: endpoint(env, 'ARCHIVE_FIREHOSE_ENDPOINT'),
      fallback: fallbackLocation,
      s3Endpoint: endpoint(env, 'ARCHIVE_S3_ENDPOINT'),
      budgetMs,
      attemptTimeoutMs: integer(env, 'ARCHIVE_ATTEMPT_TIMEOUT_MS', DEFAULT_ATTEMPT_TIMEOUT_MS, 100, MAX_WRITE_BUDGET_MS),
    },
    layout,
    redactDigits: readRedactDigits(env),
  };
}

/** ARCHIVE_REDACT_DIGITS: trailing digits masked in every phone number (0–15, default 0). */
export function readRedactDigits(env: Env): number {
  return integer(env, 'ARCHIVE_REDACT_DIGITS', 0, 0, 15);
}

/** The `/event-stream` Function's own settings, besides the archive's. */
export interface EventStreamSettings {
  /** The account's auth token: Twilio signs every delivery with it. */
  authToken: string;
  /** The webhook sink's destination exactly as configured (no query, no fragment): Twilio signs it with `?bodySHA256=…` appended. */
  sinkUrl: string;
  /** Time for writing one delivery, retries and fallback included: Twilio waits 5 s for a webhook sink's answer. */
  budgetMs: number;
}

export const DEFAULT_EVENT_STREAM_BUDGET_MS = 4000;
const MAX_EVENT_STREAM_BUDGET_MS = 4500;
export const EVENT_STREAM_VARIABLES = ['AUTH_TOKEN', 'ARCHIVE_EVENT_STREAM_URL', 'ARCHIVE_EVENT_STREAM_BUDGET_MS'] as const;

/**
 * The `/event-stream` Function's settings. `functionUrl` is where the
 * platform says the Function is (`https://<DOMAIN_NAME><PATH>`), the sink URL
 * unless ARCHIVE_EVENT_STREAM_URL names another (the local stack's gateway, a
 * custom domain).
 */
export function readEventStreamSettings(env: Env, functionUrl: string | undefined, withFallback: boolean): EventStreamSettings {
  const authToken = required(env, 'AUTH_TOKEN', "the account's auth token, which Twilio signs Event Streams deliveries with");
  const sinkUrl = endpoint(env, 'ARCHIVE_EVENT_STREAM_URL') ?? functionUrl;
  if (sinkUrl === undefined) {
    throw new ConfigError('ARCHIVE_EVENT_STREAM_URL is not set and the runtime gave no DOMAIN_NAME and PATH: it must hold the sink URL Twilio posts to');
  }
  let parsed: URL;
  try {
    parsed = new URL(sinkUrl);
  } catch {
    throw new ConfigError(`the Event Streams sink URL is not a URL: "${sinkUrl}"`);
  }
  if (parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '') {
    throw new ConfigError(
      `the Event Streams sink URL must be a plain URL without a query, fragment or user info (Twilio appends its own query, bodySHA256, and signs the result), not "${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}${parsed.hash ? '#…' : ''}"`,
    );
  }
  const budgetMs = integer(env, 'ARCHIVE_EVENT_STREAM_BUDGET_MS', DEFAULT_EVENT_STREAM_BUDGET_MS, 500, MAX_EVENT_STREAM_BUDGET_MS);
  if (withFallback && budgetMs < FALLBACK_RESERVE_MS + MIN_ATTEMPT_MS) {
    throw new ConfigError(
      `ARCHIVE_EVENT_STREAM_BUDGET_MS is ${budgetMs}: with a fallback, its last ${FALLBACK_RESERVE_MS} ms are kept for the S3 write; give at least ${FALLBACK_RESERVE_MS + MIN_ATTEMPT_MS}`,
    );
  }
  return { authToken, sinkUrl, budgetMs };
}
