// A small OpenID provider of our own that serves whatever tokens a test crafts (forged, expired, wrong audience…),
// reached through Desk's explicit OIDC_OP_* endpoints. Happy paths use the real oidc-provider instead.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT, UnsecuredJWT } from 'jose';

export const CLIENT_ID = 'desk';
export const CLIENT_SECRET = 'forge-client-secret';

export interface ForgedAnswer {
  status?: number;
  contentType?: string;
  body: string;
  delayMs?: number;
}

export interface IdTokenOptions {
  alg?: 'RS256' | 'none' | 'HS256' | 'ES256';
  /** Sign with this key instead of the published one (a forged signature). */
  key?: CryptoKey | Uint8Array;
  kid?: string;
}

export interface Forge {
  issuer: string;
  /** Settings that point Desk at this provider through explicit endpoints. */
  settings: Record<string, string>;
  publicJwk: JWK;
  /** What discovery advertises in id_token_signing_alg_values_supported (default: RS256 only). */
  idTokenAlgs: string[];
  /** Requests received, by path, in order. */
  calls: { path: string; body: string }[];
  /** The next answers of the token and userinfo endpoints (default: an error). */
  token?: ForgedAnswer;
  userinfo?: ForgedAnswer;
  /** Answers for one code (token endpoint) and one access token (userinfo), for logins running at once. */
  tokensByCode: Map<string, ForgedAnswer>;
  userinfoByAccessToken: Map<string, ForgedAnswer>;
  idToken(claims: Record<string, unknown>, options?: IdTokenOptions): Promise<string>;
  /** A back-channel logout token; claims override the valid defaults (undefined removes one). */
  logoutToken(claims: Record<string, unknown>, options?: IdTokenOptions): Promise<string>;
  /** Overrides the discovery document answer (e.g. a failing provider). */
  discovery?: ForgedAnswer;
  /** Settings that make Desk discover the endpoints instead. */
  discoverySettings: Record<string, string>;
  /** Token endpoint answer carrying this ID token. */
  tokenAnswer(idToken: string): ForgedAnswer;
  userinfoJson(claims: Record<string, unknown>): ForgedAnswer;
  userinfoJwt(claims: Record<string, unknown>, options?: IdTokenOptions): Promise<ForgedAnswer>;
  otherKey: CryptoKey;
  close(): Promise<void>;
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => resolve(body));
  });
}

export async function startForge(): Promise<Forge> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256', { extractable: true });
  // Published too: ID tokens signed with ES256 (alg ES256 without a key) use it.
  const ec = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'forge-1', alg: 'RS256', use: 'sig' };
  const ecJwk = { ...(await exportJWK(ec.publicKey)), kid: 'forge-ec', alg: 'ES256', use: 'sig' };
  const forge = {} as Forge;
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const body = await read(req);
    forge.calls.push({ path, body });
    let answer: ForgedAnswer | undefined;
    if (path === '/jwks') answer = { body: JSON.stringify({ keys: [publicJwk, ecJwk] }) };
    else if (path === '/.well-known/openid-configuration')
      answer = forge.discovery ?? { body: JSON.stringify(discoveryDocument()) };
    else if (path === '/token')
      answer = forge.tokensByCode.get(new URLSearchParams(body).get('code') ?? '') ?? forge.token;
    else if (path === '/userinfo')
      answer =
        forge.userinfoByAccessToken.get((req.headers.authorization ?? '').replace(/^Bearer /, '')) ??
        forge.userinfo;
    answer ??= { status: 404, body: JSON.stringify({ error: 'not_found' }) };
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (res.destroyed) return;
    res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const issuer = `http://127.0.0.1:${port}`;

  const discoveryDocument = () => ({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/userinfo`,
    jwks_uri: `${issuer}/jwks`,
    end_session_endpoint: `${issuer}/logout`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: forge.idTokenAlgs,
  });

  const sign = async (claims: Record<string, unknown>, options: IdTokenOptions = {}, typ?: string) => {
    const alg = options.alg ?? 'RS256';
    if (alg === 'none') return new UnsecuredJWT(claims).encode();
    const ecdsa = alg === 'ES256' && !options.key;
    const jwt = new SignJWT(claims).setProtectedHeader({
      alg,
      kid: options.kid ?? (ecdsa ? 'forge-ec' : 'forge-1'),
      ...(typ ? { typ } : {}),
    });
    return jwt.sign(options.key ?? (ecdsa ? ec.privateKey : privateKey));
  };

  Object.assign(forge, {
    issuer,
    publicJwk,
    idTokenAlgs: ['RS256'],
    calls: [],
    tokensByCode: new Map(),
    userinfoByAccessToken: new Map(),
    otherKey: other.privateKey,
    settings: {
      OIDC_OP_URL: issuer,
      OIDC_OP_AUTHORIZATION_ENDPOINT: `${issuer}/authorize`,
      OIDC_OP_TOKEN_ENDPOINT: `${issuer}/token`,
      OIDC_OP_USER_ENDPOINT: `${issuer}/userinfo`,
      OIDC_OP_JWKS_ENDPOINT: `${issuer}/jwks`,
      OIDC_OP_LOGOUT_ENDPOINT: `${issuer}/logout`,
      OIDC_RP_CLIENT_ID: CLIENT_ID,
      OIDC_RP_CLIENT_SECRET: CLIENT_SECRET,
    },
    discoverySettings: {
      OIDC_OP_URL: issuer,
      OIDC_RP_CLIENT_ID: CLIENT_ID,
      OIDC_RP_CLIENT_SECRET: CLIENT_SECRET,
    },
    idToken: (claims: Record<string, unknown>, options?: IdTokenOptions) => sign(claims, options),
    logoutToken: (claims: Record<string, unknown>, options?: IdTokenOptions) => {
      const now = Math.floor(Date.now() / 1000);
      return sign(
        {
          iss: issuer,
          aud: CLIENT_ID,
          iat: now,
          exp: now + 120,
          jti: crypto.randomUUID(),
          events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
          ...claims,
        },
        options,
        'logout+jwt',
      );
    },
    tokenAnswer: (idToken: string) => ({
      body: JSON.stringify({
        access_token: `at-${Math.random()}`,
        token_type: 'Bearer',
        expires_in: 300,
        id_token: idToken,
      }),
    }),
    userinfoJson: (claims: Record<string, unknown>) => ({ body: JSON.stringify(claims) }),
    userinfoJwt: async (claims: Record<string, unknown>, options?: IdTokenOptions) => ({
      contentType: 'application/jwt',
      body: await sign({ iss: issuer, aud: CLIENT_ID, ...claims }, options),
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return forge;
}
