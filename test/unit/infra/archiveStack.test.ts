import { Match } from 'aws-cdk-lib/assertions';
import { DENIED_ON_RECORDS } from '../../../infra/constructs/buckets';
import { actionsOf, logicalId, managedPolicy, resourcesIn, resourcesOf, statementsOf, synthesize } from '../../helpers/synthesizeInfra';

// One synth per configuration: each takes a few seconds (cdk-nag included).
const plain = synthesize();
const t = plain.archiveTemplate;
const archiveId = logicalId(t, 'AWS::S3::Bucket', 'Archive');
const stagingId = logicalId(t, 'AWS::S3::Bucket', 'Staging');
const keyId = logicalId(t, 'AWS::KMS::Key', 'Key');
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const objectsOf = (id: string, pattern = '*') => ({ 'Fn::Join': ['', [arnOf(id), `/${pattern}`]] });

describe('the archive bucket, write-once', () => {
  it('has Object Lock in compliance mode with a default retention of 7 years, versioning, and SSE-KMS with the rotated key', () => {
    const archive = resourcesOf(t, 'AWS::S3::Bucket')[archiveId];
    expect(archive.Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 7 } } },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arnOf(keyId) } },
        ],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(t, 'AWS::S3::Bucket', 'AccessLogs') } },
    });
    expect(archive.DeletionPolicy).toBe('Retain');
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(resourcesOf(t, 'AWS::KMS::Key')[keyId].DeletionPolicy).toBe('Retain');
  });

  it('only ever moves records to colder storage: no lifecycle rule expires a record or a version', () => {
    const rules = (resourcesOf(t, 'AWS::S3::Bucket')[archiveId].Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toEqual([
      {
        Id: 'colder-storage',
        Status: 'Enabled',
        Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ]);
  });

  it('has a bucket policy that denies non-TLS access and any delete of a version or change of retention, to everyone', () => {
    const policies = Object.values(resourcesOf(t, 'AWS::S3::BucketPolicy')).filter(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: archiveId }),
    );
    expect(policies).toHaveLength(1);
    const statements = statementsOf(policies[0]);
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'DenyDeletingOrUnlockingRecords',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: DENIED_ON_RECORDS,
        Resource: objectsOf(archiveId),
      }),
    );
    expect(DENIED_ON_RECORDS).toEqual(expect.arrayContaining(['s3:DeleteObjectVersion', 's3:PutObjectRetention', 's3:BypassGovernanceRetention']));
  });

  it('takes the retention years and mode from the settings', () => {
    const governance = synthesize({ retentionYears: '10', objectLockMode: 'governance' }).archiveTemplate;
    governance.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Years: 10 } } },
    });
  });
});

