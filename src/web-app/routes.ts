// The web app's built files (web/dist, made by Vite at `npm ci`): hashed assets cached for good, index.html never,
// and every browser navigation no route matched answers index.html, whose router draws the page (or its 404).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { issueCsrfCookie, type Resource } from '../auth/index.ts';
import type { Config } from '../platform/config.ts';
import { type App, setPageFallback } from '../platform/http.ts';

export const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/**
 * Vite's output only: scripts of our origin, styles of our origin (react-aria sets inline style attributes); the
 * logout form is posted to Desk, which redirects it to the provider's end-session endpoint. An operator's
 * stylesheet (FRONTEND_CSS_URL) adds its origin to styles and fonts; La Suite's app switcher (FRONTEND_GAUFRE_URL)
 * adds its origin to scripts, and to what its script fetches and shows (its popup's HTML, styles and logos).
 */
function contentSecurityPolicy(config: Config): string {
  const provider = config.OIDC_OP_URL ? ` ${new URL(config.OIDC_OP_URL).origin}` : '';
  const css = config.FRONTEND_CSS_URL ? ` ${new URL(config.FRONTEND_CSS_URL).origin}` : '';
  const gaufre = config.FRONTEND_GAUFRE_URL ? ` ${new URL(config.FRONTEND_GAUFRE_URL).origin}` : '';
  return [
    "default-src 'self'",
    `script-src 'self'${gaufre}`,
    `style-src 'self' 'unsafe-inline'${css}${gaufre}`,
    `img-src 'self' data:${gaufre}`,
    `font-src 'self'${css}${gaufre}`,
    `connect-src 'self'${gaufre}`,
    `form-action 'self'${provider}`,
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const attribute = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * The operator's stylesheet goes last in the head (it may override Desk's styles); the app switcher's script, at
 * the end of the body, is async: unreachable (offline, blocked), it leaves the page as it is, its button hidden.
 */
function withFrontendSettings(page: string, config: Config): string {
  let html = page;
  const { FRONTEND_CSS_URL: css, FRONTEND_GAUFRE_URL: gaufre } = config;
  if (css) html = html.replace('</head>', () => `<link rel="stylesheet" href="${attribute(css)}">\n</head>`);
  if (gaufre)
    // La Suite's widget finds its own origin by this id.
    html = html.replace(
      '</body>',
      () => `<script id="lasuite-gaufre-script" src="${attribute(gaufre)}" async></script>\n</body>`,
    );
  return html;
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Desk</title></head>
<body><main><h1>Desk</h1><p>The web app is not built: run <code>npm run build:web</code> (npm ci does it).</p>
<p><a href="/api/v1.0/swagger/">API documentation</a></p></main></body></html>`;

export function webAppRoutes(app: App, resource: Resource, config: Config, dist = WEB_DIST): void {
  const indexFile = join(dist, 'index.html');
  const built = existsSync(indexFile);
  const page = built ? withFrontendSettings(readFileSync(indexFile, 'utf8'), config) : NOT_BUILT;
  if (!built) app.log.warn(`the web app is not built (${indexFile} is missing): npm run build:web`);

  const csp = contentSecurityPolicy(config);
  const sendPage = async (request: FastifyRequest, reply: FastifyReply) => {
    // The app echoes this cookie in X-CSRFToken from its first request on.
    issueCsrfCookie(request, reply, config);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', csp)
      .send(page);
  };
  resource('/', { caller: 'visitor' }, (scope) => {
    scope.get('/', { schema: { hide: true } }, sendPage);
  });
  setPageFallback(app, sendPage);

  const assets = join(dist, 'assets');
  if (existsSync(assets))
    // File names carry their content hash: a changed file is a new name, so caches keep each for good.
    resource('/assets/', { caller: 'machine', cache: 'immutable' }, (scope) => {
      void scope.register(fastifyStatic, { root: assets, prefix: '/assets/', cacheControl: false });
    });
}
