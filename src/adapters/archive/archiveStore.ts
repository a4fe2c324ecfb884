import { constants, statSync } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { ArchiveLocation } from '../../config/archiveSettings';
import { keyPrefixProblem } from '../../domain/archiveLayout';

/** The archive is not where the location says: a folder that does not exist, or a file. */
export class ArchiveLocationError extends Error {
  override name = 'ArchiveLocationError';
}

export interface ArchiveObject {
  /** Relative to the archive root, e.g. `firehose/2026/11/26/15/stream-1-…`. */
  key: string;
  size: number;
  /** S3's ETag as listed (quotes included): the version a later read must still find. */
  etag?: string;
}

/** Where the archive lives: an S3 bucket and prefix, or a local folder with the same layout. */
export interface ArchiveStore {
  readonly description: string;
  /** Every object whose key starts with `prefix`, following list pages. */
  list(prefix: string): AsyncIterable<ArchiveObject>;
  /** The object's bytes; with `etag` (as listed), refused when the store now holds another version under the key. */
  open(key: string, etag?: string): Promise<Readable>;
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
        if (item.Key) yield { key: item.Key.slice(this.root.length), size: item.Size ?? 0, ...(item.ETag ? { etag: item.ETag } : {}) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async open(key: string, etag?: string): Promise<Readable> {
    const answer = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.root + key }));
    const body = answer.Body as Readable;
    // Compared here rather than sent as If-Match, which not every S3 stand-in honours: the answer names what it is.
    if (etag !== undefined && answer.ETag !== etag) {
      body.destroy();
      throw new ObjectChangedError(`${key} changed after it was listed (ETag ${etag} listed, ${answer.ETag ?? 'none'} read): read the window again`);
    }
    return body;
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

/** A read found another version of an object than the listing named. */
export class ObjectChangedError extends Error {
  override name = 'ObjectChangedError';
}

export class FolderArchiveStore implements ArchiveStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get description(): string {
    return this.root;
  }

  /**
   * The file or folder of a key or prefix. `join` resolves `..`, so a key
   * with a dot segment would name a file outside the archive: refused, and
   * the result checked to lie under the root whatever the platform's separators.
   */
  /** The file that holds an object, for a reader that reads files itself (DuckDB); refused as open() refuses a key outside the archive. */
  fileOf(key: string): string {
    return this.pathOf(key);
  }

  private pathOf(keyOrPrefix: string): string {
    const problem = keyPrefixProblem(keyOrPrefix);
    const path = join(this.root, ...keyOrPrefix.split('/').filter(Boolean));
    const inside = relative(this.root, path);
    if (problem !== null || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      throw new ArchiveLocationError(
        `the key "${keyOrPrefix}" ${problem === null ? 'lies' : `has ${problem}: it could lie`} outside the archive folder ${this.root}`,
      );
    }
    return path;
  }

  async *list(prefix: string): AsyncIterable<ArchiveObject> {
    // Prefixes here are folder paths (`firehose/2026/11/26/15/`); list that folder's tree.
    const folder = this.pathOf(prefix);
    const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    // Everything but folders is an object to read or to report: a symbolic link or other special file is listed, and
    // open() refuses it, so every reader counts it as an object it could not read instead of passing it over.
    const files = entries
      .filter((e) => !e.isDirectory() && !(e.isFile() && e.name.endsWith('.partial')))
      .map((e) => join(e.parentPath, e.name))
      .sort();
    for (const path of files) {
      yield { key: relative(this.root, path).split(sep).join('/'), size: (await lstat(path)).size };
    }
  }

  /**
   * A regular file only. A symbolic link is not followed, even to a file
   * inside the archive: a link is not something a writer of the archive
   * makes, and what it points to may change or lie outside the archive.
   */
  async open(key: string): Promise<Readable> {
    // A key refused by pathOf rejects, as any other failure to open does.
    const path = this.pathOf(key);
    const found = await lstat(path);
    if (found.isSymbolicLink()) throw new Error(`a symbolic link, not an archive object: not followed (copy its target into the archive to have it read)`);
    if (!found.isFile()) throw new Error('not a regular file: not an archive object');
    // O_NOFOLLOW: a link put in its place since the check is refused too.
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    return handle.createReadStream({ highWaterMark: 256 * 1024 });
  }

  async put(key: string, body: Buffer): Promise<void> {
    const path = this.pathOf(key);
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

/**
 * A prefix (or key) of the archive as a user would write it: `s3://bucket/root/direct/`,
 * or for a folder the path with its separators (`/data/archive/direct/`), never
 * the root and the prefix run together (`/data/archivedirect/`).
 */
export function describeLocation(store: ArchiveStore, prefix: string): string {
  if (store instanceof FolderArchiveStore) {
    const parts = prefix.split('/').filter(Boolean);
    const path = join(store.root, ...parts);
    return prefix.endsWith('/') && parts.length > 0 ? `${path}${sep}` : path;
  }
  return store.description.endsWith('/') || prefix === '' ? `${store.description}${prefix}` : `${store.description}/${prefix}`;
}
