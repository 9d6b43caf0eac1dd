// Every setting of DESIGN.md §2, parsed and validated in one place; the only reader of process.env.
import { randomBytes } from 'node:crypto';
import { constants, copyFileSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/** One language Desk's interface and mails speak: code as in people's LANGUAGES. */
export const LANGUAGES = [
  { code: 'en-us', name: 'English' },
  { code: 'fr-fr', name: 'Français' },
] as const;
export type LanguageCode = (typeof LANGUAGES)[number]['code'];

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return fallback;
      const v = raw.trim().toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      ctx.addIssue({ code: 'custom', message: 'expected true or false' });
      return z.NEVER;
    });

/** A whole number of `unit` (seconds, minutes, days), at least `min`; empty = the fallback. */
const wholeNumberOf =
  (unit: string) =>
  (fallback: number, min = 0) =>
    z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined || raw.trim() === '') return fallback;
        const n = Number(raw);
        if (!Number.isInteger(n) || n < min) {
          ctx.addIssue({ code: 'custom', message: `expected a whole number of ${unit} ≥ ${min}` });
          return z.NEVER;
        }
        return n;
      });

const seconds = wholeNumberOf('seconds');
const minutes = wholeNumberOf('minutes');
const days = wholeNumberOf('days');

const port = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        ctx.addIssue({ code: 'custom', message: 'expected a port number from 0 to 65535' });
        return z.NEVER;
      }
      return n;
    });

/** A list: a JSON array of strings, or a comma-separated string. */
const list = (fallback: string[]) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const text = raw.trim();
      if (text.startsWith('[')) {
        try {
          const parsed: unknown = JSON.parse(text);
          if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed as string[];
        } catch {
          // reported below
        }
        ctx.addIssue({
          code: 'custom',
          message: 'expected a JSON array of strings or a comma-separated list',
        });
        return z.NEVER;
      }
      return text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    });

const jsonObject = () =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return {} as Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
          return parsed as Record<string, unknown>;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'expected a JSON object' });
      return z.NEVER;
    });

const optionalText = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const text = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : v));

const httpUrlWithDefault = (fallback: string) =>
  text(fallback).refine((v) => /^https?:$/.test(safeProtocol(v)), { message: 'expected an http(s) URL' });

const boundedSeconds = (fallback: number, min: number, max: number) =>
  seconds(fallback, min).refine((n) => n <= max, { message: `expected a whole number of seconds ≤ ${max}` });

const httpUrl = () =>
  optionalText().refine((v) => v === undefined || /^https?:$/.test(safeProtocol(v)), {
    message: 'expected an http(s) URL',
  });

function safeProtocol(value: string): string {
  try {
    return new URL(value).protocol;
  } catch {
    return '';
  }
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * ORGANIZATION_REGISTRATION_ID_VALIDATORS: a JSON list of patterns, or of people's validator objects
 * ({"NAME": "django.core.validators.RegexValidator", "OPTIONS": {"regex": "…"}}); each must compile.
 */
const registrationIdValidators = () =>
  z
    .string()
    .optional()
    .transform((raw, ctx): string[] => {
      if (raw === undefined || raw.trim() === '') return [];
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = undefined;
      }
      const patterns = Array.isArray(parsed)
        ? parsed.map((v) =>
            typeof v === 'string' ? v : (v as { OPTIONS?: { regex?: unknown } } | null)?.OPTIONS?.regex,
          )
        : [];
      if (
        !Array.isArray(parsed) ||
        !patterns.every((p): p is string => typeof p === 'string' && compiles(p))
      ) {
        ctx.addIssue({ code: 'custom', message: 'expected a JSON list of regular expressions that compile' });
        return z.NEVER;
      }
      return patterns;
    });

export interface Rate {
  count: number;
  periodMs: number;
}
const PERIODS: Record<string, number> = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** A throttle rate as in Django REST Framework: "20/minute"; "off" or "none" disables it. */
const rate = (fallback: string) =>
  text(fallback).transform((raw, ctx): Rate | null => {
    const v = raw.trim().toLowerCase();
    if (v === 'off' || v === 'none') return null;
    const m = /^(\d+)\/(second|minute|hour|day|s|m|h|d)$/.exec(v);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: 'expected N/second, N/minute, N/hour, N/day, or off' });
      return z.NEVER;
    }
    const unit = m[2]!.length === 1 ? { s: 'second', m: 'minute', h: 'hour', d: 'day' }[m[2]!]! : m[2]!;
    return { count: Number(m[1]), periodMs: PERIODS[unit]! };
  });

const oneOf = <T extends string>(values: readonly [T, ...T[]], fallback: T) =>
  z
    .string()
    .optional()
    .transform((raw, ctx): T => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const found = values.find((v) => v.toLowerCase() === raw.trim().toLowerCase());
      if (!found) {
        ctx.addIssue({ code: 'custom', message: `expected one of ${values.join(', ')}` });
        return z.NEVER;
      }
      return found;
    });

/** Who may say, through X-Forwarded-For, which address a request came from. */
export type TrustedProxies = { hops: number } | { addresses: string[] };

