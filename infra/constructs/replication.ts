import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from './acknowledge';

/** Where one replication rule copies to. */
export interface ReplicationTarget {
  /** The rule's id, also the RuleId dimension of its CloudWatch metrics. */
  ruleId: string;
  bucketName: string;
  bucketArn: string;
  region: string;
  /** The destination's key: its ARN, or (for a key in another stack and region) its alias. */
  key: { arn: string } | { aliasName: string };
}

/** The CloudWatch dimensions S3 publishes a rule's replication metrics under. */
export interface ReplicationRuleMetrics {
  sourceBucket: string;
  destinationBucket: string;
  ruleId: string;
}

/** A KMS key ARN or alias ARN the replica objects are encrypted with. */
function replicaKeyId(target: ReplicationTarget): string {
  return 'arn' in target.key ? target.key.arn : `arn:${Aws.PARTITION}:kms:${target.region}:${Aws.ACCOUNT_ID}:${target.key.aliasName}`;
}

/** Every key of a region, narrowed by an alias condition. */
function aliasMatchedKeys(region: string): string {
  return `arn:${Aws.PARTITION}:kms:${region}:${Aws.ACCOUNT_ID}:key/*`;
}

/** Encryption context S3 uses: the object's ARN, or the bucket's when a bucket key is on. */
function s3Context(bucketArn: string): Record<string, unknown> {
  return { StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucketArn, `${bucketArn}/*`] } };
}

/**
 * Live replication of every new object version of `source` to each target,
 * with Object Lock retention carried along and delete markers never
 * replicated, by a role that may read the source's versions and their
 * retention, write replicas, and use the two keys only through S3.
 */
export function replicate(scope: Construct, id: string, source: s3.Bucket, sourceKey: kms.IKey, targets: ReplicationTarget[]): ReplicationRuleMetrics[] {
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('s3.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    description: `Replicates ${id}`,
  });
  const statements = [
    new iam.PolicyStatement({
      sid: 'ReadReplicationConfiguration',
      actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
      resources: [source.bucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'ReadSourceVersionsAndTheirRetention',
      actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging', 's3:GetObjectRetention', 's3:GetObjectLegalHold'],
      resources: [source.arnForObjects('*')],
    }),
    new iam.PolicyStatement({
      sid: 'WriteReplicas',
      actions: ['s3:ReplicateObject', 's3:ReplicateTags'],
      resources: targets.map((target) => `${target.bucketArn}/*`),
    }),
    new iam.PolicyStatement({
      sid: 'DecryptSourceThroughS3',
      actions: ['kms:Decrypt'],
      resources: [sourceKey.keyArn],
      conditions: { ...s3Context(source.bucketArn), StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
    }),
    ...targets.map(
      (target) =>
        new iam.PolicyStatement({
          sid: `EncryptReplicasThroughS3${target.ruleId.replace(/[^A-Za-z0-9]/g, '')}`,
          actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
          // A key named by its alias (another stack's) is matched by the alias; a key ARN by itself.
          resources: ['arn' in target.key ? target.key.arn : aliasMatchedKeys(target.region)],
          conditions: {
            ...s3Context(target.bucketArn),
            StringEquals: { 'kms:ViaService': `s3.${target.region}.amazonaws.com` },
            ...('aliasName' in target.key ? { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': target.key.aliasName } } : {}),
          },
        }),
    ),
  ];
  const policy = new iam.ManagedPolicy(scope, `${id}Policy`, { statements, roles: [role] });
  acknowledgeWildcardResources(
    policy,
    [source.arnForObjects('*'), ...targets.map((target) => `${target.bucketArn}/*`)],
    'Replication reads every object version of the source and writes every replica: object-level actions on bucket/*, the narrowest S3 allows.',
  );
  const byAlias = targets.flatMap((target) => ('aliasName' in target.key ? [aliasMatchedKeys(target.region)] : []));
  acknowledgeWildcardResources(
    policy,
    [...new Set(byAlias)],
    "The replica's key lives in another stack and region, so it is named by its alias: any key of that region, only when kms:ResourceAliases holds the alias.",
  );
  const cfn = source.node.defaultChild as s3.CfnBucket;
  cfn.replicationConfiguration = {
    role: role.roleArn,
    rules: targets.map((target, index) => ({
      id: target.ruleId,
      priority: index + 1,
      status: 'Enabled',
      filter: { prefix: '' },
      deleteMarkerReplication: { status: 'Disabled' },
      sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
      destination: {
        bucket: target.bucketArn,
        encryptionConfiguration: { replicaKmsKeyId: replicaKeyId(target) },
        // Failed and pending operations and latency, per rule, for the alarms.
        metrics: { status: 'Enabled' },
      },
    })),
  };
  return targets.map((target) => ({ sourceBucket: source.bucketName, destinationBucket: target.bucketName, ruleId: target.ruleId }));
}
