// Desk's settings when the built-in development provider stands in for ProConnect (no oidc-provider import here).
import { createHmac } from 'node:crypto';
import type { Config } from '../platform/config.ts';

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
