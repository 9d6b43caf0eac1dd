// compose.yaml and its Keycloak realm, as `docker compose up` runs them with no variable set: Desk gets settings it
// accepts, and the realm matches them (clients, secrets, URLs, scopes, claims, demo agents).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeSettings, loadConfig } from '../../src/platform/config.ts';
import { useDesk } from '../support/desk.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const REALM_FILE = 'deploy/keycloak/desk-realm.json';

const KNOWN_SETTINGS = new Set(describeSettings().map((s) => s.name));

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string> | string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
}

interface Mapper {
  name: string;
  protocolMapper: string;
  config: Record<string, string>;
}

interface Realm {
  realm: string;
  verifyEmail?: boolean;
  editUsernameAllowed?: boolean;
  smtpServer?: Record<string, string>;
  clientScopes: { name: string; protocolMappers?: Mapper[] }[];
  clients: {
    clientId: string;
    secret?: string;
    publicClient?: boolean;
    standardFlowEnabled?: boolean;
    frontchannelLogout?: boolean;
    redirectUris?: string[];
    attributes?: Record<string, string>;
    defaultClientScopes?: string[];
    optionalClientScopes?: string[];
  }[];
  users: {
    username: string;
    email?: string;
    enabled?: boolean;
    emailVerified?: boolean;
    firstName?: string;
    lastName?: string;
    attributes?: Record<string, string[]>;
    credentials?: { type: string; value?: string; temporary?: boolean }[];
  }[];
  components: Record<string, { providerId: string; config: Record<string, string[]> }[]>;
}

/**
 * Compose's interpolation when no variable is set (a fresh clone): `${VAR:-default}` and `${VAR-default}` give the
 * default, `${VAR}` and `$VAR` nothing, `$$` a `$`. Never the test's own environment, which CI fills with its URLs.
 */
function interpolate(value: unknown): unknown {
  if (typeof value === 'string')
    return value.replace(/\$\$|\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g, (match, _name, fallback?: string) =>
      match === '$$' ? '$' : (fallback ?? ''),
    );
  if (Array.isArray(value)) return value.map(interpolate);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v)]));
  return value;
}

const rawCompose: unknown = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'));
const compose = interpolate(rawCompose) as {
  services: Record<string, ComposeService>;
};
const realm = JSON.parse(readFileSync(join(ROOT, REALM_FILE), 'utf8')) as Realm;

function environmentOf(service: ComposeService | undefined): Record<string, string> {
  const env = service?.environment ?? {};
  if (!Array.isArray(env)) return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
  return Object.fromEntries(env.map((line) => [line.split('=')[0]!, line.split('=').slice(1).join('=')]));
}

const services = compose.services;
const env = environmentOf(services.desk);
const keycloakEnv = environmentOf(services.keycloak);
// Read once for every test; a refusal fails the first test below with Desk's own message, the rest see defaults.
let refusal: unknown;
const config = (() => {
  try {
    return loadConfig(env);
  } catch (err) {
    refusal = err;
    return loadConfig({});
  }
})();
const client = (clientId: string | undefined) => realm.clients.find((c) => c.clientId === clientId);
const deskClient = client(config.OIDC_RP_CLIENT_ID);
const deskScopes = [...(deskClient?.defaultClientScopes ?? []), ...(deskClient?.optionalClientScopes ?? [])];
const mappersOf = (scopes: string[]) =>
  realm.clientScopes.filter((s) => scopes.includes(s.name)).flatMap((s) => s.protocolMappers ?? []);

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

describe('compose.yaml', () => {
  it('works from a fresh clone: every variable it reads has a default, and a literal $ is written $$', () => {
    const problems = stringsOf(rawCompose).filter((text) => {
      const rest = text.replace(/\$\$/g, '').replace(/\$\{\w+:-[^}]*\}/g, '');
      return rest.includes('$');
    });
    expect(problems).toEqual([]);
  });
});

