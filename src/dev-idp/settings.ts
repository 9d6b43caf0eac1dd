// Desk's settings when the built-in development provider stands in for ProConnect (no oidc-provider import here).
import { createHmac, generateKeyPairSync } from 'node:crypto';
import type { Config } from '../platform/config.ts';

export const DEV_IDP_PATH = '/dev-idp';
const PROCONNECT_SCOPES = 'openid email given_name usual_name siret uid idp_id';

/** Client secrets at the development provider, derived from SECRET_KEY so every process of one Desk agrees. */
export function secret(config: Config, clientId: string): string {
  return createHmac('sha256', config.SECRET_KEY).update(`dev-idp:${clientId}`).digest('base64url');
}

/** An encryption key for this start only: introspection answers are encrypted to it. */
function ephemeralKey(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
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
          OIDC_RS_ENCRYPTION_ALGO: 'RSA-OAEP' as const,
        }),
  };
}
