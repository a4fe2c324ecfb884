import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsAccess } from '../../config/archiveSettings';

/** What an AWS client is built from: a region, credentials (or the ambient chain when absent), an endpoint override, its own retries. */
export interface AwsClientSettings {
  region: string;
  credentials?: AwsAccess['credentials'];
  /** An endpoint override (a local or S3-compatible stand-in); unset in production. */
  endpoint?: string;
  /** Attempts the SDK makes per call: 1 where our own loop owns the retries and their time budget. */
  maxAttempts: number;
}

/** The one way a Firehose client is built. */
export function buildFirehoseClient(settings: AwsClientSettings): FirehoseClient {
  return new FirehoseClient({
    region: settings.region,
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    maxAttempts: settings.maxAttempts,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  });
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
