import { parseArchiveLine, type RecordFacts } from '../../domain/archiveLine';
import { maskReasons } from '../../domain/redaction';
import { openLines } from '../streams/textLines';
import type { ArchiveObject, ArchiveStore } from './archiveStore';

/** A line or object that could not be read, and where it is. */
export interface ReadProblem {
  key: string;
  /** 1-based line number within the (decompressed) object, for a malformed line. */
  line?: number;
  reason: string;
}

export interface ScanProgress {
  objectsListed: number;
  objectsRead: number;
  /** As stored (compressed where gzip). */
  bytesRead: number;
  /** After gunzip: the JSON lines themselves. */
  bytesDecoded: number;
  records: number;
}

export interface ScanReport extends ScanProgress {
  malformedLines: number;
  corruptObjects: number;
  /** The first problems found (at most `maxProblemsKept`), each with its location. */
  problems: ReadProblem[];
  /** Valid records whose writer noted `problems` about their input (an odd callback, archived all the same). */
  flaggedRecords: number;
  /** Of those, the ones that name no message, account or status: kept in the archive, folded into nothing. */
  unattributableRecords: number;
  /** The first flagged records (at most `maxProblemsKept`), each with its location and what was odd. */
  flagged: ReadProblem[];
  /** False when any line or object could not be read: the result is then incomplete. */
  complete: boolean;
}

/** How a command's summary reports its read of the archive. */
export interface ArchiveReadSummary {
  complete: boolean;
  objects: number;
  malformed_lines: number;
  corrupt_objects: number;
  problems: ReadProblem[];
  flagged_records: number;
  unattributable_records: number;
  flagged: ReadProblem[];
}

/** A scan's report as a summary gives it, free-text reasons masked as the archive is (ARCHIVE_REDACT_DIGITS). */
export function archiveReadSummary(scan: ScanReport, redactDigits: number): ArchiveReadSummary {
  return {
    complete: scan.complete,
    objects: scan.objectsRead,
    malformed_lines: scan.malformedLines,
    corrupt_objects: scan.corruptObjects,
    problems: maskReasons(scan.problems, redactDigits),
    flagged_records: scan.flaggedRecords,
    unattributable_records: scan.unattributableRecords,
    flagged: maskReasons(scan.flagged, redactDigits),
  };
}

export interface ScanOptions {
  /** Prefixes relative to the archive root to list, e.g. `firehose/2026/11/26/15/`. */
  prefixes: string[];
  onRecord: (facts: RecordFacts, key: string) => void;
  /** Objects read at once (S3 latency hides behind this). @default 8 */
  concurrency?: number;
  onProgress?: (progress: ScanProgress) => void;
  /** @default 1000 */
  maxProblemsKept?: number;
}

/**
 * Streams every record under the given prefixes. Memory holds a few objects'
 * worth of buffers at a time, whatever the archive's size. A corrupt object
 * or a malformed line is counted and reported with its key and line number,
 * and the scan goes on.
 */
function emptyReport(): ScanReport {
  return {
    objectsListed: 0,
    objectsRead: 0,
    bytesRead: 0,
    bytesDecoded: 0,
    records: 0,
    malformedLines: 0,
    corruptObjects: 0,
    problems: [],
    flaggedRecords: 0,
    unattributableRecords: 0,
    flagged: [],
    complete: true,
  };
}

function problemKeeper(report: ScanReport, keep: number): (p: ReadProblem) => void {
  return (p) => {
    report.complete = false;
    if (report.problems.length < keep) report.problems.push(p);
  };
}

/**
 * One object read as a scan reads it, its records passed over: where another
 * engine counted malformed or flagged lines, this names each by line number.
 */
export async function readOneObject(store: ArchiveStore, key: string, maxProblemsKept = 1000): Promise<ScanReport> {
  const report = emptyReport();
  report.objectsListed = 1;
  await readObject(store, { key, size: 0 }, () => undefined, report, problemKeeper(report, maxProblemsKept), maxProblemsKept);
  report.objectsRead = 1;
  return report;
}

export async function scanArchive(store: ArchiveStore, options: ScanOptions): Promise<ScanReport> {
  const report = emptyReport();
  const keep = options.maxProblemsKept ?? 1000;
  const problem = problemKeeper(report, keep);

  // Listing and reading overlap: readers take objects as soon as a list page names them.
  const queue: ArchiveObject[] = [];
  let listingDone = false;
  let waiting: (() => void)[] = [];
  const wakeAll = () => {
    const woken = waiting;
    waiting = [];
    for (const wake of woken) wake();
  };
  const listing = (async () => {
    try {
      for (const prefix of options.prefixes) {
        for await (const object of store.list(prefix)) {
          queue.push(object);
          report.objectsListed++;
          wakeAll();
        }
      }
    } finally {
      listingDone = true;
      wakeAll();
    }
  })();

  const worker = async () => {
    for (;;) {
      const object = queue.shift();
      if (!object) {
        if (listingDone) return;
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      await readObject(store, object, options.onRecord, report, problem, keep);
      report.objectsRead++;
      options.onProgress?.(report);
    }
  };
  const workers = Array.from({ length: options.concurrency ?? 8 }, worker);
  await Promise.all([listing, ...workers]);
  return report;
}

/** Counts a record its writer flagged, and keeps where it is. */
function flag(report: ScanReport, keep: number, key: string, line: number, problems: readonly string[], unattributable: boolean): void {
  report.flaggedRecords++;
  if (unattributable) report.unattributableRecords++;
  if (report.flagged.length < keep) report.flagged.push({ key, line, reason: `${unattributable ? 'names no message: ' : ''}${problems.join('; ')}` });
}

async function readObject(
  store: ArchiveStore,
  object: ArchiveObject,
  onRecord: ScanOptions['onRecord'],
  report: ScanReport,
  problem: (p: ReadProblem) => void,
  keep: number,
): Promise<void> {
  let lineNumber = 0;
  const takeLine = (line: string) => {
    lineNumber++;
    if (line.trim() === '') return;
    const parsed = parseArchiveLine(line);
    if (parsed.ok) {
      report.records++;
      if (parsed.facts === null) return flag(report, keep, object.key, lineNumber, parsed.problems, true);
      if (parsed.facts.problems) flag(report, keep, object.key, lineNumber, parsed.facts.problems, false);
      onRecord(parsed.facts, object.key);
    } else {
      report.malformedLines++;
      problem({ key: object.key, line: lineNumber, reason: parsed.reason });
    }
  };
  try {
    const lines = await openLines(await store.open(object.key), {
      read: (n) => (report.bytesRead += n),
      decoded: (n) => (report.bytesDecoded += n),
    });
    for await (const batch of lines) for (const line of batch) takeLine(line);
  } catch (error) {
    report.corruptObjects++;
    const where = lineNumber > 0 ? ` after line ${lineNumber}` : '';
    problem({ key: object.key, reason: `unreadable${where}: ${(error as Error).message}` });
  }
}
