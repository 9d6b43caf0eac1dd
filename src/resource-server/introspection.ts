// Asks the provider whether an access token is valid (RFC 7662), in JSON or as a signed + encrypted JWT (RFC 9701),
// checks every claim Desk relies on, and caches the answer under the token's SHA-256 for a bounded time.
import { createHash } from 'node:crypto';
import { compactDecrypt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { OidcProvider } from '../auth/index.ts';
import type { Config } from '../platform/config.ts';
import type { KeyValueStore } from '../platform/kv.ts';
import type { Metrics } from '../platform/metrics.ts';
import {
  InsufficientScope,
  IntrospectionUnavailable,
  InvalidToken,
  ResourceServerNotConfigured,
} from './errors.ts';
import type { DecryptionKey } from './keys.ts';

export interface ActiveToken {
  sub: string;
  /** The calling service (the audience claim): a service provider of the suite. */
  audience: string;
  scope: string[];
  exp?: number;
}

const INACTIVE_TTL_MS = 5_000;
const JWT_TYPE = 'token-introspection+jwt';

interface Endpoints {
  introspection: string;
  jwks?: string;
}

export class Introspector {
  private endpoints: Promise<Endpoints> | undefined;
  /** Introspection calls made (for tests and benchmarks: repeated calls must be served by the cache). */
  calls = 0;

  constructor(
    private readonly config: Config,
    /** The sign-in's provider client: one discovery and one JWKS cache for Desk. */
    private readonly provider: OidcProvider,
    private readonly kv: KeyValueStore,
    private readonly keys: DecryptionKey[],
    private readonly now: () => number = Date.now,
    private readonly metrics?: Pick<Metrics, 'introspectionLookup'>,
  ) {}

  /** Why the resource server cannot work, or null when it is configured. */
  notConfiguredReason(): string | null {
    const c = this.config;
    if (!c.OIDC_RS_CLIENT_ID || !c.OIDC_RS_CLIENT_SECRET)
      return 'OIDC_RS_CLIENT_ID and OIDC_RS_CLIENT_SECRET are required';
    if (!c.OIDC_OP_INTROSPECTION_ENDPOINT && !c.OIDC_OP_URL)
      return 'no introspection endpoint (OIDC_OP_INTROSPECTION_ENDPOINT or OIDC_OP_URL)';
    if (c.OIDC_RS_BACKEND === 'jwt' && !this.keys.length)
      return 'the jwt backend needs OIDC_RS_PRIVATE_KEY_STR or OIDC_RS_PRIVATE_KEY_FILE';
    if (c.OIDC_RS_BACKEND === 'jwt' && !c.OIDC_OP_URL)
      return 'the jwt backend needs OIDC_OP_URL, the issuer of the signed answers';
    return null;
  }

  private timeoutMs(): number {
    return this.config.OIDC_TIMEOUT * 1000;
  }

  /** Explicit endpoints when they suffice, else what the provider's discovery (shared with sign-in) advertises. */
  private async discover(): Promise<Endpoints> {
    const c = this.config;
    if (c.OIDC_OP_INTROSPECTION_ENDPOINT && (c.OIDC_RS_BACKEND === 'json' || c.OIDC_OP_JWKS_ENDPOINT))
      return {
        introspection: c.OIDC_OP_INTROSPECTION_ENDPOINT,
        ...(c.OIDC_OP_JWKS_ENDPOINT ? { jwks: c.OIDC_OP_JWKS_ENDPOINT } : {}),
      };
    // Explicit OIDC_OP_* endpoints are already merged over the discovered ones.
    const metadata = (await this.provider.get()).serverMetadata();
    if (!metadata.introspection_endpoint)
      throw new Error('the provider advertises no introspection endpoint');
    return {
      introspection: metadata.introspection_endpoint,
      ...(metadata.jwks_uri ? { jwks: metadata.jwks_uri } : {}),
    };
  }

  private async endpointsOrFail(): Promise<Endpoints> {
    this.endpoints ??= this.discover().catch((err: unknown) => {
      this.endpoints = undefined;
      throw new IntrospectionUnavailable(err);
    });
    return this.endpoints;
  }

  /** Checks the token; throws InvalidToken, InsufficientScope, ResourceServerNotConfigured or IntrospectionUnavailable. */
  async check(token: string): Promise<ActiveToken> {
    const reason = this.notConfiguredReason();
    if (reason) throw new ResourceServerNotConfigured(reason);
    const cacheKey = `rs-introspection:${createHash('sha256').update(token).digest('base64url')}`;
    const cached = await this.kv.get(cacheKey);
    this.metrics?.introspectionLookup(cached ? 'hit' : 'miss');
    const claims = cached
      ? (JSON.parse(cached) as Record<string, unknown>)
      : await this.fetchAndCache(token, cacheKey);
    return this.authorize(claims);
  }

  private async fetchAndCache(token: string, cacheKey: string): Promise<Record<string, unknown>> {
    let claims: Record<string, unknown>;
    try {
      claims = await this.introspect(token);
    } catch (err) {
      // An answer that fails verification is not cached: the next call asks again.
      if (err instanceof InvalidToken || err instanceof IntrospectionUnavailable) throw err;
      throw new InvalidToken((err as Error).message);
    }
    const active = claims.active === true;
    const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : Number.POSITIVE_INFINITY;
    const ttl = active
      ? Math.min(this.config.OIDC_RS_INTROSPECTION_CACHE_TTL * 1000, exp - this.now())
      : INACTIVE_TTL_MS;
    if (ttl > 0) await this.kv.set(cacheKey, JSON.stringify(active ? claims : { active: false }), ttl);
    return claims;
  }

  private async introspect(token: string): Promise<Record<string, unknown>> {
    const { introspection, jwks } = await this.endpointsOrFail();
    const c = this.config;
    const body = new URLSearchParams({ token, token_type_hint: 'access_token' });
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: c.OIDC_RS_BACKEND === 'jwt' ? `application/${JWT_TYPE}` : 'application/json',
    };
    if (c.OIDC_TOKEN_ENDPOINT_AUTH_METHOD === 'client_secret_basic') {
      const id = encodeURIComponent(c.OIDC_RS_CLIENT_ID ?? '');
      const secret = encodeURIComponent(c.OIDC_RS_CLIENT_SECRET ?? '');
      headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    } else {
      body.set('client_id', c.OIDC_RS_CLIENT_ID ?? '');
      body.set('client_secret', c.OIDC_RS_CLIENT_SECRET ?? '');
    }
    this.calls += 1;
    let res: Response;
    let text: string;
    try {
      res = await fetch(introspection, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs()),
      });
      text = await res.text();
    } catch (err) {
      throw new IntrospectionUnavailable(err);
    }
    if (res.status >= 500)
      throw new IntrospectionUnavailable(new Error(`introspection answered ${res.status}`));
    if (res.status !== 200)
      throw new IntrospectionUnavailable(
        new Error(`introspection refused Desk's credentials (${res.status})`),
      );
    if (c.OIDC_RS_BACKEND === 'json') {
      if (!res.headers.get('content-type')?.startsWith('application/json'))
        throw new InvalidToken('introspection did not answer JSON');
      const parsed = JSON.parse(text) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new InvalidToken('introspection answer is not an object');
      return parsed as Record<string, unknown>;
    }
    if (!res.headers.get('content-type')?.startsWith(`application/${JWT_TYPE}`))
      throw new InvalidToken('introspection did not answer a JWT');
    if (!jwks) throw new IntrospectionUnavailable(new Error('the provider publishes no jwks_uri'));
    return this.openJwt(text.trim(), jwks);
  }

  /** RFC 9701: decrypt with our key (alg and enc pinned), verify the inner JWS with the provider's keys. */
  private async openJwt(jwe: string, jwks: string): Promise<Record<string, unknown>> {
    const c = this.config;
    const header = decodeProtectedHeader(jwe);
    const key = this.keys.find((k) => k.kid === header.kid) ?? (header.kid ? undefined : this.keys[0]);
    if (!key) throw new InvalidToken('introspection answer encrypted to a key Desk does not have');
    const { plaintext } = await compactDecrypt(jwe, key.key, {
      keyManagementAlgorithms: [key.alg],
      contentEncryptionAlgorithms: [c.OIDC_RS_ENCRYPTION_ENCODING],
    });
    const jws = new TextDecoder().decode(plaintext);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(jws, this.provider.keysAt(jwks), {
        algorithms: [c.OIDC_RS_SIGNING_ALGO],
        typ: JWT_TYPE,
        issuer: c.OIDC_OP_URL ?? '',
        audience: c.OIDC_RS_CLIENT_ID ?? '',
        clockTolerance: c.OIDC_JWT_LEEWAY,
        requiredClaims: ['iat'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWKSTimeout) throw new IntrospectionUnavailable(err);
      throw err;
    }
    if (typeof payload.iat !== 'number' || payload.iat * 1000 > this.now() + c.OIDC_JWT_LEEWAY * 1000)
      throw new InvalidToken('introspection answer issued in the future');
    const inner = payload.token_introspection;
    if (!inner || typeof inner !== 'object' || Array.isArray(inner))
      throw new InvalidToken('token_introspection is not an object');
    return inner as Record<string, unknown>;
  }

  private authorize(claims: Record<string, unknown>): ActiveToken {
    const c = this.config;
    if (claims.active !== true) throw new InvalidToken('inactive token');
    const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
    if (exp !== undefined && exp * 1000 < this.now() - c.OIDC_JWT_LEEWAY * 1000)
      throw new InvalidToken('expired token');
    if (typeof claims.nbf === 'number' && claims.nbf * 1000 > this.now() + c.OIDC_JWT_LEEWAY * 1000)
      throw new InvalidToken('token not yet valid');
    if (typeof claims.sub !== 'string' || !claims.sub) throw new InvalidToken('token without sub');
    const scope = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
    if (!scope.some((s) => c.OIDC_RS_SCOPES.includes(s)))
      throw new InsufficientScope(`The token needs one of these scopes: ${c.OIDC_RS_SCOPES.join(', ')}.`);
    const rawAudience = claims[c.OIDC_RS_AUDIENCE_CLAIM];
    const audience = Array.isArray(rawAudience) ? rawAudience[0] : rawAudience;
    if (typeof audience !== 'string' || !audience)
      throw new InsufficientScope(
        `The token does not name the calling service (${c.OIDC_RS_AUDIENCE_CLAIM}).`,
      );
    if (c.OIDC_RS_ALLOWED_AUDIENCES.length && !c.OIDC_RS_ALLOWED_AUDIENCES.includes(audience))
      throw new InsufficientScope('This service is not allowed to call Desk.');
    return { sub: claims.sub, audience, scope, ...(exp !== undefined ? { exp } : {}) };
  }
}
