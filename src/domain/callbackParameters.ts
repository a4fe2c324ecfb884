import type { ParamValue } from './archiveRecord';
import { setOwn } from './ownProperty';

/**
 * Twilio Functions hand a Function the callback's query parameters and form
 * body merged into one `event` object (plus `event.request`), so which were
 * which is lost before our code runs. We tell them apart by name:
 *
 * - every parameter Twilio sends is PascalCase (`MessageSid`, `RawDlrDoneDate`,
 *   `ChannelToAddress`, …) and so starts with an upper-case letter;
 * - a sender's own identifiers on the callback URL (`?order_id=42`) must not,
 *   which the sending library enforces (docs/archive-format.md, "Tags").
 *
 * Nothing is dropped either way: a parameter lands in `params` or in `tags`.
 */
export function isTwilioParameterName(name: string): boolean {
  return /^[A-Z]/.test(name);
}

/**
 * The runtime adds `event.request` (headers and cookies). A sender's tag of the
 * same name replaces it with a string, and is then kept as a tag.
 */
function isRuntimeEventKey(name: string, value: unknown): boolean {
  return name === 'request' && typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface SplitParameters {
  /** What Twilio sent (body parameters). */
  params: Record<string, ParamValue>;
  /** What the sender put on the callback URL. */
  tags: Record<string, ParamValue>;
  /** Values that came as neither a string nor a list of strings, by name. */
  problems: string[];
}

/**
 * Splits a Function `event` (or any flat parameter map) into Twilio's
 * parameters and the sender's tags. Values that are neither a string nor a
 * list of strings (a runtime that parsed `a[b]=c` into an object) are kept as
 * their JSON text, so the archive still shows exactly what arrived.
 */
export function splitCallbackParameters(event: Record<string, unknown>): SplitParameters {
  const params: Record<string, ParamValue> = {};
  const tags: Record<string, ParamValue> = {};
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(event)) {
    if (raw === undefined || isRuntimeEventKey(name, raw)) continue;
    let value: ParamValue;
    if (typeof raw === 'string') value = raw;
    else if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) value = raw;
    else if (typeof raw === 'number' || typeof raw === 'boolean') value = String(raw);
    else {
      value = JSON.stringify(raw);
      problems.push(`${name} came as structured data, kept as its JSON text`);
    }
    setOwn(isTwilioParameterName(name) ? params : tags, name, value);
  }
  return { params, tags, problems };
}
