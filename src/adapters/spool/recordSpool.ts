import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** Where a spool lives when no directory is named: beside the process, `./.message-archive-spool`. */
export const DEFAULT_SPOOL_DIR = '.message-archive-spool';

/**
 * A spool entry a drain claimed and then neither appended nor gave back: taken
 * over after this long, whoever holds it (a drain on another host, whose
 * process this host cannot see). One whose drain ran here and has ended is
 * taken back at once.
 */
const ABANDONED_CLAIM_MS = 10 * 60_000;

const ENTRY = /^[0-9]{13}-[0-9a-f-]{36}\.ndjson$/;
/** `<entry>.claimed-<when, ms>-<host>-<pid>-<uuid>`: the claim says when it was made, and by which process. */
const CLAIM = /^([0-9]{13}-[0-9a-f-]{36}\.ndjson)\.claimed-([0-9]{13})-/;
/**
 * The holder, read from the end: the uuid is matched whole, since a uuid group
 * of digits alone (one claim in seven) would otherwise read as the pid, and
 * host names hold dashes and digits (`ip-10-0-0-1`). Claims named without a
 * uuid end in one dash-free word instead.
 */
const CLAIM_HOLDER = /\.claimed-[0-9]{13}-(.+)-([0-9]+)-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$/;
const CLAIM_HOLDER_WITHOUT_UUID = /\.claimed-[0-9]{13}-(.+)-([0-9]+)-[^-]+$/;

/** An entry another drain has claimed (it is appending it now, or it died doing so, too recently to tell). */
export interface SpoolClaim {
  /** When it was claimed (ISO-8601). */
  since: string;
  /** The claiming process, when the claim's name says. */
  host: string | null;
  pid: number | null;
}

function claimOf(name: string): SpoolClaim | null {
  const claim = CLAIM.exec(name);
  if (!claim) return null;
  const holder = CLAIM_HOLDER.exec(name) ?? CLAIM_HOLDER_WITHOUT_UUID.exec(name);
  return { since: new Date(Number(claim[2])).toISOString(), host: holder?.[1] ?? null, pid: holder ? Number(holder[2]) : null };
}

/** Whether a process of this host runs (signal 0 only asks). EPERM: it runs, as someone else. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a drain did. */
export interface DrainOutcome {
  /** Entries the archive acknowledged, and that were then removed. */
  appended: number;
  /** Entries still in the spool: not tried, refused by the archive, or claimed by another drain (`claimed`). */
  remaining: number;
  /** Of `remaining`, the entries another drain holds: left to it, never appended twice. */
  claimed: SpoolClaim[];
  /** Why the archive refused the first entry it refused, if it did. */
  error: string | null;
}

/** Takes one archive line (and its record's `recorded_at`); resolves only once the archive has acknowledged it. */
export type LineAppend = (line: string, recordedAt: Date) => Promise<void>;

/** A spooled line's `recorded_at` (which files it under its hour if it goes to the fallback); now, if unreadable. */
function recordedAtOf(line: string): Date {
  try {
    const at = Date.parse((JSON.parse(line) as { recorded_at?: string }).recorded_at ?? '');
    return Number.isNaN(at) ? new Date() : new Date(at);
  } catch {
    return new Date();
  }
}

/**
 * A durable local spool of archive lines that the archive would not take:
 * one file per line, written whole (a temporary file, fsynced, renamed into
 * place, the folder fsynced), never changed afterwards. One file per entry,
 * rather than one file appended to, lets a sender write and a drain remove
 * at the same time, in several processes, with no lock: an entry appears
 * whole or not at all, and a drain removes only the entries it appended.
 */
export class RecordSpool {
  readonly dir: string;

  constructor(dir: string = DEFAULT_SPOOL_DIR) {
    this.dir = resolve(dir);
  }

  /** Stores one line durably; resolves with the entry's path once it is on disk. */
  async put(line: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const name = `${Date.now()}-${randomUUID()}.ndjson`;
    const temporary = join(this.dir, `.${name}.${hostname()}-${process.pid}.tmp`);
    const file = await open(temporary, 'wx', 0o600);
    try {
      await file.writeFile(line.endsWith('\n') ? line : `${line}\n`, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    const path = join(this.dir, name);
    await rename(temporary, path);
    // The rename is durable only once the folder itself is synced.
    const folder = openSync(this.dir, 'r');
    try {
      fsyncSync(folder);
    } finally {
      closeSync(folder);
    }
    return path;
  }

  /** How many entries wait, claimed ones included. */
  async count(): Promise<number> {
    return (await this.names()).filter((name) => ENTRY.test(name) || CLAIM.test(name)).length;
  }

  /** The entries claimed by a drain (this host's or another's), with who claimed them. */
  async claims(): Promise<SpoolClaim[]> {
    return (await this.names()).map(claimOf).filter((claim) => claim !== null);
  }

  /**
   * Appends each waiting entry, oldest first, and removes it once the archive
   * has acknowledged it. Each is claimed first (renamed), so that two drains
   * never append the same entry; one the archive refuses is given back, and
   * the drain stops there, since the archive is evidently not taking records.
   * A drain that dies between the append and the removal leaves the entry to
   * be appended again: a duplicate record, which readers fold away as they do
   * Firehose's own duplicates.
   */
  async drain(append: LineAppend, limit = Infinity): Promise<DrainOutcome> {
    const outcome: DrainOutcome = { appended: 0, remaining: 0, error: null, claimed: [] };
    const names = (await this.names()).sort();
    const abandoned = this.abandonedClaims(names);
    const waiting = [...names.filter((name) => ENTRY.test(name)), ...abandoned];
    // Another drain's live claims: counted as remaining (the spool is not empty), and left to it.
    for (const name of names) {
      if (CLAIM.test(name) && !abandoned.includes(name)) {
        outcome.claimed.push(claimOf(name)!);
        outcome.remaining++;
      }
    }
    for (const [i, name] of waiting.entries()) {
      if (i >= limit || outcome.error !== null) {
        outcome.remaining++;
        continue;
      }
      const entry = CLAIM.exec(name)?.[1] ?? name;
      const claimed = join(this.dir, `${entry}.claimed-${Date.now()}-${hostname()}-${process.pid}-${randomUUID()}`);
      try {
        await rename(join(this.dir, name), claimed);
      } catch (error) {
        // Another drain took it first (a claim is taken back by one rename: only one drain wins it).
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const line = await readFile(claimed, 'utf8');
      try {
        await append(line, recordedAtOf(line));
      } catch (error) {
        outcome.error = (error as Error).message;
        outcome.remaining++;
        await rename(claimed, join(this.dir, entry));
        continue;
      }
      await unlink(claimed);
      outcome.appended++;
    }
    return outcome;
  }

  private async names(): Promise<string[]> {
    try {
      return await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /**
   * Claims no drain is working on: older than ABANDONED_CLAIM_MS, or made on
   * this host by a process that has ended (it cannot be appending any more).
   * A claim naming this process's own pid is left too: it may be another
   * drain's of this process (one with its own copy of this module), or of a
   * container on this host whose process also runs as pid 1.
   * A live process's claim is never taken back before then, so that an entry
   * is not appended by two drains at once.
   */
  private abandonedClaims(names: string[]): string[] {
    const here = hostname();
    return names.filter((name) => {
      const claim = CLAIM.exec(name);
      if (claim === null) return false;
      if (Date.now() - Number(claim[2]) > ABANDONED_CLAIM_MS) return true;
      const holder = claimOf(name)!;
      return holder.host === here && holder.pid !== null && holder.pid !== process.pid && !processAlive(holder.pid);
    });
  }
}
