// GET /api/v1.0/authenticate/: starts a login at the provider (state, nonce, PKCE, one transaction per attempt).
import * as oidc from 'openid-client';
import { z } from 'zod';
import type { App } from '../../platform/http.ts';
import { CALLBACK_PATH, type OidcDeps } from './deps.ts';
import { safeNext } from './redirects.ts';
import { browserBinding, saveTransaction } from './transactions.ts';

const query = z.object({
  next: z.string().max(2048).optional(),
  silent: z.enum(['true', 'false']).optional(),
  login_hint: z.string().max(254).optional(),
  /** OpenID Connect Core §3.1.2.1: the languages of the provider's pages, space-separated language tags. */
  ui_locales: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9-]+( [A-Za-z0-9-]+)*$/, 'Space-separated language tags, e.g. "fr en".')
    .optional(),
});

/** DESIGN.md §7: the organization claim is asked for with the rest (ProConnect gives `siret` as its own scope). */
function scopesWithOrganization(config: OidcDeps['config']): string {
  const scopes = config.OIDC_RP_SCOPES.split(/\s+/).filter(Boolean);
  const field = config.OIDC_ORGANIZATION_REGISTRATION_ID_FIELD;
  if (field && !scopes.includes(field)) scopes.push(field);
  return scopes.join(' ');
}

export function authenticateRoute(app: App, { config, kv, provider }: OidcDeps): void {
  app.get(
    '/api/v1.0/authenticate/',
    { schema: { tags: ['auth'], summary: 'Start a login at the OpenID provider', querystring: query } },
    async (request, reply) => {
      const configuration = await provider.get();
      // 32 random bytes each: 43 base64url characters (DESIGN.md §5 asks for ≥ 32).
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const codeVerifier = config.OIDC_USE_PKCE ? oidc.randomPKCECodeVerifier() : undefined;
      const silent = request.query.silent === 'true';
      const next = safeNext(request.query.next, config);
      await saveTransaction(kv, state, {
        nonce,
        browser: browserBinding(request, reply, config),
        silent,
        ...(codeVerifier ? { codeVerifier } : {}),
        ...(next ? { next } : {}),
      });
      const extra = Object.fromEntries(
        Object.entries(config.OIDC_AUTH_REQUEST_EXTRA_PARAMS).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : JSON.stringify(v),
        ]),
      );
      const params: Record<string, string> = {
        ...extra,
        response_type: 'code',
        redirect_uri: `${config.PUBLIC_URL}${CALLBACK_PATH}`,
        scope: scopesWithOrganization(config),
        state,
        nonce,
      };
      if (codeVerifier) {
        params.code_challenge = await oidc.calculatePKCECodeChallenge(codeVerifier);
        params.code_challenge_method = 'S256';
      }
      if (silent) params.prompt = 'none';
      if (request.query.login_hint) params.login_hint = request.query.login_hint;
      if (request.query.ui_locales) params.ui_locales = request.query.ui_locales;
      return reply.redirect(oidc.buildAuthorizationUrl(configuration, params).href, 302);
    },
  );
}
