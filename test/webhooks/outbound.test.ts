// Webhook requests: public addresses only unless allowed (checked after DNS, on the address connected to), no
// redirect followed, a bounded wait and body, and plain reasons for what is refused or failed.
import { createServer, type IncomingMessage, Server, type ServerResponse } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkWebhookUrl,
  createSend,
  isPublicAddress,
  OutboundFailed,
  type OutboundOptions,
  OutboundRefused,
} from '../../src/webhooks/outbound.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface LocalServer {
  port: number;
  origin: string;
  received: Received[];
  sockets: Socket[];
}

const servers: NetServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server instanceof Server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real HTTP server on 127.0.0.1 that records each request and answers as `answer` says. */
async function localServer(
  answer: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) =>
    response.end('ok'),
): Promise<LocalServer> {
  const received: Received[] = [];
  const sockets: Socket[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      answer(request, response);
    });
  });
  server.on('connection', (socket) => sockets.push(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, origin: `http://127.0.0.1:${port}`, received, sockets };
}

const strict: OutboundOptions = {
  allowPrivateAddresses: false,
  resolve: async () => {
    throw new Error('this test resolves no name');
  },
};
const permissive: OutboundOptions = { ...strict, allowPrivateAddresses: true };

/** A resolver answering from a fixed table and counting the questions. */
function fakeDns(table: Record<string, string[]>) {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    return table[hostname] ?? [];
  };
  return { resolve, asked };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundRefused);
  return (error as OutboundRefused).reason;
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundFailed);
  return (error as OutboundFailed).reason;
}

