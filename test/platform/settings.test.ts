// Settings: DESIGN.md §2 defaults, list syntaxes, and one message naming every bad or missing value.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { devDimailCredentials, withDevDimail } from '../../src/dev-dimail/settings.ts';
import { ConfigError, configFrom, loadConfig, startWarnings } from '../../src/platform/config.ts';
import { PRODUCTION_SETTINGS } from '../support/desk.ts';

function problemsOf(settings: Record<string, string>): string {
  try {
    loadConfig(settings);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  it('follow DESIGN.md with no settings at all', () => {
    const c = configFrom({});
    expect(c).toMatchObject({
      PORT: 8071,
      HOST: '127.0.0.1',
      SESSION_COOKIE_NAME: 'desk_sessionid',
      SESSION_COOKIE_AGE: 43_200,
      SESSION_IDLE_TIMEOUT: 3_600,
      OIDC_RP_CLIENT_ID: 'desk',
      OIDC_RP_SIGN_ALGO: 'RS256',
      OIDC_RP_SCOPES: 'openid email',
      OIDC_USE_PKCE: true,
      OIDC_TIMEOUT: 5,
      OIDC_JWT_LEEWAY: 30,
      OIDC_RS_BACKEND: 'json',
      OIDC_RS_SCOPES: ['groups'],
      INVITATION_VALIDITY_DURATION: 604_800,
      BURST_THROTTLE_RATES: { count: 20, periodMs: 60_000 },
      SUSTAINED_THROTTLE_RATES: { count: 150, periodMs: 3_600_000 },
      DESK_DEV_IDP: true,
      DEBUG: true,
      TRUSTED_PROXIES: { addresses: [] },
      REQUEST_TIMEOUT: 30,
      isProduction: false,
      embeddedDefault: true,
      secretKeyGenerated: true,
    });
    expect(c.SECRET_KEY.length).toBeGreaterThanOrEqual(32);
  });

  it('turn the development provider off once a provider is set', () => {
    expect(configFrom({ OIDC_OP_URL: 'https://idp.example.gouv.fr' }).DESK_DEV_IDP).toBe(false);
  });

  it('turn development features off once a database or a provider is named', () => {
    for (const settings of [
      { DATABASE_URL: 'postgres://desk@db/desk' },
      { OIDC_OP_URL: 'https://idp.example.gouv.fr' },
    ])
      expect(configFrom(settings)).toMatchObject({
        DESK_DEV_IDP: false,
        DEBUG: false,
        embeddedDefault: false,
      });
    expect(
      configFrom({ DATABASE_URL: 'postgres://desk@db/desk', DEBUG: 'true', DESK_DEV_IDP: 'true' }),
    ).toMatchObject({ DESK_DEV_IDP: true, DEBUG: true });
  });

  it('trust no proxy, or the hop count or addresses given', () => {
    expect(configFrom({ TRUSTED_PROXIES: '2' }).TRUSTED_PROXIES).toEqual({ hops: 2 });
    expect(configFrom({ TRUSTED_PROXIES: '10.0.0.0/8, ::1, loopback' }).TRUSTED_PROXIES).toEqual({
      addresses: ['10.0.0.0/8', '::1', 'loopback'],
    });
  });

  it('pick the jwt resource-server backend when a private key is set', () => {
    expect(configFrom({ OIDC_RS_PRIVATE_KEY_STR: '-----BEGIN PRIVATE KEY-----' }).OIDC_RS_BACKEND).toBe(
      'jwt',
    );
  });

  it('make sub immutable exactly when the email fallback is off', () => {
    expect(configFrom({}).OIDC_USER_SUB_FIELD_IMMUTABLE).toBe(false);
    expect(
      configFrom({ OIDC_FALLBACK_TO_EMAIL_FOR_IDENTIFICATION: 'false' }).OIDC_USER_SUB_FIELD_IMMUTABLE,
    ).toBe(true);
  });

  it("trust the provider's emails only with the development provider, unless told", () => {
    const idp = 'https://idp.example.gouv.fr';
    expect(configFrom({ OIDC_OP_URL: idp }).OIDC_TRUST_PROVIDER_EMAILS).toBe(false);
    expect(configFrom({ DESK_DEV_IDP: 'true', OIDC_OP_URL: idp }).OIDC_TRUST_PROVIDER_EMAILS).toBe(true);
    expect(configFrom({}).OIDC_TRUST_PROVIDER_EMAILS).toBe(true);
    expect(
      configFrom({ DESK_DEV_IDP: 'true', OIDC_TRUST_PROVIDER_EMAILS: 'false' }).OIDC_TRUST_PROVIDER_EMAILS,
    ).toBe(false);
    expect(
      configFrom({ OIDC_OP_URL: idp, OIDC_TRUST_PROVIDER_EMAILS: 'true' }).OIDC_TRUST_PROVIDER_EMAILS,
    ).toBe(true);
  });
});

