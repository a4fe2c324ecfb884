import { Aws, Duration, Size, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { recordStream } from './recordStream';

export interface EventStreamsPathProps {
  namePrefix: string;
  key: kms.IKey;
  /** Where Firehose delivers: the staging bucket (replicated into the write-once archive). */
  destination: s3.IBucket;
  /** e.g. `events/`: the archive layout's events prefix (ARCHIVE_EVENTS_PREFIX). */
  prefix: string;
  bufferingInterval: Duration;
  bufferingSize: Size;
  /** The AWS account Twilio assumes the role from. */
  twilioAccount: string;
  externalId: string;
}

/**
 * Event Streams' Kinesis sink into the archive, with no Function in the way:
 * a Kinesis Data Stream (on demand, encrypted with the archive key, records
 * kept 7 days, beyond Twilio's 4 hours of retries), the role Twilio assumes
 * (only from its account, only with the external id) to put records into it,
 * and a Firehose stream delivering them as sent, a newline after each, under
 * the events prefix. The readers map each line with the /event-stream
 * Function's mapping (src/domain/eventStreamLine.ts).
 */
export function eventStreamsPath(scope: Construct, id: string, props: EventStreamsPathProps) {
  // Both streams share one name, known at synth (the alarms' dimensions need it as text, not a token).
  const name = `${props.namePrefix}-events`;
  const stream = new kinesis.Stream(scope, `${id}Stream`, {
    streamName: name,
    streamMode: kinesis.StreamMode.ON_DEMAND,
    encryption: kinesis.StreamEncryption.KMS,
    encryptionKey: props.key,
    retentionPeriod: Duration.days(7),
  });
  Validations.of(stream).acknowledge({
    id: 'AwsSolutions-KDS3',
    reason: "Encrypted with the archive's own key (customer managed, rotated, the same that encrypts the archive), on purpose rather than aws/kinesis.",
  });
  const twilioRole = new iam.Role(scope, `${id}TwilioRole`, {
    assumedBy: new iam.AccountPrincipal(props.twilioAccount),
    externalIds: [props.externalId],
    description: 'Twilio Event Streams puts messaging events into the archive stream',
  });
  const putPolicy = new iam.ManagedPolicy(scope, `${id}TwilioPolicy`, {
    roles: [twilioRole],
    statements: [
      new iam.PolicyStatement({
        sid: 'PutEvents',
        actions: ['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards'],
        resources: [stream.streamArn],
      }),
      new iam.PolicyStatement({
        sid: 'EncryptThroughKinesis',
        actions: ['kms:GenerateDataKey'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `kinesis.${Aws.REGION}.amazonaws.com` } },
      }),
    ],
  });
  const delivery = recordStream(scope, `${id}Delivery`, {
    streamName: name,
    key: props.key,
    destination: props.destination,
    prefix: props.prefix,
    errorPrefix: `${props.prefix.replace(/\/$/, '')}-errors/`,
    bufferingInterval: props.bufferingInterval,
    bufferingSize: props.bufferingSize,
    source: stream,
  });
  delivery.stream.node.addDependency(putPolicy);
  Validations.of(delivery.stream).acknowledge({
    id: 'AwsSolutions-KDF1',
    reason:
      "Firehose's own server-side encryption is for Direct PUT streams only: this one reads a Kinesis stream encrypted with the archive key, and writes S3 objects encrypted with it.",
  });
  return { stream, twilioRole, delivery: delivery.stream, name };
}
