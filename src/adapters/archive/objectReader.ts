import type { Readable } from 'node:stream';
import { parseArchiveLine, type AlertFacts, type FoldFacts, type ParsedLine, type RecordFacts } from '../../domain/archiveLine';
import { objectKeyTime } from '../../domain/archiveLayout';
import { parseCloudEventLine } from '../../domain/eventStreamLine';
import type { RecordSource } from '../../domain/archiveRecord';
import { DamagedTextError, openLines } from '../streams/textLines';
import type { ReadProblem, ScanReport } from './scanReport';

/**
 * Where a scan's records go, said as data so that a worker thread can be told:
 * records that name a message are folded into message state unless their
 * source is in `foldExcept`; records whose source is in `whole` are also
 * handed over whole (the few a command reads beyond the state: send attempts,
 * earlier corrections).
 */
export interface RecordRouting {
  fold: boolean;
  /** Whether Debugger alerts are handed over (they are never folded). */
  alerts: boolean;
  /** Objects under this prefix hold CloudEvents (the Kinesis path), read through the Event Streams mapping with this redaction. */
  cloudEvents?: { prefix: string; redactDigits: number };
  foldExcept: readonly RecordSource[];
  whole: readonly RecordSource[];
}

/** Where one object's records go. */
export interface RecordSink {
  /** The sources whose records are wanted whole (tags, params, to), not only what a fold reads. */
  readonly whole: ReadonlySet<RecordSource>;
  /** Every record (the sink decides which it folds). */
  fold(facts: FoldFacts): void;
  /** Each record of a `whole` source, in full (after its fold). */
  record(facts: RecordFacts): void;
  /** Each Debugger alert, when the sink wants them. */
  alert?(alert: AlertFacts): void;
}

/** How an object's lines are read: archive records, or (under the Kinesis path's prefix) CloudEvents. */
export function lineParserFor(key: string, routing: Pick<RecordRouting, 'cloudEvents'>): (line: string) => ParsedLine {
  const events = routing.cloudEvents;
  if (!events || !key.startsWith(events.prefix)) return parseArchiveLine;
  const arrivedAt = objectKeyTime(key);
  return (line) => parseCloudEventLine(line, arrivedAt, events.redactDigits);
}

/** Counts a record its writer flagged, and keeps where it is. */
function flag(report: ScanReport, keep: number, key: string, line: number, problems: readonly string[], unattributable: boolean): void {
  report.flaggedRecords++;
  if (unattributable) report.unattributableRecords++;
  if (report.flagged.length < keep) report.flagged.push({ key, line, reason: `${unattributable ? 'names no message: ' : ''}${problems.join('; ')}` });
}

/**
 * Reads one object's lines, each parsed and checked in full, into `sink`.
 * A malformed line is counted and reported with its line number; an object
 * that cannot be opened or read to its end (a truncated gzip, bytes that are
 * not UTF-8, a failed read) is counted as corrupt, after the records read
 * before the damage.
 */
export async function readObject(
  open: () => Promise<Readable>,
  key: string,
  sink: RecordSink,
  report: ScanReport,
  problem: (p: ReadProblem) => void,
  keep: number,
  onStoredBytes?: (n: number) => void,
  parseLine: (line: string) => ParsedLine = parseArchiveLine,
): Promise<void> {
  let lineNumber = 0;
  const takeLine = (line: string) => {
    lineNumber++;
    if (line.trim() === '') return;
    const parsed = parseLine(line);
    if (parsed.ok) {
      report.records++;
      if (parsed.alert) {
        if (parsed.alert.problems) flag(report, keep, key, lineNumber, parsed.alert.problems, false);
        sink.alert?.(parsed.alert);
        return;
      }
      if (parsed.facts === null) return flag(report, keep, key, lineNumber, parsed.problems, true);
      if (parsed.facts.problems) flag(report, keep, key, lineNumber, parsed.facts.problems, false);
      sink.fold(parsed.facts);
      if (sink.whole.has(parsed.facts.source)) sink.record(parsed.facts);
    } else {
      report.malformedLines++;
      problem({ key, line: lineNumber, reason: parsed.reason });
    }
  };
  try {
    const lines = await openLines(await open(), {
      read: (n) => {
        report.bytesRead += n;
        onStoredBytes?.(n);
      },
      decoded: (n) => (report.bytesDecoded += n),
    });
    for await (const batch of lines) for (const line of batch) takeLine(line);
  } catch (error) {
    report.corruptObjects++;
    if (error instanceof DamagedTextError && error.line !== undefined) return problem({ key, line: error.line, reason: `partly read: ${error.message}` });
    const where = lineNumber > 0 ? ` after line ${lineNumber}` : '';
    problem({ key, reason: `${error instanceof DamagedTextError ? 'partly read' : 'unreadable'}${where}: ${(error as Error).message}` });
  }
}
