import { S3Client } from '@aws-sdk/client-s3';
import { clientConfig, type AwsClientSettings } from './clientConfig';

/**
 * The one way an S3 client is built. Its own module, loaded on demand by the
 * Function (the S3 client costs a cold start tens of milliseconds, for the
 * rare fallback write) and imported directly by the commands.
 */
export function buildS3Client(settings: AwsClientSettings): S3Client {
  return new S3Client({
    ...clientConfig(settings),
    // Path-style and checksums only when required: what S3-compatible endpoints (the local stack, s3rver) understand.
    ...(settings.endpoint ? { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
  });
}
