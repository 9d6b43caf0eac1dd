// Wires the development provider into Desk: its settings, its clients (Desk itself), and its path on Desk's server.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ClientMetadata } from 'oidc-provider';
import { z } from 'zod';
import type { Config } from '../platform/config.ts';
import type { App } from '../platform/http.ts';
import type { DecryptionKey } from '../resource-server/index.ts';
import { DEMO_USERS } from './demo-users.ts';
import type { DevProvider } from './provider.ts';
import { DEMO_SERVICE_PROVIDER, DEV_IDP_PATH, secret } from './settings.ts';

export { DEMO_USERS, type DemoUser } from './demo-users.ts';
export type { DevProvider } from './provider.ts';
export { DEV_IDP_PATH, withDevProvider } from './settings.ts';

/** The provider's clients: Desk signing in, Desk as resource server, and a demo app of the suite. */
function clientsOf(config: Config, keys: DecryptionKey[]): ClientMetadata[] {
  return [
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
    {
      client_id: config.OIDC_RS_CLIENT_ID ?? 'desk-rs',
      client_secret: config.OIDC_RS_CLIENT_SECRET ?? '',
      redirect_uris: [],
      response_types: [],
      grant_types: [],
      token_endpoint_auth_method: config.OIDC_TOKEN_ENDPOINT_AUTH_METHOD,
      introspection_signed_response_alg: config.OIDC_RS_SIGNING_ALGO,
      introspection_encrypted_response_alg: (keys[0]?.alg ??
        config.OIDC_RS_ENCRYPTION_ALGO) as ClientMetadata['introspection_encrypted_response_alg'],
      introspection_encrypted_response_enc: config.OIDC_RS_ENCRYPTION_ENCODING,
      // Inline: oidc-provider will not fetch a jwks_uri on loopback.
      jwks: { keys: keys.map((k) => k.publicJwk) },
    },
    {
      client_id: DEMO_SERVICE_PROVIDER,
      client_secret: secret(config, DEMO_SERVICE_PROVIDER),
      redirect_uris: [`${config.PUBLIC_URL}/`],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    },
  ];
}

/**
 * Serves the development provider under /dev-idp. oidc-provider (with Koa, 0.2 s and 30 MB to load) and the
 * provider's signing keys are made by the first request there, not at start: `npm start` answers sooner, and a Desk
 * nobody logs in to never holds them.
 */
export async function mountDevProvider(app: App, config: Config, keys: DecryptionKey[]): Promise<void> {
  let made: Promise<DevProvider> | undefined;
  const devProvider = () => {
    made ??= import('./provider.ts')
      .then(({ createDevProvider }) =>
        createDevProvider({
          issuer: config.OIDC_OP_URL ?? `${config.PUBLIC_URL}${DEV_IDP_PATH}`,
          clients: clientsOf(config, keys),
          users: DEMO_USERS,
        }),
      )
      .catch((err: unknown) => {
        made = undefined;
        throw err;
      });
    return made;
  };
  await app.register(async (scope) => {
    // oidc-provider reads request bodies itself: Fastify must leave the stream untouched here.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const provider = await devProvider();
      reply.hijack();
      await provider.handle(request.raw, reply.raw);
    };
    scope.all(DEV_IDP_PATH, { schema: { hide: true } }, handler);
    scope.all(`${DEV_IDP_PATH}/*`, { schema: { hide: true } }, handler);
  });
  // Development only: an access token a demo app would hold for a demo agent, to try the resource server with curl.
  app.withTypeProvider<ZodTypeProvider>().post(
    `${DEV_IDP_PATH}-demo-token`,
    {
      config: { csrf: false },
      schema: {
        hide: true,
        body: z.object({
          user: z.string().default(DEMO_USERS[0]?.sub ?? ''),
          scope: z.string().default('openid groups'),
        }),
      },
    },
    async (request, reply) => {
      const user = DEMO_USERS.find((u) => u.sub === request.body.user);
      if (!user)
        return reply.code(400).send({ user: [`One of: ${DEMO_USERS.map((u) => u.sub).join(', ')}.`] });
      const provider = await devProvider();
      const token = await provider.mintAccessToken(user.sub, DEMO_SERVICE_PROVIDER, request.body.scope);
      return { access_token: token, token_type: 'Bearer', client_id: DEMO_SERVICE_PROVIDER };
    },
  );
}
