// Wires the development provider into Desk: its settings, its clients (Desk itself), and its path on Desk's server.
import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../platform/config.ts';
import type { App } from '../platform/http.ts';
import { createDevProvider, type DevProvider } from './provider.ts';

export { DEMO_USERS, type DemoUser } from './demo-users.ts';
export { createDevProvider, type DevProvider } from './provider.ts';

export const DEV_IDP_PATH = '/dev-idp';
const PROCONNECT_SCOPES = 'openid email given_name usual_name siret uid idp_id';

/** Desk's settings when the development provider stands in for ProConnect (only what was left at its default changes). */
export function withDevProvider(config: Config): Config {
  if (!config.DESK_DEV_IDP) return config;
  const defaultFullName = config.OIDC_USERINFO_FULLNAME_FIELDS.join(',') === 'first_name,last_name';
  return {
    ...config,
    OIDC_OP_URL: `${config.PUBLIC_URL}${DEV_IDP_PATH}`,
    OIDC_RP_CLIENT_ID: 'desk',
    OIDC_RP_CLIENT_SECRET: createHmac('sha256', config.SECRET_KEY).update('dev-idp:desk').digest('base64url'),
    OIDC_RP_SCOPES: config.OIDC_RP_SCOPES === 'openid email' ? PROCONNECT_SCOPES : config.OIDC_RP_SCOPES,
    OIDC_USERINFO_FULLNAME_FIELDS: defaultFullName
      ? ['given_name', 'usual_name']
      : config.OIDC_USERINFO_FULLNAME_FIELDS,
  };
}

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
