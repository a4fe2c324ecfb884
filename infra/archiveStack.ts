import { Aws, CfnOutput, Duration, Fn, Size, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { archiveAlarms } from './constructs/alarms';
import { archiveKey } from './constructs/archiveKey';
import { archiveTables } from './constructs/archiveTables';
import { accessLogBucket, encryptedBucket, writeOnceBucket } from './constructs/buckets';
import { functionWriter, scriptsRole } from './constructs/identities';
import { recordStream } from './constructs/recordStream';
import { replicate, ReplicationTarget } from './constructs/replication';
import { eventStreamsPath } from './constructs/eventStreamsPath';
import { namesFor } from './names';
import type { InfraSettings } from './settings';

/**
 * The archive: Firehose delivers into a staging bucket, S3 Replication copies
 * every object into the write-once (Object Lock) archive bucket, which the
 * readers read and the fallback and the commands append to directly (they
 * send Content-MD5). Why not Firehose straight into the locked bucket:
 * docs/infrastructure.md ("How records reach the locked bucket").
 */
export class ArchiveStack extends Stack {
  constructor(scope: Construct, id: string, settings: InfraSettings, props: StackProps = {}) {
    super(scope, id, { ...props, env: settings.region ? { region: settings.region } : undefined });
    const names = namesFor(settings);
    const key = archiveKey(this, 'Key', names.keyAlias);
    const accessLogs = accessLogBucket(this, 'AccessLogs', settings.accessLogRetentionDays);
    const archive = writeOnceBucket(this, 'Archive', {
      key,
      accessLogs,
      mode: settings.objectLockMode,
      years: settings.retentionYears,
      infrequentAccessAfterDays: settings.infrequentAccessAfterDays,
    });
    const staging = encryptedBucket(this, 'Staging', {
      key,
      accessLogs,
      lifecycleRules: [
        {
          id: 'expire-replicated-staging-copies',
          expiration: Duration.days(settings.stagingExpirationDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    const replica: ReplicationTarget | undefined = settings.replicaRegion
      ? {
          ruleId: 'to-replica',
          bucketName: names.replicaBucketName(settings.replicaRegion),
          bucketArn: `arn:${Aws.PARTITION}:s3:::${names.replicaBucketName(settings.replicaRegion)}`,
          region: settings.replicaRegion,
          key: { aliasName: names.replicaKeyAlias },
        }
      : undefined;
    const toArchive: ReplicationTarget = {
      ruleId: 'to-archive',
      bucketName: archive.bucketName,
      bucketArn: archive.bucketArn,
      region: Aws.REGION,
      key: { arn: key.keyArn },
    };
    // S3 does not replicate a replica again, so staging feeds the replica too; the archive replicates only what is written into it directly.
    const replicationRules = replicate(this, 'StagingReplication', staging, key, replica ? [toArchive, replica] : [toArchive]);
    if (replica) {
      replicationRules.push(...replicate(this, 'ArchiveReplication', archive, key, [{ ...replica, ruleId: 'direct-to-replica' }]));
    } else {
      Validations.of(archive).acknowledge({
        id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
        reason:
          'A replica in a second region is the replicaRegion setting (docs/infrastructure.md); without it the archive is one bucket, stored by S3 across availability zones.',
      });
    }

    const { stream } = recordStream(this, 'Stream', {
      streamName: names.streamName,
      key,
      destination: staging,
      prefix: settings.firehosePrefix,
      errorPrefix: names.firehoseErrorPrefix,
      bufferingInterval: Duration.seconds(settings.bufferingIntervalSeconds),
      bufferingSize: Size.mebibytes(settings.bufferingSizeMiB),
    });

    const eventStreams =
      settings.eventStreamsKinesis && settings.twilioEventStreamsAccount && settings.eventStreamsExternalId
        ? eventStreamsPath(this, 'EventStreams', {
            namePrefix: settings.namePrefix,
            key,
            destination: staging,
            prefix: settings.eventsPrefix,
            bufferingInterval: Duration.seconds(settings.bufferingIntervalSeconds),
            bufferingSize: Size.mebibytes(settings.bufferingSizeMiB),
            twilioAccount: settings.twilioEventStreamsAccount,
            externalId: settings.eventStreamsExternalId,
          })
        : undefined;

    const tables = archiveTables(this, 'Athena', {
      databaseName: names.databaseName,
      workGroupName: names.workGroupName,
      archive,
      key,
      accessLogs,
      prefixes: names.projectedPrefixes,
      eventsPrefix: names.projectedEventsPrefix,
      firstHour: `${settings.archiveStartDay.replace(/-/g, '/')}/00`,
      bytesScannedCutoff: settings.athenaBytesScannedCutoffGiB * 1024 ** 3,
      resultsExpiration: Duration.days(settings.athenaResultsExpirationDays),
    });

    const writer = functionWriter(this, 'FunctionWriter', {
      streamArn: stream.deliveryStreamArn,
      archive,
      key,
      fallbackPrefix: settings.fallbackEnabled ? settings.fallbackPrefix : undefined,
      secretName: names.secretName,
      accessKeySerial: settings.accessKeySerial,
      retiringAccessKeySerial: settings.retiringAccessKeySerial,
    });
    const scripts = scriptsRole(this, 'Commands', {
      streamArn: stream.deliveryStreamArn,
      archive,
      key,
      directPrefix: settings.directPrefix,
      athena: tables.arns,
    });

    const { topic } = archiveAlarms(this, 'Alarms', {
      key,
      streamName: names.streamName,
      archiveBucketName: archive.bucketName,
      replicationRules,
      email: settings.alarmEmail,
      dataFreshness: Duration.seconds(settings.dataFreshnessAlarmSeconds),
      replicationLatency: Duration.seconds(settings.replicationLatencyAlarmSeconds),
      eventStreams: eventStreams && { deliveryStreamName: eventStreams.name, kinesisStreamName: eventStreams.name },
    });

    const archiveUri = `s3://${archive.bucketName}/`;
    const layout = [
      `ARCHIVE_FIREHOSE_PREFIX=${settings.firehosePrefix}`,
      `ARCHIVE_DIRECT_PREFIX=${settings.directPrefix}`,
      `ARCHIVE_EVENTS_PREFIX=${settings.eventsPrefix}`,
    ];
    const functionEnvironment = [
      `ARCHIVE_FIREHOSE_STREAM=${names.streamName}`,
      `ARCHIVE_AWS_REGION=${Aws.REGION}`,
      `ARCHIVE_S3_URI=${archiveUri}`,
      ...(settings.fallbackEnabled ? [`ARCHIVE_FALLBACK_S3_URI=${archiveUri}${settings.fallbackPrefix}`] : []),
      ...layout,
    ];
    const outputs: Record<string, { value: string; description: string }> = {
      StreamName: { value: stream.deliveryStreamName, description: 'The Firehose delivery stream (Direct PUT)' },
      Region: { value: Aws.REGION, description: 'The archive region' },
      ArchiveBucket: { value: archive.bucketName, description: 'The write-once archive the commands read (--archive s3://<bucket>/)' },
      StagingBucket: { value: staging.bucketName, description: 'Where Firehose delivers before replication (not the archive)' },
      FunctionSecretName: {
        value: writer.secret.secretName,
        description: 'Secrets Manager secret with the Function access key (ARCHIVE_AWS_ACCESS_KEY_ID, ARCHIVE_AWS_SECRET_ACCESS_KEY)',
      },
      CommandsRoleArn: { value: scripts.role.roleArn, description: 'The role the commands assume' },
      AthenaWorkGroupName: { value: names.workGroupName, description: 'Athena workgroup for queries of the archive' },
      GlueDatabaseName: { value: names.databaseName, description: 'Glue database with the records, record_lines and twilio_lists tables' },
      AthenaListsS3Uri: { value: tables.listsUri, description: "Where reconcile --engine athena stages Twilio's list (ARCHIVE_ATHENA_LISTS_S3_URI)" },
      AlarmTopicArn: { value: topic.topicArn, description: 'SNS topic the alarms notify' },
      ...(eventStreams
        ? {
            EventStreamsKinesisArn: {
              value: eventStreams.stream.streamArn,
              description: "The Kinesis Data Stream for Event Streams' Kinesis sink (--kinesis-arn)",
            },
            EventStreamsRoleArn: {
              value: eventStreams.twilioRole.roleArn,
              description: 'The role Twilio assumes to put events (--role-arn; --external-id is the eventStreamsExternalId setting)',
            },
            EventStreamsDeliveryStreamName: {
              value: eventStreams.delivery.deliveryStreamName,
              description: `The Firehose stream delivering the events under ${settings.eventsPrefix}`,
            },
          }
        : {}),
      FunctionEnvironment: {
        value: Fn.join(' ', functionEnvironment),
        description: 'The Function environment (plus ARCHIVE_AWS_ACCESS_KEY_ID/ARCHIVE_AWS_SECRET_ACCESS_KEY from the secret), one VARIABLE=value per space',
      },
      CommandsEnvironment: {
        value: Fn.join(' ', [
          `ARCHIVE_AWS_REGION=${Aws.REGION}`,
          `ARCHIVE_FIREHOSE_STREAM=${names.streamName}`,
          `ARCHIVE_S3_URI=${archiveUri}`,
          ...layout,
          `ARCHIVE_ATHENA_WORKGROUP=${names.workGroupName}`,
          `ARCHIVE_ATHENA_DATABASE=${names.databaseName}`,
          `ARCHIVE_ATHENA_LISTS_S3_URI=${tables.listsUri}`,
        ]),
        description: 'The commands environment (credentials: assume CommandsRoleArn); --archive is ARCHIVE_S3_URI',
      },
    };
    for (const [name, output] of Object.entries(outputs)) new CfnOutput(this, name, output);
    Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::W7001',
      reason: "aws-cdk-lib's DeliveryStream always adds Firehose's CIDR-block mapping, used only by destinations in a VPC; this stream has none.",
    });
  }
}
