import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLines } from '../adapters/streams/textLines';
import type { ExportReadReport } from '../adapters/twilioExport/exportFileReader';
import { redactTwilioRow, type TwilioMessageRow } from '../domain/reconcile/twilioRow';

/** Twilio's list, from whatever source: streams rows and reports what it could not read. */
export type TwilioList = (onRow: (row: TwilioMessageRow) => void) => Promise<ExportReadReport>;

/** A SID that Twilio's list gives with rows that differ: each distinct row, in the list's order. */
export interface ListedTwice {
  sid: string;
  rows: TwilioMessageRow[];
}

/** Twilio's list read once, held masked in a local file, with what it repeats found. */
export interface ListReadOnce {
  read: ExportReadReport;
  /** Rows identical to an earlier row of the same SID: the message counts once. */
  repeatedRows: number;
  /**
   * Every row once, in the list's order, less the repeats and less every row
   * of a SID listed with rows that differ; those SIDs are returned, with
   * their rows, for the report to show. The file is removed afterwards.
   */
  replay(onRow: (row: TwilioMessageRow) => void): Promise<ListedTwice[]>;
  discard(): void;
}

const WRITE_BATCH = 1000;

/**
 * Two 32-bit FNV-1a hashes of a row's fingerprint in one exact number (52
 * bits): per SID, the map holds this rather than the row, so a day of ten
 * million messages costs a number per SID, not a row.
 */
function fingerprintHash(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0) * 2 ** 20 + ((b >>> 0) >>> 12);
}

/**
 * Reads the list to its end before any row is judged: a SID the list gives
 * twice with different statuses is a fault of the list, and only a whole
 * read can tell that before a correction for either row is held. The rows
 * are masked (ARCHIVE_REDACT_DIGITS) before they reach the local file, so it
 * never holds a full number; masking is idempotent, so judging them masks
 * nothing twice. Reading twice from the file, not from the source, judges
 * exactly the rows that were checked (an API list may change between reads).
 */
export async function readListOnce(list: TwilioList, redactDigits: number): Promise<ListReadOnce> {
  const dir = mkdtempSync(join(tmpdir(), 'reconcile-list-'));
  const path = join(dir, 'rows.ndjson');
  const discard = () => rmSync(dir, { recursive: true, force: true });
  const firstOf = new Map<string, number>();
  const repeats = new Set<number>();
  const differing = new Set<string>();
  let index = 0;
  let pending = '';
  try {
    const file = createWriteStream(path);
    let writeError: Error | null = null;
    file.on('error', (error) => (writeError ??= error));
    const read = await list((unmasked) => {
      const row = redactTwilioRow(unmasked, redactDigits);
      // The line is the row's fingerprint: every reader builds its rows with the same fields in the same order.
      const line = JSON.stringify(row);
      const hash = fingerprintHash(line);
      // SIDs are compared whatever their case: `SM…ABCDEF` and `SM…abcdef` in one list are one message told twice.
      const sid = row.sid.toLowerCase();
      const first = firstOf.get(sid);
      if (first === undefined) firstOf.set(sid, hash);
      else if (first === hash) repeats.add(index);
      else differing.add(sid);
      // Written a batch at a time: one write per row costs more than the rest of the row's work.
      pending += `${line}\n`;
      if (++index % WRITE_BATCH === 0) {
        file.write(pending);
        pending = '';
      }
    });
    await new Promise<void>((resolve) => file.end(pending, resolve));
    if (writeError) throw new Error(`Twilio's list could not be held on local disk (${dir}): ${(writeError as Error).message}`);
    firstOf.clear();
    return {
      read,
      repeatedRows: repeats.size,
      discard,
      async replay(onRow) {
        const rowsOf = new Map<string, Map<string, TwilioMessageRow>>();
        let line = 0;
        try {
          for await (const lines of await openLines(createReadStream(path))) {
            for (const text of lines) {
              if (text === '') continue;
              const at = line++;
              if (repeats.has(at)) continue;
              const row = JSON.parse(text) as TwilioMessageRow;
              const sid = row.sid.toLowerCase();
              if (!differing.has(sid)) {
                onRow(row);
                continue;
              }
              const distinct = rowsOf.get(sid) ?? new Map<string, TwilioMessageRow>();
              distinct.set(text, row);
              rowsOf.set(sid, distinct);
            }
          }
        } finally {
          discard();
        }
        return [...rowsOf.values()].map((distinct) => {
          const rows = [...distinct.values()];
          return { sid: rows[0].sid, rows };
        });
      },
    };
  } catch (error) {
    discard();
    throw error;
  }
}
