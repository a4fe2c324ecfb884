/**
 * One Event Streams webhook delivery as the Functions runtime hands it over.
 * The runtime parses a JSON body and spreads it into the Function's `event`
 * beside the query string and `request` (headers, cookies): an array body
 * `[a, b]` arrives as keys `0`, `1`; a single event arrives as its own
 * fields. The raw body is gone, so the body's signed hash (`bodySHA256`) can
 * only be checked against the body written back as JSON, which matches when
 * Twilio wrote compact JSON in the order the runtime kept (docs/event-streams.md).
 */
import { ownValue, setOwn } from './ownProperty';

/** What the runtime adds to `event` besides the body: its own `request`, and the query Twilio appends. */
export const RUNTIME_KEYS: ReadonlySet<string> = new Set(['request', 'bodySHA256']);

export interface EventStreamDelivery {
  /** The delivery's events in order: one for a single-event body. */
  events: unknown[];
  /** Whether the body was a JSON array (a batch). */
  batch: boolean;
  /** The body written back as JSON: the text its signed hash is checked against. */
  rewritten: string;
}

/**
 * The delivery in `event`, or null when the runtime passed no body fields
 * (a body it did not parse as JSON, or an empty object or array).
 */
export function deliveryFromEvent(event: Record<string, unknown>): EventStreamDelivery | null {
  const names = Object.keys(event).filter((name) => !RUNTIME_KEYS.has(name));
  if (names.length === 0) return null;
  // Integer-like keys come first in any JS object, in ascending order: an array's spread is exactly 0..n-1.
  if (names.every((name, i) => name === String(i))) {
    const events = names.map((name) => ownValue(event, name));
    return { events, batch: true, rewritten: JSON.stringify(events) };
  }
  const single: Record<string, unknown> = {};
  for (const name of names) setOwn(single, name, ownValue(event, name));
  return { events: [single], batch: false, rewritten: JSON.stringify(single) };
}

/** The bodies a delivery with no body fields can have been: an empty array or an empty object. */
export const EMPTY_BODIES = ['[]', '{}'] as const;
