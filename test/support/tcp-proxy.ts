// A TCP proxy on loopback that a test can cut and restore, to make a real dependency (Redis, PostgreSQL) unreachable
// and back, or stall: connections stay open but nothing goes through (a peer gone silent, without FIN or RST).
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  /** Stops forwarding either way; connections stay open and new ones are accepted, and nothing is answered. */
  stall(): void;
  /** Forwards again what was held and everything after. */
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  const held: (() => void)[] = [];
  let stalled = false;
  let server: Server | undefined;
  const forward = (client: Socket) => {
    if (client.destroyed) return;
    const upstream = createConnection(target);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    for (const s of pair) {
      sockets.add(s);
      s.on('close', () => {
        sockets.delete(s);
        pairs.delete(pair);
      });
      s.on('error', () => s.destroy());
    }
    // A connection closed on one side closes on the other, as one TCP connection would.
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  };
  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      server = createServer((client) => {
        if (!stalled) return forward(client);
        // Accepted, then silent: the handshake the client waits for never comes while stalled.
        sockets.add(client);
        client.on('close', () => sockets.delete(client));
        client.on('error', () => client.destroy());
        client.pause();
        held.push(() => forward(client));
      });
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => {
        const address = server?.address();
        resolve(typeof address === 'object' && address ? address.port : p);
      });
    });
  const bound = await listen(port);
  const cut = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  };
  return {
    port: bound,
    cut,
    restore: async () => {
      await listen(bound);
    },
    stall() {
      stalled = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    resume() {
      stalled = false;
      for (const [client, upstream] of pairs) client.pipe(upstream).pipe(client);
      for (const connect of held.splice(0)) connect();
    },
    close: cut,
  };
}
