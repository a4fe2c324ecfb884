import { errorCodeInWords } from '../domain/errorCodes';
import type { StoryEntry } from '../domain/messageHistory';
import type { HistoryResult } from './findHistory';

const cell = (value: string | null) => value ?? '-';

function table(entries: StoryEntry[]): string[] {
  const rows = entries.map((e) => [cell(e.event_at ?? e.recorded_at), e.source, cell(e.status), cell(e.error_code), `${e.key}:${e.line}`, e.notes.join('; ')]);
  const head = ['when (event, else recorded)', 'source', 'status', 'error', 'where (object:line)', 'notes'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 5 ? 0 : r[i].length))));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 5 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

/** The history as a person reads it on a terminal. */
export function historyText(result: HistoryResult): string[] {
  const { looked } = result;
  const out = [
    `Looked at ${looked.from} to ${looked.to} (${looked.days} day(s), UTC): ${looked.how}.`,
    `Read ${looked.objects} object(s), ${looked.lines} line(s)${looked.unreadable ? `, ${looked.unreadable} not JSON (they name no message)` : ''}${looked.corrupt.length ? `; ${looked.corrupt.length} object(s) UNREADABLE: the history may be incomplete` : ''}.`,
  ];
  for (const corrupt of looked.corrupt) out.push(`  unreadable: ${corrupt.key}${corrupt.line === undefined ? '' : `:${corrupt.line}`}: ${corrupt.reason}`);
  if (result.messages.length === 0 && result.unattached.length === 0) out.push('No record found.');
  for (const story of result.messages) {
    out.push('', `Message ${story.message_sid}: ${story.entries.length} record(s)`, ...table(story.entries).map((l) => `  ${l}`));
    const o = story.outcome;
    out.push(
      `  Outcome: ${o.status === null ? 'no status' : `\`${o.status}\`${o.final ? ' (final)' : ' (not final)'}`}${o.error_code ? `, error ${errorCodeInWords(o.error_code)}` : ''}${o.created_at ? `, created ${o.created_at}` : ''}.`,
    );
    for (const rule of story.rules) out.push(`  - ${rule}`);
  }
  if (result.unattached.length > 0) {
    out.push('', `Send attempts without a SID (${result.unattached.length}):`);
    for (const f of result.unattached) out.push(`  ${String(f.record.recorded_at)}  ${String(f.record.source)}  to ${String(f.record.to)}  ${f.key}:${f.line}`);
  }
  return out;
}
