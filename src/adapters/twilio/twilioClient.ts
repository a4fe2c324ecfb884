import { setTimeout as delay } from 'node:timers/promises';
import twilio from 'twilio';
import type { Twilio } from 'twilio';
import { readVariable } from '../../config/archiveSettings';
import { backoffDelay } from '../../domain/backoff';

type RequestOptions<TData> = import('twilio/lib/base/RequestClient').RequestOptions<TData>;

/** A Twilio credential or setting is missing. */
export class TwilioConfigError extends Error {
  override name = 'TwilioConfigError';
}

export interface RetryPolicy {
  /** Attempts per request, the first included. @default 5 */
  maxAttempts: number;
  /** Backoff base when the answer has no Retry-After. @default 250 */
  baseDelayMs: number;
  /** Never wait longer than this for one retry, whatever Retry-After says. @default 30000 */
  maxDelayMs: number;
}

export interface RetryEvent {
  attempt: number;
  statusCode: number;
  delayMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 30_000 };

/**
 * The `twilio` package's own HTTP client with two additions: every request can
 * go to another base URL (TWILIO_API_BASE_URL: a local fake or mock), and 429
 * and 5xx answers are retried with backoff, honouring Retry-After.
 */
export class RetryingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string | undefined,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    private readonly onRetry?: (event: RetryEvent) => void,
    /** Awaited before every HTTP request, retries included: where a rate limit plugs in. */
    private readonly gate?: () => Promise<void>,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => delay(ms),
    /** How long one request may take. */
    timeoutMs = 30_000,
  ) {
    super({ keepAlive: true, timeout: timeoutMs });
  }

  override async request<TData>(opts: RequestOptions<TData>) {
    const rewritten = this.baseUrl ? { ...opts, uri: rebase(opts.uri, this.baseUrl) } : opts;
    for (let attempt = 1; ; attempt++) {
      await this.gate?.();
      const response = await super.request<TData>(rewritten);
      const retryable = response.statusCode === 429 || response.statusCode >= 500;
      if (!retryable || attempt >= this.retry.maxAttempts) return response;
      const delayMs = retryDelay(response.headers as Record<string, unknown> | undefined, attempt, this.retry);
      this.onRetry?.({ attempt, statusCode: response.statusCode, delayMs });
      await this.sleep(delayMs);
    }
  }
}

/** `https://api.twilio.com/2010-04-01/…` → `<base>/2010-04-01/…`, for any *.twilio.com host. */
export function rebase(uri: string, baseUrl: string): string {
  const url = new URL(uri);
  const base = new URL(baseUrl);
  return `${base.origin}${base.pathname.replace(/\/$/, '')}${url.pathname}${url.search}`;
}

function retryDelay(headers: Record<string, unknown> | undefined, attempt: number, policy: RetryPolicy): number {
  const header = headers?.['retry-after'] ?? headers?.['Retry-After'];
  if (header !== undefined) {
    const seconds = Number(header);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : typeof header === 'string' ? Date.parse(header) - Date.now() : NaN;
    if (Number.isFinite(ms)) return Math.min(policy.maxDelayMs, Math.max(0, ms));
  }
  return backoffDelay(attempt, { baseMs: policy.baseDelayMs / 2, capMs: policy.maxDelayMs }, Math.random());
}

export interface TwilioClientSettings {
  client: Twilio;
  accountSid: string;
  baseUrl?: string;
}

/**
 * A client from the usual environment: TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN,
 * or TWILIO_API_KEY with TWILIO_API_SECRET (and TWILIO_ACCOUNT_SID);
 * TWILIO_API_BASE_URL sends every request to another base URL.
 */
export function twilioClientFromEnv(
  env: NodeJS.ProcessEnv,
  options: { retry?: Partial<RetryPolicy>; onRetry?: (event: RetryEvent) => void; gate?: () => Promise<void>; timeoutMs?: number } = {},
): TwilioClientSettings {
  const accountSid = readVariable(env, 'TWILIO_ACCOUNT_SID');
  if (!accountSid) throw new TwilioConfigError('TWILIO_ACCOUNT_SID is not set (AC…)');
  const apiKey = readVariable(env, 'TWILIO_API_KEY');
  const username = apiKey || accountSid;
  const password = apiKey ? readVariable(env, 'TWILIO_API_SECRET') : readVariable(env, 'TWILIO_AUTH_TOKEN');
  if (!password) {
    throw new TwilioConfigError(
      apiKey ? 'TWILIO_API_KEY is set but TWILIO_API_SECRET is not' : 'TWILIO_AUTH_TOKEN is not set (or set TWILIO_API_KEY and TWILIO_API_SECRET)',
    );
  }
  const baseUrl = readVariable(env, 'TWILIO_API_BASE_URL');
  if (baseUrl && !/^https?:\/\/[^/]+/.test(baseUrl)) throw new TwilioConfigError(`TWILIO_API_BASE_URL must be an http(s) URL, not "${baseUrl}"`);
  const httpClient = new RetryingRequestClient(baseUrl, { ...DEFAULT_RETRY, ...options.retry }, options.onRetry, options.gate, undefined, options.timeoutMs);
  const client = twilio(username, password, { accountSid, httpClient });
  return { client, accountSid, baseUrl };
}
