// The HTTP contract's edges: JSON 404/405/400, request ids, the OpenAPI document and its viewer.
import { describe, expect, it } from 'vitest';
import { useDesk } from '../support/desk.ts';

const t = useDesk();

describe('HTTP', () => {
  it('answers an unknown route with a JSON 404', async () => {
    const res = await t.browser().get('/api/v1.0/nothing-here/');
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ detail: 'Not found.' });
  });

  it('answers a wrong method with a JSON 405 and Allow', async () => {
    const res = await t.browser().delete('/api/v1.0/config/');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(res.json).toEqual({ detail: 'Method "DELETE" not allowed.' });
  });

  it('answers malformed JSON with a JSON 400', async () => {
    const { browser, user } = await t.loginAsStaff();
    const res = await browser.request('PATCH', `/api/v1.0/users/${user.id}/`, {
      body: '{"language": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.json).toHaveProperty('detail');
  });

  // A trusted proxy's X-Request-Id is kept: request-id.test.ts.
  it('gives every response a request id, never one a client chose', async () => {
    expect((await t.browser().get('/__lbheartbeat__')).headers.get('x-request-id')).toMatch(
      /^[0-9a-f-]{36}$/,
    );
    const spoofed = await t.browser().get('/__lbheartbeat__', { 'x-request-id': 'trace-1234567890' });
    expect(spoofed.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await t.browser().get('/__lbheartbeat__', { 'x-request-id': 'bad id with spaces' });
    expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('publishes an OpenAPI 3 document listing the routes', async () => {
    const doc = (await t.browser().get('/api/v1.0/swagger.json')).json as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1.0/users/me/', '/api/v1.0/teams/', '/api/v1.0/teams/{id}/accesses/']),
    );
  });

  it('serves the OpenAPI viewer', async () => {
    const res = await t.browser().get('/api/v1.0/swagger/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
  });

  it('answers the liveness probe', async () => {
    expect((await t.browser().get('/__lbheartbeat__')).json).toEqual({ status: 'ok' });
  });
});
