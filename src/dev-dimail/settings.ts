// Desk's settings when the built-in development dimail stands in for the mail platform (nothing of the dimail itself here).
import { createHmac } from 'node:crypto';
import type { Config } from '../platform/config.ts';

export const DEV_DIMAIL_PATH = '/dev-dimail';
/** The API user Desk is at the development dimail, as people's deployments have one at dimail. */
export const DEV_DIMAIL_USER = 'desk';

/**
 * MAIL_PROVISIONING_API_CREDENTIALS for the development dimail (people's meaning: base64 of `user:password`), its
 * password derived from SECRET_KEY like the development provider's client secrets.
 */
export function devDimailCredentials(config: Pick<Config, 'SECRET_KEY'>): string {
  const password = createHmac('sha256', config.SECRET_KEY).update('dev-dimail').digest('base64url');
  return Buffer.from(`${DEV_DIMAIL_USER}:${password}`).toString('base64');
}

/** The key signing the development dimail's bearer tokens, derived from SECRET_KEY so a restart keeps them valid. */
export function devDimailTokenKey(config: Pick<Config, 'SECRET_KEY'>): Uint8Array {
  return createHmac('sha256', config.SECRET_KEY).update('dev-dimail:tokens').digest();
}

/** Desk's settings when the development dimail is on: Desk calls it on its own origin, with credentials it accepts. */
export function withDevDimail(config: Config): Config {
  if (!config.DESK_DEV_DIMAIL) return config;
  return {
    ...config,
    MAIL_PROVISIONING_API_URL: `${config.PUBLIC_URL}${DEV_DIMAIL_PATH}`,
    MAIL_PROVISIONING_API_CREDENTIALS: devDimailCredentials(config),
    WEBMAIL_URL: config.WEBMAIL_URL ?? `${config.PUBLIC_URL}${DEV_DIMAIL_PATH}/webmail`,
  };
}
