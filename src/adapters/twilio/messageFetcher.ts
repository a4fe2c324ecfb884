import type { Twilio } from 'twilio';
import type { MessageResource } from '../../domain/resourceRecord';

export type FetchResult = { found: true; resource: MessageResource } | { found: false; answer: Record<string, unknown> };

/** Twilio answered something other than the message or a 404, after retries. */
export class MessageFetchError extends Error {
  override name = 'MessageFetchError';
  constructor(
    message: string,
    readonly statusCode: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface MessageFetcher {
  fetch(accountSid: string, messageSid: string): Promise<FetchResult>;
}

function parseBody(body: unknown): Record<string, unknown> {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as Record<string, unknown>;
    } catch {
      return { unparsed_body: body.slice(0, 500) };
    }
  }
  return (body ?? {}) as Record<string, unknown>;
}

/**
 * Fetches Message resources as Twilio's API answers them (snake_case JSON, so
 * that the archive keeps the resource verbatim), through the client's own
 * HTTP client: base URL override, retries and rate limit included.
 */
export class TwilioMessageFetcher implements MessageFetcher {
  constructor(private readonly client: Twilio) {}

  async fetch(accountSid: string, messageSid: string): Promise<FetchResult> {
    const uri = `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}.json`;
    let response: { statusCode: number; body: unknown };
    try {
      response = (await this.client.request({ method: 'get', uri })) as { statusCode: number; body: unknown };
    } catch (error) {
      throw new MessageFetchError(`no answer from Twilio: ${(error as Error).message}`, null, { cause: error });
    }
    const body = parseBody(response.body);
    if (response.statusCode === 200 && typeof body.sid === 'string') return { found: true, resource: body as MessageResource };
    if (response.statusCode === 404) return { found: false, answer: body };
    const code = typeof body.code === 'number' || typeof body.code === 'string' ? ` (error ${body.code})` : '';
    throw new MessageFetchError(`Twilio answered ${response.statusCode}${code}`, response.statusCode);
  }
}
