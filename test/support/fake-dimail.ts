// dimail for the test suite, faked only at the HTTP boundary: a real server on loopback answering with the development
// dimail's routes (src/dev-dimail), recording every request, with outages to order (errors, hangs, resets, refusals).
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import Fastify, { type FastifyRequest } from 'fastify';
import { type MailPlatform, registerDimailApi } from '../../src/dev-dimail/index.ts';

export interface DimailRequest {
  method: string;
  /** Without the query string. */
  path: string;
  /** The scheme of the Authorization header. */
  authorization: 'basic' | 'bearer' | 'none';
  /** The JSON body (the raw text when it is not JSON); undefined when empty or refused before being read. */
  body: unknown;
  /** dimail's answer, parsed as JSON (a new password, a login code); undefined until sent or when not JSON. */
  response?: unknown;
}

/** A status to answer with (e.g. 500, 502, 503), `hang` (no answer until the fake closes) or `reset` (socket destroyed). */
export type DimailFault = number | 'hang' | 'reset';

export interface FakeDimailOptions {
  /** Seconds a token lasts (3600 by default; 0: every token is expired as soon as issued). */
  tokenLifetime?: number;
  /** Unknown domains and mailboxes are made on the spot, as the development dimail in Desk does; off by default. */
  lenient?: boolean;
  /** The clock in milliseconds, for tokens and login codes. */
  now?: () => number;
}

export interface FakeDimail {
  /** MAIL_PROVISIONING_API_URL for Desk. */
  url: string;
  /** MAIL_PROVISIONING_API_CREDENTIALS for Desk: base64 of `user:password`. */
  credentials: string;
  requests: DimailRequest[];
  /** dimail's state, to arrange (a domain dimail already has) or inspect (the mailboxes it holds). */
  platform: MailPlatform;
  /** The next `times` requests whose "METHOD /path" equals `match` (a trailing slash aside) or matches it fail as `how`. */
  failNext(match: string | RegExp, how: DimailFault, times?: number): void;
  /** Forgets the faults still ordered: dimail answers again (hung requests stay hung until they time out). */
  heal(): void;
  /** Tokens issued so far are refused with 401 from now on. */
  revokeTokens(): void;
  /** Stops listening (connections refused) and drops open connections, keeping the port and the state. */
  stop(): Promise<void>;
  /** Listens again on the same port, with the same state: dimail back after an outage. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const withoutTrailingSlash = (line: string) => line.replace(/\/+$/, '');

function authorizationOf(request: FastifyRequest): DimailRequest['authorization'] {
  const scheme = (request.headers.authorization ?? '').split(' ')[0]?.toLowerCase();
  return scheme === 'basic' || scheme === 'bearer' ? scheme : 'none';
}

function recordedBody(raw: unknown): unknown {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

export async function startFakeDimail(options: FakeDimailOptions = {}): Promise<FakeDimail> {
  const credentials = Buffer.from(`desk-test:${randomBytes(12).toString('base64url')}`).toString('base64');
  const faults: { match: string | RegExp; how: DimailFault; remaining: number }[] = [];
  const requests: DimailRequest[] = [];
  const recorded = new WeakMap<FastifyRequest, DimailRequest>();
  const app = Fastify({
    logger: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    forceCloseConnections: true,
  });

  // Before the API's own hooks: refused requests are recorded too, and faults strike whatever the credentials.
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const entry: DimailRequest = {
      method: request.method,
      path,
      authorization: authorizationOf(request),
      body: undefined,
    };
    requests.push(entry);
    recorded.set(request, entry);
    const line = `${request.method} ${path}`;
    const fault = faults.find(
      (f) =>
        f.remaining > 0 &&
        (typeof f.match === 'string'
          ? withoutTrailingSlash(f.match) === withoutTrailingSlash(line)
          : f.match.test(line)),
    );
    if (!fault) return;
    fault.remaining -= 1;
    if (typeof fault.how === 'number')
      return reply.code(fault.how).send({ detail: `Injected failure (${fault.how})` });
    reply.hijack();
    if (fault.how === 'reset') request.raw.socket.destroy();
    // 'hang': the hijacked request is never answered; stop() and close() destroy its socket.
  });
  app.addHook('preValidation', async (request) => {
    const entry = recorded.get(request);
    if (entry) entry.body = recordedBody(request.body);
  });

  app.addHook('onSend', async (request, _reply, payload) => {
    const entry = recorded.get(request);
    if (entry && typeof payload === 'string') entry.response = recordedBody(payload);
    return payload;
  });

  const api = registerDimailApi(app, {
    credentials,
    tokenKey: randomBytes(32),
    lenient: options.lenient ?? false,
    ...(options.tokenLifetime !== undefined ? { tokenLifetime: options.tokenLifetime } : {}),
    ...(options.now ? { now: options.now } : {}),
  });

  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  let listening = true;

  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      app.server.close(() => resolve());
      // Hijacked (hanging) requests included: closeAllConnections() leaves a socket whose request was hijacked.
      for (const socket of sockets) socket.destroy();
      app.server.closeAllConnections();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    credentials,
    requests,
    platform: api.platform,
    failNext(match, how, times = 1) {
      faults.push({ match, how, remaining: times });
    },
    heal() {
      faults.length = 0;
    },
    revokeTokens: () => api.revokeTokens(),
    stop: stopListening,
    restart: () =>
      new Promise<void>((resolve, reject) => {
        if (listening) return resolve();
        app.server.once('error', reject);
        app.server.listen(port, '127.0.0.1', () => {
          app.server.off('error', reject);
          listening = true;
          resolve();
        });
      }),
    async close() {
      await stopListening();
      await app.close();
    },
  };
}
