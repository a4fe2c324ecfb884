import { Aws, Duration, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TWILIO_ROW_COLUMNS } from '../../src/domain/reconcile/sql/categories';
import { encryptedBucket } from './buckets';

/** The archive record's fields as columns (schema/archive-record.v1.schema.json); `tags` and `params` are read from `record_lines`. */
export const RECORD_COLUMNS: glue.CfnTable.ColumnProperty[] = [
  { name: 'v', type: 'int' },
  { name: 'source', type: 'string' },
  { name: 'recorded_at', type: 'string' },
  { name: 'event_at', type: 'string' },
  { name: 'account_sid', type: 'string' },
  { name: 'message_sid', type: 'string' },
  { name: 'messaging_service_sid', type: 'string' },
  { name: 'status', type: 'string' },
  { name: 'error_code', type: 'string' },
  { name: 'to', type: 'string' },
  { name: 'from', type: 'string' },
  { name: 'idempotency_token', type: 'string' },
  { name: 'problems', type: 'array<string>' },
];

/** Where reconcile --engine athena stages Twilio's list, in the query results bucket (encrypted, expiring). */
export const TWILIO_LISTS_PREFIX = 'twilio-lists/';

export interface ArchiveTablesProps {
  databaseName: string;
  workGroupName: string;
  archive: s3.IBucket;
  key: kms.IKey;
  accessLogs: s3.IBucket;
  /** The archive's prefixes of records without their '/', e.g. firehose, fallback, direct. */
  prefixes: string[];
  /** The Kinesis path's prefix of CloudEvents without its '/', e.g. events. */
  eventsPrefix: string;
  /** First hour of the date projection, `yyyy/MM/dd/HH`. */
  firstHour: string;
  bytesScannedCutoff: number;
  resultsExpiration: Duration;
}

/**
 * Partition projection over the archive's own layout: `${prefix}` is one of
 * the layout's prefixes, `${datehour}` the UTC hour folder Firehose (and the
 * fallback and the commands) write. No crawler, no partitions to add.
 */
function projection(archive: s3.IBucket, props: ArchiveTablesProps, prefixes: string[]): Record<string, string> {
  return {
    'projection.enabled': 'true',
    'projection.prefix.type': 'enum',
    'projection.prefix.values': prefixes.join(','),
    'projection.datehour.type': 'date',
    'projection.datehour.format': 'yyyy/MM/dd/HH',
    'projection.datehour.range': `${props.firstHour},NOW`,
    'projection.datehour.interval': '1',
    'projection.datehour.interval.unit': 'HOURS',
    'storage.location.template': `s3://${archive.bucketName}/\${prefix}/\${datehour}/`,
  };
}

const PARTITION_KEYS = [
  { name: 'prefix', type: 'string', comment: 'the archive prefix: firehose, fallback or direct (events, for event_lines)' },
  { name: 'datehour', type: 'string', comment: 'the UTC hour folder, yyyy/MM/dd/HH' },
];

