import type { ArchiveReadSummary } from '../adapters/archive/archiveScanner';

/** Lines for a command's printed summary about records archived with `problems`; none when there are none. */
export function flaggedRecordLines(read: ArchiveReadSummary, shown = 5): string[] {
  if (read.flagged_records === 0) return [];
  return [
    `${read.flagged_records} archived record(s) carry problems their writer noted (odd input, archived as sent); ${read.unattributable_records} of them name no message, account or status and were not counted. First:`,
    ...read.flagged.slice(0, shown).map((f) => `  ${f.key}${f.line ? `:${f.line}` : ''}: ${f.reason}`),
  ];
}