describe('Desk in compose.yaml', () => {
  it('gets only settings Desk knows, so a misspelt one cannot be silently ignored', () => {
    expect(Object.keys(env).filter((name) => !KNOWN_SETTINGS.has(name))).toEqual([]);
  });

  it("starts with settings it accepts, which would pass production's checks too (only plain http keeps it out)", () => {
    expect(refusal).toBeUndefined();
    expect(config.isProduction).toBe(false);
    expect(config.DESK_DEV_IDP || config.DEBUG).toBe(false);
    expect(() => loadConfig({ ...env, NODE_ENV: 'production' })).not.toThrow();
    expect(new URL(config.OIDC_OP_URL!).protocol).toBe('http:');
  });

  it('starts once PostgreSQL, Redis, MailDev and Keycloak report healthy', () => {
    const dependencies = services.desk?.depends_on ?? {};
    expect(Object.keys(dependencies).sort()).toEqual(['keycloak', 'maildev', 'postgres', 'redis']);
    for (const [name, { condition }] of Object.entries(dependencies)) {
      expect(condition, name).toBe('service_healthy');
      expect(services[name]?.healthcheck?.test?.length, `${name} has a healthcheck`).toBeGreaterThan(0);
    }
  });

  it('reaches PostgreSQL and Redis by their service names, with the password PostgreSQL was given', () => {
    const database = new URL(config.DATABASE_URL!);
    const postgres = environmentOf(services.postgres);
    expect(database.hostname).toBe('postgres');
    expect(services.postgres?.image).toMatch(/^postgres:16/);
    expect({
      user: database.username,
      password: decodeURIComponent(database.password),
      db: database.pathname.slice(1),
    }).toEqual({
      user: postgres.POSTGRES_USER,
      password: postgres.POSTGRES_PASSWORD,
      db: postgres.POSTGRES_DB,
    });
    expect(new URL(config.REDIS_URL!).hostname).toBe('redis');
    expect(services.redis?.image).toMatch(/^redis:7/);
  });

  it('sends its mail to MailDev, whose inbox is published', () => {
    expect({ host: config.EMAIL_HOST, port: config.EMAIL_PORT }).toEqual({ host: 'maildev', port: 1025 });
    expect(services.maildev?.ports).toContain('1080:1080');
  });

  it('is published on the port of PUBLIC_URL, and runs read-only with no capability, as in Kubernetes', () => {
    expect(services.desk?.build).toBeDefined();
    expect(services.desk?.ports).toContain(`${new URL(config.PUBLIC_URL).port}:${config.PORT}`);
    expect(services.desk?.read_only).toBe(true);
    expect(services.desk?.tmpfs).toContain('/tmp');
    expect(services.desk?.cap_drop).toContain('ALL');
  });
});