const TEXT_FILES = { inputFormat: 'org.apache.hadoop.mapred.TextInputFormat', outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat' };

/**
 * The archive in Athena: a Glue database with two tables over the same
 * objects (`records`: typed columns through the Hive JSON SerDe, which fails a
 * query on a malformed line rather than skip it; `record_lines`: each line as
 * text, for `tags`, `params` and for finding a bad line), `event_lines` over
 * the Kinesis path's CloudEvents (each line as text, the same columns as
 * `record_lines`: the SQL maps each event to a record, src/domain/reconcile/
 * sql/eventLines.ts; it exists, empty, without the Kinesis path, since the
 * SQL always reads it), a table over Twilio's lists as the Athena
 * reconciliation stages them, and a workgroup whose results are encrypted and
 * expire, with a per-query scan limit.
 */
export function archiveTables(scope: Construct, id: string, props: ArchiveTablesProps) {
  const database = new glue.CfnDatabase(scope, `${id}Database`, {
    catalogId: Aws.ACCOUNT_ID,
    databaseInput: { name: props.databaseName, description: 'The message archive (twilio-message-archive)' },
  });
  const table = (
    name: string,
    description: string,
    columns: glue.CfnTable.ColumnProperty[],
    serdeInfo: glue.CfnTable.SerdeInfoProperty,
    prefixes = props.prefixes,
  ) => {
    const created = new glue.CfnTable(scope, `${id}${name}`, {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: props.databaseName,
      tableInput: {
        name,
        description,
        tableType: 'EXTERNAL_TABLE',
        parameters: { classification: 'json', ...projection(props.archive, props, prefixes) },
        partitionKeys: PARTITION_KEYS,
        storageDescriptor: { location: `s3://${props.archive.bucketName}/`, columns, ...TEXT_FILES, serdeInfo },
      },
    });
    created.addResourceDependency(database);
    return created;
  };
  const records = table('records', 'One row per archive record (Hive JSON SerDe: a malformed line fails the query)', RECORD_COLUMNS, {
    serializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe',
  });
  // U+0001 never appears raw in a JSON line, so the whole line is one field.
  const wholeLines = { serializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe', parameters: { 'field.delim': '\u0001' } };
  const lines = table(
    'record_lines',
    'One row per archive line, as text: json_extract what `records` has no column for',
    [{ name: 'line', type: 'string' }],
    wholeLines,
  );
  const eventLines = table(
    'event_lines',
    'One row per line of the Kinesis path: a CloudEvent as Twilio sent it, as text (mapped to a record by the queries)',
    [{ name: 'line', type: 'string' }],
    wholeLines,
    [props.eventsPrefix],
  );
  const results = encryptedBucket(scope, `${id}Results`, {
    key: props.key,
    accessLogs: props.accessLogs,
    lifecycleRules: [
      {
        id: 'expire-query-results',
        expiration: props.resultsExpiration,
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
  });
  const lists = new glue.CfnTable(scope, `${id}twilio_lists`, {
    catalogId: Aws.ACCOUNT_ID,
    databaseName: props.databaseName,
    tableInput: {
      name: 'twilio_lists',
      description: "Twilio's list of messages as reconcile --engine athena stages it, masked, one run per partition",
      tableType: 'EXTERNAL_TABLE',
      parameters: {
        classification: 'json',
        'projection.enabled': 'true',
        // Each run names its own id in its queries: nothing to register, and no run reads another's list.
        'projection.run.type': 'injected',
        'storage.location.template': `s3://${results.bucketName}/${TWILIO_LISTS_PREFIX}\${run}/`,
      },
      partitionKeys: [{ name: 'run', type: 'string', comment: 'the reconciliation run that staged the list' }],
      storageDescriptor: {
        location: `s3://${results.bucketName}/${TWILIO_LISTS_PREFIX}`,
        columns: TWILIO_ROW_COLUMNS.map((name) => ({ name, type: 'string' })),
        ...TEXT_FILES,
        serdeInfo: { serializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe' },
      },
    },
  });
  lists.addResourceDependency(database);
  Validations.of(results).acknowledge({
    id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
    reason: 'Query results are derived from the archive, which is the record (and is replicated); they expire after the configured days.',
  });
  const workGroup = new athena.CfnWorkGroup(scope, `${id}WorkGroup`, {
    name: props.workGroupName,
    description: 'Queries of the message archive',
    recursiveDeleteOption: false,
    workGroupConfiguration: {
      enforceWorkGroupConfiguration: true,
      publishCloudWatchMetricsEnabled: true,
      bytesScannedCutoffPerQuery: props.bytesScannedCutoff,
      resultConfiguration: {
        outputLocation: `s3://${results.bucketName}/`,
        encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.key.keyArn },
      },
    },
  });
  const glueArn = (resource: string) => `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
  return {
    database,
    records,
    lines,
    eventLines,
    lists,
    results,
    listsUri: `s3://${results.bucketName}/${TWILIO_LISTS_PREFIX}`,
    workGroup,
    arns: {
      workGroupArn: `arn:${Aws.PARTITION}:athena:${Aws.REGION}:${Aws.ACCOUNT_ID}:workgroup/${props.workGroupName}`,
      catalogArn: glueArn('catalog'),
      databaseArn: glueArn(`database/${props.databaseName}`),
      tableArns: ['records', 'record_lines', 'event_lines', 'twilio_lists'].map((name) => glueArn(`table/${props.databaseName}/${name}`)),
      results,
    },
  };
}
