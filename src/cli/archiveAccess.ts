import { S3Client } from '@aws-sdk/client-s3';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { DirectArchiveAppender, FirehoseArchiveAppender, type ArchiveAppender } from '../adapters/archive/archiveAppender';
import { openArchiveStore, type ArchiveStore } from '../adapters/archive/archiveStore';

/**
 * AWS clients for the offline scripts. Unlike the Function, a script may use
 * the ambient credential chain (a CI role, a profile); ARCHIVE_AWS_* win when
 * set, and ARCHIVE_S3_ENDPOINT / ARCHIVE_FIREHOSE_ENDPOINT point at local stand-ins.
 */
function awsOptions(env: NodeJS.ProcessEnv) {
  const id = env.ARCHIVE_AWS_ACCESS_KEY_ID?.trim();
  const secret = env.ARCHIVE_AWS_SECRET_ACCESS_KEY?.trim();
  return {
    region: env.ARCHIVE_AWS_REGION?.trim() || env.AWS_REGION || 'us-east-1',
    ...(id && secret ? { credentials: { accessKeyId: id, secretAccessKey: secret, sessionToken: env.ARCHIVE_AWS_SESSION_TOKEN?.trim() || undefined } } : {}),
  };
}

export function storeFromLocation(location: string, env: NodeJS.ProcessEnv): ArchiveStore {
  return openArchiveStore(location, () => {
    const endpoint = env.ARCHIVE_S3_ENDPOINT?.trim();
    return new S3Client({
      ...awsOptions(env),
      ...(endpoint ? { endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
    });
  });
}

/** `firehose`: through ARCHIVE_FIREHOSE_STREAM like every record; `archive`: straight into the archive location. */
export function appenderFor(mode: 'firehose' | 'archive', store: ArchiveStore, writer: string, env: NodeJS.ProcessEnv, fileUnder?: Date): ArchiveAppender {
  if (mode === 'archive') return new DirectArchiveAppender(store, writer, undefined, fileUnder);
  const stream = env.ARCHIVE_FIREHOSE_STREAM?.trim();
  if (!stream) throw new Error('ARCHIVE_FIREHOSE_STREAM is not set: name the delivery stream, or use --append archive');
  const endpoint = env.ARCHIVE_FIREHOSE_ENDPOINT?.trim();
  return new FirehoseArchiveAppender(new FirehoseClient({ ...awsOptions(env), maxAttempts: 3, ...(endpoint ? { endpoint } : {}) }), stream);
}