describe('which addresses count as public', () => {
  it.each([
    '0.0.0.0',
    '0.1.2.3',
    '10.0.0.1',
    '10.255.255.255',
    '100.64.0.1',
    '100.127.255.254',
    '127.0.0.1',
    '127.255.0.9',
    '169.254.169.254',
    '169.254.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.8',
    '192.0.2.10',
    '192.168.1.1',
    '198.18.0.1',
    '198.19.255.255',
    '198.51.100.7',
    '203.0.113.9',
    '224.0.0.251',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '0:0:0:0:0:0:0:1',
    'fc00::1',
    'fd12:3456::1',
    'fd00:ec2::254',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.1.2.3',
    '::ffff:169.254.169.254',
    '::127.0.0.1',
    '64:ff9b::a00:1',
    '64:ff9b::127.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b:1::1',
    '2002:7f00:1::1',
    '2002:a00:1::',
    '2001:db8::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    '100::1',
    '::ffff:0:7f00:1',
  ])('%s is not public', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '100.63.255.255',
    '100.128.0.1',
    '172.15.255.255',
    '172.32.0.1',
    '169.253.255.255',
    '192.0.1.1',
    '192.169.0.1',
    '198.20.0.1',
    '223.255.255.255',
    '2606:4700::1111',
    '2a00:1450:4007:80c::200e',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('%s is public', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it.each([
    '',
    'localhost',
    'example.org',
    '127.1',
    '2130706433',
    '0x7f.0.0.1',
    '010.0.0.1',
    '256.1.1.1',
    '1.2.3.4.5',
    '::g',
    '1::2::3',
    '[::1]',
  ])('%j is not an address, so not public', (text) => {
    expect(isPublicAddress(text)).toBe(false);
  });
});

describe('sending a webhook request', () => {
  it('refuses a loopback URL when private addresses are not allowed, and the server gets nothing', async () => {
    const server = await localServer();
    const reason = await refusal(
      createSend(strict)({ method: 'POST', url: `${server.origin}/hook`, body: '{}' }),
    );
    expect(reason).toBe('The address 127.0.0.1 is a loopback address.');
    expect(server.received).toEqual([]);
  });

  it('delivers to a loopback URL when private addresses are allowed: method, path, headers and body arrive', async () => {
    const server = await localServer((_request, response) => {
      response.writeHead(201, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
    const body = JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      note: 'équipe',
    });
    const response = await createSend(permissive)({
      method: 'PATCH',
      url: `${server.origin}/scim/Groups/42?x=1#fragment`,
      headers: { Authorization: 'Bearer s3cret', 'Content-Type': 'application/json' },
      body,
    });
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toBe('{"ok":true}');
    expect(server.received).toHaveLength(1);
    const [received] = server.received;
    expect(received?.method).toBe('PATCH');
    expect(received?.url).toBe('/scim/Groups/42?x=1');
    expect(received?.headers.authorization).toBe('Bearer s3cret');
    expect(received?.headers['content-type']).toBe('application/json');
    expect(received?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(received?.headers['user-agent']).toBe('Desk webhooks');
    expect(received?.headers.cookie).toBeUndefined();
    expect(received?.body).toBe(body);
  });

  it('keeps a User-Agent the caller gives', async () => {
    const server = await localServer();
    await createSend(permissive)({
      method: 'GET',
      url: server.origin,
      headers: { 'user-agent': 'Desk SCIM' },
    });
    expect(server.received[0]?.headers['user-agent']).toBe('Desk SCIM');
  });

  it('refuses a host name whose address is private', async () => {
    const dns = fakeDns({ 'hooks.example.test': ['10.0.0.1'] });
    const send = createSend({ allowPrivateAddresses: false, resolve: dns.resolve });
    const reason = await refusal(
      send({ method: 'POST', url: 'https://hooks.example.test/scim', body: '{}' }),
    );
    expect(reason).toBe('The address of hooks.example.test (10.0.0.1) is private.');
  });

  it('refuses a host name with a public address first and a private one second', async () => {
    const dns = fakeDns({ 'hooks.example.test': ['93.184.215.14', '169.254.169.254'] });
    const send = createSend({ allowPrivateAddresses: false, resolve: dns.resolve });
    const reason = await refusal(send({ method: 'GET', url: 'http://hooks.example.test/' }));
    expect(reason).toBe('The address of hooks.example.test (169.254.169.254) is a cloud metadata service.');
  });

  it('refuses a public-looking host name that resolves to loopback', async () => {
    const server = await localServer();
    const dns = fakeDns({ 'webhook.test': ['127.0.0.1'] });
    const send = createSend({ allowPrivateAddresses: false, resolve: dns.resolve });
    const reason = await refusal(send({ method: 'GET', url: `http://webhook.test:${server.port}/` }));
    expect(reason).toBe('The address of webhook.test (127.0.0.1) is a loopback address.');
    expect(server.received).toEqual([]);
  });

  it('connects to the address it resolved and checked (resolving once), naming the host in the Host header', async () => {
    const server = await localServer();
    // Were the connection to resolve the name again, it would ask the system's DNS, which knows no webhook.test.
    const dns = fakeDns({ 'webhook.test': ['127.0.0.1'] });
    const send = createSend({ allowPrivateAddresses: true, resolve: dns.resolve });
    const response = await send({
      method: 'POST',
      url: `http://webhook.test:${server.port}/hook`,
      body: 'x',
    });
    expect(response.status).toBe(200);
    expect(dns.asked).toEqual(['webhook.test']);
    expect(server.received.map((r) => [r.url, r.headers.host])).toEqual([
      ['/hook', `webhook.test:${server.port}`],
    ]);
  });

  it('speaks TLS to the checked address and names the host for SNI; a failed handshake is a failure', async () => {
    const serverNames: string[] = [];
    // No certificate at all: the handshake stops right after the client said which name it wants.
    const server = createTlsServer({
      SNICallback: (name, done) => {
        serverNames.push(name);
        done(new Error('no certificate here'));
      },
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const send = createSend({
      allowPrivateAddresses: true,
      resolve: fakeDns({ 'webhook.test': ['127.0.0.1'] }).resolve,
    });
    const reason = await failure(
      send({ method: 'POST', url: `https://webhook.test:${port}/hook`, body: '{}' }),
    );
    expect(reason).toMatch(new RegExp(`^The TLS connection to webhook\\.test:${port} failed: `));
    expect(serverNames).toEqual(['webhook.test']);
  });

  it('returns a redirect as it is and does not follow it', async () => {
    const elsewhere = await localServer();
    const server = await localServer((_request, response) => {
      response.writeHead(302, { Location: `${elsewhere.origin}/stolen` }).end();
    });
    const response = await createSend(permissive)({
      method: 'POST',
      url: `${server.origin}/hook`,
      body: '{}',
    });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe(`${elsewhere.origin}/stolen`);
    expect(server.received).toHaveLength(1);
    expect(elsewhere.received).toEqual([]);
  });

  it('fails within the time allowed when the server never answers, and closes the connection', async () => {
    const server = await localServer(() => {});
    const send = createSend({ ...permissive, timeoutMs: 300 });
    const started = Date.now();
    const reason = await failure(send({ method: 'POST', url: `${server.origin}/hook`, body: '{}' }));
    expect(reason).toBe('No answer within 0.3 s.');
    expect(Date.now() - started).toBeLessThan(2_000);
    const [socket] = server.sockets;
    if (socket && !socket.destroyed) {
      await Promise.race([
        new Promise((resolve) => socket.once('close', resolve)),
        new Promise((resolve) => setTimeout(resolve, 2_000)),
      ]);
    }
    expect(socket?.destroyed).toBe(true);
  });

  it('gives up on a name server that does not answer within the time allowed', async () => {
    const send = createSend({
      allowPrivateAddresses: false,
      resolve: () => new Promise(() => {}),
      timeoutMs: 100,
    });
    expect(await failure(send({ method: 'GET', url: 'https://slow.example.org/' }))).toBe(
      'slow.example.org could not be resolved within 0.1 s.',
    );
  });

  it('uses the time a request gives over the sender default', async () => {
    const server = await localServer(() => {});
    const send = createSend({ ...permissive, timeoutMs: 60_000 });
    const reason = await failure(send({ method: 'GET', url: server.origin, timeoutMs: 200 }));
    expect(reason).toBe('No answer within 0.2 s.');
  });

  it('keeps the first 64 KiB of a huge body and drops the rest', async () => {
    const server = await localServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end('a'.repeat(4 * 1024 * 1024));
    });
    const response = await createSend(permissive)({ method: 'GET', url: server.origin });
    expect(response.status).toBe(200);
    expect(response.body).toBe('a'.repeat(65_536));
  });

  it('keeps at most maxBodyBytes of a body', async () => {
    const server = await localServer((_request, response) => response.end('b'.repeat(5_000)));
    const response = await createSend({ ...permissive, maxBodyBytes: 1_000 })({
      method: 'GET',
      url: server.origin,
    });
    expect(response.body).toBe('b'.repeat(1_000));
  });

  it.each([
    'ftp://example.org/hook',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/plain,hello',
    'gopher://127.0.0.1:6379/_FLUSHALL',
    'ws://example.org/hook',
  ])('refuses %s: only http and https', async (url) => {
    expect(await refusal(createSend(permissive)({ method: 'GET', url }))).toBe(
      'Only http and https URLs are allowed.',
    );
  });

  it('refuses a URL holding a user name and password', async () => {
    const server = await localServer();
    const url = `http://user:pass@127.0.0.1:${server.port}/hook`;
    expect(await refusal(createSend(permissive)({ method: 'GET', url }))).toBe(
      'The URL must not hold a user name or password (the webhook secret is sent in the Authorization header).',
    );
    expect(server.received).toEqual([]);
  });

  it.each([
    ['http://2130706433/', 'The address 127.0.0.1 is a loopback address.'],
    ['http://0x7f.1/', 'The address 127.0.0.1 is a loopback address.'],
    ['http://0x7f000001/', 'The address 127.0.0.1 is a loopback address.'],
    ['http://0177.0.0.1/', 'The address 127.0.0.1 is a loopback address.'],
    ['http://127.1/', 'The address 127.0.0.1 is a loopback address.'],
    ['http://0/', 'The address 0.0.0.0 is unspecified.'],
    [
      'http://0xa9.0xfe.0xa9.0xfe/latest/meta-data/',
      'The address 169.254.169.254 is a cloud metadata service.',
    ],
    ['http://[::1]:8080/', 'The address ::1 is a loopback address.'],
    ['http://[::ffff:127.0.0.1]/', 'The address ::ffff:7f00:1 is a loopback address.'],
    ['http://[fd00:ec2::254]/', 'The address fd00:ec2::254 is a cloud metadata service.'],
  ])('refuses the IP literal %s without asking DNS', async (url, expected) => {
    expect(await refusal(createSend(strict)({ method: 'GET', url }))).toBe(expected);
  });

  it('says when a host name does not resolve', async () => {
    const send = createSend({ allowPrivateAddresses: false, resolve: fakeDns({}).resolve });
    expect(await failure(send({ method: 'GET', url: 'https://example.invalid/hook' }))).toBe(
      'example.invalid does not resolve.',
    );
  });

  it('says when the server refuses the connection', async () => {
    const server = await localServer();
    const url = `${server.origin}/hook`;
    for (const closed of servers.splice(0)) await new Promise((resolve) => closed.close(resolve));
    expect(await failure(createSend(permissive)({ method: 'GET', url }))).toBe(
      `127.0.0.1:${server.port} refused the connection.`,
    );
  });
});

describe('checking a webhook URL when it is saved', () => {
  const publicDns = fakeDns({
    'hooks.example.org': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  });
  const options: OutboundOptions = { allowPrivateAddresses: false, resolve: publicDns.resolve };

  it('accepts an https URL whose addresses are all public', async () => {
    expect(await checkWebhookUrl('https://hooks.example.org/scim/v2/Groups/1', options)).toBeNull();
  });

  it.each([
    ['not a url', 'This is not a URL.'],
    ['', 'This is not a URL.'],
    ['ftp://hooks.example.org/', 'Only http and https URLs are allowed.'],
    [
      'https://bot:hunter2@hooks.example.org/',
      'The URL must not hold a user name or password (the webhook secret is sent in the Authorization header).',
    ],
    [`https://hooks.example.org/${'a'.repeat(1000)}`, 'The URL is longer than 1000 characters.'],
    ['https://nowhere.example.org/', 'nowhere.example.org does not resolve.'],
    ['http://192.168.0.10/hook', 'The address 192.168.0.10 is private.'],
    ['http://[fe80::1]/hook', 'The address fe80::1 is link-local.'],
  ])('refuses %j: %s', async (url, expected) => {
    expect(await checkWebhookUrl(url, options)).toBe(expected);
  });

  it('refuses localhost as the system resolves it', async () => {
    expect(await checkWebhookUrl('http://localhost:8080/hook', { allowPrivateAddresses: false })).toMatch(
      /^The address of localhost \((127\.0\.0\.1|::1)\) is a loopback address\.$/,
    );
  });

  it('says a name does not resolve when the system DNS knows no such name', async () => {
    const resolve = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND example.invalid'), { code: 'ENOTFOUND' });
    };
    expect(await checkWebhookUrl('https://example.invalid/', { allowPrivateAddresses: false, resolve })).toBe(
      'example.invalid does not resolve.',
    );
  });

  it('accepts a private address when private addresses are allowed', async () => {
    expect(await checkWebhookUrl('http://127.0.0.1:8080/hook', { allowPrivateAddresses: true })).toBeNull();
  });

  it('gives up on a name server that does not answer in time', async () => {
    const resolve = () => new Promise<string[]>(() => {});
    expect(
      await checkWebhookUrl('https://slow.example.org/', {
        allowPrivateAddresses: false,
        resolve,
        timeoutMs: 100,
      }),
    ).toBe('slow.example.org could not be resolved within 0.1 s.');
  });
});
