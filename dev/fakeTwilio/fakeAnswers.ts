import { randomBytes } from 'node:crypto';

/** What one of the fake APIs answers a request with. */
export interface FakeAnswer {
  status: number;
  body: unknown;
}

/** A new SID of this kind (`ZS`, `DG`, …): two letters and 32 hex digits, as Twilio's. */
export const sidOf = (prefix: string): string => `${prefix}${randomBytes(16).toString('hex')}`;

/** ISO 8601 to the second, as the newer APIs (Serverless, Events, Messaging) write dates. */
export const iso = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Twilio's error body: `{code, message, more_info, status}`. */
export function problem(status: number, code: number, message: string): FakeAnswer {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

export function notFound(path: string): FakeAnswer {
  return problem(404, 20404, `The requested resource ${path} was not found`);
}

/** A one-page list's `meta`, as the v1 APIs write it. */
export function listMeta(baseUrl: string, key: string, path: string): Record<string, unknown> {
  const url = `${baseUrl}${path}?PageSize=50&Page=0`;
  return { page: 0, page_size: 50, first_page_url: url, previous_page_url: null, url, next_page_url: null, key };
}
