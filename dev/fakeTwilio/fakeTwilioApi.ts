import { setTimeout as delay } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { close, listen, portOf, readBody } from '../httpServer';
import { FakeEvents } from './fakeEvents';
import { FakeServerless, type FakeServerlessOptions } from './fakeServerless';
import { FakeServices } from './fakeServices';

/** A Message resource as the fake holds it. */
export interface FakeMessage {
  sid: string;
  account_sid: string;
  messaging_service_sid: string | null;
  to: string;
  from: string | null;
  body: string;
  status: string;
  direction: string;
  error_code: number | null;
  error_message: string | null;
  num_segments: string;
  num_media: string;
  price: string | null;
  price_unit: string | null;
  api_version: string;
  date_created: Date;
  date_sent: Date | null;
  date_updated: Date;
}

export interface FakeCredentials {
  accountSid: string;
  authToken: string;
  /** API keys (SK…) with their secrets, acting for this account. */
  apiKeys?: Record<string, string>;
}

/** Trouble to inject, per request. */
export interface FakeTwilioFaults {
  /** Share of requests answered 429 (code 20429) with a Retry-After header. */
  rate429?: number;
  /** The next this-many requests are answered 429, whatever rate429 says. */
  next429?: number;
  /** Retry-After, in seconds, on those answers. @default 1 */
  retryAfterSeconds?: number;
  /** Share of requests answered 500. */
  rate500?: number;
  /** Added to every answer, in ms. */
  latencyMs?: number;
  /** These message SIDs are always answered with this HTTP status (e.g. 500). */
  failingSids?: Record<string, number>;
  /** The next creates are answered with these errors, one each, in order (nothing is created). */
  createErrors?: { status: number; code: number; message: string }[];
  /**
   * The next this-many creates create the message and then never answer: the
   * client times out without the SID (the case the reconciliation resolves).
   */
  createThenHang?: number;
  /** The next this-many creates create the message and then drop the connection. */
  createThenDrop?: number;
}

export interface FakeTwilioStats {
  requests: number;
  byStatus: Record<number, number>;
  fetches: number;
  lists: number;
  creates: number;
}

const API = '/2010-04-01';
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

/** Twilio's date form in API v2010: RFC 2822 with a numeric zone. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * A local stand-in for the parts of Twilio's REST API this project uses, with
 * the real URL shapes, Basic authentication, paging, and injectable 429
 * (with Retry-After), 500, slowness and 404. Its answers are checked against
 * Twilio's OpenAPI spec by the tests. The `twilio` client reaches it through a
 * base-URL override (TWILIO_API_BASE_URL).
 */
export class FakeTwilioApi {
  private server: Server | undefined;
  private readonly messages = new Map<string, FakeMessage>();
  private faults: FakeTwilioFaults = {};
  readonly stats: FakeTwilioStats = { requests: 0, byStatus: {}, fetches: 0, lists: 0, creates: 0 };
  /** When each request arrived (ms since the epoch), in order: what a rate limit is measured by. */
  readonly requestTimes: number[] = [];
  /** Every message SID a fetch asked for, in order. */
  readonly fetchedSids: string[] = [];
  /** The StatusCallback each created message was given, by SID. */
  readonly statusCallbacks = new Map<string, string>();
  /** Messaging Services (configure-callback's side of the API). */
  readonly services = new FakeServices(() => this.url);
  /** Serverless: what a deploy creates and the configure commands read (serverless.twilio.com, serverless-upload.twilio.com). */
  readonly serverless: FakeServerless;
  /** Event Streams' sinks and subscriptions (configure-event-stream's side of the API). */
  readonly events = new FakeEvents(() => this.url);
  /** Answers held back by createThenHang, released on stop. */
  private readonly hanging = new Set<ServerResponse>();

  constructor(
    private readonly credentials: FakeCredentials[],
    options: { serverless?: FakeServerlessOptions } = {},
  ) {
    this.serverless = new FakeServerless(() => this.url, options.serverless);
  }

