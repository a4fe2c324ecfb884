/**
 * The AWS side's settings: CDK context (`cdk.json`, or `-c name=value` on the
 * command line), typed and checked here, with defaults safe for a regulated
 * user. Every one is documented in docs/infrastructure.md ("Settings").
 */
import { DEFAULT_ARCHIVE_LAYOUT } from '../src/config/archiveSettings';
import { parseUtcDay } from '../src/domain/time';

export type ObjectLockMode = 'COMPLIANCE' | 'GOVERNANCE';

export interface InfraSettings {
  /** Starts every resource's name: the stream, the secret, the Glue database, the replica bucket. Lower case, digits, '-'. */
  namePrefix: string;
  /** The archive's region; unset: the deploying profile's (synth stays region-agnostic). */
  region?: string;
  /** Default retention of every archived object version. */
  retentionYears: number;
  /** COMPLIANCE (nobody, root included, can shorten or remove it) or GOVERNANCE (for a sandbox trial only). */
  objectLockMode: ObjectLockMode;
  /** Archive objects move to S3 Glacier Instant Retrieval after this many days (0: never). Still read in milliseconds. */
  infrequentAccessAfterDays: number;
  /** Firehose's staging copies are deleted this many days after delivery, long after replication (minutes). */
  stagingExpirationDays: number;
  /** Firehose buffering: deliver when this many seconds (0–900) or MiB (1–128) have gathered. */
  bufferingIntervalSeconds: number;
  bufferingSizeMiB: number;
  /** The Function may write straight into the archive's fallback prefix when Firehose will not take a record. */
  fallbackEnabled: boolean;
  /** A second write-once copy in this region (17a-4's separate copy); unset: none. */
  replicaRegion?: string;
  /** Alarms e-mail this address (a confirmation mail is sent first); unset: the SNS topic only. */
  alarmEmail?: string;
  /** Alarm when the oldest record not yet in S3 is older than this. */
  dataFreshnessAlarmSeconds: number;
  /** Alarm when replication into the archive (or the replica) takes longer than this. */
  replicationLatencyAlarmSeconds: number;
  /** Athena cancels a query of the archive's workgroup that would scan more than this. */
  athenaBytesScannedCutoffGiB: number;
  /** Athena's query results are deleted after this many days. */
  athenaResultsExpirationDays: number;
  /** The table's date projection starts at this day (YYYY-MM-DD, UTC): the first day of records. */
  archiveStartDay: string;
  /** S3 server access logs of the buckets are kept this many days. */
  accessLogRetentionDays: number;
  /** The Function's access key is number N; raise it to rotate the key (docs/infrastructure.md, "Rotating the Function's key"). */
  accessKeySerial: number;
  /** During a rotation, the previous key, kept until the Twilio environment has the new one; unset: none kept. */
  retiringAccessKeySerial?: number;
  /** The archive's layout, as ARCHIVE_FIREHOSE_PREFIX, the fallback's prefix and ARCHIVE_DIRECT_PREFIX name it. */
  firehosePrefix: string;
  fallbackPrefix: string;
  directPrefix: string;
  /**
   * The Event Streams Kinesis path: a Kinesis Data Stream Twilio puts events
   * into (through a role it assumes), and a Firehose stream delivering them
   * into `eventsPrefix` of the archive, as sent. Off by default.
   */
  eventStreamsKinesis: boolean;
  eventsPrefix: string;
  /** The AWS account Twilio's Event Streams assumes the role from (12 digits; from Twilio's Kinesis quickstart). Required with eventStreamsKinesis. */
  twilioEventStreamsAccount?: string;
  /** The role's external id, given to Twilio in the sink's configuration. Required with eventStreamsKinesis. */
  eventStreamsExternalId?: string;
}

export const DEFAULT_INFRA_SETTINGS: Readonly<InfraSettings> = {
  namePrefix: 'message-archive',
  retentionYears: 7,
  objectLockMode: 'COMPLIANCE',
  infrequentAccessAfterDays: 90,
  stagingExpirationDays: 30,
  bufferingIntervalSeconds: 300,
  bufferingSizeMiB: 64,
  fallbackEnabled: true,
  dataFreshnessAlarmSeconds: 900,
  replicationLatencyAlarmSeconds: 3600,
  athenaBytesScannedCutoffGiB: 100,
  athenaResultsExpirationDays: 30,
  archiveStartDay: '2026-01-01',
  accessLogRetentionDays: 7 * 366,
  accessKeySerial: 1,
  firehosePrefix: DEFAULT_ARCHIVE_LAYOUT.firehose,
  fallbackPrefix: DEFAULT_ARCHIVE_LAYOUT.fallback,
  directPrefix: DEFAULT_ARCHIVE_LAYOUT.direct,
  eventStreamsKinesis: false,
  eventsPrefix: DEFAULT_ARCHIVE_LAYOUT.events,
};

