// An introspection endpoint of our own that answers whatever a test crafts: JSON, or JWTs signed and encrypted
// (or not) with the right or wrong keys. The accepted paths are also tested against oidc-provider itself.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { CompactEncrypt, exportJWK, generateKeyPair, type JWK, SignJWT, UnsecuredJWT } from 'jose';

export const RS_CLIENT_ID = 'desk-rs';
export const RS_CLIENT_SECRET = 'desk-rs-secret';

export interface IntrospectionAnswer {
  status?: number;
  contentType?: string;
  body: string;
  delayMs?: number;
}

export interface JwtOptions {
  signAlg?: 'ES256' | 'RS256' | 'none';
  signWith?: 'provider' | 'stranger';
  typ?: string;
  iss?: string;
  aud?: string;
  iat?: number | null;
  encryptTo?: KeyObject;
  alg?: string;
  enc?: string;
  kid?: string;
}

export interface Pem {
  pem: string;
  key: KeyObject;
}

export function rsaKey(): Pem {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), key: privateKey };
}

export function ecKey(format: 'pkcs8' | 'sec1' = 'pkcs8'): Pem {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { pem: privateKey.export({ type: format, format: 'pem' }).toString(), key: privateKey };
}

export interface IntrospectionForge {
  issuer: string;
  calls: number;
  /** Requests for the discovery document and the signing keys. */
  discoveries: number;
  jwksFetches: number;
  answer?: IntrospectionAnswer | ((token: string) => Promise<IntrospectionAnswer>);
  json(claims: Record<string, unknown>): IntrospectionAnswer;
  jwt(claims: Record<string, unknown>, options?: JwtOptions): Promise<IntrospectionAnswer>;
  /** Settings pointing Desk at this forge as resource server, encrypting to `key`. */
  settings(key: Pem, extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export async function startIntrospectionForge(): Promise<IntrospectionForge> {
  const es = await generateKeyPair('ES256', { extractable: true });
  const rs = await generateKeyPair('RS256', { extractable: true });
  const stranger = await generateKeyPair('ES256', { extractable: true });
  const jwks: JWK[] = [
    { ...(await exportJWK(es.publicKey)), kid: 'forge-es', alg: 'ES256', use: 'sig' },
    { ...(await exportJWK(rs.publicKey)), kid: 'forge-rs', alg: 'RS256', use: 'sig' },
  ];
  const forge = { calls: 0, discoveries: 0, jwksFetches: 0 } as IntrospectionForge;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', async () => {
      const path = (req.url ?? '/').split('?')[0];
      const send = (a: IntrospectionAnswer) => {
        if (res.destroyed) return;
        res.writeHead(a.status ?? 200, { 'content-type': a.contentType ?? 'application/json' });
        res.end(a.body);
      };
      if (path === '/.well-known/openid-configuration') {
        forge.discoveries += 1;
        return send({
          body: JSON.stringify({
            issuer: forge.issuer,
            authorization_endpoint: `${forge.issuer}/authorize`,
            token_endpoint: `${forge.issuer}/token`,
            introspection_endpoint: `${forge.issuer}/introspect`,
            jwks_uri: `${forge.issuer}/jwks`,
          }),
        });
      }
      if (path === '/jwks') {
        forge.jwksFetches += 1;
        return send({ body: JSON.stringify({ keys: jwks }) });
      }
      if (path === '/introspect') {
        forge.calls += 1;
        const token = new URLSearchParams(body).get('token') ?? '';
        const a = typeof forge.answer === 'function' ? await forge.answer(token) : forge.answer;
        if (!a) return send({ status: 500, body: '{}' });
        if (a.delayMs) await new Promise((r) => setTimeout(r, a.delayMs));
        return send(a);
      }
      send({ status: 404, body: '{}' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  forge.issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  forge.json = (claims) => ({ body: JSON.stringify(claims) });
  forge.jwt = async (claims, o = {}) => {
    const payload = { token_introspection: claims };
    const now = Math.floor(Date.now() / 1000);
    const alg = o.signAlg ?? 'ES256';
    let jws: string;
    if (alg === 'none')
      jws = new UnsecuredJWT(payload)
        .setIssuer(o.iss ?? forge.issuer)
        .setAudience(o.aud ?? RS_CLIENT_ID)
        .setIssuedAt(now)
        .encode();
    else {
      const jwt = new SignJWT(payload)
        .setProtectedHeader({
          alg,
          typ: o.typ ?? 'token-introspection+jwt',
          kid: alg === 'ES256' ? 'forge-es' : 'forge-rs',
        })
        .setIssuer(o.iss ?? forge.issuer)
        .setAudience(o.aud ?? RS_CLIENT_ID);
      if (o.iat !== null) jwt.setIssuedAt(o.iat ?? now);
      const key =
        o.signWith === 'stranger' ? stranger.privateKey : alg === 'ES256' ? es.privateKey : rs.privateKey;
      jws = await jwt.sign(key);
    }
    if (!o.encryptTo) throw new Error('encryptTo is required');
    const { createPublicKey } = await import('node:crypto');
    const jwe = await new CompactEncrypt(new TextEncoder().encode(jws))
      .setProtectedHeader({
        alg: o.alg ?? 'RSA-OAEP',
        enc: o.enc ?? 'A256GCM',
        cty: 'JWT',
        ...(o.kid ? { kid: o.kid } : {}),
      })
      .encrypt(createPublicKey(o.encryptTo));
    return { contentType: 'application/token-introspection+jwt', body: jwe };
  };
  forge.settings = (key, extra = {}) => ({
    OIDC_OP_URL: forge.issuer,
    OIDC_RS_CLIENT_ID: RS_CLIENT_ID,
    OIDC_RS_CLIENT_SECRET: RS_CLIENT_SECRET,
    OIDC_RS_PRIVATE_KEY_STR: key.pem,
    ...extra,
  });
  forge.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return forge;
}
