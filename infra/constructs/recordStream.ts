import { Aws, Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from './acknowledge';

export interface RecordStreamProps {
  streamName: string;
  key: kms.IKey;
  /** Where Firehose delivers: the staging bucket (replicated into the write-once archive). */
  destination: s3.IBucket;
  /** e.g. `firehose/`: Firehose adds its `YYYY/MM/DD/HH/` (UTC) after a prefix without expressions. */
  prefix: string;
  errorPrefix: string;
  bufferingInterval: Duration;
  bufferingSize: Size;
  /**
   * A Kinesis Data Stream to read instead of taking Direct PUTs (the Event
   * Streams path). Each record is delivered as it came, with a newline added:
   * Twilio's records are not known to end in one.
   */
  source?: kinesis.IStream;
}

/**
 * The Direct PUT delivery stream the Function writes to: GZIP objects of
 * newline-ended records under the prefix, encrypted at rest in the stream and
 * in S3 with the archive key, delivery errors logged to CloudWatch. Its role
 * is the project's own, with the S3 actions Firehose documents for an S3
 * destination on this bucket only (no delete), and nothing CDK would add.
 */
export function recordStream(scope: Construct, id: string, props: RecordStreamProps): { stream: firehose.DeliveryStream; logGroup: logs.LogGroup } {
  const logGroup = new logs.LogGroup(scope, `${id}DeliveryErrors`, {
    encryptionKey: props.key,
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', { conditions: { StringEquals: { 'sts:ExternalId': Aws.ACCOUNT_ID } } }),
    description: `Delivers ${props.streamName} into its S3 bucket`,
  });
  const policy = new iam.ManagedPolicy(scope, `${id}Policy`, {
    roles: [role],
    statements: [
      new iam.PolicyStatement({
        sid: 'FindTheBucket',
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [props.destination.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'DeliverObjects',
        actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
        resources: [props.destination.arnForObjects('*')],
      }),
      new iam.PolicyStatement({
        sid: 'EncryptThroughS3',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [props.destination.bucketArn, `${props.destination.bucketArn}/*`] },
        },
      }),
      new iam.PolicyStatement({
        sid: 'LogDeliveryErrors',
        actions: ['logs:PutLogEvents', 'logs:CreateLogStream'],
        resources: [logGroup.logGroupArn],
      }),
      ...(props.source
        ? [
            new iam.PolicyStatement({
              sid: 'ReadTheSourceStream',
              actions: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'],
              resources: [props.source.streamArn],
            }),
            new iam.PolicyStatement({
              sid: 'DecryptTheSourceStream',
              actions: ['kms:Decrypt'],
              resources: [props.key.keyArn],
              conditions: { StringEquals: { 'kms:ViaService': `kinesis.${Aws.REGION}.amazonaws.com` } },
            }),
          ]
        : []),
    ],
  });
  acknowledgeWildcardResources(
    policy,
    [props.destination.arnForObjects('*')],
    'Firehose writes objects under keys it names itself (prefix, hour folders, its own file names): object-level actions on the staging bucket/*.',
  );
  // Only the policy above: CDK's own grants (read-write, delete included) are not added.
  const fixedRole = role.withoutPolicyUpdates();
  const stream = new firehose.DeliveryStream(scope, id, {
    deliveryStreamName: props.streamName,
    // A stream reading Kinesis holds what Kinesis encrypted; Firehose's own encryption is for Direct PUT only.
    ...(props.source ? { source: new firehose.KinesisStreamSource(props.source) } : { encryption: firehose.StreamEncryption.customerManagedKey(props.key) }),
    role: fixedRole,
    destination: new firehose.S3Bucket(props.destination, {
      role: fixedRole,
      dataOutputPrefix: props.prefix,
      errorOutputPrefix: props.errorPrefix,
      compression: firehose.Compression.GZIP,
      encryptionKey: props.key,
      bufferingInterval: props.bufferingInterval,
      bufferingSize: props.bufferingSize,
      loggingConfig: new firehose.EnableLogging(logGroup),
      ...(props.source ? { processors: [new firehose.AppendDelimiterToRecordProcessor()] } : {}),
    }),
  });
  stream.node.addDependency(policy);
  return { stream, logGroup };
}
