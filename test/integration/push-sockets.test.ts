import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiGatewayPusher } from '../../lib/realtime/push';

/**
 * The SDK's Node.js handler allows 50 sockets per host unless told otherwise,
 * so a 120-admin fan-out would go out in rounds. This @connections stand-in
 * answers nothing until every push is in flight at once: with the default,
 * the last 70 would wait behind 50 that never finish.
 */
describe('the @connections pusher', () => {
  const admins = 120;
  let server: Server;
  let endpoint: string;
  let inFlight = 0;
  let peak = 0;
  const held: ServerResponse[] = [];

  const releaseAll = () => {
    for (const res of held.splice(0)) res.writeHead(200).end();
  };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      inFlight++;
      peak = Math.max(peak, inFlight);
      res.on('finish', () => inFlight--);
      held.push(res);
      if (held.length === admins) releaseAll();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    releaseAll();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('has every push of a 120-connection fan-out in flight at once, not 50 at a time', async () => {
    const pusher = createApiGatewayPusher({ endpoint, region: 'us-east-1', timeoutMs: 3000 });

    const outcomes = await Promise.all(Array.from({ length: admins }, (_, i) => pusher.send(`conn-${i}`, '{"type":"message.created"}')));

    expect(peak).toBe(admins);
    expect(outcomes.every((outcome) => outcome === 'delivered')).toBe(true);
  });
});
