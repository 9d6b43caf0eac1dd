// Headers every answer carries: no MIME sniffing, no framing, no referrer outside Desk, HSTS in production.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFrom } from '../../src/platform/config.ts';
import { type App, createHttpServer } from '../../src/platform/http.ts';
import { PRODUCTION_SETTINGS, useDesk } from '../support/desk.ts';

const PRODUCTION = { ...PRODUCTION_SETTINGS, LOG_LEVEL: 'silent' };

const t = useDesk();

function expectBaseline(headers: Headers | Record<string, unknown>): void {
  const get = (name: string) =>
    headers instanceof Headers ? headers.get(name) : (headers[name] as string | undefined);
  expect(get('x-content-type-options')).toBe('nosniff');
  expect(get('referrer-policy')).toBe('same-origin');
  expect(get('x-frame-options')).toBe('DENY');
  expect(get('content-security-policy')).toContain("frame-ancestors 'none'");
}

describe('every answer', () => {
  it('carries the security headers on a JSON answer', async () => {
    const res = await t.browser().get('/api/v1.0/config/');
    expect(res.status).toBe(200);
    expectBaseline(res.headers);
    expect(res.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
  });

  it('carries them on a 404 and a 405', async () => {
    const missing = await t.browser().get('/api/v1.0/nothing-here/');
    expect(missing.status).toBe(404);
    expectBaseline(missing.headers);
    const wrongMethod = await t.browser().delete('/api/v1.0/config/');
    expect(wrongMethod.status).toBe(405);
    expectBaseline(wrongMethod.headers);
  });

  it('keeps a page’s own policy, adding the framing rule to it', async () => {
    const home = await t.browser().get('/');
    expect(home.status).toBe(200);
    const csp = home.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('leaves the OpenAPI viewer its own policy, without letting it be framed', async () => {
    const viewer = await t.browser().get('/api/v1.0/swagger/');
    expect(viewer.status).toBe(200);
    const csp = viewer.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("frame-ancestors 'self'");
    expect(viewer.headers.get('x-frame-options')).toBe('DENY');
  });

  it('has no Strict-Transport-Security outside production', async () => {
    expect((await t.browser().get('/__lbheartbeat__')).headers.get('strict-transport-security')).toBeNull();
  });
});

describe('in production', () => {
  let app: App;
  beforeAll(async () => {
    app = await createHttpServer(configFrom(PRODUCTION));
    app.get('/hello', async () => ({ hello: 'world' }));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('every answer, found or not, carries Strict-Transport-Security too', async () => {
    for (const url of ['/hello', '/nothing-here']) {
      const res = await app.inject({ url });
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expectBaseline(res.headers);
    }
  });
});
