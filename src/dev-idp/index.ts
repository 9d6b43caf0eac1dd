// Wires the development provider into Desk: its settings, its clients (Desk itself), and its path on Desk's server.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../platform/config.ts';
import type { App } from '../platform/http.ts';
import { createDevProvider, type DevProvider } from './provider.ts';

export { DEMO_USERS, type DemoUser } from './demo-users.ts';
export { createDevProvider, type DevProvider } from './provider.ts';
export { DEV_IDP_PATH, withDevProvider } from './settings.ts';

import { DEV_IDP_PATH } from './settings.ts';

export async function mountDevProvider(app: App, config: Config): Promise<DevProvider> {
  const devProvider = await createDevProvider({
    issuer: config.OIDC_OP_URL ?? `${config.PUBLIC_URL}${DEV_IDP_PATH}`,
    clients: [
      {
        client_id: config.OIDC_RP_CLIENT_ID,
        client_secret: config.OIDC_RP_CLIENT_SECRET ?? '',
        redirect_uris: [`${config.PUBLIC_URL}/api/v1.0/callback/`],
        post_logout_redirect_uris: [`${config.PUBLIC_URL}/api/v1.0/logout-callback/`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: config.OIDC_TOKEN_ENDPOINT_AUTH_METHOD,
        id_token_signed_response_alg: config.OIDC_RP_SIGN_ALGO,
        // ProConnect answers userinfo as a signed JWT.
        userinfo_signed_response_alg: config.OIDC_RP_SIGN_ALGO,
      },
    ],
  });
  await app.register(async (scope) => {
    // oidc-provider reads request bodies itself: Fastify must leave the stream untouched here.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      reply.hijack();
      await devProvider.handle(request.raw, reply.raw);
    };
    scope.all(DEV_IDP_PATH, { schema: { hide: true } }, handler);
    scope.all(`${DEV_IDP_PATH}/*`, { schema: { hide: true } }, handler);
  });
  return devProvider;
}