describe('lists', () => {
  it('accept a JSON array', () => {
    expect(
      configFrom({ OIDC_REDIRECT_ALLOWED_HOSTS: '["a.gouv.fr","b.gouv.fr"]' }).OIDC_REDIRECT_ALLOWED_HOSTS,
    ).toEqual(['a.gouv.fr', 'b.gouv.fr']);
  });

  it('accept a comma-separated string', () => {
    expect(configFrom({ OIDC_RS_SCOPES: 'groups, openid' }).OIDC_RS_SCOPES).toEqual(['groups', 'openid']);
  });

  it('refuse a broken JSON array with the setting named', () => {
    expect(problemsOf({ CSRF_TRUSTED_ORIGINS: '["https://a' })).toContain(
      'CSRF_TRUSTED_ORIGINS: expected a JSON array of strings or a comma-separated list (received "[\\"https://a")',
    );
  });
});

describe('a bad value', () => {
  const cases: [string, string, string][] = [
    ['PORT', 'eighty', 'expected a port number from 0 to 65535'],
    ['OIDC_USE_PKCE', 'maybe', 'expected true or false'],
    ['SESSION_COOKIE_AGE', '-5', 'expected a whole number of seconds ≥ 60'],
    ['BURST_THROTTLE_RATES', '20 per minute', 'expected N/second, N/minute, N/hour, N/day, or off'],
    ['OIDC_OP_URL', 'ftp://idp', 'expected an http(s) URL'],
    ['DATABASE_URL', 'mysql://x', 'expected postgres://…, postgresql://… or pglite://memory'],
    ['REDIS_URL', 'http://redis', 'expected redis://… or rediss://…'],
    ['OIDC_AUTH_REQUEST_EXTRA_PARAMS', '[1]', 'expected a JSON object'],
    ['OIDC_RP_SIGN_ALGO', 'HS256', 'expected one of RS256'],
    ['TRUSTED_PROXIES', '10.0.0.0/40', 'expected a number of proxy hops, or IP addresses and CIDR ranges'],
    ['DEBUG', 'sometimes', 'expected true or false'],
    ['REQUEST_TIMEOUT', '0', 'expected a whole number of seconds ≥ 1'],
  ];
  for (const [name, value, expected] of cases) {
    it(`of ${name} is named with what was received and what is expected`, () => {
      const message = problemsOf({ [name]: value });
      expect(message).toContain(`${name}: ${expected}`);
      expect(message).toContain(JSON.stringify(value));
    });
  }

  it('among several gives one message listing all of them', () => {
    const message = problemsOf({ PORT: 'x', OIDC_USE_PKCE: 'maybe', OIDC_TIMEOUT: '0' });
    expect(message).toMatch(/^Desk cannot start: 3 settings are missing or invalid:/);
    for (const name of ['PORT', 'OIDC_USE_PKCE', 'OIDC_TIMEOUT']) expect(message).toContain(`- ${name}:`);
  });

  it('of a secret is not echoed', () => {
    const message = problemsOf({ NODE_ENV: 'production', SECRET_KEY: 'short-secret' });
    expect(message).toContain('SECRET_KEY: at least 32 characters (received "***")');
    expect(message).not.toContain('short-secret');
  });
});