describe('how records reach it', () => {
  it('Firehose delivers into a versioned, encrypted staging bucket, replicated with retention into the archive (delete markers never)', () => {
    const staging = resourcesOf(t, 'AWS::S3::Bucket')[stagingId].Properties;
    expect(staging.ObjectLockEnabled).toBeFalsy();
    expect(staging.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(staging.ReplicationConfiguration).toEqual({
      Role: arnOf(logicalId(t, 'AWS::IAM::Role', 'StagingReplicationRole')),
      Rules: [
        {
          Id: 'to-archive',
          Priority: 1,
          Status: 'Enabled',
          Filter: { Prefix: '' },
          DeleteMarkerReplication: { Status: 'Disabled' },
          SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
          Destination: { Bucket: arnOf(archiveId), EncryptionConfiguration: { ReplicaKmsKeyID: arnOf(keyId) }, Metrics: { Status: 'Enabled' } },
        },
      ],
    });
    // Staging copies expire long after replication (minutes); the archive's never do.
    expect(staging.LifecycleConfiguration).toMatchObject({ Rules: [expect.objectContaining({ ExpirationInDays: 30 })] });
  });

  it("the replication role reads the source's versions and their retention and writes replicas, through S3 only", () => {
    const statements = statementsOf(managedPolicy(t, 'StagingReplicationPolicy'));
    expect(statements.map((s) => [s.Sid, actionsOf(s)])).toEqual([
      ['ReadReplicationConfiguration', ['s3:GetReplicationConfiguration', 's3:ListBucket']],
      [
        'ReadSourceVersionsAndTheirRetention',
        ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging', 's3:GetObjectRetention', 's3:GetObjectLegalHold'],
      ],
      ['WriteReplicas', ['s3:ReplicateObject', 's3:ReplicateTags']],
      ['DecryptSourceThroughS3', ['kms:Decrypt']],
      ['EncryptReplicasThroughS3toarchive', ['kms:Encrypt', 'kms:GenerateDataKey']],
    ]);
    expect(statements[2].Resource).toEqual(objectsOf(archiveId));
    for (const kms of statements.slice(3)) {
      expect(kms.Condition).toMatchObject({ StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } });
    }
  });

  it('a Direct PUT stream: prefix firehose/ (Firehose adds YYYY/MM/DD/HH/), an error prefix, GZIP, buffering from the settings, encrypted, errors logged', () => {
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'message-archive',
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'CUSTOMER_MANAGED_CMK', KeyARN: arnOf(keyId) },
      ExtendedS3DestinationConfiguration: {
        BucketARN: arnOf(stagingId),
        Prefix: 'firehose/',
        ErrorOutputPrefix: 'firehose-errors/',
        CompressionFormat: 'GZIP',
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 64 },
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: arnOf(keyId) } },
        CloudWatchLoggingOptions: { Enabled: true, LogGroupName: { Ref: logicalId(t, 'AWS::Logs::LogGroup', 'StreamDeliveryErrors') } },
      },
    });
    synthesize({ bufferingIntervalSeconds: 60, bufferingSizeMiB: 128 }).archiveTemplate.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({ BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 128 } }),
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: arnOf(keyId), RetentionInDays: 365 });
  });

  it("the stream's role may write objects into the staging bucket and nothing else (no delete), and nothing CDK would add", () => {
    expect(resourcesOf(t, 'AWS::IAM::Policy')).toEqual({});
    const statements = statementsOf(managedPolicy(t, 'StreamPolicy'));
    expect(Object.fromEntries(statements.map((s) => [s.Sid, actionsOf(s)]))).toEqual({
      FindTheBucket: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
      DeliverObjects: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
      EncryptThroughS3: ['kms:GenerateDataKey', 'kms:Decrypt'],
      LogDeliveryErrors: ['logs:PutLogEvents', 'logs:CreateLogStream'],
    });
    expect(statements.find((s) => s.Sid === 'DeliverObjects')!.Resource).toEqual(objectsOf(stagingId));
  });
});

