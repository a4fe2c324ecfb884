import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { ObjectLockMode } from '../settings';

/**
 * Where every bucket's S3 server access logs go. S3 delivers access logs only
 * into a bucket encrypted with S3-managed keys and without Object Lock default
 * retention, so this one bucket is neither KMS-encrypted nor locked; it is
 * versioned and kept for the configured days.
 */
export function accessLogBucket(scope: Construct, id: string, retentionDays: number): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      {
        id: 'keep-access-logs',
        expiration: Duration.days(retentionDays),
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
  });
  Validations.of(bucket).acknowledge(
    { id: 'AwsSolutions-S1', reason: 'This is the access-log bucket itself; logging its own accesses into itself would loop.' },
    { id: 'NIST.800.53.R5-S3BucketLoggingEnabled', reason: 'This is the access-log bucket itself; logging its own accesses into itself would loop.' },
    {
      id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
      reason: 'S3 delivers server access logs only into a bucket encrypted with S3-managed keys (SSE-S3), not SSE-KMS.',
    },
    {
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason: 'Access logs are operational evidence kept in one region; the records themselves are replicated.',
    },
  );
  return bucket;
}

export interface EncryptedBucketProps {
  key: kms.IKey;
  accessLogs: s3.IBucket;
  lifecycleRules?: s3.LifecycleRule[];
  bucketName?: string;
  objectLock?: { mode: ObjectLockMode; years: number };
}

/** A bucket with the settings every bucket here shares: SSE-KMS with a bucket key, no public access, TLS only, versioned, access-logged, kept on stack deletion. */
export function encryptedBucket(scope: Construct, id: string, props: EncryptedBucketProps): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    bucketName: props.bucketName,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: props.key,
    // One data key per bucket, not per object: KMS requests (and their cost) stay flat at any volume.
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: props.accessLogs,
    serverAccessLogsPrefix: `${id}/`,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: props.lifecycleRules,
    objectLockEnabled: props.objectLock !== undefined,
  });
  if (props.objectLock) {
    // In whole years, as the regulation counts them (CDK's own retention would render days).
    (bucket.node.defaultChild as s3.CfnBucket).objectLockConfiguration = {
      objectLockEnabled: 'Enabled',
      rule: { defaultRetention: { mode: props.objectLock.mode, years: props.objectLock.years } },
    };
  }
  return bucket;
}

/** The actions nobody may take on a write-once bucket's records, whatever their IAM policies say. */
export const DENIED_ON_RECORDS = ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention', 's3:BypassGovernanceRetention'];

/**
 * A write-once bucket: Object Lock default retention on every new object
 * version, and a bucket policy that denies deleting versions or touching
 * retention to every principal (Object Lock in compliance mode already refuses
 * both; the policy also refuses them where a version predates the lock or
 * governance mode is chosen, and says so to a reviewer).
 */
export function writeOnceBucket(
  scope: Construct,
  id: string,
  props: Omit<EncryptedBucketProps, 'objectLock' | 'lifecycleRules'> & { mode: ObjectLockMode; years: number; infrequentAccessAfterDays: number },
): s3.Bucket {
  const transitions =
    props.infrequentAccessAfterDays > 0
      ? [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(props.infrequentAccessAfterDays) }]
      : [];
  const bucket = encryptedBucket(scope, id, {
    ...props,
    objectLock: { mode: props.mode, years: props.years },
    // Colder storage only: no rule here ever expires a record.
    lifecycleRules: [{ id: 'colder-storage', transitions, abortIncompleteMultipartUploadAfter: Duration.days(7) }],
  });
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyDeletingOrUnlockingRecords',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: DENIED_ON_RECORDS,
      resources: [bucket.arnForObjects('*')],
    }),
  );
  return bucket;
}