/** Every setting's context key; `satisfies` keeps the list in step with InfraSettings. */
const SETTING_KEYS = {
  namePrefix: true,
  region: true,
  retentionYears: true,
  objectLockMode: true,
  infrequentAccessAfterDays: true,
  stagingExpirationDays: true,
  bufferingIntervalSeconds: true,
  bufferingSizeMiB: true,
  fallbackEnabled: true,
  replicaRegion: true,
  alarmEmail: true,
  dataFreshnessAlarmSeconds: true,
  replicationLatencyAlarmSeconds: true,
  athenaBytesScannedCutoffGiB: true,
  athenaResultsExpirationDays: true,
  archiveStartDay: true,
  accessLogRetentionDays: true,
  accessKeySerial: true,
  retiringAccessKeySerial: true,
  firehosePrefix: true,
  fallbackPrefix: true,
  directPrefix: true,
  eventStreamsKinesis: true,
  eventsPrefix: true,
  twilioEventStreamsAccount: true,
  eventStreamsExternalId: true,
} satisfies Record<keyof InfraSettings, true>;

export const INFRA_SETTING_KEYS: readonly string[] = Object.keys(SETTING_KEYS);

/**
 * CDK's own context: the CLI's `aws:cdk:…` and `aws-cdk:…`, feature flags
 * (`@aws-cdk/…`), lookups (`availability-zones:account=…:region=…`), and
 * these two. Nothing else passes for CDK's.
 */
function isCdkContextKey(key: string): boolean {
  return (
    /^(aws:cdk:|aws-cdk:|@aws-cdk\/)/.test(key) ||
    /^[a-z][a-z0-9-]*:account=\d{12}(:|$)/.test(key) ||
    key === 'cli-telemetry' ||
    key === 'acknowledged-issue-numbers'
  );
}

/** The setting `key` is probably a misspelling of (case aside, or one letter off), if any. */
export function settingMeant(key: string): string | undefined {
  return INFRA_SETTING_KEYS.find((known) => known.toLowerCase() === key.toLowerCase() || nearlyEqual(known, key));
}

/**
 * Refuses any context key that is neither a setting nor CDK's own: a
 * misspelt setting (`objectLockmode`) would otherwise be ignored, and its
 * default, compliance mode for seven years, cannot be undone.
 */
export function checkContextKeys(keys: Iterable<string>): void {
  const unknown = [...keys].filter((key) => !INFRA_SETTING_KEYS.includes(key) && !isCdkContextKey(key));
  if (unknown.length === 0) return;
  const named = unknown.map((key) => `"${key}"${settingMeant(key) ? ` (did you mean "${settingMeant(key)}"?)` : ''}`).join(', ');
  throw new InfraSettingsError(`unknown setting ${named}; nothing was synthesised. The settings are: ${INFRA_SETTING_KEYS.join(', ')}`);
}

/** One letter added, dropped or changed (case aside): `retentionYear`, `retentionYeras` is two. */
function nearlyEqual(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  if (Math.abs(x.length - y.length) > 1) return false;
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  return x.slice(i + (x.length >= y.length ? 1 : 0)) === y.slice(i + (y.length >= x.length ? 1 : 0));
}

/** A setting is malformed; names the context key and what it expects. */
export class InfraSettingsError extends Error {
  override name = 'InfraSettingsError';
}

type Context = (key: string) => unknown;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const PREFIX = /^[a-z0-9][a-z0-9-]*\/$/;

function text(context: Context, key: keyof InfraSettings): string | undefined {
  const value = context(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new InfraSettingsError(`context "${key}" must be a single value, not ${JSON.stringify(value)}`);
  }
  return String(value).trim();
}

