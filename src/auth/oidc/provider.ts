// Desk as a client of the OpenID provider: discovered (or explicit) metadata, checks pinned, every call bounded.
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import * as oidc from 'openid-client';
import type { Config } from '../../platform/config.ts';
import { ProviderUnavailable, UnexpectedUserinfoFormat } from './errors.ts';

/** How Desk presents itself: the client id, secret and the checks it insists on. */
function clientMetadata(config: Config): Partial<oidc.ClientMetadata> {
  return {
    client_secret: config.OIDC_RP_CLIENT_SECRET,
    // DESIGN.md §2: the only algorithm accepted on ID tokens (and JWT userinfo, below).
    id_token_signed_response_alg: config.OIDC_RP_SIGN_ALGO,
    ...(config.OIDC_OP_USER_ENDPOINT_FORMAT === 'JWT'
      ? { userinfo_signed_response_alg: config.OIDC_RP_SIGN_ALGO }
      : {}),
    [oidc.clockTolerance]: config.OIDC_JWT_LEEWAY,
  };
}

function clientAuth(config: Config): oidc.ClientAuth {
  return config.OIDC_TOKEN_ENDPOINT_AUTH_METHOD === 'client_secret_basic'
    ? oidc.ClientSecretBasic(config.OIDC_RP_CLIENT_SECRET)
    : oidc.ClientSecretPost(config.OIDC_RP_CLIENT_SECRET);
}

/** Explicit OIDC_OP_* endpoints win over discovered ones. */
function explicitEndpoints(config: Config): Partial<oidc.ServerMetadata> {
  const pairs: [keyof oidc.ServerMetadata, string | undefined][] = [
    ['authorization_endpoint', config.OIDC_OP_AUTHORIZATION_ENDPOINT],
    ['token_endpoint', config.OIDC_OP_TOKEN_ENDPOINT],
    ['userinfo_endpoint', config.OIDC_OP_USER_ENDPOINT],
    ['jwks_uri', config.OIDC_OP_JWKS_ENDPOINT],
    ['end_session_endpoint', config.OIDC_OP_LOGOUT_ENDPOINT],
    ['introspection_endpoint', config.OIDC_OP_INTROSPECTION_ENDPOINT],
  ];
  return Object.fromEntries(pairs.filter(([, v]) => v));
}

const MAX_BACKOFF_MS = 60_000;

/**
 * The provider's configuration, discovered on first use. A failed discovery does not stop Desk:
 * callers get ProviderUnavailable (503) and discovery is tried again after a growing pause.
 */
export class OidcProvider {
  private configuration: oidc.Configuration | undefined;
  private pending: Promise<oidc.Configuration> | undefined;
  private failures = 0;
  private retryAt = 0;
  private readonly keySets = new Map<string, JWTVerifyGetKey>();

  constructor(
    private readonly config: Config,
    private readonly now: () => number = Date.now,
  ) {}

  get issuer(): string {
    return this.config.OIDC_OP_URL ?? '';
  }

  get configured(): boolean {
    return Boolean(this.config.OIDC_OP_URL);
  }

  /** The provider's signing keys for tokens openid-client does not check (logout tokens); call after get(). */
  jwks(): JWTVerifyGetKey {
    const uri = this.configuration?.serverMetadata().jwks_uri;
    if (!uri) throw new ProviderUnavailable(new Error('the provider publishes no jwks_uri'));
    return this.keysAt(uri);
  }

  /**
   * The signing keys published at `uri`, for every check Desk makes (logout tokens, introspection answers): cached,
   * fetched again once for an unknown kid but never more often than the cooldown, each fetch bounded by OIDC_TIMEOUT.
   */
  keysAt(uri: string): JWTVerifyGetKey {
    let keys = this.keySets.get(uri);
    if (!keys) {
      keys = createRemoteJWKSet(new URL(uri), {
        timeoutDuration: this.config.OIDC_TIMEOUT * 1000,
        cooldownDuration: 30_000,
        cacheMaxAge: 10 * 60_000,
      });
      this.keySets.set(uri, keys);
    }
    return keys;
  }

  async get(): Promise<oidc.Configuration> {
    if (this.configuration) return this.configuration;
    if (!this.configured) throw new ProviderUnavailable(new Error('no provider is configured (OIDC_OP_URL)'));
    if (!this.pending && this.now() < this.retryAt)
      throw new ProviderUnavailable(new Error('discovery backing off'));
    this.pending ??= this.load().finally(() => {
      this.pending = undefined;
    });
    try {
      this.configuration = await this.pending;
      this.failures = 0;
      return this.configuration;
    } catch (err) {
      this.failures += 1;
      this.retryAt = this.now() + Math.min(1_000 * 2 ** (this.failures - 1), MAX_BACKOFF_MS);
      throw err instanceof ProviderUnavailable ? err : new ProviderUnavailable(err);
    }
  }

  private insecure(): boolean {
    // Plain http only for a provider on this machine outside production (dev provider, tests).
    return !this.config.isProduction && new URL(this.issuer).protocol === 'http:';
  }

  private async load(): Promise<oidc.Configuration> {
    const explicit = explicitEndpoints(this.config);
    const complete = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'].every((k) => k in explicit);
    let found: oidc.ServerMetadata;
    if (complete) {
      found = { issuer: this.issuer, ...explicit };
    } else {
      const discovered = await oidc.discovery(
        new URL(this.issuer),
        this.config.OIDC_RP_CLIENT_ID,
        undefined,
        undefined,
        {
          timeout: this.config.OIDC_TIMEOUT,
          ...(this.insecure() ? { execute: [oidc.allowInsecureRequests] } : {}),
        },
      );
      found = { ...discovered.serverMetadata(), ...explicit };
    }
    // Pins the userinfo JWT algorithm also in AUTO mode, whatever the provider advertises.
    const server = { ...found, userinfo_signing_alg_values_supported: [this.config.OIDC_RP_SIGN_ALGO] };
    const configuration = new oidc.Configuration(
      server,
      this.config.OIDC_RP_CLIENT_ID,
      clientMetadata(this.config),
      clientAuth(this.config),
    );
    configuration.timeout = this.config.OIDC_TIMEOUT;
    // openid-client skips ID token signatures from the token endpoint unless asked (DESIGN.md §5).
    oidc.enableNonRepudiationChecks(configuration);
    if (this.insecure()) oidc.allowInsecureRequests(configuration);
    if (this.config.OIDC_OP_USER_ENDPOINT_FORMAT === 'JSON' && server.userinfo_endpoint) {
      const userinfo = server.userinfo_endpoint;
      configuration[oidc.customFetch] = async (url, options) => {
        const response = await fetch(url, options);
        if (url.startsWith(userinfo) && response.headers.get('content-type')?.startsWith('application/jwt'))
          throw new UnexpectedUserinfoFormat();
        return response;
      };
    }
    return configuration;
  }
}
