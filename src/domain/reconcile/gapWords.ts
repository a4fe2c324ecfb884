import { errorCodeInWords } from '../errorCodes';
import { isPlainObject } from '../ownProperty';

/** A gap as gaps.ndjson holds it. */
export interface GapLike {
  category: string;
  message_sid: string | null;
  evidence: Record<string, unknown>;
  written?: boolean;
}

const obj = (value: unknown): Record<string, unknown> => (isPlainObject(value) ? value : {});
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const code = (value: unknown) => str(value) ?? (typeof value === 'number' ? String(value) : null);
const status = (side: Record<string, unknown>) => {
  const s = str(side.status);
  const e = code(side.error_code);
  return `\`${s ?? 'no status'}\`${e ? `, error ${errorCodeInWords(e)}` : ''}`;
};
const when = (iso: unknown) =>
  str(iso)
    ? ` at ${str(iso)!
        .replace('T', ' ')
        .replace(/(\.\d+)?Z$/, ' UTC')}`
    : '';

/**
 * What a gap's evidence shows, in words a compliance officer reads without
 * knowing the file format: "archive says `sent` (last recorded 09:14);
 * Twilio says `delivered`".
 */
export function gapInWords(gap: GapLike): string {
  const e = gap.evidence;
  const twilio = obj(e.twilio);
  const archive = isPlainObject(e.archive) ? e.archive : null;
  let words: string;
  switch (gap.category) {
    case 'missing':
      words = `The archive holds nothing for this message; Twilio says ${status(twilio)}.`;
      break;
    case 'status_behind':
    case 'status_conflict':
      words = `The archive says ${archive ? status(archive) : '`no status`'}${archive ? ` (last recorded${when(archive.last_recorded_at)})` : ''}; Twilio says ${status(twilio)}.`;
      if (gap.category === 'status_conflict') words += ' Both are final and differ: a person compares them.';
      break;
    case 'matched_by_envelope': {
      const attempt = obj(e.attempt);
      const message = obj(e.message);
      words = `A send attempt to ${str(attempt.to) ?? 'an unknown number'}${when(attempt.at)}${str(attempt.client_ref) ? ` (client reference ${str(attempt.client_ref)})` : ''} got no SID back; Twilio created this message for the same recipient${when(message.dateCreated)}.`;
      break;
    }
    case 'ambiguous_envelope': {
      const attempt = obj(e.attempt);
      const candidates = Array.isArray(e.candidates) ? e.candidates.length : 0;
      words = `A send attempt to ${str(attempt.to) ?? 'an unknown number'}${when(attempt.at)}${str(attempt.client_ref) ? ` (client reference ${str(attempt.client_ref)})` : ''} fits ${candidates} messages of Twilio's list: a person decides which, if any, it created.`;
      break;
    }
    case 'unknown_to_twilio':
      words = `The sender recorded this message as ${archive ? status(archive) : 'sent'}${archive ? `, created${when(archive.created_at)}` : ''}; Twilio's list does not hold it.`;
      break;
    case 'listed_twice': {
      const rows = Array.isArray(e.twilio_rows) ? e.twilio_rows.map(obj) : [];
      words = `Twilio's list gives this message ${rows.length} times with different rows: ${rows.map((row) => status(row)).join(' and ')}. Neither is believed and nothing was corrected: a person asks Twilio which is right.`;
      break;
    }
    default:
      words = `A ${gap.category.replace(/_/g, ' ')} finding.`;
  }
  if (str(e.fixed_by)) words += ` Explained by the attempt matched by envelope.`;
  const alerts = Array.isArray(e.debugger_alerts) ? e.debugger_alerts.map(obj) : [];
  if (alerts.length > 0) {
    words += ` Twilio's Debugger: ${alerts.map((a) => `${str(a.level) ?? 'alert'}${code(a.error_code) ? ` ${errorCodeInWords(code(a.error_code)!)}` : ''}${when(a.at)}`).join('; ')}.`;
  }
  return words;
}