describe('least-privilege identities', () => {
  const everyStatement = (template = t) =>
    Object.entries(resourcesOf(template, 'AWS::IAM::ManagedPolicy')).flatMap(([id, policy]) => statementsOf(policy).map((statement) => ({ id, statement })));

  it('no allowed action is a wildcard, no resource is "*", and nobody is allowed to delete or touch retention', () => {
    const statements = everyStatement();
    expect(statements.length).toBeGreaterThan(20);
    for (const { id, statement } of statements) {
      expect({ id, effect: statement.Effect }).toEqual({ id, effect: 'Allow' });
      for (const action of actionsOf(statement)) {
        expect({ id, action }).toEqual({
          id,
          action: expect.not.stringMatching(
            /\*|^s3:Delete|^s3:PutObjectRetention|^s3:BypassGovernanceRetention|^s3:PutBucket|^iam:|^kms:(Create|Schedule|Disable|Put)/,
          ),
        });
      }
      for (const resource of resourcesIn(statement)) expect({ id, resource }).not.toEqual({ id, resource: '*' });
    }
  });

  it('the Function may put records into this stream and write the fallback prefix only, through a group (no policy on the user)', () => {
    const statements = statementsOf(managedPolicy(t, 'FunctionWriterPolicy'));
    const streamArn = arnOf(logicalId(t, 'AWS::KinesisFirehose::DeliveryStream', 'Stream'));
    expect(statements.map((s) => ({ sid: s.Sid, actions: actionsOf(s), resources: resourcesIn(s) }))).toEqual([
      { sid: 'PutRecordsThroughTheStream', actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'], resources: [streamArn] },
      { sid: 'WriteTheFallback', actions: ['s3:PutObject'], resources: [objectsOf(archiveId, 'fallback/*')] },
      { sid: 'EncryptTheFallback', actions: ['kms:GenerateDataKey'], resources: [arnOf(keyId)] },
    ]);
    const user = Object.values(resourcesOf(t, 'AWS::IAM::User'))[0].Properties;
    expect(user.Policies).toBeUndefined();
    expect(user.ManagedPolicyArns).toBeUndefined();
    expect(user.Groups).toEqual([{ Ref: logicalId(t, 'AWS::IAM::Group', 'FunctionWriterGroup') }]);

    const withoutFallback = synthesize({ fallbackEnabled: 'false' }).archiveTemplate;
    expect(statementsOf(managedPolicy(withoutFallback, 'FunctionWriterPolicy')).map((s) => s.Sid)).toEqual(['PutRecordsThroughTheStream']);
  });

  it("the Function's access key secret is in Secrets Manager, encrypted with the key, and in no output", () => {
    const accessKeyId = logicalId(t, 'AWS::IAM::AccessKey', 'FunctionWriterAccessKey');
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'message-archive/function-access-key',
      KmsKeyId: arnOf(keyId),
      SecretString: {
        'Fn::Join': ['', Match.arrayWith([{ Ref: accessKeyId }, { 'Fn::GetAtt': [accessKeyId, 'SecretAccessKey'] }])],
      },
    });
    expect(JSON.stringify(t.toJSON().Outputs)).not.toContain('SecretAccessKey');
  });

  it('rotate the key without a gap: the new key in the secret while the retiring one still works, then the retiring one gone', () => {
    const rotating = synthesize({ accessKeySerial: '2', retiringAccessKeySerial: '1' }).archiveTemplate;
    expect(Object.keys(resourcesOf(rotating, 'AWS::IAM::AccessKey')).sort()).toEqual([
      logicalId(t, 'AWS::IAM::AccessKey', 'FunctionWriterAccessKey1'),
      logicalId(rotating, 'AWS::IAM::AccessKey', 'FunctionWriterAccessKey2'),
    ]);
    const newKey = logicalId(rotating, 'AWS::IAM::AccessKey', 'FunctionWriterAccessKey2');
    rotating.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: { 'Fn::Join': ['', Match.arrayWith([{ Ref: newKey }])] } });
    const rotated = synthesize({ accessKeySerial: '2' }).archiveTemplate;
    expect(Object.keys(resourcesOf(rotated, 'AWS::IAM::AccessKey'))).toEqual([newKey]);
  });

  it('the commands read the archive, append under direct/ only, put through the stream, and query in the workgroup', () => {
    const statements = statementsOf(managedPolicy(t, 'CommandsPolicy'));
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, { actions: actionsOf(s), resources: resourcesIn(s) }]));
    expect(bySid.ReadTheArchive).toEqual({ actions: ['s3:GetObject'], resources: [objectsOf(archiveId)] });
    expect(bySid.AppendUnderDirect).toEqual({ actions: ['s3:PutObject'], resources: [objectsOf(archiveId, 'direct/*')] });
    expect(bySid.PutRecordsThroughTheStream.actions).toEqual(['firehose:PutRecord', 'firehose:PutRecordBatch']);
    expect(bySid.QueryInTheArchiveWorkgroup.resources).toHaveLength(1);
    const putObject = statements.filter((s) => actionsOf(s).includes('s3:PutObject'));
    expect(putObject.map((s) => resourcesIn(s))).toEqual([
      [objectsOf(archiveId, 'direct/*')],
      [objectsOf(archiveId, '.writer-lease.json')],
      [objectsOf(logicalId(t, 'AWS::S3::Bucket', 'AthenaResults'))],
    ]);
    expect(bySid.HoldTheWritersLease).toEqual({ actions: ['s3:PutObject'], resources: [objectsOf(archiveId, '.writer-lease.json')] });
  });
});

describe('alarms', () => {
  const alarms = () => Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties);
  const topicId = logicalId(t, 'AWS::SNS::Topic', 'AlarmsTopic');

  it('watch Firehose delivery freshness and success, throttling, and replication, each notifying the topic', () => {
    const byMetric = Object.fromEntries(
      alarms()
        .filter((a) => a.MetricName)
        .map((a) => [`${String(a.Namespace)} ${String(a.MetricName)}`, a]),
    );
    expect(byMetric['AWS/Firehose DeliveryToS3.DataFreshness']).toMatchObject({
      Statistic: 'Maximum',
      Threshold: 900,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(byMetric['AWS/Firehose DeliveryToS3.Success']).toMatchObject({ Statistic: 'Minimum', Threshold: 1, ComparisonOperator: 'LessThanThreshold' });
    expect(byMetric['AWS/Firehose ThrottledRecords']).toMatchObject({ Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(byMetric['AWS/S3 OperationsFailedReplication']).toMatchObject({
      Dimensions: expect.arrayContaining([{ Name: 'RuleId', Value: 'to-archive' }]),
      Threshold: 0,
    });
    expect(byMetric['AWS/S3 ReplicationLatency']).toMatchObject({ Threshold: 3600 });
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
    }
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(keyId) });
    t.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it("watch the archive's object count, flat for a day while the stream receives records", () => {
    const [flat] = alarms().filter((a) => a.Metrics);
    const metrics = flat.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] }; Period: number };
    }[];
    expect(metrics.find((m) => m.Expression)!.Expression).toBe('IF(incoming > 0 AND DIFF(objects) <= 0, 1, 0)');
    expect(metrics.find((m) => m.Id === 'objects')!.MetricStat).toMatchObject({
      Metric: { MetricName: 'NumberOfObjects', Dimensions: expect.arrayContaining([{ Name: 'BucketName', Value: { Ref: archiveId } }]) },
      Period: 86400,
    });
    expect(metrics.find((m) => m.Id === 'incoming')!.MetricStat!.Metric.MetricName).toBe('IncomingRecords');
  });

  it('e-mail the configured address', () => {
    synthesize({ alarmEmail: 'records@example.com' }).archiveTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'records@example.com',
    });
  });
});