  get url(): string {
    return `http://127.0.0.1:${portOf(this.server, 'the fake Twilio API')}`;
  }

  async start(port = 0): Promise<string> {
    this.server = await listen((req, res) => void this.handle(req, res), port, '127.0.0.1');
    return this.url;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    await close(this.server);
  }

  setFaults(faults: FakeTwilioFaults): void {
    this.faults = faults;
  }

  /** Adds (or replaces) a message; unspecified fields get realistic values. */
  putMessage(message: Partial<FakeMessage> & { sid: string; account_sid: string }): FakeMessage {
    const now = new Date();
    const full: FakeMessage = {
      messaging_service_sid: null,
      to: '+14155550100',
      from: '+15005550006',
      body: 'Hello',
      status: 'delivered',
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      num_segments: '1',
      num_media: '0',
      price: null,
      price_unit: 'USD',
      api_version: '2010-04-01',
      date_created: now,
      date_sent: now,
      date_updated: now,
      ...message,
    };
    this.messages.set(full.sid, full);
    return full;
  }

  getMessage(sid: string): FakeMessage | undefined {
    return this.messages.get(sid);
  }

  /** Twilio forgets a message (deleted, or redacted away): fetches answer 404. */
  deleteMessage(sid: string): void {
    this.messages.delete(sid);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    this.requestTimes.push(performance.timeOrigin + performance.now());
    try {
      const body = await readBody(req, 10 * 1024 * 1024);
      if (this.faults.latencyMs) await delay(this.faults.latencyMs);
      const url = new URL(req.url ?? '/', 'http://fake');
      // The day file itself: a presigned storage URL in reality, so no Twilio auth.
      const file = /^\/__bulk\/Messages\/(\d{4}-\d\d-\d\d)\.json\.gz$/.exec(url.pathname);
      if (file) return this.bulkFile(res, file[1]);
      const bulk = /^\/v1\/Exports\/Messages\/Days\/(\d{4}-\d\d-\d\d)$/.exec(url.pathname);
      if (bulk) {
        if (!this.credentials.some((c) => this.authorised(req, c.accountSid))) return this.error(res, 401, 20003, 'Authenticate');
        return this.send(res, 307, { redirect_to: `${this.url}/__bulk/Messages/${bulk[1]}.json.gz` });
      }
      if (url.pathname.startsWith('/v1/Services')) {
        const account = this.credentials.find((c) => this.authorised(req, c.accountSid));
        if (!account) return this.error(res, 401, 20003, 'Authenticate');
        const method = req.method ?? 'GET';
        const answer =
          this.services.handle(method, url.pathname, account.accountSid, new URLSearchParams(body.toString('utf8'))) ??
          (await this.serverless.handle(method, req.headers.host ?? '', url, account.accountSid, req.headers['content-type'] ?? '', body));
        if (!answer) return this.error(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
        return this.send(res, answer.status, answer.body);
      }
      if (/^\/v1\/(Sinks|Subscriptions)(\/|$)/.test(url.pathname)) {
        const account = this.credentials.find((c) => this.authorised(req, c.accountSid));
        if (!account) return this.error(res, 401, 20003, 'Authenticate');
        const answer = this.events.handle(req.method ?? 'GET', url, account.accountSid, new URLSearchParams(body.toString('utf8')));
        if (!answer) return this.error(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
        return this.send(res, answer.status, answer.body);
      }
      const route = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Messages(?:\/([A-Z]{2}[0-9a-fA-F]{32}))?\.json$/.exec(url.pathname);
      if (!route) return this.error(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
      const accountSid = route[1];
      if (!this.authorised(req, accountSid)) return this.error(res, 401, 20003, 'Authenticate');
      const forced429 = (this.faults.next429 ?? 0) > 0;
      if (forced429) this.faults.next429!--;
      if (forced429 || (this.faults.rate429 && Math.random() < this.faults.rate429)) {
        res.setHeader('Retry-After', String(this.faults.retryAfterSeconds ?? 1));
        return this.error(res, 429, 20429, 'Too Many Requests');
      }
      if (this.faults.rate500 && Math.random() < this.faults.rate500) return this.error(res, 500, 20500, 'Internal Server Error');
      if (req.method === 'POST' && !route[2]) return this.create(res, accountSid, new URLSearchParams(body.toString('utf8')));
      if (req.method !== 'GET') return this.error(res, 405, 20004, 'Method not allowed');
      const failWith = route[2] ? this.faults.failingSids?.[route[2]] : undefined;
      if (failWith) return this.error(res, failWith, 20500, 'Injected failure');
      if (route[2]) return this.fetch(res, accountSid, route[2], url.pathname);
      return this.list(res, accountSid, url);
    } catch (error) {
      return this.error(res, 500, 20500, (error as Error).message);
    }
  }

  private authorised(req: IncomingMessage, accountSid: string): boolean {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    const account = this.credentials.find((c) => c.accountSid === accountSid);
    if (!account) return false;
    if (user === account.accountSid) return password === account.authToken;
    return account.apiKeys?.[user] !== undefined && account.apiKeys[user] === password;
  }

  private fetch(res: ServerResponse, accountSid: string, sid: string, path: string): void {
    this.stats.fetches++;
    this.fetchedSids.push(sid);
    const message = this.messages.get(sid);
    if (!message || message.account_sid !== accountSid) return this.error(res, 404, 20404, `The requested resource ${path} was not found`);
    this.send(res, 200, toResource(message));
  }

  /** Message create, as Twilio checks it first: a recipient, and a sender or a Messaging Service. */
  private create(res: ServerResponse, accountSid: string, form: URLSearchParams): void {
    this.stats.creates++;
    const injected = this.faults.createErrors?.shift();
    if (injected) return this.error(res, injected.status, injected.code, injected.message);
    const to = form.get('To');
    const from = form.get('From');
    const service = form.get('MessagingServiceSid');
    if (!to) return this.error(res, 400, 21604, "A 'To' phone number is required.");
    if (!/^(?:[a-z]+:)?\+[1-9]\d{6,14}$/.test(to)) return this.error(res, 400, 21211, `Invalid 'To' Phone Number: ${to.slice(0, -4)}XXXX`);
    if (!from && !service) return this.error(res, 400, 21603, "A 'From' phone number is required.");
    if (service && !/^MG[0-9a-f]{32}$/.test(service)) return this.error(res, 400, 21702, 'The Messaging Service Sid is invalid.');
    const now = new Date();
    const message = this.putMessage({
      sid: `${form.has('MediaUrl') ? 'MM' : 'SM'}${randomBytes(16).toString('hex')}`,
      account_sid: accountSid,
      messaging_service_sid: service,
      to,
      from,
      body: form.get('Body') ?? '',
      status: service ? 'accepted' : 'queued',
      price_unit: 'USD',
      date_created: now,
      date_sent: null,
      date_updated: now,
    });
    const callback = form.get('StatusCallback');
    if (callback) this.statusCallbacks.set(message.sid, callback);
    if ((this.faults.createThenDrop ?? 0) > 0) {
      this.faults.createThenDrop!--;
      res.destroy();
      return;
    }
    if ((this.faults.createThenHang ?? 0) > 0) {
      this.faults.createThenHang!--;
      this.hanging.add(res);
      res.once('close', () => this.hanging.delete(res));
      return;
    }
    this.send(res, 201, toResource(message));
  }

  private list(res: ServerResponse, accountSid: string, url: URL): void {
    this.stats.lists++;
    const q = url.searchParams;
    const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(q.get('PageSize') ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE));
    const page = Math.max(0, Number(q.get('Page') ?? 0) || 0);
    // `DateSent>`/`DateSent<` bound the send time; a date-only `<=` bound includes that whole day.
    const time = (value: string) => Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
    const after = q.get('DateSent>') ?? q.get('DateSent>=');
    const before = q.get('DateSent<');
    const through = q.get('DateSent<=');
    const on = q.get('DateSent');
    const inRange = (m: FakeMessage) => {
      const sent = (m.date_sent ?? m.date_created).getTime();
      if (after && sent < time(after)) return false;
      if (before && sent >= time(before)) return false;
      if (through && sent >= time(through) + (through.length === 10 ? 86_400_000 : 1)) return false;
      if (on && new Date(sent).toISOString().slice(0, 10) !== on.slice(0, 10)) return false;
      if (q.get('To') && m.to !== q.get('To')) return false;
      if (q.get('From') && m.from !== q.get('From')) return false;
      return true;
    };
    // Newest first, as Twilio lists them; ties in a stable order so pages never overlap.
    const all = [...this.messages.values()]
      .filter((m) => m.account_sid === accountSid && inRange(m))
      .sort((a, b) => b.date_created.getTime() - a.date_created.getTime() || (a.sid < b.sid ? -1 : 1));
    const slice = all.slice(page * pageSize, (page + 1) * pageSize);
    const base = `${API}/Accounts/${accountSid}/Messages.json`;
    const pageUri = (p: number) => {
      const params = new URLSearchParams(q);
      params.set('PageSize', String(pageSize));
      params.set('Page', String(p));
      if (p > 0) params.set('PageToken', `PA${randomBytes(16).toString('hex')}`);
      else params.delete('PageToken');
      return `${base}?${params.toString()}`;
    };
    this.send(res, 200, {
      messages: slice.map(toResource),
      end: page * pageSize + Math.max(0, slice.length - 1),
      first_page_uri: pageUri(0),
      next_page_uri: (page + 1) * pageSize < all.length ? pageUri(page + 1) : null,
      page,
      page_size: pageSize,
      previous_page_uri: page > 0 ? pageUri(page - 1) : null,
      start: page * pageSize,
      uri: pageUri(page),
    });
  }

  /**
   * A Bulk Export day file: gzip JSON lines of the day's messages (by
   * date_created, UTC), dates in ISO 8601, without the fields Bulk Export
   * leaves out (price_unit, api_version, error_message, uri, subresource_uris).
   */
  private bulkFile(res: ServerResponse, day: string): void {
    const lines = [...this.messages.values()]
      .filter((m) => m.date_created.toISOString().slice(0, 10) === day)
      .map((m) => {
        const { price_unit: _p, api_version: _a, error_message: _e, uri: _u, subresource_uris: _s, ...rest } = toResource(m);
        return JSON.stringify({
          ...rest,
          date_created: m.date_created.toISOString(),
          date_sent: m.date_sent?.toISOString() ?? null,
          date_updated: m.date_updated.toISOString(),
        });
      });
    const body = gzipSync(lines.length ? `${lines.join('\n')}\n` : '');
    this.stats.byStatus[200] = (this.stats.byStatus[200] ?? 0) + 1;
    res.writeHead(200, { 'Content-Type': 'application/gzip', 'Content-Length': body.length });
    res.end(body);
  }

  private error(res: ServerResponse, status: number, code: number, message: string): void {
    this.send(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
    if (status === 204) {
      res.writeHead(204);
      res.end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }
}

function toResource(m: FakeMessage): Record<string, unknown> {
  const path = `${API}/Accounts/${m.account_sid}/Messages/${m.sid}`;
  return {
    account_sid: m.account_sid,
    api_version: m.api_version,
    body: m.body,
    date_created: rfc2822(m.date_created),
    date_sent: m.date_sent ? rfc2822(m.date_sent) : null,
    date_updated: rfc2822(m.date_updated),
    direction: m.direction,
    error_code: m.error_code,
    error_message: m.error_message,
    from: m.from,
    messaging_service_sid: m.messaging_service_sid,
    num_media: m.num_media,
    num_segments: m.num_segments,
    price: m.price,
    price_unit: m.price_unit,
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: `${path}/Media.json`, feedback: `${path}/Feedback.json` },
    to: m.to,
    uri: `${path}.json`,
  };
}
