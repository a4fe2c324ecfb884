import { maskReasons } from '../../domain/redaction';

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

export function emptyReport(): ScanReport {
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

/** Keeps the first `keep` problems; any problem at all makes the report incomplete. */
export function problemKeeper(report: ScanReport, keep: number): (p: ReadProblem) => void {
  return (p) => {
    report.complete = false;
    if (report.problems.length < keep) report.problems.push(p);
  };
}

/** Problems in the order of the archive: by key, then line (an object's own problem, with no line, first). */
export function byLocation(a: ReadProblem, b: ReadProblem): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0);
}

/** Adds one object's report (read elsewhere: a worker thread) to the scan's. Bytes as stored are counted by the reader of the store. */
export function addObjectReport(into: ScanReport, object: ScanReport, keep: number): void {
  into.bytesDecoded += object.bytesDecoded;
  into.records += object.records;
  into.malformedLines += object.malformedLines;
  into.corruptObjects += object.corruptObjects;
  into.flaggedRecords += object.flaggedRecords;
  into.unattributableRecords += object.unattributableRecords;
  into.complete &&= object.complete;
  for (const p of object.problems) if (into.problems.length < keep) into.problems.push(p);
  for (const f of object.flagged) if (into.flagged.length < keep) into.flagged.push(f);
}
