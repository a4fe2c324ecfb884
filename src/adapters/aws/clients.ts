import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsAccess } from '../../config/archiveSettings';

/**
 * Our own retry loop (archiveWriter.ts) owns retries and their time budget,
 * so the SDK makes exactly one attempt per call.
 */
export function createFirehoseClient(access: AwsAccess, endpoint?: string): FirehoseClient {
  return new FirehoseClient({
    region: access.region,
    credentials: access.credentials,
    maxAttempts: 1,
    ...(endpoint ? { endpoint } : {}),
  });
}

/**
 * Loaded on first use only: the S3 client is needed for the rare fallback
 * write, and loading it costs a Function's cold start tens of milliseconds.
 */
export async function createS3Client(access: AwsAccess, endpoint?: string): Promise<S3Client> {
  const { S3Client: Client } = await import('@aws-sdk/client-s3');
  return new Client({
    region: access.region,
    credentials: access.credentials,
    maxAttempts: 2,
    // Path-style and checksums only when required: what S3-compatible endpoints (the local stack) understand.
    ...(endpoint ? { endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
  });
}
