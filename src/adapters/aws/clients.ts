import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsAccess } from '../../config/archiveSettings';
import { clientConfig, type AwsClientSettings } from './clientConfig';

export type { AwsClientSettings };

/** The one way a Firehose client is built. */
export function buildFirehoseClient(settings: AwsClientSettings): FirehoseClient {
  return new FirehoseClient(clientConfig(settings));
}

/** The Function's Firehose client: our own retry loop (archiveWriter.ts) owns retries and their time budget, so the SDK makes one attempt. */
export function createFirehoseClient(access: AwsAccess, endpoint?: string): FirehoseClient {
  return buildFirehoseClient({ ...access, endpoint, maxAttempts: 1 });
}

/** The Function's S3 client, loaded on first use only (see s3Client.ts). */
export async function createS3Client(access: AwsAccess, endpoint?: string): Promise<S3Client> {
  const { buildS3Client } = await import('./s3Client');
  return buildS3Client({ ...access, endpoint, maxAttempts: 2 });
}
