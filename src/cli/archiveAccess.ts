import { describeTally, DirectArchiveAppender, FirehoseArchiveAppender, type ArchiveAppender, type AppendTally } from '../adapters/archive/archiveAppender';
import { openArchiveStore, type ArchiveStore } from '../adapters/archive/archiveStore';
import { buildFirehoseClient } from '../adapters/aws/clients';
import { buildS3Client } from '../adapters/aws/s3Client';
import { ConfigError, parseArchiveLocation, readArchiveLayout, readCommandAwsAccess, readVariable, type ArchiveLayout } from '../config/archiveSettings';
import { UsageError } from './command';

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
    const aws = readCommandAwsAccess(env);
    const store = openArchiveStore(parsed, () => buildS3Client({ ...aws, endpoint: aws.s3Endpoint, maxAttempts: 3 }));
    return { store, layout };
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message, { cause: error });
    throw new UsageError(`--archive ${location}: ${(error as Error).message}`, { cause: error });
  }
}

/** An appender that keeps count of what it appended, and says so. */
export type CountingAppender = ArchiveAppender & {
  readonly tally: AppendTally;
  /** "Appended 2 record(s) to <archive>: <keys>." (keys relative to the archive root), or through which stream. */
  appendedSoFar(): string;
};

/** `firehose`: through ARCHIVE_FIREHOSE_STREAM like every record; `archive`: straight into the archive's direct prefix. */
export function appenderFor(mode: 'firehose' | 'archive', archive: OpenedArchive, writer: string, env: NodeJS.ProcessEnv, fileUnder?: Date): CountingAppender {
  const appender = firehoseOrDirect(mode, archive, writer, env, fileUnder);
  const where = mode === 'archive' ? archive.store.description : appender.description;
  return Object.assign(appender, { appendedSoFar: () => describeTally(appender.tally, where) });
}

function firehoseOrDirect(
  mode: 'firehose' | 'archive',
  archive: OpenedArchive,
  writer: string,
  env: NodeJS.ProcessEnv,
  fileUnder?: Date,
): DirectArchiveAppender | FirehoseArchiveAppender {
  if (mode === 'archive') return new DirectArchiveAppender(archive.store, archive.layout.direct, writer, undefined, fileUnder);
  const stream = readVariable(env, 'ARCHIVE_FIREHOSE_STREAM');
  if (!stream) throw new ConfigError('ARCHIVE_FIREHOSE_STREAM is not set: name the delivery stream, or use --append archive');
  const aws = readCommandAwsAccess(env);
  return new FirehoseArchiveAppender(buildFirehoseClient({ ...aws, endpoint: aws.firehoseEndpoint, maxAttempts: 3 }), stream);
}
