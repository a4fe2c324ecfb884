import { readInfraSettings } from '../../../infra/settings';
import { actionsOf, logicalId, managedPolicy, resourcesOf, statementsOf, synthesize } from '../../helpers/synthesizeInfra';

const EXTERNAL_ID = 'twilio-sink-external-id-4821';
const TWILIO_ACCOUNT = '123456789012';
const withEvents = synthesize({ eventStreamsKinesis: 'true', twilioEventStreamsAccount: TWILIO_ACCOUNT, eventStreamsExternalId: EXTERNAL_ID }).archiveTemplate;
const keyId = logicalId(withEvents, 'AWS::KMS::Key', 'Key');
const stagingId = logicalId(withEvents, 'AWS::S3::Bucket', 'Staging');
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

describe('the Event Streams Kinesis path (eventStreamsKinesis)', () => {
  it('is off by default: no Kinesis stream, no role for Twilio', () => {
    const plain = synthesize().archiveTemplate;
    expect(Object.keys(resourcesOf(plain, 'AWS::Kinesis::Stream'))).toEqual([]);
    expect(Object.keys(resourcesOf(plain, 'AWS::KinesisFirehose::DeliveryStream'))).toHaveLength(1);
  });

  it('creates an on-demand Kinesis Data Stream encrypted with the archive key, records kept 7 days', () => {
    const streams = Object.values(resourcesOf(withEvents, 'AWS::Kinesis::Stream'));
    expect(streams).toHaveLength(1);
    expect(streams[0].Properties).toMatchObject({
      Name: 'message-archive-events',
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: arnOf(keyId) },
      RetentionPeriodHours: 168,
    });
  });

  it('lets only Twilio, with the external id, assume the role that puts records, and only into that stream', () => {
    const streamId = logicalId(withEvents, 'AWS::Kinesis::Stream', 'EventStreamsStream');
    const roles = resourcesOf(withEvents, 'AWS::IAM::Role');
    const twilio = Object.entries(roles).find(([id]) => id.startsWith('EventStreamsTwilioRole'))![1];
    expect(twilio.Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TWILIO_ACCOUNT}:root`]] } },
          Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
        },
      ],
    });
    const statements = statementsOf(managedPolicy(withEvents, 'EventStreamsTwilioPolicy'));
    expect(statements.map((s) => [s.Sid, actionsOf(s)])).toEqual([
      ['PutEvents', ['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards']],
      ['EncryptThroughKinesis', ['kms:GenerateDataKey']],
    ]);
    expect(statements[0].Resource).toEqual(arnOf(streamId));
  });

  it('delivers the stream into the staging bucket under events/, a newline after each record, gzip, and reads only that stream', () => {
    const deliveries = Object.values(resourcesOf(withEvents, 'AWS::KinesisFirehose::DeliveryStream'));
    const events = deliveries.find((d) => d.Properties.DeliveryStreamName === 'message-archive-events')!;
    expect(events.Properties).toMatchObject({
      DeliveryStreamType: 'KinesisStreamAsSource',
      ExtendedS3DestinationConfiguration: {
        BucketARN: arnOf(stagingId),
        Prefix: 'events/',
        ErrorOutputPrefix: 'events-errors/',
        CompressionFormat: 'GZIP',
        ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord' }] },
      },
    });
    expect(events.Properties.DeliveryStreamEncryptionConfigurationInput).toBeUndefined();
    const read = statementsOf(managedPolicy(withEvents, 'EventStreamsDeliveryPolicy')).find((s) => s.Sid === 'ReadTheSourceStream')!;
    expect(actionsOf(read)).toEqual([
      'kinesis:DescribeStream',
      'kinesis:DescribeStreamSummary',
      'kinesis:GetShardIterator',
      'kinesis:GetRecords',
      'kinesis:ListShards',
    ]);
  });

  it('alarms on its delivery and on Firehose falling behind the stream, and prints what configure-event-stream needs', () => {
    withEvents.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'GetRecords.IteratorAgeMilliseconds', Namespace: 'AWS/Kinesis' });
    withEvents.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DeliveryToS3.DataFreshness',
      Dimensions: [{ Name: 'DeliveryStreamName', Value: 'message-archive-events' }],
    });
    const outputs = withEvents.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['EventStreamsKinesisArn', 'EventStreamsRoleArn', 'EventStreamsDeliveryStreamName']));
    expect(JSON.stringify(outputs.CommandsEnvironment)).toContain('ARCHIVE_EVENTS_PREFIX=events/');
  });

  it('refuses to be turned on without Twilio’s account and the external id', () => {
    const context = (values: Record<string, string>) => (key: string) => values[key];
    expect(() => readInfraSettings(context({ eventStreamsKinesis: 'true' }))).toThrow(/needs "twilioEventStreamsAccount".*"eventStreamsExternalId"/);
    expect(() => readInfraSettings(context({ twilioEventStreamsAccount: 'twilio' }))).toThrow(/12 digits/);
    expect(() => readInfraSettings(context({ eventStreamsExternalId: 'short' }))).toThrow(/16 to 1224/);
    expect(() => readInfraSettings(context({ eventsPrefix: 'firehose/' }))).toThrow(/prefixes must differ/);
  });
});