describe('the Keycloak realm of compose.yaml', () => {
  it('holds no environment placeholder, which Keycloak would fill from its own environment at import', () => {
    expect(readFileSync(join(ROOT, REALM_FILE), 'utf8')).not.toContain('${');
  });

  it("is imported from the repository at Keycloak's first start", () => {
    expect(services.keycloak?.image).toMatch(/^quay\.io\/keycloak\/keycloak:26\./);
    expect(services.keycloak?.command).toEqual(expect.arrayContaining(['start-dev', '--import-realm']));
    const mount = services.keycloak?.volumes?.find((v) => v.includes(':/opt/keycloak/data/import/'));
    expect(resolve(ROOT, mount?.split(':')[0] ?? '')).toBe(join(ROOT, REALM_FILE));
  });

  it('has one issuer for the browser and Desk: Desk calls Keycloak on the compose network under that issuer', () => {
    const issuer = `${keycloakEnv.KC_HOSTNAME}/realms/${realm.realm}`;
    expect(config.OIDC_OP_URL).toBe(issuer);
    expect(keycloakEnv.KC_HOSTNAME_BACKCHANNEL_DYNAMIC).toBe('true');
    expect(services.keycloak?.ports).toContain(`${new URL(issuer).port}:8080`);
    // Where the browser goes: the issuer's host.
    for (const url of [config.OIDC_OP_AUTHORIZATION_ENDPOINT, config.OIDC_OP_LOGOUT_ENDPOINT])
      expect(url?.startsWith(`${issuer}/protocol/openid-connect/`), url).toBe(true);
    // What Desk's container calls: the keycloak service. All three of these set, Desk skips discovery.
    for (const url of [
      config.OIDC_OP_TOKEN_ENDPOINT,
      config.OIDC_OP_USER_ENDPOINT,
      config.OIDC_OP_JWKS_ENDPOINT,
      config.OIDC_OP_INTROSPECTION_ENDPOINT,
    ])
      expect(
        url?.startsWith(`http://keycloak:8080/realms/${realm.realm}/protocol/openid-connect/`),
        url,
      ).toBe(true);
  });

  it('signs Desk in as its confidential client, with the secret Desk is given', () => {
    expect(deskClient, `a client ${config.OIDC_RP_CLIENT_ID}`).toBeDefined();
    expect(deskClient?.publicClient).toBe(false);
    expect(deskClient?.standardFlowEnabled).toBe(true);
    expect(deskClient?.secret).toBe(config.OIDC_RP_CLIENT_SECRET);
  });

  it("answers Desk's introspection as the resource server client, with the secret Desk is given", () => {
    const resourceServer = client(config.OIDC_RS_CLIENT_ID);
    expect(resourceServer, `a client ${config.OIDC_RS_CLIENT_ID}`).toBeDefined();
    expect(resourceServer?.publicClient).toBe(false);
    expect(resourceServer?.secret).toBe(config.OIDC_RS_CLIENT_SECRET);
    expect(config.OIDC_RS_BACKEND).toBe('json');
  });

  it("knows Desk's callback, post-logout and back-channel logout URLs", () => {
    expect(deskClient?.redirectUris).toContain(`${config.PUBLIC_URL}/api/v1.0/callback/`);
    const postLogout = deskClient?.attributes?.['post.logout.redirect.uris']?.split('##') ?? [];
    expect(postLogout).toContain(`${config.PUBLIC_URL}/api/v1.0/logout-callback/`);
    expect(deskClient?.frontchannelLogout).toBe(false);
    const backchannel = new URL(deskClient?.attributes?.['backchannel.logout.url'] ?? '');
    // Keycloak posts from inside the compose network: to the desk service, on the port Desk listens on.
    expect(backchannel.href).toBe(`http://desk:${config.PORT}/api/v1.0/backchannel-logout/`);
    expect(deskClient?.attributes?.['backchannel.logout.session.required']).toBe('true');
  });

  it('requires PKCE with S256, as Desk sends it', () => {
    expect(config.OIDC_USE_PKCE).toBe(true);
    expect(deskClient?.attributes?.['pkce.code.challenge.method']).toBe('S256');
  });

  it('offers the desk client every scope Desk asks for (Keycloak refuses an unknown scope)', () => {
    const asked = [...config.OIDC_RP_SCOPES.split(' '), config.OIDC_ORGANIZATION_REGISTRATION_ID_FIELD]
      .filter((s): s is string => Boolean(s) && s !== 'openid')
      .sort();
    expect(deskScopes.filter((s) => asked.includes(s)).sort()).toEqual(asked);
    for (const scope of deskScopes) expect(realm.clientScopes.map((s) => s.name)).toContain(scope);
  });

  it("puts the agent's siret attribute in the claim Desk reads the organization from", () => {
    const siret = mappersOf(deskScopes).find(
      (m) => m.protocolMapper === 'oidc-usermodel-attribute-mapper' && m.config['user.attribute'] === 'siret',
    );
    expect(siret?.config['claim.name']).toBe(config.OIDC_ORGANIZATION_REGISTRATION_ID_FIELD);
    expect(siret?.config).toMatchObject({
      'id.token.claim': 'true',
      'access.token.claim': 'true',
      'userinfo.token.claim': 'true',
    });
    // Keycloak 24+ drops user attributes its user profile does not declare.
    const profile = realm.components['org.keycloak.userprofile.UserProfileProvider']?.[0];
    const declared = JSON.parse(profile?.config['kc.user.profile.config']?.[0] ?? '{}') as {
      attributes: { name: string }[];
    };
    expect(declared.attributes.map((a) => a.name)).toContain('siret');
  });

  it("sends the claims Desk makes the agent's name from", () => {
    const claims = mappersOf(deskScopes).map((m) => m.config['claim.name']);
    expect(claims).toEqual(expect.arrayContaining([...config.OIDC_USERINFO_FULLNAME_FIELDS, 'email']));
  });

  it('has demo agents who log in with a password, with names, verified emails and a SIRET Desk accepts', () => {
    expect(realm.users.length).toBeGreaterThanOrEqual(2);
    expect(config.ORGANIZATION_REGISTRATION_ID_VALIDATORS.length).toBeGreaterThan(0);
    for (const user of realm.users) {
      expect(user, user.username).toMatchObject({ enabled: true, emailVerified: true });
      expect([user.firstName, user.lastName, user.email].every(Boolean), user.username).toBe(true);
      const password = user.credentials?.find((c) => c.type === 'password');
      expect(password?.value, user.username).toBeTruthy();
      expect(password?.temporary, user.username).toBe(false);
      const siret = user.attributes?.siret?.[0] ?? '';
      for (const pattern of config.ORGANIZATION_REGISTRATION_ID_VALIDATORS)
        expect(siret, user.username).toMatch(new RegExp(pattern));
    }
  });
});

