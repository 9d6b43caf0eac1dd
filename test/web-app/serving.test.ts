// Desk serves the built web app: hashed assets cached for good, index.html never, client routes fall back to it,
// and the API, the resource server, probes and the development provider keep their own answers.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resources, SessionStore } from '../../src/auth/index.ts';
import { configFrom } from '../../src/platform/config.ts';
import { type App, createHttpServer } from '../../src/platform/http.ts';
import { MemoryStore } from '../../src/platform/kv.ts';
import { webAppRoutes } from '../../src/web-app/routes.ts';

const dist = mkdtempSync(join(tmpdir(), 'desk-web-'));
mkdirSync(join(dist, 'assets'));
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Desk</title><div id="root"></div>');
writeFileSync(join(dist, 'assets', 'index-AbC123.js'), 'console.log("app")');

let app: App;
beforeAll(async () => {
  const config = configFrom({ LOG_LEVEL: 'silent' });
  app = await createHttpServer(config);
  const kv = new MemoryStore();
  const sessions = new SessionStore(kv, { absoluteMs: 60_000, idleMs: 60_000 });
  const database = {} as Parameters<typeof resources>[1]['database'];
  webAppRoutes(app, resources(app, { config, database, kv, sessions }), config, dist);
  app.get('/api/v1.0/known/', async () => ({ ok: true }));
  await app.ready();
});
afterAll(() => app?.close());

describe('the web app', () => {
  it.each([
    '/',
    '/teams',
    '/teams/5c3c1a9e-8b8e-4e8f-9c1f-0d6f1a2b3c4d',
    '/contacts',
    '/profile',
    '/no/such/page',
  ])('answers index.html, never cached, at %s', async (url) => {
    const res = await app.inject({ url, headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('<div id="root">');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('gives a browser its csrftoken cookie with the page', async () => {
    const res = await app.inject({ url: '/teams' });
    expect(String(res.headers['set-cookie'])).toMatch(/^csrftoken=/);
  });

  it('serves hashed assets as immutable, without cookies', async () => {
    const res = await app.inject({ url: '/assets/index-AbC123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it.each(['/assets/missing-Zz9.js', '/assets/..%2Findex.html'])(
    'never lets a cache keep the error answered for %s (a newer pod may have the file)',
    async (url) => {
      const res = await app.inject({ url });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.headers['cache-control']).toBe('no-store');
    },
  );

  it.each([
    '/api/v1.0/nothing-here/',
    '/resource-server/v1.0/nothing/',
    '/__nothing__',
    '/dev-idp/nothing',
    '/assets/missing.js',
  ])('leaves %s its JSON 404', async (url) => {
    const res = await app.inject({ url, headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ detail: 'Not found.' });
  });

  it('still tells a wrong method on an API route (405), not the page', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/api/v1.0/known/' });
    expect(res.statusCode).toBe(405);
  });

  it('answers a POST to a page path with JSON 404, not the page', async () => {
    const res = await app.inject({ method: 'POST', url: '/teams' });
    expect(res.statusCode).toBe(404);
  });
});