describe('Athena', () => {
  it('a Glue table over the archive with a date projection on the hour folders and an enum projection on the prefix, read by the Hive JSON SerDe', () => {
    t.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'message_archive',
      TableInput: {
        Name: 'records',
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [Match.objectLike({ Name: 'prefix' }), Match.objectLike({ Name: 'datehour' })],
        Parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          'projection.prefix.type': 'enum',
          'projection.prefix.values': 'firehose,fallback,direct',
          'projection.datehour.type': 'date',
          'projection.datehour.format': 'yyyy/MM/dd/HH',
          'projection.datehour.range': '2026/01/01/00,NOW',
          'projection.datehour.interval': '1',
          'projection.datehour.interval.unit': 'HOURS',
          'storage.location.template': { 'Fn::Join': ['', ['s3://', { Ref: archiveId }, '/${prefix}/${datehour}/']] },
        },
        StorageDescriptor: Match.objectLike({
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          SerdeInfo: { SerializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe' },
          Columns: Match.arrayWith([
            { Name: 'message_sid', Type: 'string' },
            { Name: 'problems', Type: 'array<string>' },
          ]),
        }),
      },
    });
    t.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({ Name: 'record_lines', StorageDescriptor: Match.objectLike({ Columns: [{ Name: 'line', Type: 'string' }] }) }),
    });
  });

  it("a table of the Kinesis path's lines (event_lines), as text like record_lines, projected over the events prefix only; the commands may read it", () => {
    const wholeLines = {
      SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
      Parameters: { 'field.delim': '\u0001' },
    };
    t.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'message_archive',
      TableInput: {
        Name: 'event_lines',
        Description: Match.anyValue(),
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [Match.objectLike({ Name: 'prefix' }), Match.objectLike({ Name: 'datehour' })],
        Parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          'projection.prefix.type': 'enum',
          'projection.prefix.values': 'events',
          'projection.datehour.type': 'date',
          'projection.datehour.format': 'yyyy/MM/dd/HH',
          'projection.datehour.range': '2026/01/01/00,NOW',
          'projection.datehour.interval': '1',
          'projection.datehour.interval.unit': 'HOURS',
          'storage.location.template': { 'Fn::Join': ['', ['s3://', { Ref: archiveId }, '/${prefix}/${datehour}/']] },
        },
        StorageDescriptor: Match.objectLike({
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          Columns: [{ Name: 'line', Type: 'string' }],
          SerdeInfo: wholeLines,
        }),
      },
    });
    // record_lines is read the same way, and never over the events prefix.
    t.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'record_lines',
        Parameters: Match.objectLike({ 'projection.prefix.values': 'firehose,fallback,direct' }),
        StorageDescriptor: Match.objectLike({ SerdeInfo: wholeLines }),
      }),
    });
    // Another events prefix is the one projected.
    synthesize({ eventsPrefix: 'kinesis-events/' }).archiveTemplate.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({ Name: 'event_lines', Parameters: Match.objectLike({ 'projection.prefix.values': 'kinesis-events' }) }),
    });
    expect(JSON.stringify(t.findResources('AWS::IAM::ManagedPolicy'))).toContain('/event_lines');
  });

  it("a table over Twilio's lists as reconcile --engine athena stages them: one injected run per partition, in the expiring results bucket", () => {
    const results = logicalId(t, 'AWS::S3::Bucket', 'AthenaResults');
    t.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'twilio_lists',
        PartitionKeys: [Match.objectLike({ Name: 'run', Type: 'string' })],
        Parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          'projection.run.type': 'injected',
          'storage.location.template': { 'Fn::Join': ['', ['s3://', { Ref: results }, '/twilio-lists/${run}/']] },
        },
        StorageDescriptor: Match.objectLike({
          SerdeInfo: { SerializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe' },
          Columns: Match.arrayWith([
            { Name: 'sid', Type: 'string' },
            { Name: 'to_number', Type: 'string' },
            { Name: 'messaging_service_sid', Type: 'string' },
          ]),
        }),
      }),
    });
    // The commands may read its definition (and already write their own results' bucket, where the lists go).
    const policy = JSON.stringify(t.findResources('AWS::IAM::ManagedPolicy'));
    expect(policy).toContain('/twilio_lists');
  });

  it('a workgroup with encrypted results and a bytes-scanned limit per query', () => {
    t.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'message-archive',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 100 * 1024 ** 3,
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: logicalId(t, 'AWS::S3::Bucket', 'AthenaResults') }, '/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: arnOf(keyId) },
        },
      },
    });
  });
});

