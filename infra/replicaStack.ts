import { Stack, StackProps, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { archiveKey } from './constructs/archiveKey';
import { accessLogBucket, writeOnceBucket } from './constructs/buckets';
import { namesFor } from './names';
import type { InfraSettings } from './settings';

/**
 * The optional second write-once copy, in another region: a locked bucket with
 * its own key, which the archive's stack replicates into. Deployed first
 * (the archive's replication rules need it to exist).
 */
export class ReplicaStack extends Stack {
  constructor(scope: Construct, id: string, settings: InfraSettings & { replicaRegion: string }, props: StackProps = {}) {
    super(scope, id, { ...props, env: { region: settings.replicaRegion } });
    const names = namesFor(settings);
    const key = archiveKey(this, 'Key', names.replicaKeyAlias);
    const accessLogs = accessLogBucket(this, 'AccessLogs', settings.accessLogRetentionDays);
    const replica = writeOnceBucket(this, 'Replica', {
      bucketName: names.replicaBucketName(settings.replicaRegion),
      key,
      accessLogs,
      mode: settings.objectLockMode,
      years: settings.retentionYears,
      infrequentAccessAfterDays: settings.infrequentAccessAfterDays,
    });
    Validations.of(replica).acknowledge({
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason: 'This bucket is the replica: the second copy of the archive.',
    });
  }
}
