import {
  request as httpRequest,
  Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
// The validator alone: the whole `twilio` package takes ~200 ms to load.
import { validateRequest, validateRequestWithBody } from 'twilio/lib/webhooks/webhooks';
import { setOwn } from '../src/domain/ownProperty';
import { BodyTooLargeError, close, listen, portOf, readBody } from './httpServer';

export interface SignatureGatewayOptions {
  /** The auth token Twilio signs with (the account's primary token). */
  authToken: string;
  /** Where twilio-run serves the Functions. */
  upstream: { host: string; port: number };
  /** Paths of protected Functions, e.g. `/status-callback`: only these need a signature, as deployed. */
  protectedPaths: ReadonlySet<string>;
  /** Largest request body accepted. @default 1 MiB */
  maxBodyBytes?: number;
  port?: number;
  host?: string;
  log?: (message: string) => void;
}

/**
 * What Twilio's Functions gateway does in front of a deployed service, for the
 * local stack: `twilio-run start` checks no signatures, so this proxy refuses a
 * request to a protected Function whose X-Twilio-Signature is missing or wrong
 * with HTTP 400 (as deployed), and passes everything else to twilio-run.
 */
export class SignatureGateway {
  private server: Server | undefined;
  private readonly agent = new Agent({ keepAlive: true });
  private readonly log: (message: string) => void;

  constructor(private readonly options: SignatureGatewayOptions) {
    this.log = options.log ?? (() => undefined);
  }

  get url(): string {
    return `http://localhost:${portOf(this.server, 'the signature gateway')}`;
  }

  async start(): Promise<string> {
    this.server = await listen((req, res) => void this.handle(req, res), this.options.port ?? 0, this.options.host ?? '127.0.0.1');
    return this.url;
  }

  async stop(): Promise<void> {
    await close(this.server);
    this.agent.destroy();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const limit = this.options.maxBodyBytes ?? 1024 * 1024;
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return refuse(res, 413, error.message);
      // The client went away mid-body: nothing to answer, nothing forwarded.
      res.destroy();
      return;
    }
    const target = plainTarget(req.url);
    if (target === null) {
      this.log(`refused ${req.method}: the request target is not a plain path`);
      return refuse(res, 400, 'the request target must be a path such as /status-callback, without a scheme, host or fragment');
    }
    const path = target.pathname;
    const contentType = mediaType(req);
    if (contentType === 'application/x-www-form-urlencoded' && !isUtf8Form(body)) {
      // Further in, body-parser would turn the bad bytes into U+FFFD: a silent change. Twilio always sends UTF-8.
      this.log(`refused ${req.method} ${path}: form body is not valid UTF-8`);
      return refuse(res, 400, 'the form body is not valid UTF-8 (bytes or percent-escapes)');
    }
    if (this.isProtected(path)) {
      const verdict = this.checkSignature(req, body, contentType);
      if (verdict !== 'valid') {
        this.log(`refused ${req.method} ${path}: ${verdict}`);
        return refuse(res, 400, 'Unauthorized Request. Signature is missing or is invalid (Twilio error 80625)');
      }
    }
    this.forward(req, body, res, `${target.pathname}${target.search}`);
  }

  /**
   * twilio-run routes paths case-insensitively, with or without a trailing
   * slash and percent-encoded: so does the check, so that no spelling of a
   * protected path reaches a Function unsigned.
   */
  private isProtected(path: string): boolean {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return true;
    }
    const key = decoded.toLowerCase().replace(/\/+$/, '');
    for (const protectedPath of this.options.protectedPaths) if (protectedPath.toLowerCase() === key) return true;
    return false;
  }

  private checkSignature(req: IncomingMessage, body: Buffer, contentType: string): 'valid' | 'signature missing' | 'signature invalid' {
    const signature = req.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature === '') return 'signature missing';
    const url = publicUrl(req);
    const valid =
      contentType === 'application/json'
        ? validateRequestWithBody(this.options.authToken, signature, url, body.toString('utf8'))
        : validateRequest(this.options.authToken, signature, url, contentType === 'application/x-www-form-urlencoded' ? formParams(body) : {});
    return valid ? 'valid' : 'signature invalid';
  }

  /**
   * Passes the request on with the target as checked (normalised), never the
   * raw one. A kept-alive connection that twilio-run closed just as it was
   * reused fails before any answer (ECONNRESET, EPIPE): Node's documented
   * race, likelier under load. The request almost surely never reached
   * twilio-run: it is sent once more on a new connection (at worst a record
   * is archived twice, which folds). Anything else that keeps
   * twilio-run from answering is a 502, which Twilio retries, as it does any
   * 5xx of its own gateway: never a 2xx.
   */
  private forward(req: IncomingMessage, body: Buffer, res: ServerResponse, target: string, attempt = 1): void {
    const upstream = httpRequest(
      {
        host: this.options.upstream.host,
        port: this.options.upstream.port,
        method: req.method,
        path: target,
        headers: forwardedHeaders(req.headers, body.length),
        agent: this.agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      const staleConnection = upstream.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
      if (staleConnection && attempt === 1 && !res.headersSent) {
        this.log(`twilio-run closed a kept-alive connection as it was reused (${error.code}): sent again on a new one`);
        this.forward(req, body, res, target, attempt + 1);
        return;
      }
      this.log(`twilio-run did not answer: ${error.code ?? ''} ${error.message}`);
      refuse(res, 502, 'the local Functions server did not answer');
    });
    upstream.end(body);
  }
}

