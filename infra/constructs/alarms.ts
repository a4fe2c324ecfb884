import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { ReplicationRuleMetrics } from './replication';

export interface ArchiveAlarmsProps {
  key: kms.IKey;
  streamName: string;
  archiveBucketName: string;
  replicationRules: ReplicationRuleMetrics[];
  email?: string;
  dataFreshness: Duration;
  replicationLatency: Duration;
  /** The Event Streams Kinesis path, when there is one: its Firehose stream and the Kinesis stream it reads. */
  eventStreams?: { deliveryStreamName: string; kinesisStreamName: string };
}

const FIVE_MINUTES = Duration.minutes(5);

function firehoseMetric(streamName: string, metricName: string, statistic: string, period = FIVE_MINUTES): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: 'AWS/Firehose', metricName, dimensionsMap: { DeliveryStreamName: streamName }, statistic, period });
}

/**
 * What watches Firehose's half of "a 2xx means the record is in the archive",
 * and the replication into the write-once bucket: each alarm notifies the
 * topic when it fires and when it clears.
 */
export function archiveAlarms(scope: Construct, id: string, props: ArchiveAlarmsProps) {
  const topic = new sns.Topic(scope, `${id}Topic`, { displayName: 'Message archive alarms', masterKey: props.key, enforceSSL: true });
  if (props.email) topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  const alarms: cloudwatch.Alarm[] = [];
  const alarm = (name: string, description: string, options: Omit<cloudwatch.AlarmProps, 'alarmDescription'>) => {
    const created = new cloudwatch.Alarm(scope, `${id}${name}`, { alarmDescription: description, ...options });
    created.addAlarmAction(new actions.SnsAction(topic));
    created.addOkAction(new actions.SnsAction(topic));
    alarms.push(created);
    return created;
  };
  alarm('DataFreshness', 'The oldest record in Firehose is not yet in S3 after the threshold: delivery is stuck; Firehose keeps records 24 hours.', {
    metric: firehoseMetric(props.streamName, 'DeliveryToS3.DataFreshness', 'Maximum'),
    threshold: props.dataFreshness.toSeconds(),
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm('DeliverySuccess', 'Some deliveries from Firehose to S3 failed (DeliveryToS3.Success below 1): Firehose retries them, up to 24 hours.', {
    metric: firehoseMetric(props.streamName, 'DeliveryToS3.Success', 'Minimum'),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm('ThrottledRecords', 'Firehose throttled records (a quota was reached): the Function retries, then answers 503 and Twilio retries.', {
    metric: firehoseMetric(props.streamName, 'ThrottledRecords', 'Sum'),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  if (props.eventStreams) {
    const events = props.eventStreams;
    alarm('EventsDataFreshness', 'The oldest Event Streams record in its Firehose stream is not yet in S3 after the threshold: delivery is stuck.', {
      metric: firehoseMetric(events.deliveryStreamName, 'DeliveryToS3.DataFreshness', 'Maximum'),
      threshold: props.dataFreshness.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('EventsIteratorAge', "Firehose reads the Event Streams Kinesis stream more than an hour behind: records expire after the stream's 7 days.", {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Kinesis',
        metricName: 'GetRecords.IteratorAgeMilliseconds',
        dimensionsMap: { StreamName: events.kinesisStreamName },
        statistic: 'Maximum',
        period: FIVE_MINUTES,
      }),
      threshold: Duration.hours(1).toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
  for (const rule of props.replicationRules) {
    const dimensionsMap = { SourceBucket: rule.sourceBucket, DestinationBucket: rule.destinationBucket, RuleId: rule.ruleId };
    alarm(`ReplicationFailed${rule.ruleId}`, `Objects failed to replicate (rule ${rule.ruleId}): they are not in the write-once copy.`, {
      metric: new cloudwatch.Metric({ namespace: 'AWS/S3', metricName: 'OperationsFailedReplication', dimensionsMap, statistic: 'Sum', period: FIVE_MINUTES }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm(`ReplicationLatency${rule.ruleId}`, `Replication (rule ${rule.ruleId}) lags more than the threshold.`, {
      metric: new cloudwatch.Metric({ namespace: 'AWS/S3', metricName: 'ReplicationLatency', dimensionsMap, statistic: 'Maximum', period: FIVE_MINUTES }),
      threshold: props.replicationLatency.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
  // S3 publishes a bucket's object count once a day; a day on which the stream took records but the archive did not grow is a silent loss in the making.
  const day = Duration.days(1);
  alarm('ArchiveNotGrowing', 'The stream received records for a day but the archive bucket holds no more objects than the day before.', {
    metric: new cloudwatch.MathExpression({
      expression: 'IF(incoming > 0 AND DIFF(objects) <= 0, 1, 0)',
      usingMetrics: {
        incoming: firehoseMetric(props.streamName, 'IncomingRecords', 'Sum', day),
        objects: new cloudwatch.Metric({
          namespace: 'AWS/S3',
          metricName: 'NumberOfObjects',
          dimensionsMap: { BucketName: props.archiveBucketName, StorageType: 'AllStorageTypes' },
          statistic: 'Average',
          period: day,
        }),
      },
      period: day,
      label: 'archive flat while the stream receives',
    }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  return { topic, alarms };
}
