import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { InvalidInputError } from '../../domain/errors';
import { normalizeTwilioRow, type TwilioMessageRow } from '../../domain/reconcile/twilioRow';
import { DamagedTextError, openLines } from '../streams/textLines';

/** A row of an export that could not be read, and where it is. */
export interface ExportProblem {
  source: string;
  line?: number;
  reason: string;
}

export interface ExportReadReport {
  rows: number;
  malformedRows: number;
  problems: ExportProblem[];
  /** False when any row, or the file itself, could not be read. */
  complete: boolean;
}

const MAX_PROBLEMS_KEPT = 1000;

export type ExportKind = 'csv' | 'jsonl';

/** `.csv`: a Console export; `.json.gz`, `.jsonl.gz`, `.jsonl`, `.json`: Bulk Export day files (JSON lines). */
export function exportKindOf(path: string): ExportKind | null {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.jsonl?(\.gz)?$/i.test(path)) return 'jsonl';
  return null;
}

function reportFor(source: string) {
  const report: ExportReadReport = { rows: 0, malformedRows: 0, problems: [], complete: true };
  const problem = (line: number | undefined, reason: string) => {
    report.malformedRows++;
    report.complete = false;
    if (report.problems.length < MAX_PROBLEMS_KEPT) report.problems.push({ source, line, reason });
  };
  return { report, problem };
}

/**
 * Streams a Twilio export file row by row. A row that cannot be read is
 * counted and reported with its line number, and reading goes on; a file that
 * cannot be read at all throws.
 */
export async function readExportFile(path: string, onRow: (row: TwilioMessageRow) => void): Promise<ExportReadReport> {
  const kind = exportKindOf(path);
  if (!kind) throw new InvalidInputError(`${path}: not a Twilio export (expected .csv, .json.gz or .jsonl.gz)`);
  return kind === 'csv' ? readCsv(createReadStream(path), path, onRow) : readJsonLines(createReadStream(path), path, onRow);
}

/** The Console's CSV: by header, any case; quoted fields with commas and newlines; a BOM; CRLF. */
export async function readCsv(input: Readable, source: string, onRow: (row: TwilioMessageRow) => void): Promise<ExportReadReport> {
  const { report, problem } = reportFor(source);
  const parser = parse({
    bom: true,
    columns: true,
    info: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      problem(typeof error?.lines === 'number' ? error.lines : undefined, error?.message ?? 'unreadable CSV record');
      return undefined;
    },
  });
  pipeline(input, parser, () => undefined);
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    const result = normalizeTwilioRow(record);
    if (result.ok) {
      report.rows++;
      onRow(result.row);
    } else problem(info.lines, result.reason);
  }
  return report;
}

/** JSON lines, gzip or not (told by the magic bytes), each a Message resource. */
export async function readJsonLines(input: Readable, source: string, onRow: (row: TwilioMessageRow) => void): Promise<ExportReadReport> {
  const { report, problem } = reportFor(source);
  // Opening fails loudly (an unreadable input); a failure later leaves the read incomplete.
  const lines = await openLines(input);
  let lineNumber = 0;
  const takeLine = (line: string) => {
    lineNumber++;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return problem(lineNumber, 'not JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return problem(lineNumber, 'not a JSON object');
    const result = normalizeTwilioRow(value as Record<string, unknown>);
    if (!result.ok) return problem(lineNumber, result.reason);
    report.rows++;
    onRow(result.row);
  };
  try {
    for await (const batch of lines) for (const line of batch) takeLine(line);
  } catch (error) {
    report.complete = false;
    if (error instanceof DamagedTextError && error.line !== undefined) report.problems.push({ source, line: error.line, reason: error.message });
    else report.problems.push({ source, line: lineNumber || undefined, reason: `unreadable after line ${lineNumber}: ${(error as Error).message}` });
  }
  return report;
}