function whole(context: Context, key: keyof InfraSettings, min: number, max: number): number {
  const value = text(context, key);
  if (value === undefined) return DEFAULT_INFRA_SETTINGS[key] as number;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new InfraSettingsError(`context "${key}" must be a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}

function matching(context: Context, key: keyof InfraSettings, pattern: RegExp, what: string): string | undefined {
  const value = text(context, key);
  if (value !== undefined && !pattern.test(value)) throw new InfraSettingsError(`context "${key}" must be ${what}, not "${value}"`);
  return value;
}

function flag(context: Context, key: keyof InfraSettings): boolean {
  const value = text(context, key);
  if (value === undefined) return DEFAULT_INFRA_SETTINGS[key] as boolean;
  if (value !== 'true' && value !== 'false') throw new InfraSettingsError(`context "${key}" must be true or false, not "${value}"`);
  return value === 'true';
}

function prefix(context: Context, key: 'firehosePrefix' | 'fallbackPrefix' | 'directPrefix' | 'eventsPrefix'): string {
  return matching(context, key, PREFIX, "one folder name ending in '/' (lower case, digits, '-'), e.g. firehose/") ?? DEFAULT_INFRA_SETTINGS[key];
}

function day(context: Context, key: 'archiveStartDay'): string {
  const value = text(context, key);
  if (value === undefined) return DEFAULT_INFRA_SETTINGS[key];
  try {
    parseUtcDay(value);
  } catch (error) {
    throw new InfraSettingsError(`context "${key}": ${(error as Error).message}`);
  }
  return value;
}

/** Reads and checks every setting; throws InfraSettingsError naming the first bad one. */
export function readInfraSettings(context: Context): InfraSettings {
  const mode = text(context, 'objectLockMode')?.toUpperCase() ?? DEFAULT_INFRA_SETTINGS.objectLockMode;
  if (mode !== 'COMPLIANCE' && mode !== 'GOVERNANCE') throw new InfraSettingsError(`context "objectLockMode" must be COMPLIANCE or GOVERNANCE, not "${mode}"`);
  const settings: InfraSettings = {
    namePrefix:
      matching(context, 'namePrefix', /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/, "3–32 characters: lower case, digits and '-'") ?? DEFAULT_INFRA_SETTINGS.namePrefix,
    region: matching(context, 'region', REGION, 'an AWS region such as us-east-1'),
    retentionYears: whole(context, 'retentionYears', 1, 100),
    objectLockMode: mode,
    infrequentAccessAfterDays: whole(context, 'infrequentAccessAfterDays', 0, 36500),
    stagingExpirationDays: whole(context, 'stagingExpirationDays', 7, 3650),
    bufferingIntervalSeconds: whole(context, 'bufferingIntervalSeconds', 0, 900),
    bufferingSizeMiB: whole(context, 'bufferingSizeMiB', 1, 128),
    fallbackEnabled: flag(context, 'fallbackEnabled'),
    replicaRegion: matching(context, 'replicaRegion', REGION, 'an AWS region such as us-west-2'),
    alarmEmail: matching(context, 'alarmEmail', /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address'),
    dataFreshnessAlarmSeconds: whole(context, 'dataFreshnessAlarmSeconds', 60, 86400),
    replicationLatencyAlarmSeconds: whole(context, 'replicationLatencyAlarmSeconds', 60, 86400),
    athenaBytesScannedCutoffGiB: whole(context, 'athenaBytesScannedCutoffGiB', 1, 1_000_000),
    athenaResultsExpirationDays: whole(context, 'athenaResultsExpirationDays', 1, 3650),
    archiveStartDay: day(context, 'archiveStartDay'),
    accessLogRetentionDays: whole(context, 'accessLogRetentionDays', 90, 36500),
    accessKeySerial: whole(context, 'accessKeySerial', 1, 1_000_000),
    retiringAccessKeySerial: text(context, 'retiringAccessKeySerial') === undefined ? undefined : whole(context, 'retiringAccessKeySerial', 1, 1_000_000),
    firehosePrefix: prefix(context, 'firehosePrefix'),
    fallbackPrefix: prefix(context, 'fallbackPrefix'),
    directPrefix: prefix(context, 'directPrefix'),
    eventStreamsKinesis: flag(context, 'eventStreamsKinesis'),
    eventsPrefix: prefix(context, 'eventsPrefix'),
    twilioEventStreamsAccount: matching(
      context,
      'twilioEventStreamsAccount',
      /^\d{12}$/,
      "an AWS account id (12 digits): Twilio's, from its Event Streams Kinesis quickstart",
    ),
    eventStreamsExternalId: matching(
      context,
      'eventStreamsExternalId',
      /^[\w+=,.@:/-]{16,1224}$/,
      'an external id of 16 to 1224 characters (letters, digits, +=,.@:/-_)',
    ),
  };
  if (settings.eventStreamsKinesis && (settings.twilioEventStreamsAccount === undefined || settings.eventStreamsExternalId === undefined)) {
    throw new InfraSettingsError(
      'context "eventStreamsKinesis" needs "twilioEventStreamsAccount" (the AWS account Twilio assumes the role from) and "eventStreamsExternalId" (the secret the sink is configured with)',
    );
  }
  if (settings.replicaRegion !== undefined && settings.replicaRegion === settings.region) {
    throw new InfraSettingsError(`context "replicaRegion" must differ from "region" (${settings.region}): a replica in the same region is not a separate copy`);
  }
  if (settings.retiringAccessKeySerial !== undefined && settings.retiringAccessKeySerial >= settings.accessKeySerial) {
    throw new InfraSettingsError(
      `context "retiringAccessKeySerial" (${settings.retiringAccessKeySerial}) must be below "accessKeySerial" (${settings.accessKeySerial}): it names the key being replaced`,
    );
  }
  const prefixes = [settings.firehosePrefix, settings.fallbackPrefix, settings.directPrefix, settings.eventsPrefix];
  if (new Set(prefixes).size !== prefixes.length) throw new InfraSettingsError(`the archive's prefixes must differ, not ${prefixes.join(', ')}`);
  return settings;
}
