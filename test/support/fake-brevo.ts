// A local HTTP server standing in for Brevo's contacts API (the one third-party SaaS Desk calls), recording requests.
import { createServer } from 'node:http';

export interface BrevoRequest {
  method: string;
  path: string;
  apiKey: string | undefined;
  body: unknown;
}

export interface FakeBrevo {
  url: string;
  requests: BrevoRequest[];
  /** Existing contacts by email, with their list ids. */
  contacts: Map<string, { listIds: number[] }>;
  /** Answer every request with this status (e.g. 500) while set. */
  failWith?: number;
  close(): Promise<void>;
}

export async function startFakeBrevo(): Promise<FakeBrevo> {
  const fake = { requests: [], contacts: new Map() } as unknown as FakeBrevo;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString();
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://brevo.test');
      const body = raw ? (JSON.parse(raw) as unknown) : undefined;
      fake.requests.push({
        method: req.method ?? '',
        path: url.pathname,
        apiKey: req.headers['api-key'] as string | undefined,
        body,
      });
      const reply = (status: number, json?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(json === undefined ? '' : JSON.stringify(json));
      };
      if (fake.failWith) return reply(fake.failWith, { code: 'error' });
      const email = decodeURIComponent(url.pathname.replace(/^\/v3\/contacts\/?/, ''));
      if (req.method === 'GET') {
        const contact = fake.contacts.get(email);
        return contact
          ? reply(200, { email, listIds: contact.listIds })
          : reply(404, { code: 'document_not_found' });
      }
      if (req.method === 'POST') {
        const created = body as { email: string; listIds: number[] };
        fake.contacts.set(created.email, { listIds: created.listIds });
        return reply(201, { id: fake.contacts.size });
      }
      if (req.method === 'PUT') {
        fake.contacts.set(email, { listIds: (body as { listIds: number[] }).listIds });
        return reply(204);
      }
      reply(405);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  fake.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v3`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
