// GET /: a small page for trying Desk without its web app: log in, see users/me, log out.
import type { Config } from '../platform/config.ts';
import { escapeHtml } from '../platform/html.ts';
import type { App } from '../platform/http.ts';
import { serializeMe } from '../users/index.ts';

export function homeRoute(app: App, config: Config): void {
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    const user = request.user;
    const error =
      typeof (request.query as Record<string, unknown>).login_error === 'string'
        ? String((request.query as Record<string, string>).login_error)
        : '';
    let body: string;
    if (user) {
      const csrf = request.cookies.csrftoken ?? '';
      body = `<h1>Bonjour ${escapeHtml(user.name || user.email || '')}</h1>
<p>You are signed in. <a href="/api/v1.0/users/me/">/api/v1.0/users/me/</a> answers:</p>
<pre>${escapeHtml(JSON.stringify(serializeMe(user, config), null, 2))}</pre>
<form method="post" action="/api/v1.0/logout/"><input type="hidden" name="csrfmiddlewaretoken" value="${escapeHtml(csrf)}">
<button type="submit">Log out</button></form>`;
    } else {
      body = `<h1>Desk</h1>${error ? `<p role="alert">The login did not succeed (${escapeHtml(error)}).</p>` : ''}
<p><a href="/api/v1.0/authenticate/">Log in</a>${config.DESK_DEV_IDP ? ' with the built-in development provider (demo agents, no password)' : ''}.</p>`;
    }
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
      .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Desk</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;color:#161616}pre{background:#f6f6f6;padding:1rem;overflow:auto}</style>
</head><body>${body}<p><small><a href="/api/v1.0/swagger/">API documentation</a></small></p></body></html>`);
  });
}
