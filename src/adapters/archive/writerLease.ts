import { createHash, randomUUID } from 'node:crypto';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  leaseAbandoned,
  leaseHeldMessage,
  newLease,
  parseLease,
  renewedLease,
  WRITER_LEASE_KEY,
  WRITER_LEASE_TTL_MS,
  type WriterLease,
} from '../../domain/writerLease';
import type { ArchiveAppender } from './archiveAppender';
import { FolderArchiveStore, S3ArchiveStore, type ArchiveStore } from './archiveStore';

/** Another writer holds the archive's lease: nothing may be appended by this run. */
export class LeaseHeldError extends Error {
  override name = 'LeaseHeldError';
  constructor(
    readonly archive: string,
    readonly lease: WriterLease,
  ) {
    super(leaseHeldMessage(archive, lease));
  }
}

/** This run's lease was taken from it (it could not renew it in time): it must append nothing more. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/** Where a lease object lives, and the three conditional operations on it. */
interface LeaseBackend {
  readonly description: string;
  /** Creates the lease only if there is none: its version, or null if there is one. */
  create(text: string): Promise<string | null>;
  /** The lease there now (its text and a version to replace it on), or null if there is none. */
  read(): Promise<{ text: string; version: string } | null>;
  /** Replaces the lease only if it is still at `version`; the new version, or null if it changed. */
  replace(version: string, text: string): Promise<string | null>;
  /** Renews this run's own lease, still at `version`: the new version, or null if it changed. Never leaves the archive without a lease. */
  renew(version: string, text: string): Promise<string | null>;
  /** Gives the lease up, only if it is still at `version`: removes it, or (S3) replaces it with `released`, a copy that has expired. */
  remove(version: string, released: string): Promise<void>;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/**
 * A folder archive's lease: a file at its root. It appears whole or not at
 * all (written aside, then hard-linked into place, which fails if the name
 * exists: an exclusive create, like open 'wx', that no reader can see half
 * written). Its version is its text (each holds a token of its own).
 */
class FolderLease implements LeaseBackend {
  private readonly path: string;
  constructor(readonly root: string) {
    this.path = join(root, WRITER_LEASE_KEY);
  }

  get description(): string {
    return this.root;
  }

  async create(text: string): Promise<string | null> {
    const aside = `${this.path}.${randomUUID()}.tmp`;
    await writeFile(aside, text, { flag: 'wx' });
    try {
      await link(aside, this.path);
      return text;
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return null;
      throw error;
    } finally {
      await unlink(aside);
    }
  }

