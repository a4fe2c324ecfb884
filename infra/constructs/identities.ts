import { Aws, SecretValue, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from './acknowledge';
import { WRITER_LEASE_KEY } from '../../src/domain/writerLease';

/** Actions that put records through the stream. */
const PUT_RECORDS = ['firehose:PutRecord', 'firehose:PutRecordBatch'];

/** Use of the key by S3 on this bucket's behalf, and nothing else. */
function keyThroughS3(sid: string, key: kms.IKey, actions: string[], bucket: s3.IBucket): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions,
    resources: [key.keyArn],
    conditions: {
      StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket.bucketArn, `${bucket.bucketArn}/*`] },
    },
  });
}

export interface FunctionWriterProps {
  streamArn: string;
  archive: s3.IBucket;
  key: kms.IKey;
  /** The fallback's prefix in the archive, when the Function may write there. */
  fallbackPrefix?: string;
  secretName: string;
}

/**
 * The Function's identity. Twilio Functions cannot assume a role, so it is an
 * IAM user with an access key; the key's secret goes into a Secrets Manager
 * secret encrypted with the archive key, never into the template's outputs.
 * Rotation without a gap: raise `accessKeySerial` and name the old one
 * `retiringAccessKeySerial` (both keys work; the secret holds the new one),
 * copy the secret into the Twilio environment, then deploy without the
 * retiring serial, which deletes the old key (docs/infrastructure.md,
 * "Rotating the Function's key").
 */
export function functionWriter(scope: Construct, id: string, props: FunctionWriterProps & { accessKeySerial: number; retiringAccessKeySerial?: number }) {
  const statements = [new iam.PolicyStatement({ sid: 'PutRecordsThroughTheStream', actions: PUT_RECORDS, resources: [props.streamArn] })];
  if (props.fallbackPrefix !== undefined) {
    statements.push(
      new iam.PolicyStatement({ sid: 'WriteTheFallback', actions: ['s3:PutObject'], resources: [props.archive.arnForObjects(`${props.fallbackPrefix}*`)] }),
      keyThroughS3('EncryptTheFallback', props.key, ['kms:GenerateDataKey'], props.archive),
    );
  }
  const policy = new iam.ManagedPolicy(scope, `${id}Policy`, {
    statements,
    description: 'What the status-callback Function may do: put records, and write the fallback',
  });
  if (props.fallbackPrefix !== undefined) {
    acknowledgeWildcardResources(
      policy,
      [props.archive.arnForObjects(`${props.fallbackPrefix}*`)],
      'The fallback writes one new object per record under its own prefix, with keys it names; PutObject only, on that prefix only.',
    );
  }
  // Policies reach the user through its group only (NIST 800-53 AC-2/AC-6: no policy on a user).
  const group = new iam.Group(scope, `${id}Group`, { managedPolicies: [policy] });
  const user = new iam.User(scope, id, { groups: [group] });
  // One resource per serial: raising the serial adds a key, and the previous one lives on while it is named as retiring.
  const accessKey = new iam.AccessKey(scope, `${id}AccessKey${props.accessKeySerial}`, { user });
  if (props.retiringAccessKeySerial !== undefined) new iam.AccessKey(scope, `${id}AccessKey${props.retiringAccessKeySerial}`, { user });
  const secret = new secretsmanager.Secret(scope, `${id}Secret`, {
    secretName: props.secretName,
    description: 'ARCHIVE_AWS_ACCESS_KEY_ID and ARCHIVE_AWS_SECRET_ACCESS_KEY of the status-callback Function',
    encryptionKey: props.key,
    secretObjectValue: {
      ARCHIVE_AWS_ACCESS_KEY_ID: SecretValue.unsafePlainText(accessKey.accessKeyId),
      ARCHIVE_AWS_SECRET_ACCESS_KEY: accessKey.secretAccessKey,
    },
  });
  Validations.of(secret).acknowledge(
    {
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret holds an IAM user access key that Twilio Functions (outside AWS) use; it is rotated by raising accessKeySerial with the old one retiring, copying the new one into the Twilio environment, then retiring the old (docs/infrastructure.md), not by a rotation Lambda that could not update Twilio.',
    },
    {
      id: 'NIST.800.53.R5-SecretsManagerRotationEnabled',
      reason: 'Rotated by raising accessKeySerial (docs/infrastructure.md): a rotation Lambda could not update the Twilio environment that uses it.',
    },
  );
  return { user, policy, secret };
}

export interface ScriptsRoleProps {
  streamArn: string;
  archive: s3.IBucket;
  key: kms.IKey;
  directPrefix: string;
  athena: { workGroupArn: string; catalogArn: string; databaseArn: string; tableArns: string[]; results: s3.IBucket };
}

/**
 * The commands' identity (poll-stale, reconcile, drain-spool, the sending
 * library, Athena queries): read the archive; append under the direct prefix
 * and put through the stream; take the writers' lease (one object at the
 * root); run queries in the archive's workgroup. No delete, no retention
 * change. A role, assumed by principals of this account
 * that are allowed to (a CI's OIDC role, an operator).
 */
export function scriptsRole(scope: Construct, id: string, props: ScriptsRoleProps) {
  const { athena } = props;
  const policy = new iam.ManagedPolicy(scope, `${id}Policy`, {
    description: 'What the commands may do: read the archive, append under direct/, put through the stream, query with Athena',
    statements: [
      new iam.PolicyStatement({ sid: 'ListTheArchive', actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [props.archive.bucketArn] }),
      new iam.PolicyStatement({ sid: 'ReadTheArchive', actions: ['s3:GetObject'], resources: [props.archive.arnForObjects('*')] }),
      new iam.PolicyStatement({ sid: 'AppendUnderDirect', actions: ['s3:PutObject'], resources: [props.archive.arnForObjects(`${props.directPrefix}*`)] }),
      // The writers' lease, one object at the archive root that no reader lists: created, renewed, and released by an expired copy (never deleted).
      new iam.PolicyStatement({ sid: 'HoldTheWritersLease', actions: ['s3:PutObject'], resources: [props.archive.arnForObjects(WRITER_LEASE_KEY)] }),
      new iam.PolicyStatement({ sid: 'PutRecordsThroughTheStream', actions: PUT_RECORDS, resources: [props.streamArn] }),
      keyThroughS3('UseTheArchiveKeyThroughS3', props.key, ['kms:Decrypt', 'kms:GenerateDataKey'], props.archive),
      new iam.PolicyStatement({
        sid: 'QueryInTheArchiveWorkgroup',
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
        resources: [athena.workGroupArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReadTheArchiveTable',
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
        resources: [athena.catalogArn, athena.databaseArn, ...athena.tableArns],
      }),
      new iam.PolicyStatement({
        sid: 'QueryResults',
        actions: ['s3:GetBucketLocation', 's3:ListBucket'],
        resources: [athena.results.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'QueryResultObjects',
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        resources: [athena.results.arnForObjects('*')],
      }),
      keyThroughS3('UseTheKeyForQueryResults', props.key, ['kms:Decrypt', 'kms:GenerateDataKey'], athena.results),
    ],
  });
  acknowledgeWildcardResources(
    policy,
    [props.archive.arnForObjects('*'), props.archive.arnForObjects(`${props.directPrefix}*`), athena.results.arnForObjects('*')],
    'The commands read every record of the archive (GetObject on bucket/*), append new objects under the direct prefix only (PutObject), and read and write their own Athena results.',
  );
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.AccountRootPrincipal(),
    description: 'Assumed by the archive commands (poll-stale, reconcile, drain-spool, sending library)',
    managedPolicies: [policy],
  });
  return { role, policy };
}
