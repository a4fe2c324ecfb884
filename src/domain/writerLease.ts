/**
 * The writers' lease: one command at a time appends to an archive, so that
 * two runs started together do not each append the same records. The lease
 * is one object at the archive root; readers list only `<prefix>YYYY/MM/DD/HH/`
 * folders, so a key without a `/` is never read as archive data.
 */
export const WRITER_LEASE_KEY = '.writer-lease.json';

/**
 * How long a lease lasts without renewal: a crashed run blocks other writers
 * at most this long. A run renews its lease well before (every third of it).
 */
export const WRITER_LEASE_TTL_MS = 10 * 60_000;

/** Who holds the lease, since when, and until when it holds without renewal. */
export interface WriterLease {
  host: string;
  pid: number;
  /** The command as typed, e.g. `reconcile --write --append archive`. */
  command: string;
  /** ISO-8601. */
  since: string;
  /** ISO-8601: after this, another writer may take the lease over. */
  expires: string;
  /** Tells this holder's lease from a later one with the same host and pid. */
  token: string;
}

export function newLease(holder: { host: string; pid: number; command: string; token: string }, now: Date, ttlMs = WRITER_LEASE_TTL_MS): WriterLease {
  return { ...holder, since: now.toISOString(), expires: new Date(now.getTime() + ttlMs).toISOString() };
}

/** The same lease, its expiry pushed on. */
export function renewedLease(lease: WriterLease, now: Date, ttlMs = WRITER_LEASE_TTL_MS): WriterLease {
  return { ...lease, expires: new Date(now.getTime() + ttlMs).toISOString() };
}

/** A lease object's text; null when it is not one (a torn or foreign file): such an object is treated as an expired lease. */
export function parseLease(text: string): WriterLease | null {
  try {
    const value = JSON.parse(text) as Partial<WriterLease>;
    const valid =
      typeof value.host === 'string' &&
      typeof value.pid === 'number' &&
      typeof value.command === 'string' &&
      typeof value.token === 'string' &&
      typeof value.since === 'string' &&
      typeof value.expires === 'string' &&
      !Number.isNaN(Date.parse(value.since)) &&
      !Number.isNaN(Date.parse(value.expires));
    return valid ? (value as WriterLease) : null;
  } catch {
    return null;
  }
}

export function leaseExpired(lease: WriterLease | null, now: Date): boolean {
  return lease === null || Date.parse(lease.expires) <= now.getTime();
}

/**
 * Whether a lease may be taken over: expired, unreadable, or held by a
 * process on this host that no longer runs (a crash). A holder on another
 * host is judged by its expiry alone: its pid means nothing here.
 */
export function leaseAbandoned(lease: WriterLease | null, now: Date, thisHost: string, processAlive: (pid: number) => boolean): boolean {
  if (leaseExpired(lease, now)) return true;
  return lease!.host === thisHost && !processAlive(lease!.pid);
}

/** What a second writer is told. */
export function leaseHeldMessage(archive: string, lease: WriterLease): string {
  return (
    `another writer holds the lease of ${archive}: "${lease.command}" (pid ${lease.pid} on ${lease.host}) since ${lease.since}, ` +
    `until ${lease.expires} unless it renews it. Nothing was appended. Run again once it has finished; a lease left by a crashed run expires then.`
  );
}
