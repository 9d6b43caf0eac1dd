// REQUEST_TIMEOUT: a client trickling its request is cut off instead of holding a connection for ever.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFrom } from '../../src/platform/config.ts';
import { type App, createHttpServer } from '../../src/platform/http.ts';

let app: App;
let port: number;

beforeAll(async () => {
  app = await createHttpServer(configFrom({ LOG_LEVEL: 'silent', REQUEST_TIMEOUT: '1' }));
  app.post('/echo', async (request) => ({ received: request.body }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});

afterAll(async () => {
  await app?.close();
});

/** Sends `head`, then one byte of `drip` every 500 ms; resolves with what came back and when the server closed. */
function trickle(head: string, drip = ''): Promise<{ answer: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    const timer = setInterval(() => {
      if (drip && !socket.destroyed) socket.write(drip[sent++ % drip.length]!);
    }, 500);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after 8 s: ${answer}`));
    }, 8_000);
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
    socket.write(head);
  });
}

describe('a slow client', () => {
  it('sending its body one byte every 500 ms is answered 408 and closed within the bound', async () => {
    const { answer, closedAfterMs } = await trickle(
      'POST /echo HTTP/1.1\r\nHost: desk\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n',
      '"',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeLessThan(3_000);
  });

  it('sending its headers one line at a time is closed within the bound', async () => {
    const { answer, closedAfterMs } = await trickle('GET /echo HTTP/1.1\r\n', 'X');
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeLessThan(3_000);
  });

  it('connecting and sending nothing is closed within the bound', async () => {
    const { closedAfterMs } = await trickle('');
    expect(closedAfterMs).toBeLessThan(3_000);
  });

  it('does not cut off a client that sends its request in time', async () => {
    const body = JSON.stringify({ hello: 'world' });
    const res = await fetch(`http://127.0.0.1:${port}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: { hello: 'world' } });
  });
});

describe('REQUEST_TIMEOUT', () => {
  it('is 30 seconds by default and refuses nonsense', () => {
    expect(configFrom({}).REQUEST_TIMEOUT).toBe(30);
    expect(() => configFrom({ REQUEST_TIMEOUT: '0' })).toThrow(/REQUEST_TIMEOUT: expected a whole number/);
  });
});
