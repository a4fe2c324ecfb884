import { createReadStream, statSync } from 'node:fs';
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { ArchiveLocation } from '../../config/archiveSettings';

/** The archive is not where the location says: a folder that does not exist, or a file. */
export class ArchiveLocationError extends Error {
  override name = 'ArchiveLocationError';
}

export interface ArchiveObject {
  /** Relative to the archive root, e.g. `firehose/2026/11/26/15/stream-1-…`. */
  key: string;
  size: number;
}

/** Where the archive lives: an S3 bucket and prefix, or a local folder with the same layout. */
export interface ArchiveStore {
  readonly description: string;
  /** Every object whose key starts with `prefix`, following list pages. */
  list(prefix: string): AsyncIterable<ArchiveObject>;
  open(key: string): Promise<Readable>;
  /** Writes a whole object (direct appends: the archive is never rewritten, keys are new). */
  put(key: string, body: Buffer): Promise<void>;
}

export class S3ArchiveStore implements ArchiveStore {
  constructor(
    readonly s3: S3Client,
    readonly bucket: string,
    /** Key prefix of the archive root inside the bucket, '' or ending in '/'. */
    readonly root: string,
  ) {}

  get description(): string {
    return `s3://${this.bucket}/${this.root}`;
  }

  async *list(prefix: string): AsyncIterable<ArchiveObject> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.root + prefix, ContinuationToken: token }));
      for (const item of page.Contents ?? []) {
        if (item.Key) yield { key: item.Key.slice(this.root.length), size: item.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async open(key: string): Promise<Readable> {
    const answer = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.root + key }));
    return answer.Body as Readable;
  }

  async put(key: string, body: Buffer): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.root + key,
        Body: body,
        ContentType: 'application/x-ndjson',
        ContentMD5: createHash('md5').update(body).digest('base64'),
      }),
    );
  }
}

export class FolderArchiveStore implements ArchiveStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get description(): string {
    return this.root;
  }

  async *list(prefix: string): AsyncIterable<ArchiveObject> {
    // Prefixes here are folder paths (`firehose/2026/11/26/15/`); list that folder's tree.
    const folder = join(this.root, ...prefix.split('/').filter(Boolean));
    const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const files = entries
      .filter((e) => e.isFile() && !e.name.endsWith('.partial'))
      .map((e) => join(e.parentPath, e.name))
      .sort();
    for (const path of files) {
      yield { key: relative(this.root, path).split(sep).join('/'), size: (await stat(path)).size };
    }
  }

  open(key: string): Promise<Readable> {
    return Promise.resolve(createReadStream(join(this.root, ...key.split('/')), { highWaterMark: 256 * 1024 }));
  }

  async put(key: string, body: Buffer): Promise<void> {
    const path = join(this.root, ...key.split('/'));
    await mkdir(dirname(path), { recursive: true });
    // Whole or not at all: readers skip `.partial` files.
    await writeFile(`${path}.partial`, body, { flag: 'wx' });
    await rename(`${path}.partial`, path);
  }
}

/** The archive at a parsed location. A folder must exist and be a folder: a typo must not read as an empty archive. */
export function openArchiveStore(location: ArchiveLocation, s3Factory: () => S3Client): ArchiveStore {
  if (location.kind === 's3') return new S3ArchiveStore(s3Factory(), location.bucket, location.prefix);
  const path = resolve(location.path);
  const found = statSync(path, { throwIfNoEntry: false });
  if (!found) throw new ArchiveLocationError(`the archive folder ${path} does not exist`);
  if (!found.isDirectory()) throw new ArchiveLocationError(`the archive ${path} is not a folder`);
  return new FolderArchiveStore(path);
}
