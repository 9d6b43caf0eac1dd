// A real HTTP server standing for a webhook's receiver (another app of the suite): records each request it gets, and
// answers as told — a status, or never (hanging until the test lets go).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
}

/** A status, 'slow' (200 after 100 ms), or 'hang' (never, until released). */
export type Answer = number | 'slow' | 'hang';

export interface WebhookReceiver {
  url: string;
  received: ReceivedRequest[];
  /** The answers to the next requests, in order; once used up, 200. */
  answers: Answer[];
  /** Requests held by a 'hang' answer, still waiting. */
  hanging: number;
  /** The most requests it was answering at one time. */
  mostAtOnce: number;
  /** Answers every held request with 200. */
  release(): void;
  /** Resolves once `count` requests arrived (answered or not). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(path = '/scim/v2/Groups/42'): Promise<WebhookReceiver> {
  const held: ServerResponse[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    answers: [],
    get hanging() {
      return held.length;
    },
    mostAtOnce: 0,
    release() {
      for (const res of held.splice(0)) res.writeHead(200).end();
    },
    waitFor(count, timeoutMs = 15_000) {
      if (receiver.received.length >= count) return Promise.resolve(receiver.received.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the receiver got ${receiver.received.length} requests, not ${count}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(receiver.received.slice());
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        receiver.release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  let open = 0;
  const server = createServer((req, res) => {
    open += 1;
    receiver.mostAtOnce = Math.max(receiver.mostAtOnce, open);
    res.on('close', () => {
      open -= 1;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = body ? JSON.parse(body) : null;
      } catch {
        json = null;
      }
      receiver.received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        json,
      });
      for (const w of waiters.filter((x) => receiver.received.length >= x.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      const answer = receiver.answers.shift() ?? 200;
      if (answer === 'hang') held.push(res);
      else if (answer === 'slow') setTimeout(() => res.writeHead(200).end('{}'), 100);
      else
        res
          .writeHead(answer, { 'content-type': 'application/scim+json' })
          .end(answer >= 400 ? '{"detail":"refused"}' : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return receiver;
}