describe('outputs', () => {
  it('name the stream, region, bucket and secret, and give the exact ARCHIVE_* lines for the Function and the commands', () => {
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['StreamName', 'Region', 'ArchiveBucket', 'FunctionSecretName', 'FunctionEnvironment', 'CommandsEnvironment']),
    );
    const functionEnv = JSON.stringify(outputs.FunctionEnvironment.Value);
    for (const line of [
      'ARCHIVE_FIREHOSE_STREAM=message-archive',
      'ARCHIVE_AWS_REGION=',
      'ARCHIVE_S3_URI=s3://',
      'ARCHIVE_FALLBACK_S3_URI=s3://',
      'fallback/',
      'ARCHIVE_FIREHOSE_PREFIX=firehose/',
    ]) {
      expect(functionEnv).toContain(line);
    }
    const commandsEnv = JSON.stringify(outputs.CommandsEnvironment.Value);
    for (const line of [
      'ARCHIVE_DIRECT_PREFIX=direct/',
      'ARCHIVE_ATHENA_WORKGROUP=message-archive',
      'ARCHIVE_ATHENA_DATABASE=message_archive',
      'ARCHIVE_ATHENA_LISTS_S3_URI=s3://',
      '/twilio-lists/',
    ]) {
      expect(commandsEnv).toContain(line);
    }
  });
});

describe('the optional replica in another region', () => {
  const withReplica = synthesize({ region: 'us-east-1', replicaRegion: 'us-west-2' });
  const replica = withReplica.replicaTemplate!;
  const main = withReplica.archiveTemplate;

  it('is a second locked bucket with its own key, in its own stack and region, deployed first', () => {
    expect(withReplica.replica!.region).toBe('us-west-2');
    expect(withReplica.archive.dependencies).toContain(withReplica.replica);
    replica.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: { 'Fn::Join': ['', ['message-archive-replica-', { Ref: 'AWS::AccountId' }, '-us-west-2']] },
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 7 } } },
    });
    replica.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/message-archive-replica' });
  });

  it('receives Firehose objects from staging and what is written into the archive directly (S3 does not replicate replicas)', () => {
    const buckets = resourcesOf(main, 'AWS::S3::Bucket');
    const rulesOf = (id: string) =>
      (buckets[logicalId(main, 'AWS::S3::Bucket', id)].Properties.ReplicationConfiguration as { Rules: { Id: string; Destination: Record<string, unknown> }[] })
        .Rules;
    expect(rulesOf('Staging').map((r) => r.Id)).toEqual(['to-archive', 'to-replica']);
    expect(rulesOf('Archive').map((r) => r.Id)).toEqual(['direct-to-replica']);
    expect(rulesOf('Archive')[0].Destination).toMatchObject({
      EncryptionConfiguration: { ReplicaKmsKeyID: { 'Fn::Join': ['', expect.arrayContaining([':kms:us-west-2:', ':alias/message-archive-replica'])] } },
    });
    const alarmRules = Object.values(resourcesOf(main, 'AWS::CloudWatch::Alarm'))
      .filter((a) => a.Properties.MetricName === 'OperationsFailedReplication')
      .map((a) => (a.Properties.Dimensions as { Name: string; Value: unknown }[]).find((d) => d.Name === 'RuleId')!.Value);
    expect(alarmRules).toEqual(['to-archive', 'to-replica', 'direct-to-replica']);
  });
});
