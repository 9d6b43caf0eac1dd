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
 * logout form is posted to Desk, which redirects it to the provider's end-session endpoint.
 */
function contentSecurityPolicy(config: Config): string {
  const provider = config.OIDC_OP_URL ? ` ${new URL(config.OIDC_OP_URL).origin}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `form-action 'self'${provider}`,
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Desk</title></head>
<body><main><h1>Desk</h1><p>The web app is not built: run <code>npm run build:web</code> (npm ci does it).</p>
<p><a href="/api/v1.0/swagger/">API documentation</a></p></main></body></html>`;

export function webAppRoutes(app: App, resource: Resource, config: Config, dist = WEB_DIST): void {
  const indexFile = join(dist, 'index.html');
  const page = existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : NOT_BUILT;
  if (page === NOT_BUILT)
    app.log.warn(`the web app is not built (${indexFile} is missing): npm run build:web`);

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
