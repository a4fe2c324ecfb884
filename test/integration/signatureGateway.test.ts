/**
 * The local stack's gateway in front of an upstream that behaves as
 * twilio-run can under load: it closes a kept-alive connection just as the
 * gateway reuses it. The gateway must send the request again on a new
 * connection, not answer 502 (found by the fuzz test on a loaded CI machine).
 * An upstream that does not answer at all still gets a 5xx, never a 2xx.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { SignatureGateway } from '../../dev/signatureGateway';
import { close, portOf } from '../../dev/httpServer';

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
});
