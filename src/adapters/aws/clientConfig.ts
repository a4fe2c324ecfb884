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

/**
 * The configuration every AWS client of the project starts from. No SDK is
 * imported here, so each client's module (Firehose, S3, Athena) loads only
 * its own SDK.
 */
export function clientConfig(settings: AwsClientSettings): { region: string; credentials?: AwsAccess['credentials']; maxAttempts: number; endpoint?: string } {
  return {
    region: settings.region,
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    maxAttempts: settings.maxAttempts,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  };
}