/**
 * Hop-by-hop fields (RFC 9110 §7.6.1) belong to the client's connection, not
 * to the one to twilio-run. The body was read whole, so it goes on with one
 * framing, its Content-Length: a message that carries Transfer-Encoding as
 * well is refused (RFC 9112 §6.1), and twilio-run answers 400.
 */
export function forwardedHeaders(headers: IncomingHttpHeaders, bodyLength: number): OutgoingHttpHeaders {
  const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
  for (const token of String(headers.connection ?? '').split(',')) if (token.trim() !== '') hopByHop.add(token.trim().toLowerCase());
  const forwarded: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !hopByHop.has(name)) setOwn(forwarded, name, value);
  setOwn(forwarded, 'content-length', String(bodyLength));
  return forwarded;
}

/**
 * The request target as a path and query, or null when it is anything else:
 * an absolute-form target (`http://host/status-callback`) that a router would
 * still route to the Function, `*`, or one carrying a fragment.
 */
export function plainTarget(raw: string | undefined): URL | null {
  if (raw === undefined || !raw.startsWith('/') || raw.startsWith('//') || raw.includes('#')) return null;
  const base = 'http://gateway.invalid';
  let parsed: URL;
  try {
    parsed = new URL(raw, base);
  } catch {
    return null;
  }
  return parsed.origin === base ? parsed : null;
}

/** The request's media type, lower-cased, without parameters: `Application/JSON; charset=utf-8` → `application/json`. */
function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

/** The URL Twilio requested (and signed): scheme and host as the client saw them. */
function publicUrl(req: IncomingMessage): string {
  const proto = String(req.headers['x-forwarded-proto'] ?? 'http')
    .split(',')[0]
    .trim();
  return `${proto}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Whether the raw body, and every run of percent-escapes in it, is valid
 * UTF-8. A `%` that does not start an escape (`%:(`, `100%`) is text: both
 * parsers (URLSearchParams here, Node's querystring in twilio-run) keep it as
 * it is, so the Function sees what was signed; refusing it would refuse a
 * signed request for its content (found by the fuzz test).
 */
function isUtf8Form(body: Buffer): boolean {
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    return false;
  }
  for (const run of text.match(/(?:%[0-9A-Fa-f]{2})+/g) ?? []) {
    const bytes = Buffer.from(run.replace(/%/g, ''), 'hex');
    try {
      strictUtf8.decode(bytes);
    } catch {
      return false;
    }
  }
  return true;
}

/** Form parameters as Twilio's validator wants them: a repeated name becomes a list. */
function formParams(body: Buffer): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
    const existing = Object.prototype.hasOwnProperty.call(params, name) ? params[name] : undefined;
    const next = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    setOwn(params, name, next);
  }
  return params;
}

function refuse(res: ServerResponse, statusCode: number, message: string): void {
  if (res.headersSent) return;
  const text = JSON.stringify({ message, status: statusCode });
  res.writeHead(statusCode, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