  async read(): Promise<{ text: string; version: string } | null> {
    try {
      const text = await readFile(this.path, 'utf8');
      return { text, version: text };
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
  }

  /**
   * Moves the lease aside (one rename wins), and keeps the move only if what
   * was moved is the version expected; a lease that changed in between is put
   * back where it was (link: only if the name is still free).
   */
  private async takeAside(version: string): Promise<string | null> {
    const aside = `${this.path}.${randomUUID()}.taken`;
    try {
      await rename(this.path, aside);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
    if ((await readFile(aside, 'utf8')) === version) return aside;
    await link(aside, this.path).catch(() => undefined);
    await unlink(aside);
    return null;
  }

  async replace(version: string, text: string): Promise<string | null> {
    const aside = await this.takeAside(version);
    if (aside === null) return null;
    await unlink(aside);
    return this.create(text);
  }

  async renew(version: string, text: string): Promise<string | null> {
    if ((await this.read())?.version !== version) return null;
    // Replaced in one rename: the archive is never without the lease while it is renewed.
    const aside = `${this.path}.${randomUUID()}.tmp`;
    await writeFile(aside, text, { flag: 'wx' });
    await rename(aside, this.path);
    return text;
  }

  async remove(version: string): Promise<void> {
    // A folder's lease file is removed: the next writer creates its own.
    const aside = await this.takeAside(version);
    if (aside !== null) await unlink(aside);
  }
}

function isPreconditionFailed(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  // 409 ConditionalRequestConflict: another conditional write to the key was under way.
  return (
    e.name === 'PreconditionFailed' || e.name === 'ConditionalRequestConflict' || e.$metadata?.httpStatusCode === 412 || e.$metadata?.httpStatusCode === 409
  );
}

/** An S3 archive's lease: an object at its root, created with If-None-Match: * and replaced or removed only at its ETag (If-Match). */
class S3Lease implements LeaseBackend {
  private readonly key: string;
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly root: string,
  ) {
    this.key = root + WRITER_LEASE_KEY;
  }

  get description(): string {
    return `s3://${this.bucket}/${this.root}`;
  }

  private put(text: string, condition: { IfNoneMatch: string } | { IfMatch: string }): Promise<{ ETag?: string }> {
    return this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key,
        Body: text,
        ContentType: 'application/json',
        // Buckets under Object Lock refuse uploads without an integrity header.
        ContentMD5: createHash('md5').update(text).digest('base64'),
        ...condition,
      }),
    );
  }

  async create(text: string): Promise<string | null> {
    try {
      return (await this.put(text, { IfNoneMatch: '*' })).ETag ?? '';
    } catch (error) {
      if (isPreconditionFailed(error)) return null;
      throw error;
    }
  }

  async read(): Promise<{ text: string; version: string } | null> {
    try {
      const answer = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      return { text: (await answer.Body?.transformToString('utf8')) ?? '', version: answer.ETag ?? '' };
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  }

  async replace(version: string, text: string): Promise<string | null> {
    try {
      return (await this.put(text, { IfMatch: version })).ETag ?? null;
    } catch (error) {
      if (isPreconditionFailed(error) || (error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  }

  renew(version: string, text: string): Promise<string | null> {
    return this.replace(version, text);
  }

  /**
   * The commands may not delete in the archive bucket (Object Lock keeps every
   * version anyway): the lease is given up by an expired copy written at its
   * ETag, which the next writer takes over at once.
   */
  async remove(version: string, released: string): Promise<void> {
    // Taken over meanwhile (412), or gone: not ours to give up.
    await this.replace(version, released);
  }
}

/** Whether a process of this host runs (signal 0 only asks). EPERM: it runs, as someone else. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

/** A lease this run holds: renewed while it runs, released at the end (and on Ctrl-C). */
export interface HeldLease {
  readonly lease: WriterLease;
  /** Throws LeaseLostError once the lease was lost: then nothing more may be appended. */
  check(): void;
  release(): Promise<void>;
}

export interface LeaseOptions {
  ttlMs?: number;
  now?: () => Date;
  host?: string;
  pid?: number;
  alive?: (pid: number) => boolean;
}

function backendFor(store: ArchiveStore | { s3: S3Client; bucket: string; root: string }): LeaseBackend {
  if (store instanceof FolderArchiveStore) return new FolderLease(store.root);
  if (store instanceof S3ArchiveStore) return new S3Lease(store.s3, store.bucket, store.root);
  if ('s3' in store) return new S3Lease(store.s3, store.bucket, store.root);
  throw new Error(`no writers' lease can be taken on ${store.description}`);
}

/**
 * Takes the archive's writers' lease for `command`, or throws LeaseHeldError
 * naming its holder. A lease that is expired, unreadable, or held by a process
 * of this host that no longer runs (a crash) is taken over, only at the
 * version read (so two takers never both win).
 */
export async function acquireWriterLease(
  where: ArchiveStore | { s3: S3Client; bucket: string; root: string },
  command: string,
  options: LeaseOptions = {},
): Promise<HeldLease> {
  const backend = backendFor(where);
  const now = options.now ?? (() => new Date());
  const ttlMs = options.ttlMs ?? WRITER_LEASE_TTL_MS;
  const host = options.host ?? hostname();
  const lease = newLease({ host, pid: options.pid ?? process.pid, command, token: randomUUID() }, now(), ttlMs);
  const text = `${JSON.stringify(lease)}\n`;
  let version: string | null = null;
  for (let attempt = 0; attempt < 5 && version === null; attempt++) {
    version = await backend.create(text);
    if (version !== null) break;
    const found = await backend.read();
    if (found === null) continue;
    const holder = parseLease(found.text);
    if (!leaseAbandoned(holder, now(), host, options.alive ?? processAlive)) throw new LeaseHeldError(backend.description, holder!);
    version = await backend.replace(found.version, text);
  }
  if (version === null) throw new Error(`the writers' lease of ${backend.description} changed hands repeatedly while this run tried to take it; run again`);
  return holdLease(backend, lease, version, { now, ttlMs });
}

function holdLease(backend: LeaseBackend, taken: WriterLease, takenVersion: string, options: { now: () => Date; ttlMs: number }): HeldLease {
  let lease = taken;
  let version: string | null = takenVersion;
  let lost: string | null = null;
  let renewing: Promise<void> = Promise.resolve();
  const renew = async () => {
    if (version === null || lost !== null) return;
    const next = renewedLease(lease, options.now(), options.ttlMs);
    const answer = await backend.renew(version, `${JSON.stringify(next)}\n`).catch((error: Error) => {
      lost = `the lease could not be renewed: ${error.message}`;
      return null;
    });
    if (answer === null) {
      lost ??= `another writer took the lease of ${backend.description} over`;
      version = null;
      return;
    }
    lease = next;
    version = answer;
  };
  const timer = setInterval(() => void (renewing = renewing.then(renew)), Math.max(1000, Math.floor(options.ttlMs / 3)));
  timer.unref();
  let released: Promise<void> | null = null;
  const release = () => {
    released ??= (async () => {
      clearInterval(timer);
      for (const signal of SIGNALS) process.removeListener(signal, onSignal);
      await renewing;
      if (version !== null) await backend.remove(version, `${JSON.stringify({ ...lease, expires: options.now().toISOString() })}\n`);
      version = null;
    })();
    return released;
  };
  // Ctrl-C (or a kill) ends the run without its finally blocks: the lease is released first, then the process ends as the signal would have ended it.
  const othersListening = SIGNALS.some((signal) => process.listenerCount(signal) > 0);
  function onSignal(signal: NodeJS.Signals): void {
    void release().finally(() => {
      // A command that handles the signal itself (stops its queries, then ends) is left to end on its own.
      if (!othersListening) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
  for (const signal of SIGNALS) process.once(signal, onSignal);
  return {
    get lease() {
      return lease;
    },
    check() {
      // Past its expiry unrenewed (a stalled process), the lease may be another writer's already.
      if (lost === null && Date.parse(lease.expires) <= options.now().getTime()) lost = `the lease expired at ${lease.expires} before it was renewed`;
      if (lost !== null) throw new LeaseLostError(`${lost}; nothing more is appended`);
    },
    release,
  };
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** An appender that appends only while its run holds the writers' lease. */
export class LeasedAppender implements ArchiveAppender {
  constructor(
    private readonly inner: ArchiveAppender,
    private readonly lease: HeldLease,
  ) {}

  get description(): string {
    return this.inner.description;
  }

  append(lines: string[]): Promise<void> {
    this.lease.check();
    return this.inner.append(lines);
  }
}
