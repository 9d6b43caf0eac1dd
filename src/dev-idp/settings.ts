// Desk's settings when the built-in development provider stands in for ProConnect (no oidc-provider import here).
import { createHmac, generateKeyPair, generateKeyPairSync } from 'node:crypto';
import type { Config } from '../platform/config.ts';

export const DEV_IDP_PATH = '/dev-idp';
const PROCONNECT_SCOPES = 'openid email given_name usual_name siret uid idp_id';

/** Client secrets at the development provider, derived from SECRET_KEY so every process of one Desk agrees. */
export function secret(config: Config, clientId: string): string {
  return createHmac('sha256', config.SECRET_KEY).update(`dev-idp:${clientId}`).digest('base64url');
}

const RSA_KEY = {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
} as const;
let prepared: string | undefined;

/** An encryption key for this start only: introspection answers are encrypted to it. */
function ephemeralKey(): string {
  const key = prepared ?? generateKeyPairSync('rsa', RSA_KEY).privateKey;
  prepared = undefined;
  return key;
}

/**
 * Makes the next start's encryption key in the background, when the development provider will need one: an RSA key
 * takes 100 to 400 ms to find, which the `desk` command spends while its modules load rather than before it answers.
 */
export function prepareDevProvider(config: Config): Promise<void> {
  if (!config.DESK_DEV_IDP || config.OIDC_RS_PRIVATE_KEY_STR || config.OIDC_RS_PRIVATE_KEY_FILE)
    return Promise.resolve();
  return new Promise((done, fail) =>
    generateKeyPair('rsa', RSA_KEY, (err, _public, key) => {
      if (err) return fail(err);
      prepared = key;
      done();
    }),
  );
}

/** The demo service provider ("another app of the suite") registered with the development provider. */
export const DEMO_SERVICE_PROVIDER = 'demo-app';

/** Desk's settings when the development provider stands in for ProConnect (only what was left at its default changes). */
export function withDevProvider(config: Config): Config {
  if (!config.DESK_DEV_IDP) return config;
  const hasKey = Boolean(config.OIDC_RS_PRIVATE_KEY_STR || config.OIDC_RS_PRIVATE_KEY_FILE);
  const defaultFullName = config.OIDC_USERINFO_FULLNAME_FIELDS.join(',') === 'first_name,last_name';
  return {
    ...config,
    OIDC_OP_URL: `${config.PUBLIC_URL}${DEV_IDP_PATH}`,
    OIDC_RP_CLIENT_ID: 'desk',
    OIDC_RP_CLIENT_SECRET: secret(config, 'desk'),
    OIDC_RP_SCOPES: config.OIDC_RP_SCOPES === 'openid email' ? PROCONNECT_SCOPES : config.OIDC_RP_SCOPES,
    // Like ProConnect: the agent's organization is their SIRET (14 digits); the demo agents share one or not.
    OIDC_ORGANIZATION_REGISTRATION_ID_FIELD: config.OIDC_ORGANIZATION_REGISTRATION_ID_FIELD ?? 'siret',
    ORGANIZATION_REGISTRATION_ID_VALIDATORS: config.ORGANIZATION_REGISTRATION_ID_VALIDATORS.length
      ? config.ORGANIZATION_REGISTRATION_ID_VALIDATORS
      : ['^[0-9]{14}$'],
    OIDC_USERINFO_FULLNAME_FIELDS: defaultFullName
      ? ['given_name', 'usual_name']
      : config.OIDC_USERINFO_FULLNAME_FIELDS,
    // Desk as resource server of the development provider, answered like ProConnect: signed + encrypted JWT.
    OIDC_RS_CLIENT_ID: config.OIDC_RS_CLIENT_ID ?? 'desk-rs',
    OIDC_RS_CLIENT_SECRET: config.OIDC_RS_CLIENT_SECRET ?? secret(config, 'desk-rs'),
    ...(hasKey
      ? {}
      : {
          OIDC_RS_PRIVATE_KEY_STR: ephemeralKey(),
          OIDC_RS_BACKEND: 'jwt' as const,
          OIDC_RS_ENCRYPTION_KEY_TYPE: 'RSA' as const,
          OIDC_RS_ENCRYPTION_ALGO: 'RSA-OAEP' as const,
        }),
  };
}