describe("the realm's emails, which Desk takes as identities only when verified (DESIGN.md §5)", () => {
  const profile = realm.components['org.keycloak.userprofile.UserProfileProvider']?.[0];
  const declared = JSON.parse(profile?.config['kc.user.profile.config']?.[0] ?? '{}') as {
    attributes: { name: string; permissions?: { edit?: string[] } }[];
  };

  it('cannot be changed by the agent: only an administrator edits an email or a username', () => {
    expect(declared.attributes.find((a) => a.name === 'email')?.permissions?.edit).toEqual(['admin']);
    expect(realm.editUsernameAllowed).toBe(false);
  });

  it('are verified before use, by a mail Keycloak sends through the compose mail server', () => {
    expect(realm.verifyEmail).toBe(true);
    expect(realm.smtpServer?.host).toBe('maildev');
    expect(services.maildev?.ports?.some((p) => p.endsWith(`:${realm.smtpServer?.port}`))).toBe(true);
  });

  it('carry email_verified to Desk in userinfo', () => {
    const verified = mappersOf(deskScopes).find((m) => m.config['claim.name'] === 'email_verified');
    expect(verified?.config).toMatchObject({
      'user.attribute': 'emailVerified',
      'userinfo.token.claim': 'true',
    });
  });

  it("are not trusted without the claim: Desk's service keeps OIDC_TRUST_PROVIDER_EMAILS off", () => {
    expect(config.OIDC_TRUST_PROVIDER_EMAILS).toBe(false);
  });
});

describe('the URLs the realm sends browsers and Keycloak to', () => {
  const t = useDesk();

  it('are routes Desk serves (neither 404 nor 405)', async () => {
    const attributes = deskClient?.attributes ?? {};
    const routes = [
      ...(deskClient?.redirectUris ?? []).map((url) => ({ method: 'GET' as const, url })),
      ...(attributes['post.logout.redirect.uris']?.split('##') ?? []).map((url) => ({
        method: 'GET' as const,
        url,
      })),
      { method: 'POST' as const, url: attributes['backchannel.logout.url'] ?? '' },
    ];
    expect(routes).toHaveLength(3);
    for (const { method, url } of routes) {
      const res = await t.desk.app.inject({ method, url: new URL(url).pathname });
      expect([404, 405], `${method} ${url} answered ${res.statusCode}`).not.toContain(res.statusCode);
    }
  });
});
