// The web app's look is the operator's to set: the state's identity, La Suite's app switcher, an extra stylesheet
// (for the Marianne font) and the footer's pages. With no settings: the state's identity, Desk's own footer pages,
// and nothing loaded from another origin.
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

const GAUFRE = 'https://integration.lasuite.example/api/v1/gaufre.js';
const CSS = 'https://static.example.gouv.fr/marianne.css';

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
      FRONTEND_GAUFRE_URL: null,
      FRONTEND_ACCESSIBILITY_URL: null,
      FRONTEND_LEGAL_NOTICE_URL: null,
      FRONTEND_PERSONAL_DATA_URL: null,
    });
  });

  it('loads nothing from another origin: no app switcher, no extra stylesheet, a same-origin policy', async () => {
    const { html, directive } = await deskWith({});
    expect(html).not.toContain('lasuite-gaufre-script');
    expect(html).not.toContain('rel="stylesheet"');
    expect(directive('script-src')).toBe("script-src 'self'");
    expect(directive('connect-src')).toBe("connect-src 'self'");
    expect(directive('font-src')).toBe("font-src 'self'");
  });
});

describe("La Suite's app switcher (FRONTEND_GAUFRE_URL)", () => {
  it("puts the suite's script in the page, async, and tells the web app to show its button", async () => {
    const { html, frontend } = await deskWith({ FRONTEND_GAUFRE_URL: GAUFRE });
    expect(html).toContain(`<script id="lasuite-gaufre-script" src="${GAUFRE}" async></script>`);
    expect(html.indexOf('lasuite-gaufre-script')).toBeGreaterThan(html.indexOf('<div id="root">'));
    expect(frontend.FRONTEND_GAUFRE_URL).toBe(GAUFRE);
  });

  it('lets the page load it, fetch its list of services and show their logos, from its origin only', async () => {
    const { directive } = await deskWith({ FRONTEND_GAUFRE_URL: GAUFRE });
    const origin = 'https://integration.lasuite.example';
    for (const name of ['script-src', 'connect-src', 'img-src', 'style-src'])
      expect(directive(name).split(' '), name).toContain(origin);
    expect(directive('script-src')).toBe(`script-src 'self' ${origin}`);
  });

  it('is refused at start when it is not an http(s) URL', () => {
    expect(() => configFrom({ LOG_LEVEL: 'silent', FRONTEND_GAUFRE_URL: 'javascript:alert(1)' })).toThrow(
      /FRONTEND_GAUFRE_URL/,
    );
  });
});

describe('an extra stylesheet (FRONTEND_CSS_URL), e.g. the Marianne font of a state service', () => {
  it('is linked last in the head, its origin allowed for styles and fonts, not for scripts', async () => {
    const { html, directive } = await deskWith({ FRONTEND_CSS_URL: CSS });
    expect(html).toContain(`<link rel="stylesheet" href="${CSS}">\n</head>`);
    expect(directive('style-src').split(' ')).toContain('https://static.example.gouv.fr');
    expect(directive('font-src').split(' ')).toContain('https://static.example.gouv.fr');
    expect(directive('script-src')).toBe("script-src 'self'");
  });

  it('is written into the page as an attribute value, whatever characters its URL holds', async () => {
    const { html } = await deskWith({
      FRONTEND_CSS_URL: 'https://static.example.gouv.fr/a.css?x="><script>$&',
    });
    expect(html).toContain('href="https://static.example.gouv.fr/a.css?x=&quot;&gt;&lt;script&gt;$&amp;"');
    expect(html).not.toContain('"><script>');
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
