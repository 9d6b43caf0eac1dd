// SCIM team webhooks (DESIGN.md §12, people's SCIM client tests): each membership change reaches the receiver as one
// PatchOp naming the user by their sub, with the webhook's secret as a Bearer token; a refusal says what the receiver said.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DELIVERY_TIMEOUT_MS, DeliveryFailed, type WebhookTarget } from '../../src/webhooks/protocol.ts';
import { deliverScim } from '../../src/webhooks/scim-protocol.ts';
import { plainSend } from '../support/plain-send.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const received: Received[] = [];
let reply: { status: number; body: string | ((request: Received) => string) } = { status: 200, body: '{}' };

const receiver = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => {
    body += chunk.toString('utf8');
  });
  request.on('end', () => {
    const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body };
    received.push(entry);
    response.writeHead(reply.status, { 'Content-Type': 'application/scim+json' });
    response.end(typeof reply.body === 'function' ? reply.body(entry) : reply.body);
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
const groupUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/scim/v2/Groups/7d2f3c`;

const send = plainSend();
const member = { sub: 'a1b2c3-sub', email: 'camille.durand@example.gouv.fr' };
const webhook = (secret: string | null): WebhookTarget => ({
  url: groupUrl,
  protocol: 'scim',
  secret,
  teamName: 'Équipe Résilience',
});

beforeEach(() => {
  received.length = 0;
  reply = { status: 200, body: '{}' };
});

async function failure(promise: Promise<unknown>): Promise<DeliveryFailed> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryFailed);
  return error as DeliveryFailed;
}

describe('a SCIM webhook', () => {
  it('receives an added member as a PATCH of a PatchOp "add" naming the user by their sub, with the secret', async () => {
    await deliverScim(send, webhook('s3cret-token'), 'add', member);

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('PATCH');
    expect(request?.url).toBe('/scim/v2/Groups/7d2f3c');
    expect(request?.headers['content-type']).toBe('application/scim+json');
    expect(request?.headers.authorization).toBe('Bearer s3cret-token');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'add',
          path: 'members',
          value: [{ value: 'a1b2c3-sub', email: 'camille.durand@example.gouv.fr', type: 'User' }],
        },
      ],
    });
  });

  it('receives a removed member as a PatchOp "remove"', async () => {
    await deliverScim(send, webhook('s3cret-token'), 'remove', member);

    expect(JSON.parse(received[0]?.body ?? '')).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'remove',
          path: 'members',
          value: [{ value: 'a1b2c3-sub', email: 'camille.durand@example.gouv.fr', type: 'User' }],
        },
      ],
    });
  });

  it('without a secret, is called without an Authorization header', async () => {
    await deliverScim(send, webhook(null), 'add', member);

    expect(received[0]?.headers.authorization).toBeUndefined();
  });

  it('counts any 2xx answer as delivered (204 No Content included)', async () => {
    reply = { status: 204, body: '' };
    await expect(deliverScim(send, webhook('s3cret-token'), 'add', member)).resolves.toBeUndefined();
  });

  it('asks the sender to bound the exchange in time', async () => {
    const recording = plainSend();
    await deliverScim(recording, webhook('s3cret-token'), 'add', member);

    expect(recording.requests[0]?.timeoutMs).toBe(DELIVERY_TIMEOUT_MS);
  });

  it('fails with the status and the SCIM error detail when the receiver refuses (4xx)', async () => {
    reply = {
      status: 404,
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '404',
        detail: 'Group 7d2f3c not found',
      }),
    };
    const error = await failure(deliverScim(send, webhook('s3cret-token'), 'add', member));

    expect(error.message).toBe('The receiver answered 404: Group 7d2f3c not found');
    expect(error.status).toBe(404);
  });

  it('fails with the status when the receiver errs (5xx), quoting at most 200 characters of its answer', async () => {
    reply = { status: 500, body: `Internal error\n${'x'.repeat(1_000)}` };
    const error = await failure(deliverScim(send, webhook('s3cret-token'), 'remove', member));

    expect(error.message).toMatch(/^The receiver answered 500: Internal error x+…$/);
    expect(error.message.length).toBeLessThanOrEqual('The receiver answered 500: '.length + 200);
  });

  it('fails with the bare status when the receiver says nothing', async () => {
    reply = { status: 502, body: '' };
    const error = await failure(deliverScim(send, webhook('s3cret-token'), 'add', member));

    expect(error.message).toBe('The receiver answered 502.');
  });

  it('never shows the secret in the error, even when the receiver echoes it back', async () => {
    reply = { status: 401, body: (request) => `Token refused: ${request.headers.authorization}` };
    const error = await failure(deliverScim(send, webhook('s3cret-token'), 'add', member));

    expect(error.message).toBe('The receiver answered 401: Token refused: Bearer [secret]');
    expect(error.message).not.toContain('s3cret-token');
  });

  it('refuses a user who has not signed in yet (no sub), sending nothing', async () => {
    const error = await failure(
      deliverScim(send, webhook('s3cret-token'), 'add', { sub: null, email: 'new@example.gouv.fr' }),
    );

    expect(error.message).toBe('This user has not signed in yet: no sub to send.');
    expect(error.status).toBeNull();
    expect(received).toHaveLength(0);
  });

  it('sends a member without an email with email null', async () => {
    await deliverScim(send, webhook('s3cret-token'), 'add', { sub: 'a1b2c3-sub', email: null });

    const body = JSON.parse(received[0]?.body ?? '') as { Operations: { value: unknown[] }[] };
    expect(body.Operations[0]?.value).toEqual([{ value: 'a1b2c3-sub', email: null, type: 'User' }]);
  });
});
