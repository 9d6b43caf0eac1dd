// The web app's look is the operator's to set: the state's identity and the footer's pages. With no settings: the
// state's identity, Desk's own footer pages, and nothing loaded from another origin.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resources, SessionStore } from '../../src/auth/index.ts';
import { configFrom } from '../../src/platform/config.ts';
import { frontendConfigRoute } from '../../src/platform/frontend-config.ts';
import { createHttpServer } from '../../src/platform/http.ts';
import { MemoryStore } from '../../src/platform/kv.ts';
import { webAppRoutes } from '../../src/web-app/routes.ts';

const dist = mkdtempSync(join(tmpdir(), 'desk-web-'));
mkdirSync(join(dist, 'assets'));
writeFileSync(
  join(dist, 'index.html'),
  '<!doctype html><html><head><title>Desk</title></head><body><div id="root"></div></body></html>',
);

/** Desk's page and config/ under these settings. */
async function deskWith(settings: Record<string, string>) {
  const config = configFrom({ LOG_LEVEL: 'silent', ...settings });
  const app = await createHttpServer(config);
  const kv = new MemoryStore();
  const sessions = new SessionStore(kv, { absoluteMs: 60_000, idleMs: 60_000 });
  const database = {} as Parameters<typeof resources>[1]['database'];
  webAppRoutes(app, resources(app, { config, database, kv, sessions }), config, dist);
  frontendConfigRoute(app, config);
  await app.ready();
  try {
    const page = await app.inject({ url: '/teams', headers: { accept: 'text/html' } });
    const frontend = (await app.inject({ url: '/api/v1.0/config/' })).json() as Record<string, unknown>;
    const csp = String(page.headers['content-security-policy']);
    const directive = (name: string) => csp.split(/;\s*/).find((d) => d.startsWith(`${name} `)) ?? '';
    return { html: page.body, frontend, directive };
  } finally {
    await app.close();
  }
}

describe('with no settings', () => {
  it("shows the state's identity and links the footer to Desk's own pages", async () => {
    const { frontend } = await deskWith({});
    expect(frontend).toMatchObject({
      FRONTEND_STATE_IDENTITY: true,
      FRONTEND_ACCESSIBILITY_URL: null,
      FRONTEND_LEGAL_NOTICE_URL: null,
      FRONTEND_PERSONAL_DATA_URL: null,
    });
  });

  it('loads nothing from another origin: no extra stylesheet, a same-origin policy', async () => {
    const { html, directive } = await deskWith({});
    expect(html).not.toContain('rel="stylesheet"');
    expect(directive('script-src')).toBe("script-src 'self'");
    expect(directive('connect-src')).toBe("connect-src 'self'");
  });
});

describe('an operator outside the French administration', () => {
  it("turns the state's identity off, and names its own footer pages", async () => {
    const { frontend } = await deskWith({
      FRONTEND_STATE_IDENTITY: 'false',
      FRONTEND_ACCESSIBILITY_URL: 'https://example.org/accessibility',
      FRONTEND_LEGAL_NOTICE_URL: 'https://example.org/legal',
      FRONTEND_PERSONAL_DATA_URL: 'https://example.org/privacy',
    });
    expect(frontend).toMatchObject({
      FRONTEND_STATE_IDENTITY: false,
      FRONTEND_ACCESSIBILITY_URL: 'https://example.org/accessibility',
      FRONTEND_LEGAL_NOTICE_URL: 'https://example.org/legal',
      FRONTEND_PERSONAL_DATA_URL: 'https://example.org/privacy',
    });
  });
});