// proxy-addr's names for whole ranges, accepted as it accepts them.
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrRange(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

const trustedProxies = () =>
  list([]).transform((entries, ctx): TrustedProxies => {
    if (entries.length === 1 && /^\d+$/.test(entries[0]!)) return { hops: Number(entries[0]) };
    const bad = entries.filter((e) => !isAddressOrRange(e));
    if (bad.length) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a number of proxy hops, or IP addresses and CIDR ranges (IPv4 or IPv6); not understood: ${bad.join(', ')}`,
      });
      return z.NEVER;
    }
    return { addresses: entries };
  });

/** A list whose every entry is one of `known`; anything else is refused, naming it (people failed to start too). */
const listOf = (known: readonly string[]) =>
  list([]).refine((entries) => entries.every((e) => known.includes(e)), {
    message: `expected a list of: ${known.join(', ')} (Desk implements no other)`,
  });

const databaseUrl = optionalText().refine(
  (v) => v === undefined || v === 'pglite://memory' || /^postgres(ql)?:$/.test(safeProtocol(v)),
  { message: 'expected postgres://…, postgresql://… or pglite://memory' },
);
const redisUrl = optionalText().refine((v) => v === undefined || /^rediss?:$/.test(safeProtocol(v)), {
  message: 'expected redis://… or rediss://…',
});

/**
 * The settings, by their DESIGN.md §2 names. Each line documents one; `desk settings` prints them.
 */
const settingsSchema = z.object({
  NODE_ENV: oneOf(['development', 'production', 'test'], 'development').describe(
    '`production` turns on the strict checks',
  ),
  PORT: port(8071).describe('listen port'),
  HOST: optionalText().describe('listen address: 127.0.0.1, or 0.0.0.0 in production'),
  SECRET_KEY: optionalText().describe(
    'signs cookies; required in production; unset with no DATABASE_URL and no OIDC_OP_URL, one is generated once and kept in DESK_DATA_DIR/secret_key, else random at each start',
  ),
  DESK_DATA_DIR: text('.desk').describe('where embedded PGlite keeps its files'),
  DATABASE_URL: databaseUrl.describe(
    'postgres://… for PostgreSQL; pglite://memory for a throw-away database; unset = PGlite in DESK_DATA_DIR',
  ),
  DATABASE_TRANSACTION_POOLER: bool(false).describe(
    'true when DATABASE_URL points at a transaction-mode pooler (PgBouncer pool_mode=transaction): no named prepared statements, no connection start-up parameters (timeouts and the search threshold are set per transaction); migrations then need a direct connection (`desk migrate` without it)',
  ),
  DATABASE_QUERY_TIMEOUT: seconds(15, 1).describe(
    'longest a database statement may run, in seconds (PostgreSQL cancels it: statement_timeout, also the longest a transaction may sit idle); a database silent 2 s longer is given up and the request answers 503',
  ),
  REDIS_URL: redisUrl.describe('redis:// or rediss://; unset = in-process memory (one process only)'),
  SESSION_COOKIE_NAME: text('desk_sessionid').describe('name of the session cookie'),
  SESSION_COOKIE_AGE: seconds(43_200, 60).describe('absolute session lifetime in seconds'),
  SESSION_IDLE_TIMEOUT: seconds(3_600, 60).describe('a session ends after this many seconds unused'),
  CSRF_TRUSTED_ORIGINS: list([]).describe('extra origins allowed to send unsafe requests'),
  CORS_ALLOWED_ORIGINS: list([]).describe(
    'origins of a separately served front end allowed to call the API with credentials (CORS); https:// only in production',
  ),
  CORS_ALLOWED_ORIGIN_REGEXES: list([])
    .refine((patterns) => patterns.every(compiles), { message: 'expected regular expressions that compile' })
    .describe(
      'regular expressions of such origins, matched whole; in production each starts with https:// and names its hosts (no pattern matching any host, nor another domain ending like a named one: https://.*example\\.com)',
    ),
  CORS_ALLOW_ALL_ORIGINS: bool(false).describe(
    'any origin may call the API with credentials (its Origin is echoed, never *): development only, production refuses it',
  ),
  CRISP_WEBSITE_ID: optionalText().describe("Crisp chat website id for people's front end; unset = no chat"),
  PUBLIC_URL: httpUrl().describe(
    "Desk's public origin (e.g. https://desk.example.gouv.fr); default http://HOST:PORT",
  ),
  TRUSTED_PROXIES: trustedProxies().describe(
    'reverse proxies whose X-Forwarded-For is believed: a hop count (1 = the nearest proxy) or IP addresses / CIDR ranges; unset = none, the socket address is the client',
  ),
  REQUEST_ID_HEADER_TRUSTED: bool(false).describe(
    "true only when the proxies of TRUSTED_PROXIES set X-Request-Id themselves, replacing any client's: their id then files logs and audit events; else Desk makes its own and keeps a client's value apart (client_request_id)",
  ),
  REQUEST_TIMEOUT: seconds(30, 1).describe(
    'seconds a client has to send a whole request (headers and body) before the connection is closed with 408',
  ),
  METRICS_PORT: optionalText()
    .pipe(port(0).optional())
    .describe('port of a separate HTTP server answering GET /metrics (Prometheus); unset = no metrics'),
  DEBUG: optionalText()
    .pipe(bool(false).optional())
    .describe(
      'development routes (mail previews, outbox at /__debug__/); default on only with no DATABASE_URL and no OIDC_OP_URL, never in production',
    ),

  OIDC_OP_URL: httpUrl().describe('provider issuer; endpoints are discovered from it'),
  OIDC_OP_AUTHORIZATION_ENDPOINT: httpUrl().describe('explicit endpoint, wins over discovery'),
  OIDC_OP_TOKEN_ENDPOINT: httpUrl().describe('explicit endpoint, wins over discovery'),
  OIDC_OP_USER_ENDPOINT: httpUrl().describe('explicit endpoint, wins over discovery'),
  OIDC_OP_JWKS_ENDPOINT: httpUrl().describe('explicit endpoint, wins over discovery'),
  OIDC_OP_LOGOUT_ENDPOINT: httpUrl().describe('explicit endpoint, wins over discovery'),
  OIDC_OP_INTROSPECTION_ENDPOINT: httpUrl().describe('explicit endpoint, wins over discovery'),
  OIDC_RP_CLIENT_ID: text('desk').describe('Desk as a client of the provider'),
  OIDC_RP_CLIENT_SECRET: optionalText().describe('client secret at the provider'),
  OIDC_RP_SIGN_ALGO: oneOf(
    ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
    'RS256',
  ).describe('the only algorithm accepted on ID tokens and JWT userinfo'),
  OIDC_RP_SCOPES: text('openid email').describe('scopes asked at login'),
  OIDC_TOKEN_ENDPOINT_AUTH_METHOD: oneOf(
    ['client_secret_post', 'client_secret_basic'],
    'client_secret_post',
  ).describe('how Desk authenticates to the token endpoint'),
  OIDC_USE_PKCE: bool(true).describe('PKCE with S256'),
  OIDC_AUTH_REQUEST_EXTRA_PARAMS: jsonObject().describe(
    'extra authorization request parameters, e.g. {"acr_values":"eidas1"}',
  ),
  OIDC_OP_USER_ENDPOINT_FORMAT: oneOf(['AUTO', 'JSON', 'JWT'], 'AUTO').describe(
    'AUTO (by Content-Type), JSON or JWT',
  ),
  OIDC_USERINFO_FULLNAME_FIELDS: list(['first_name', 'last_name']).describe('claims joined to make the name'),
  OIDC_USERINFO_ESSENTIAL_CLAIMS: list([]).describe('login fails when one is missing'),
  OIDC_FALLBACK_TO_EMAIL_FOR_IDENTIFICATION: bool(true).describe('match by email when sub is unknown'),
  OIDC_USER_SUB_FIELD_IMMUTABLE: optionalText()
    .pipe(bool(false).optional())
    .describe(
      'when false, a user matched by email takes the new sub (default: the opposite of the email fallback)',
    ),
  OIDC_TRUST_PROVIDER_EMAILS: optionalText()
    .pipe(bool(false).optional())
    .describe(
      'DESIGN.md §5: take every email the provider sends as verified (true only for a provider that verifies them all, as ProConnect); otherwise only claims with email_verified true match users by email, convert invitations, find the organization by domain or update the stored email. Default: true with the development provider, else false',
    ),
  OIDC_CREATE_USER: bool(true).describe('create unknown users at sign-in'),
  OIDC_ALLOW_DUPLICATE_EMAILS: bool(false).describe('allow two users with one email'),
  OIDC_REDIRECT_ALLOWED_HOSTS: list([]).describe('hosts allowed in ?next= besides Desk itself'),
  LOGIN_REDIRECT_URL: text('/').describe('where a successful login lands'),
  LOGIN_REDIRECT_URL_FAILURE: text('/').describe('where a failed login lands'),
  LOGOUT_REDIRECT_URL: text('/').describe('where logout lands'),
  ALLOW_LOGOUT_GET_METHOD: bool(true).describe(
    "also accept GET on logout/ (people's default: its front end logs out by navigating there)",
  ),
  OIDC_TIMEOUT: seconds(5, 1).describe('bound on every call to the provider, in seconds'),
  OIDC_JWT_LEEWAY: seconds(30).describe('clock skew allowed on token times, in seconds'),

  OIDC_RS_CLIENT_ID: optionalText().describe('Desk as resource server at the introspection endpoint'),
  OIDC_RS_CLIENT_SECRET: optionalText().describe('its secret'),
  OIDC_RS_BACKEND: optionalText()
    .pipe(oneOf(['jwt', 'json'], 'json').optional())
    .describe('jwt (RFC 9701) or json (RFC 7662); default jwt when a private key is set'),
  OIDC_RS_PRIVATE_KEY_STR: optionalText().describe('PEM private key(s) decrypting introspection responses'),
  OIDC_RS_PRIVATE_KEY_FILE: optionalText().describe('file holding those PEM keys'),
  OIDC_RS_ENCRYPTION_KEY_TYPE: oneOf(['RSA', 'EC'], 'RSA').describe(
    'RSA or EC (P-256): the type every OIDC_RS_PRIVATE_KEY_* key must have, and what `desk keys generate` makes',
  ),
  OIDC_RS_ENCRYPTION_ALGO: oneOf(
    ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A256KW'],
    'RSA-OAEP',
  ).describe('JWE alg'),
  OIDC_RS_ENCRYPTION_ENCODING: oneOf(
    ['A256GCM', 'A128GCM', 'A128CBC-HS256', 'A256CBC-HS512'],
    'A256GCM',
  ).describe('JWE enc'),
  OIDC_RS_SIGNING_ALGO: oneOf(['ES256', 'ES384', 'RS256', 'RS384', 'PS256', 'EdDSA'], 'ES256').describe(
    'the only algorithm accepted on the introspection JWT',
  ),
  OIDC_RS_SCOPES: list(['groups']).describe('a token needs at least one'),
  OIDC_RS_AUDIENCE_CLAIM: text('client_id').describe('claim naming the calling service'),
  OIDC_RS_ALLOWED_AUDIENCES: list([]).describe('services allowed; empty = any'),
  OIDC_RS_INTROSPECTION_CACHE_TTL: seconds(60).describe('introspection cache, never beyond the token exp'),

  OIDC_ORGANIZATION_REGISTRATION_ID_FIELD: optionalText().describe(
    "claim naming the agent's organization (ProConnect: siret); asked for at login",
  ),
  ORGANIZATION_REGISTRATION_ID_VALIDATORS: registrationIdValidators().describe(
    'JSON list of regular expressions a registration id must match, e.g. ["^[0-9]{14}$"] (people\'s RegexValidator objects also accepted); a value that fails is ignored',
  ),
  ORGANIZATION_METADATA_SCHEMA: optionalText().describe(
    "path of a JSON Schema file that organizations' metadata must follow",
  ),
  OIDC_ORGANIZATION_NAME_FIELD: optionalText().describe(
    "claim holding the name of the agent's organization, used when a sign-in creates it, or names one still named by its registration id (ProConnect sends none)",
  ),
  INSTALLED_PLUGINS: listOf(['plugins.la_suite']).describe(
    "people's plugins: plugins.la_suite names each organization known only by its SIRET after the French company registry (ORGANIZATION_REGISTRY_API_URL), in a background job",
  ),
  ORGANIZATION_PLUGINS: listOf(['plugins.organizations.NameFromSiretOrganizationPlugin']).describe(
    "people's name for INSTALLED_PLUGINS before 2025: plugins.organizations.NameFromSiretOrganizationPlugin does the same as plugins.la_suite",
  ),
  ORGANIZATION_REGISTRY_API_URL: httpUrlWithDefault('https://recherche-entreprises.api.gouv.fr').describe(
    "the French company registry's search API (public, no key), asked GET /search?q=<SIRET> when a plugin names organizations",
  ),
  ORGANIZATION_REGISTRY_API_TIMEOUT: boundedSeconds(10, 1, 25).describe(
    'bound on one call to the company registry, in seconds (at most 25: a job runs 30 s at most); a failed call is retried with back-off',
  ),
  EMAIL_HOST: optionalText().describe(
    'SMTP host; unset = mail stays in the outbox table (production refuses to start without it unless EMAIL_DISABLED)',
  ),
  EMAIL_DISABLED: bool(false).describe(
    'true: Desk sends no mail on purpose (production then starts without EMAIL_HOST); mail stays in the outbox table, unsent',
  ),
  EMAIL_PORT: port(25).describe('SMTP port'),
  EMAIL_HOST_USER: optionalText().describe('SMTP user'),
  EMAIL_HOST_PASSWORD: optionalText().describe('SMTP password'),
  EMAIL_USE_TLS: bool(false).describe('SMTP over TLS'),
  EMAIL_FROM: text('desk@localhost').describe('sender address'),
  EMAIL_APP_URL: optionalText().describe('link put in mails; default PUBLIC_URL'),
  INVITATION_VALIDITY_DURATION: seconds(604_800, 1).describe('invitation validity in seconds'),
  AUDIT_LOG_RETENTION_DAYS: days(365, 1).describe(
    'days audit events are kept; older ones are deleted by a daily job',
  ),
  BURST_THROTTLE_RATES: rate('20/minute').describe('per-user burst rate, or off'),
  SUSTAINED_THROTTLE_RATES: rate('150/hour').describe('per-user sustained rate, or off'),
  SERVER_TO_SERVER_API_TOKENS: list([]).describe('tokens of trusted back-ends'),
  LASUITE_MARKETING_BACKEND: oneOf(['dummy', 'brevo'], 'dummy').describe('onboarding backend'),
  LASUITE_MARKETING_PARAMETERS: jsonObject().describe('its parameters (JSON object)'),
  SIGNUP_NEW_USER_TO_MARKETING_EMAIL: bool(false).describe('send new users to the onboarding backend'),
  FEATURE_TEAMS_DISPLAY: bool(true).describe('teams shown'),
  FEATURE_TEAMS_CREATE: bool(true).describe('teams can be created'),
  FEATURE_CONTACTS_DISPLAY: bool(true).describe('contacts shown'),
  FEATURE_CONTACTS_CREATE: bool(true).describe('contacts can be created'),
  // DESIGN.md §11, people's names: mail domains and mailboxes through the dimail provisioning API.
  MAIL_PROVISIONING_API_URL: httpUrl().describe(
    'the dimail API, e.g. https://api.dimail.example; unset = the built-in development dimail when DESK_DEV_DIMAIL is on, else no mail platform (mail domains cannot be created)',
  ),
  MAIL_PROVISIONING_API_CREDENTIALS: optionalText().describe(
    "dimail's API user as people sets it: base64 of user:password, sent as HTTP Basic to get tokens",
  ),
  MAIL_PROVISIONING_API_TIMEOUT: seconds(20, 1).describe('bound on every call to dimail, in seconds'),
  MAIL_CHECK_DOMAIN_INTERVAL: minutes(10, 1).describe(
    "minutes between two checks of every mail domain's status at dimail (one run across all pods)",
  ),
  WEBMAIL_URL: httpUrl().describe(
    'the webmail; login links sent to mailboxes point there (WEBMAIL_URL/code/…)',
  ),
  FEATURE_MAILBOXES_CREATE: bool(true).describe('mailboxes can be created'),
  DESK_DEV_DIMAIL: optionalText()
    .pipe(bool(false).optional())
    .describe(
      'built-in development dimail at /dev-dimail; default on only with no settings (as DESK_DEV_IDP) and no MAIL_PROVISIONING_API_URL, never in production',
    ),
  // DESIGN.md §12: team webhooks.
  WEBHOOK_ALLOW_PRIVATE_ADDRESSES: optionalText()
    .pipe(bool(false).optional())
    .describe(
      'whether team webhook URLs may reach loopback, private, link-local and metadata addresses (checked at creation and at each delivery, after DNS resolution); default false in production, true otherwise',
    ),
  WEBHOOK_TIMEOUT: seconds(10, 1).describe('bound on each request of a webhook delivery, in seconds'),
  MATRIX_BASE_HOME_SERVER: httpUrl().describe(
    "the Matrix homeserver whose user directory finds an agent's Matrix id by email (as people), e.g. https://matrix.agent.tchap.gouv.fr; rooms on that server are reached through it",
  ),
  MATRIX_BOT_ACCESS_TOKEN: optionalText().describe(
    "the bot's access token for Matrix webhooks on tchap.gouv.fr (other rooms use the webhook's own secret)",
  ),
  // The web app's look and links (issue 20); FRONTEND_* as people's front-end settings.
  FRONTEND_STATE_IDENTITY: bool(true).describe(
    "the French state's identity in the web app's header and footer (République Française, links to the state's sites); false for an operator outside the French administration",
  ),
  FRONTEND_GAUFRE_URL: httpUrl().describe(
    "La Suite's app switcher (the gaufre) script, e.g. https://integration.lasuite.numerique.gouv.fr/api/v1/gaufre.js; its origin joins the Content-Security-Policy; unset = no app switcher",
  ),
  FRONTEND_CSS_URL: httpUrl().describe(
    "a stylesheet added to the web app's pages, e.g. one declaring the Marianne font for a French state service (Desk ships no Marianne); its origin joins the Content-Security-Policy",
  ),
  FRONTEND_ACCESSIBILITY_URL: httpUrl().describe(
    "the footer's accessibility statement; unset = Desk's own page (/accessibility: not compliant, no audit yet)",
  ),
  FRONTEND_LEGAL_NOTICE_URL: httpUrl().describe(
    "the footer's legal notice; unset = Desk's own page (/legal-notice)",
  ),
  FRONTEND_PERSONAL_DATA_URL: httpUrl().describe(
    "the footer's personal data page; unset = Desk's own page (/personal-data: what Desk keeps)",
  ),
  DESK_DEV_IDP: optionalText()
    .pipe(bool(false).optional())
    .describe(
      'built-in development provider (password-less demo agents); default on only with no DATABASE_URL and no OIDC_OP_URL, never in production',
    ),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info').describe(
    'log level',
  ),
});

type Parsed = z.output<typeof settingsSchema>;

export type Config = Omit<
  Parsed,
  | 'HOST'
  | 'SECRET_KEY'
  | 'OIDC_USER_SUB_FIELD_IMMUTABLE'
  | 'OIDC_TRUST_PROVIDER_EMAILS'
  | 'OIDC_RS_BACKEND'
  | 'DESK_DEV_IDP'
  | 'DESK_DEV_DIMAIL'
  | 'WEBHOOK_ALLOW_PRIVATE_ADDRESSES'
  | 'DEBUG'
  | 'PUBLIC_URL'
  | 'EMAIL_APP_URL'
> & {
  HOST: string;
  SECRET_KEY: string;
  OIDC_USER_SUB_FIELD_IMMUTABLE: boolean;
  OIDC_TRUST_PROVIDER_EMAILS: boolean;
  OIDC_RS_BACKEND: 'jwt' | 'json';
  DESK_DEV_IDP: boolean;
  DESK_DEV_DIMAIL: boolean;
  WEBHOOK_ALLOW_PRIVATE_ADDRESSES: boolean;
  DEBUG: boolean;
  PUBLIC_URL: string;
  EMAIL_APP_URL: string;
  /** true when SECRET_KEY was not given and a random one was made (for this start, or kept in secretKeyFile). */
  secretKeyGenerated: boolean;
  /** The file keeping the generated SECRET_KEY across starts (the embedded default only; see keepGeneratedSecretKey). */
  secretKeyFile?: string | undefined;
  isProduction: boolean;
  /** The one-command start with no settings: the only case where development features turn on by themselves. */
  embeddedDefault: boolean;
};

export interface ConfigProblem {
  name: string;
  received: string | undefined;
  expected: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Desk cannot start: ${problems.length} setting${problems.length > 1 ? 's are' : ' is'} missing or invalid:\n${problems
        .map(
          (p) =>
            `  - ${p.name}: ${p.expected} (received ${p.received === undefined ? 'nothing' : JSON.stringify(redact(p.name, p.received))})`,
        )
        .join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

const SECRET_NAMES = /SECRET|PASSWORD|TOKENS|PRIVATE_KEY_STR|CREDENTIALS/;
function redact(name: string, value: string): string {
  return SECRET_NAMES.test(name) ? '***' : value;
}

/** The names and documentation of every setting, in order (for `desk settings` and the README). */
export function describeSettings(): { name: string; description: string }[] {
  return Object.entries(settingsSchema.shape).map(([name, schema]) => ({
    name,
    description: schema.description ?? '',
  }));
}

// The issuer is always needed, also with explicit endpoints: every token's iss is checked against it.
function hasProvider(p: Partial<Record<string, unknown>>): boolean {
  return Boolean(p.OIDC_OP_URL);
}

const EXPLICIT_ENDPOINTS = [
  'OIDC_OP_AUTHORIZATION_ENDPOINT',
  'OIDC_OP_TOKEN_ENDPOINT',
  'OIDC_OP_USER_ENDPOINT',
  'OIDC_OP_JWKS_ENDPOINT',
  'OIDC_OP_LOGOUT_ENDPOINT',
  'OIDC_OP_INTROSPECTION_ENDPOINT',
];

/** DESIGN.md §1: what production refuses to start without; read from the raw values so one message lists all. */
function productionProblems(env: NodeJS.ProcessEnv): ConfigProblem[] {
  if (env.NODE_ENV?.trim().toLowerCase() !== 'production') return [];
  const problems: ConfigProblem[] = [];
  const set = (name: string) => Boolean(env[name]?.trim());
  if (!set('SECRET_KEY'))
    problems.push({ name: 'SECRET_KEY', received: undefined, expected: 'required in production' });
  else if ((env.SECRET_KEY ?? '').length < 32)
    problems.push({ name: 'SECRET_KEY', received: env.SECRET_KEY, expected: 'at least 32 characters' });
  if (!set('DATABASE_URL') || env.DATABASE_URL?.startsWith('pglite:'))
    problems.push({
      name: 'DATABASE_URL',
      received: env.DATABASE_URL,
      expected: 'a postgres:// URL, required in production',
    });
  if (!set('REDIS_URL'))
    problems.push({
      name: 'REDIS_URL',
      received: undefined,
      expected: 'a redis:// URL, required in production',
    });
  const present = Object.fromEntries(
    Object.keys(env)
      .filter(set)
      .map((k) => [k, true]),
  );
  if (!hasProvider(present))
    problems.push({
      name: 'OIDC_OP_URL',
      received: undefined,
      expected: 'the issuer of a real OpenID provider, required in production',
    });
  if (!set('OIDC_RP_CLIENT_SECRET'))
    problems.push({ name: 'OIDC_RP_CLIENT_SECRET', received: undefined, expected: 'required in production' });
  if (TRUE.has(env.DESK_DEV_IDP?.trim().toLowerCase() ?? ''))
    problems.push({ name: 'DESK_DEV_IDP', received: env.DESK_DEV_IDP, expected: 'never on in production' });
  if (TRUE.has(env.DESK_DEV_DIMAIL?.trim().toLowerCase() ?? ''))
    problems.push({
      name: 'DESK_DEV_DIMAIL',
      received: env.DESK_DEV_DIMAIL,
      expected: 'never on in production',
    });
  if (set('MAIL_PROVISIONING_API_URL') && !set('MAIL_PROVISIONING_API_CREDENTIALS'))
    problems.push({
      name: 'MAIL_PROVISIONING_API_CREDENTIALS',
      received: undefined,
      expected:
        'required in production with MAIL_PROVISIONING_API_URL (base64 of the dimail API user:password)',
    });
  if (TRUE.has(env.DEBUG?.trim().toLowerCase() ?? ''))
    problems.push({ name: 'DEBUG', received: env.DEBUG, expected: 'never on in production' });
  if (!set('EMAIL_HOST') && !TRUE.has(env.EMAIL_DISABLED?.trim().toLowerCase() ?? ''))
    problems.push({
      name: 'EMAIL_HOST',
      received: undefined,
      expected:
        'an SMTP host, required in production: invitation mails would never leave (set EMAIL_DISABLED=true if Desk must send no mail)',
    });
  problems.push(...productionCorsProblems(env));
  return problems;
}

// An origin no deployment names: a pattern that accepts it accepts any site.
const UNKNOWN_ORIGINS = ['https://desk-cors-probe.invalid', 'https://a.b.c.desk-cors-probe.invalid', 'null'];

/**
 * Other sites whose host ends like one the pattern names: for each literal stretch of host that starts mid-label
 * (`example\.com` in `https://.*example\.com`), an origin with letters before it (https://deskcorsprobeexample.com,
 * another domain). A stretch that starts with `\.` names subdomains, which the pattern may well mean.
 */
function lookalikeOrigins(pattern: string): string[] {
  const stretches = pattern.match(/(?:\\\.|[A-Za-z0-9-])+/g) ?? [];
  return stretches
    .filter((s) => s.includes('\\.') && !s.startsWith('\\.'))
    .map((s) => `https://deskcorsprobe${s.replaceAll('\\.', '.')}`);
}

/**
 * CORS with credentials lets the listed sites read every answer the agent may read (the audit export included): in
 * production only https:// origins that are named, never "any origin" (DESIGN.md §1: production is strict).
 */
function productionCorsProblems(env: NodeJS.ProcessEnv): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (TRUE.has(env.CORS_ALLOW_ALL_ORIGINS?.trim().toLowerCase() ?? ''))
    problems.push({
      name: 'CORS_ALLOW_ALL_ORIGINS',
      received: env.CORS_ALLOW_ALL_ORIGINS,
      expected:
        "never on in production: any site would read answers with the agent's credentials; list the front end's origins in CORS_ALLOWED_ORIGINS",
    });
  const origins = list([]).safeParse(env.CORS_ALLOWED_ORIGINS);
  const notHttps = (origins.data ?? []).filter((o) => !/^https:\/\/[^/\s*]+\/?$/i.test(o));
  if (notHttps.length)
    problems.push({
      name: 'CORS_ALLOWED_ORIGINS',
      received: env.CORS_ALLOWED_ORIGINS,
      expected: `https:// origins only in production (scheme and host, no path, no wildcard); not accepted: ${notHttps.join(', ')}`,
    });
  const patterns = list([]).safeParse(env.CORS_ALLOWED_ORIGIN_REGEXES);
  const tooWide = (patterns.data ?? []).filter((pattern) => {
    if (!compiles(pattern)) return false; // reported by the schema
    const whole = new RegExp(`^(?:${pattern})$`);
    return (
      !/^\^?https:(\\?\/){2}/.test(pattern) ||
      [...UNKNOWN_ORIGINS, ...lookalikeOrigins(pattern)].some((o) => whole.test(o))
    );
  });
  if (tooWide.length)
    problems.push({
      name: 'CORS_ALLOWED_ORIGIN_REGEXES',
      received: env.CORS_ALLOWED_ORIGIN_REGEXES,
      expected: `in production, patterns that start with https:// and name their hosts (none matching any site, nor another domain ending like a named one); not accepted: ${tooWide.join(', ')}`,
    });
  return problems;
}

/**
 * Development features (the password-less provider, the unauthenticated /__debug__ pages) turn on by
 * themselves only here: a deployment names its database or its provider, so it never gets them silently.
 */
function isEmbeddedDefault(p: {
  NODE_ENV: string;
  DATABASE_URL?: string | undefined;
  OIDC_OP_URL?: string | undefined;
}) {
  return p.NODE_ENV !== 'production' && !p.DATABASE_URL && !hasProvider(p);
}

function trustsAProxy(trusted: TrustedProxies): boolean {
  return 'hops' in trusted ? trusted.hops > 0 : trusted.addresses.length > 0;
}

/** Parses the environment; throws one ConfigError naming every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.fromEntries(Object.keys(settingsSchema.shape).map((k) => [k, env[k]]));
  const result = settingsSchema.safeParse(known);
  const problems: ConfigProblem[] = result.success
    ? []
    : result.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '?');
        return { name, received: env[name], expected: issue.message };
      });
  problems.push(...productionProblems(env));
  const explicit = EXPLICIT_ENDPOINTS.filter((name) => env[name]?.trim());
  if (explicit.length && !env.OIDC_OP_URL?.trim())
    problems.push({
      name: 'OIDC_OP_URL',
      received: undefined,
      expected: `the provider's issuer, required with explicit endpoints (${explicit.join(', ')}): tokens' iss is checked against it`,
    });
  // DESIGN.md §2: /metrics is never served on the public port.
  if (result.success && result.data.METRICS_PORT && result.data.METRICS_PORT === result.data.PORT)
    problems.push({
      name: 'METRICS_PORT',
      received: env.METRICS_PORT,
      expected: 'a port other than PORT: metrics are never served on the public port',
    });
  const blank = (name: string) => !env[name]?.trim();
  if (result.success && result.data.EMAIL_DISABLED && result.data.EMAIL_HOST)
    problems.push({
      name: 'EMAIL_DISABLED',
      received: env.EMAIL_DISABLED,
      expected: 'not with EMAIL_HOST: set only one (mail sent over SMTP, or no mail on purpose)',
    });
  if (result.success && result.data.REQUEST_ID_HEADER_TRUSTED && !trustsAProxy(result.data.TRUSTED_PROXIES))
    problems.push({
      name: 'REQUEST_ID_HEADER_TRUSTED',
      received: env.REQUEST_ID_HEADER_TRUSTED,
      expected: 'only with TRUSTED_PROXIES: X-Request-Id is believed from a trusted proxy only',
    });
  if (!blank('OIDC_RS_PRIVATE_KEY_STR') && !blank('OIDC_RS_PRIVATE_KEY_FILE'))
    problems.push({
      name: 'OIDC_RS_PRIVATE_KEY_FILE',
      received: env.OIDC_RS_PRIVATE_KEY_FILE,
      expected: 'set only one of OIDC_RS_PRIVATE_KEY_STR and OIDC_RS_PRIVATE_KEY_FILE',
    });
  if (problems.length || !result.success) throw new ConfigError(problems);
  const p = result.data;
  const isProduction = p.NODE_ENV === 'production';

  const host = p.HOST ?? (isProduction ? '0.0.0.0' : '127.0.0.1');
  const publicUrl = (p.PUBLIC_URL ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${p.PORT}`).replace(
    /\/+$/,
    '',
  );
  const hasKey = Boolean(p.OIDC_RS_PRIVATE_KEY_STR || p.OIDC_RS_PRIVATE_KEY_FILE);
  const embeddedDefault = isEmbeddedDefault(p);
  const devIdp = p.DESK_DEV_IDP ?? embeddedDefault;
  return {
    ...p,
    HOST: host,
    SECRET_KEY: p.SECRET_KEY ?? randomBytes(48).toString('base64url'),
    secretKeyGenerated: !p.SECRET_KEY,
    OIDC_USER_SUB_FIELD_IMMUTABLE:
      p.OIDC_USER_SUB_FIELD_IMMUTABLE ?? !p.OIDC_FALLBACK_TO_EMAIL_FOR_IDENTIFICATION,
    // The development provider's demo agents own their addresses.
    OIDC_TRUST_PROVIDER_EMAILS: p.OIDC_TRUST_PROVIDER_EMAILS ?? devIdp,
    OIDC_RS_BACKEND: p.OIDC_RS_BACKEND ?? (hasKey ? 'jwt' : 'json'),
    DESK_DEV_IDP: devIdp,
    DESK_DEV_DIMAIL: p.DESK_DEV_DIMAIL ?? (embeddedDefault && !p.MAIL_PROVISIONING_API_URL),
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES: p.WEBHOOK_ALLOW_PRIVATE_ADDRESSES ?? !isProduction,
    DEBUG: p.DEBUG ?? embeddedDefault,
    PUBLIC_URL: publicUrl,
    EMAIL_APP_URL: (p.EMAIL_APP_URL ?? publicUrl).replace(/\/+$/, ''),
    isProduction,
    embeddedDefault,
  };
}

/** Where the embedded default keeps the SECRET_KEY it generated, inside DESK_DATA_DIR. */
export const SECRET_KEY_FILE = 'secret_key';

function readSecret(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The key in `file`, made there first if absent: whole (written aside, then linked) and readable by its owner only. */
function storedSecret(file: string): string {
  const existing = readSecret(file);
  if (existing) return existing;
  if (existing === undefined) {
    mkdirSync(dirname(file), { recursive: true });
    const aside = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
    writeFileSync(aside, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      // link() never replaces a file: of processes making it at once, one wins and all of them read its key.
      linkSync(aside, file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS')
        copyFileSync(aside, file, constants.COPYFILE_EXCL); // a file system without hard links
      else if (code !== 'EEXIST') throw err;
    } finally {
      rmSync(aside, { force: true });
    }
  }
  const kept = readSecret(file);
  if (!kept) throw new Error(`${file} holds no key: delete it to have a new SECRET_KEY generated.`);
  return kept;
}

/**
 * With no SECRET_KEY, the embedded default (development on PGlite) keeps the key it generates in DESK_DATA_DIR, so
 * the next start signs with the same one (the development provider's client secrets, derived from it, stay the
 * same too). Anywhere else a missing SECRET_KEY stays random per start (production refuses to start without one).
 */
export function keepGeneratedSecretKey(config: Config): Config {
  if (!config.secretKeyGenerated || !config.embeddedDefault || config.isProduction) return config;
  const file = join(config.DESK_DATA_DIR, SECRET_KEY_FILE);
  return { ...config, SECRET_KEY: storedSecret(file), secretKeyFile: file };
}

/** What a start should say out loud: settings that work but leave something users expect undone. */
export function startWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.secretKeyGenerated)
    warnings.push(
      config.secretKeyFile
        ? `SECRET_KEY is not set: a generated one is kept in ${config.secretKeyFile} for the next starts (development only: deployments set SECRET_KEY).`
        : 'SECRET_KEY is not set: a random one is used, so sessions end when Desk restarts.',
    );
  if (config.isProduction && config.EMAIL_DISABLED)
    warnings.push(
      'EMAIL_DISABLED is on: invitation and document mails are not sent (they stay in the outbox table).',
    );
  return warnings;
}

/**
 * OIDC_RS_ENCRYPTION_KEY_TYPE alone, for `desk keys generate`: an operator's shell without Desk's other settings
 * (EMAIL_HOST, SECRET_KEY ... in production) still makes the key Desk would accept.
 */
export function encryptionKeyType(
  env: NodeJS.ProcessEnv = process.env,
): Config['OIDC_RS_ENCRYPTION_KEY_TYPE'] {
  const result = settingsSchema.shape.OIDC_RS_ENCRYPTION_KEY_TYPE.safeParse(env.OIDC_RS_ENCRYPTION_KEY_TYPE);
  if (result.success) return result.data;
  throw new ConfigError([
    {
      name: 'OIDC_RS_ENCRYPTION_KEY_TYPE',
      received: env.OIDC_RS_ENCRYPTION_KEY_TYPE,
      expected: result.error.issues[0]?.message ?? 'RSA or EC',
    },
  ]);
}

/** A config for tests and tools: defaults plus the given settings, without reading process.env. */
export function configFrom(settings: Record<string, string | undefined>): Config {
  return loadConfig(settings);
}
