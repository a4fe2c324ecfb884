import { S3Client } from '@aws-sdk/client-s3';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { DirectArchiveAppender, FirehoseArchiveAppender, type ArchiveAppender } from '../adapters/archive/archiveAppender';
import { openArchiveStore, type ArchiveStore } from '../adapters/archive/archiveStore';
import { ConfigError, parseArchiveLocation, readArchiveLayout, type ArchiveLayout } from '../config/archiveSettings';
import { UsageError } from './command';

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

/** An archive a command reads: where it is, and where each kind of record lives in it. */
export interface OpenedArchive {
  store: ArchiveStore;
  layout: ArchiveLayout;
}

/**
 * `--archive` opened strictly (an S3 URI in any case, or an existing folder)
 * with the layout from the environment; a location or layout that cannot be
 * right is a usage error (exit 2), never an empty archive.
 */
export function openArchive(location: string, env: NodeJS.ProcessEnv): OpenedArchive {
  try {
    const parsed = parseArchiveLocation(location);
    const { fallbackLocation: _, ...layout } = readArchiveLayout(env, parsed);
    const store = openArchiveStore(parsed, () => {
      const endpoint = env.ARCHIVE_S3_ENDPOINT?.trim();
      return new S3Client({
        ...awsOptions(env),
        ...(endpoint ? { endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
      });
    });
    return { store, layout };
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw new UsageError(`--archive ${location}: ${(error as Error).message}`);
  }
}

/** `firehose`: through ARCHIVE_FIREHOSE_STREAM like every record; `archive`: straight into the archive's direct prefix. */
export function appenderFor(mode: 'firehose' | 'archive', archive: OpenedArchive, writer: string, env: NodeJS.ProcessEnv, fileUnder?: Date): ArchiveAppender {
  if (mode === 'archive') return new DirectArchiveAppender(archive.store, archive.layout.direct, writer, undefined, fileUnder);
  const stream = env.ARCHIVE_FIREHOSE_STREAM?.trim();
  if (!stream) throw new Error('ARCHIVE_FIREHOSE_STREAM is not set: name the delivery stream, or use --append archive');
  const endpoint = env.ARCHIVE_FIREHOSE_ENDPOINT?.trim();
  return new FirehoseArchiveAppender(new FirehoseClient({ ...awsOptions(env), maxAttempts: 3, ...(endpoint ? { endpoint } : {}) }), stream);
}
