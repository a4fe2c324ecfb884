/**
 * Where records live in the archive. Firehose names each S3 object after the
 * arrival time (UTC) of its oldest record:
 *   <prefix>YYYY/MM/DD/HH/<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>[.gz]
 * The direct-to-S3 fallback uses the same hour folders under its own prefix,
 * so one reader serves both.
 */

/** Firehose takes records of at most 1,000 KiB (before base64). */
export const FIREHOSE_MAX_RECORD_BYTES = 1000 * 1024;

/**
 * Default prefixes inside the archive (docs/archive-format.md, "Layout"); the
 * settings (src/config/archiveSettings.ts) may name others.
 */
export const DEFAULT_FIREHOSE_PREFIX = 'firehose/';
export const DEFAULT_FALLBACK_PREFIX = 'fallback/';
/** Where commands append straight into the archive when told to (not through Firehose). */
export const DEFAULT_DIRECT_PREFIX = 'direct/';
/** Where the Kinesis path's Firehose delivers Event Streams' CloudEvents as Twilio sent them (one per line). */
export const DEFAULT_EVENTS_PREFIX = 'events/';

/**
 * Why a key or key prefix could name something outside the archive root, or
 * null when it cannot: a `.` or `..` segment (a folder archive resolves it, and
 * so may an HTTP path), an empty one (`a//b`, which a folder archive reads as
 * `a/b` while S3 does not), a leading `/` or a backslash (a separator on
 * Windows).
 */
export function keyPrefixProblem(keyOrPrefix: string): string | null {
  if (keyOrPrefix === '') return null;
  if (keyOrPrefix.includes('\\')) return 'a backslash';
  const segments = keyOrPrefix.split('/');
  // A prefix ends in '/': its last, empty, segment is no segment.
  if (segments[segments.length - 1] === '') segments.pop();
  for (const segment of segments) {
    if (segment === '.' || segment === '..') return `a "${segment}" segment`;
    if (segment === '') return 'an empty segment (a leading "/" or "//")';
  }
  return null;
}

function prefixInside(prefix: string): string {
  const problem = keyPrefixProblem(prefix);
  if (problem !== null) throw new RangeError(`the key prefix "${prefix}" has ${problem}: it could point outside the archive`);
  return prefix;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYY/MM/DD/HH/` in UTC. */
export function hourFolder(at: Date): string {
  return `${at.getUTCFullYear()}/${pad(at.getUTCMonth() + 1)}/${pad(at.getUTCDate())}/${pad(at.getUTCHours())}/`;
}

/** `yyyy-MM-dd-HH-mm-ss` in UTC. */
export function objectTimestamp(at: Date): string {
  return [at.getUTCFullYear(), pad(at.getUTCMonth() + 1), pad(at.getUTCDate()), pad(at.getUTCHours()), pad(at.getUTCMinutes()), pad(at.getUTCSeconds())].join(
    '-',
  );
}

export interface FirehoseObjectKeyParts {
  prefix: string;
  streamName: string;
  /** The delivery stream's version id (1 for a stream never updated). */
  streamVersion: number;
  /** Arrival of the object's oldest record. */
  oldestArrival: Date;
  uuid: string;
  gzip: boolean;
}

export function firehoseObjectKey(parts: FirehoseObjectKeyParts): string {
  const name = `${parts.streamName}-${parts.streamVersion}-${objectTimestamp(parts.oldestArrival)}-${parts.uuid}`;
  return `${prefixInside(parts.prefix)}${hourFolder(parts.oldestArrival)}${name}${parts.gzip ? '.gz' : ''}`;
}

const KEY_TIME = /-(\d{4})-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-[^/]*$/;

/** When an object's oldest record arrived, as Firehose (or a writer of this project) named it in the key; null when the key says not. */
export function objectKeyTime(key: string): Date | null {
  const match = KEY_TIME.exec(key);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(at.getTime()) || at.getUTCDate() !== d ? null : at;
}

/** An object of records a script appended straight into the archive. */
export function directObjectKey(prefix: string, writer: string, at: Date, uuid: string): string {
  return `${prefixInside(prefix)}${hourFolder(at)}${writer}-${objectTimestamp(at)}-${uuid}`;
}

/** One object per record written straight to S3 when Firehose would not take it. */
export function fallbackObjectKey(prefix: string, streamName: string, recordedAt: Date, uuid: string): string {
  return `${prefixInside(prefix)}${hourFolder(recordedAt)}${streamName}-fallback-${objectTimestamp(recordedAt)}-${uuid}`;
}
