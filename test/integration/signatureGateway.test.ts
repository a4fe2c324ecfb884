/**
 * The local stack's gateway in front of an upstream that behaves as
 * twilio-run can under load: it closes a kept-alive connection just as the
 * gateway reuses it. The gateway must send the request again on a new
 * connection, not answer 502 (found by the fuzz test on a loaded CI machine).
 * An upstream that does not answer at all still gets a 5xx, never a 2xx.
 * A signed request sent chunked (no Content-Length) reaches the real Function
 * (twilio-run, which needs `npm run build`) with one framing, and is archived.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import type { LocalStack } from '../../dev/localStack';
import { SignatureGateway } from '../../dev/signatureGateway';
import { close, portOf } from '../../dev/httpServer';
import { smsCallback } from '../helpers/callbacks';
import { readRecords, startS3rver, type S3rverHandle } from '../helpers/s3rverProcess';
import { ARCHIVE_BUCKET, AUTH_TOKEN, startTestStack } from '../helpers/testStack';

/** A POST whose body is sent in chunks, without Content-Length: Node frames it `Transfer-Encoding: chunked`. */
function chunkedPost(url: string, chunks: string[], headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method: 'POST', path: `${pathname}${search}`, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

async function listenOn(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return portOf(server, 'upstream');
}

describe('the signature gateway', () => {
  const servers: Server[] = [];
  const gateways: SignatureGateway[] = [];
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.stop()));
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await close(server);
    }
  });

  async function gatewayTo(port: number, log: string[]): Promise<string> {
    const gateway = new SignatureGateway({
      authToken: '0123456789abcdef0123456789abcdef',
      upstream: { host: '127.0.0.1', port },
      protectedPaths: new Set(),
      log: (line) => log.push(line),
    });
    gateways.push(gateway);
    return gateway.start();
  }

  it('sends a request again when the kept-alive connection it reused was closed under it, and answers what the upstream answers', async () => {
    const requestsBySocket = new Map<Socket, number>();
    const received: string[] = [];
    const upstream = createServer((req, res) => {
      const socket = req.socket;
      const n = (requestsBySocket.get(socket) ?? 0) + 1;
      requestsBySocket.set(socket, n);
      // The second request on a connection: the server has just timed the connection out, and closes it unanswered.
      if (n === 2) {
        socket.destroy();
        return;
      }
      req.resume();
      req.on('end', () => {
        received.push(req.url!);
        res.end('ok');
      });
    });
    servers.push(upstream);
    const log: string[] = [];
    const url = await gatewayTo(await listenOn(upstream), log);

    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${url}/event-stream?n=${i}`, { method: 'POST', body: 'x' });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('ok');
    }
    expect(received).toEqual([0, 1, 2, 3, 4, 5].map((i) => `/event-stream?n=${i}`));
    expect(log.filter((line) => line.includes('sent again on a new one')).length).toBeGreaterThan(0);
  });

  it('answers 502, which Twilio retries, when the upstream never answers: never a 2xx', async () => {
    const upstream = createServer((req) => req.socket.destroy());
    servers.push(upstream);
    const log: string[] = [];
    const url = await gatewayTo(await listenOn(upstream), log);
    const response = await fetch(`${url}/event-stream`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(502);
    expect(log.join('\n')).toMatch(/twilio-run did not answer/);
  });

  it('forwards a chunked request with exactly one framing: Content-Length for the body it read, no Transfer-Encoding', async () => {
    const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
    const upstream = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        res.end('ok');
      });
    });
    servers.push(upstream);
    const url = await gatewayTo(await listenOn(upstream), []);
    const response = await chunkedPost(`${url}/event-stream`, ['a=1', '&b=2'], { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0].body).toBe('a=1&b=2');
    expect(seen[0].headers['transfer-encoding']).toBeUndefined();
    expect(seen[0].headers['content-length']).toBe('7');
  });
});

describe('the signature gateway in front of the real Function', () => {
  let s3: S3rverHandle;
  let stack: LocalStack;
  beforeAll(async () => {
    s3 = await startS3rver([ARCHIVE_BUCKET]);
    stack = await startTestStack(s3);
  });
  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
  });

  it('archives a validly signed callback sent chunked (Transfer-Encoding, no Content-Length), as Twilio may send it', async () => {
    const sid = `SM${'c'.repeat(32)}`;
    const params = smsCallback({ MessageSid: sid, SmsSid: sid });
    const url = `${stack.url}/status-callback`;
    const body = new URLSearchParams(params).toString();
    const half = Math.floor(body.length / 2);
    const response = await chunkedPost(url, [body.slice(0, half), body.slice(half)], {
      'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8',
      'X-Twilio-Signature': getExpectedTwilioSignature(AUTH_TOKEN, url, params),
    });
    expect(response).toEqual({ status: 200, text: '' });
    await stack.firehose.flush();
    const records = (await readRecords(s3.client, ARCHIVE_BUCKET, 'firehose/')).filter((r) => r.message_sid === sid);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ source: 'callback', status: 'delivered', message_sid: sid });
  });
});