describe('production', () => {
  it('refuses to start without secret, database, Redis, provider, client secret and mail server, in one message', () => {
    const message = problemsOf({ NODE_ENV: 'production' });
    expect(message).toMatch(/^Desk cannot start: 6 settings/);
    for (const name of [
      'SECRET_KEY',
      'DATABASE_URL',
      'REDIS_URL',
      'OIDC_OP_URL',
      'OIDC_RP_CLIENT_SECRET',
      'EMAIL_HOST',
    ])
      expect(message).toContain(`- ${name}:`);
  });

  it('refuses to start without a mail server, since invitation mails would never leave', () => {
    const { EMAIL_HOST: _, ...withoutMail } = PRODUCTION_SETTINGS;
    expect(problemsOf(withoutMail)).toMatch(
      /^Desk cannot start: 1 setting is missing or invalid:\n {2}- EMAIL_HOST: an SMTP host, required in production: invitation mails would never leave \(set EMAIL_DISABLED=true/,
    );
  });

  it('starts without a mail server when EMAIL_DISABLED says no mail is sent on purpose', () => {
    const { EMAIL_HOST: _, ...withoutMail } = PRODUCTION_SETTINGS;
    const c = configFrom({ ...withoutMail, EMAIL_DISABLED: 'true' });
    expect(c).toMatchObject({ EMAIL_DISABLED: true, EMAIL_HOST: undefined });
    expect(startWarnings(c)).toEqual([expect.stringMatching(/^EMAIL_DISABLED is on: .* not sent/)]);
  });

  it('refuses EMAIL_DISABLED together with EMAIL_HOST: one says mail is sent, the other that it is not', () => {
    expect(problemsOf({ EMAIL_HOST: 'smtp.example.gouv.fr', EMAIL_DISABLED: 'true' })).toContain(
      '- EMAIL_DISABLED: not with EMAIL_HOST',
    );
  });

  it("refuses CORS_ALLOW_ALL_ORIGINS: any site would read the answers with the agent's credentials", () => {
    const message = problemsOf({ ...PRODUCTION_SETTINGS, CORS_ALLOW_ALL_ORIGINS: 'true' });
    expect(message).toMatch(/^Desk cannot start: 1 setting is missing or invalid:/);
    expect(message).toContain(
      "- CORS_ALLOW_ALL_ORIGINS: never on in production: any site would read answers with the agent's credentials",
    );
  });

  it('refuses CORS origins that are not https:// origins', () => {
    const message = problemsOf({
      ...PRODUCTION_SETTINGS,
      CORS_ALLOWED_ORIGINS: 'https://app.example.gouv.fr, http://app.example.gouv.fr, *, null',
    });
    expect(message).toContain(
      '- CORS_ALLOWED_ORIGINS: https:// origins only in production (scheme and host, no path, no wildcard); not accepted: http://app.example.gouv.fr, *, null',
    );
  });

  it.each([
    '.*',
    'https://.*',
    'https://[^/]+',
    'https?://app\\.example\\.gouv\\.fr',
    'http://app\\.example\\.gouv\\.fr',
    'null|https://app\\.example\\.gouv\\.fr',
  ])('refuses the CORS origin pattern %s, which lets in any site or plain http', (pattern) => {
    expect(
      problemsOf({ ...PRODUCTION_SETTINGS, CORS_ALLOWED_ORIGIN_REGEXES: JSON.stringify([pattern]) }),
    ).toContain(
      `- CORS_ALLOWED_ORIGIN_REGEXES: in production, patterns that start with https:// and name their hosts (none matching any site, nor another domain ending like a named one); not accepted: ${pattern}`,
    );
  });

  it.each([
    'https://.*example\\.gouv\\.fr',
    'https://[a-z0-9-]*example\\.gouv\\.fr',
    '^https://.+app\\.example\\.gouv\\.fr(:\\d+)?$',
  ])(
    'refuses the CORS origin pattern %s, which also lets in another domain ending the same way',
    (pattern) => {
      // https://deskcorsprobeexample.gouv.fr is not example.gouv.fr nor one of its subdomains.
      expect(
        problemsOf({ ...PRODUCTION_SETTINGS, CORS_ALLOWED_ORIGIN_REGEXES: JSON.stringify([pattern]) }),
      ).toContain(`not accepted: ${pattern}`);
    },
  );

  it.each([
    'https://.*\\.example\\.gouv\\.fr',
    'https://(www\\.)?example\\.gouv\\.fr',
    'https://app\\.example\\.gouv\\.fr(:\\d+)?',
  ])('accepts the CORS origin pattern %s: its subdomains or its named hosts only', (pattern) => {
    expect(
      configFrom({ ...PRODUCTION_SETTINGS, CORS_ALLOWED_ORIGIN_REGEXES: JSON.stringify([pattern]) })
        .CORS_ALLOWED_ORIGIN_REGEXES,
    ).toEqual([pattern]);
  });

  it('accepts named https:// origins and patterns naming their hosts', () => {
    const c = configFrom({
      ...PRODUCTION_SETTINGS,
      CORS_ALLOWED_ORIGINS: 'https://app.example.gouv.fr,https://other.example.gouv.fr:8443/',
      CORS_ALLOWED_ORIGIN_REGEXES: '["^https://[a-z0-9-]+\\\\.apps\\\\.example\\\\.gouv\\\\.fr"]',
    });
    expect(c.CORS_ALLOWED_ORIGIN_REGEXES).toEqual(['^https://[a-z0-9-]+\\.apps\\.example\\.gouv\\.fr']);
    // Outside production a developer's front end on http://localhost is fine.
    expect(
      configFrom({ CORS_ALLOW_ALL_ORIGINS: 'true', CORS_ALLOWED_ORIGINS: 'http://localhost:5173' }),
    ).toMatchObject({ CORS_ALLOW_ALL_ORIGINS: true });
  });

  it('refuses the development provider and embedded PGlite', () => {
    const message = problemsOf({
      NODE_ENV: 'production',
      DESK_DEV_IDP: 'true',
      DATABASE_URL: 'pglite://memory',
    });
    expect(message).toContain('DESK_DEV_IDP: never on in production');
    expect(message).toContain('DATABASE_URL: a postgres:// URL, required in production');
  });

  it('refuses DEBUG', () => {
    expect(problemsOf({ NODE_ENV: 'production', DEBUG: 'true' })).toContain(
      '- DEBUG: never on in production',
    );
  });

  it('starts with everything it needs, listening on every interface', () => {
    const c = configFrom(PRODUCTION_SETTINGS);
    expect(c).toMatchObject({
      isProduction: true,
      HOST: '0.0.0.0',
      DESK_DEV_IDP: false,
      DEBUG: false,
      secretKeyGenerated: false,
    });
  });

  it('needs the issuer with explicit endpoints, since tokens are checked against it', () => {
    expect(problemsOf({ OIDC_OP_TOKEN_ENDPOINT: 'https://idp/token' })).toContain('- OIDC_OP_URL:');
  });
});

describe('desk start', () => {
  it('exits 1 with the message when a setting is bad', () => {
    const result = spawnSync(process.execPath, [resolve(import.meta.dirname, '../../bin/desk.js'), 'start'], {
      env: {
        PATH: process.env.PATH,
        PORT: 'nope',
        DESK_DATA_DIR: join(mkdtempSync(join(tmpdir(), 'desk-')), 'data'),
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'Desk cannot start: 1 setting is missing or invalid:\n  - PORT: expected a port number from 0 to 65535 (received "nope")',
    );
  });
});

describe('the development dimail (DESIGN.md §11)', () => {
  it('is on with no settings, and Desk then calls it at /dev-dimail with credentials from SECRET_KEY', () => {
    const config = withDevDimail(
      configFrom({ SECRET_KEY: 'k'.repeat(40), PUBLIC_URL: 'http://desk.test:8071' }),
    );
    expect(config.DESK_DEV_DIMAIL).toBe(true);
    expect(config.MAIL_PROVISIONING_API_URL).toBe('http://desk.test:8071/dev-dimail');
    const [user, password] = Buffer.from(config.MAIL_PROVISIONING_API_CREDENTIALS ?? '', 'base64')
      .toString()
      .split(':');
    expect(user).toBe('desk');
    expect(password?.length).toBeGreaterThanOrEqual(32);
    // The same key gives the same credentials (every start, every process); another key other ones.
    expect(devDimailCredentials({ SECRET_KEY: 'k'.repeat(40) })).toBe(
      config.MAIL_PROVISIONING_API_CREDENTIALS,
    );
    expect(devDimailCredentials({ SECRET_KEY: 'j'.repeat(40) })).not.toBe(
      config.MAIL_PROVISIONING_API_CREDENTIALS,
    );
  });

  it('is off once a dimail or a database is named, leaving the dimail settings as given', () => {
    const dimail = {
      MAIL_PROVISIONING_API_URL: 'https://api.dimail.example',
      MAIL_PROVISIONING_API_CREDENTIALS: 'Zm9vOmJhcg==',
    };
    const config = withDevDimail(configFrom(dimail));
    expect(config).toMatchObject({ DESK_DEV_DIMAIL: false, ...dimail });
    expect(configFrom({ DATABASE_URL: 'postgres://desk@db/desk' }).DESK_DEV_DIMAIL).toBe(false);
  });

  it('is refused in production', () => {
    expect(problemsOf({ ...PRODUCTION_SETTINGS, DESK_DEV_DIMAIL: 'true' })).toContain(
      '- DESK_DEV_DIMAIL: never on in production',
    );
    expect(configFrom(PRODUCTION_SETTINGS).DESK_DEV_DIMAIL).toBe(false);
  });
});
