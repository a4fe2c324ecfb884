import { join } from 'node:path';
import { S3Destination } from '../../dev/firehose/destinations';
import { startLocalStack, type LocalStack } from '../../dev/localStack';
import { ACCOUNT_SID } from './callbacks';
import { S3RVER_CREDENTIALS, type S3rverHandle } from './s3rverProcess';

export const AUTH_TOKEN = '0123456789abcdef0123456789abcdef';
export const ARCHIVE_BUCKET = 'archive';
export const STREAM = 'message-status-archive';

/**
 * The real local stack (twilio-run process, signature gateway, local Firehose)
 * delivering into s3rver. The Function's fallback, when asked for, writes into
 * the same s3rver bucket under `fallback/`.
 */
export async function startTestStack(s3: S3rverHandle, settings: Record<string, string> = {}, onLog?: (line: string) => void): Promise<LocalStack> {
  const output: string[] = [];
  try {
    return await startLocalStack({
      projectRoot: join(__dirname, '..', '..'),
      settings: {
        ACCOUNT_SID,
        AUTH_TOKEN,
        ARCHIVE_FIREHOSE_STREAM: STREAM,
        ARCHIVE_AWS_REGION: 'us-east-1',
        ARCHIVE_AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        ARCHIVE_AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        ARCHIVE_S3_ENDPOINT: s3.endpoint,
        ARCHIVE_WRITE_BUDGET_MS: '2500',
        ARCHIVE_ATTEMPT_TIMEOUT_MS: '600',
        PORT: '0',
        LOCAL_FIREHOSE_BUFFER_SECONDS: '600',
        ...settings,
      },
      destination: new S3Destination(s3.client, ARCHIVE_BUCKET),
      log: (line) => {
        output.push(line);
        onLog?.(line);
      },
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${output.join('\n')}`, { cause: error });
  }
}
