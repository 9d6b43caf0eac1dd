// Desk's encryption keys as a resource server: read from PEM (several blocks = rotation), published without private parts.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { type Config, ConfigError } from '../platform/config.ts';

export interface DecryptionKey {
  kid: string;
  alg: string;
  key: KeyObject;
  publicJwk: JWK;
}

const PEM_BLOCK = /-----BEGIN ([A-Z ]*PRIVATE KEY)-----[\s\S]+?-----END \1-----/g;
const RSA_ALGS = ['RSA-OAEP', 'RSA-OAEP-256'];
const EC_ALGS = ['ECDH-ES', 'ECDH-ES+A256KW'];

/** The configured algorithm when it fits the key's type, else that type's default (ECDH-ES for EC keys). */
function algFor(key: KeyObject, configured: string): string {
  if (key.asymmetricKeyType === 'rsa') return RSA_ALGS.includes(configured) ? configured : 'RSA-OAEP';
  return EC_ALGS.includes(configured) ? configured : 'ECDH-ES';
}

export async function loadDecryptionKeys(config: Config): Promise<DecryptionKey[]> {
  let pem = config.OIDC_RS_PRIVATE_KEY_STR ?? '';
  if (config.OIDC_RS_PRIVATE_KEY_FILE) {
    try {
      pem = readFileSync(config.OIDC_RS_PRIVATE_KEY_FILE, 'utf8');
    } catch (err) {
      throw new ConfigError([
        {
          name: 'OIDC_RS_PRIVATE_KEY_FILE',
          received: config.OIDC_RS_PRIVATE_KEY_FILE,
          expected: `a readable PEM file (${(err as Error).message})`,
        },
      ]);
    }
  }
  const blocks = pem.replaceAll('\\n', '\n').match(PEM_BLOCK) ?? [];
  if (pem.trim() && !blocks.length)
    throw new ConfigError([
      { name: 'OIDC_RS_PRIVATE_KEY_STR', received: '***', expected: 'one or more PEM private keys' },
    ]);
  const keys: DecryptionKey[] = [];
  for (const block of blocks) {
    let key: KeyObject;
    try {
      // node:crypto reads PKCS#8, PKCS#1 and SEC1 alike.
      key = createPrivateKey(block);
    } catch (err) {
      throw new ConfigError([
        {
          name: 'OIDC_RS_PRIVATE_KEY_STR',
          received: '***',
          expected: `a valid PEM private key (${(err as Error).message})`,
        },
      ]);
    }
    const type = key.asymmetricKeyType;
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (type !== 'rsa' && !(type === 'ec' && curve === 'prime256v1'))
      throw new ConfigError([
        {
          name: 'OIDC_RS_PRIVATE_KEY_STR',
          received: '***',
          expected: `RSA or EC P-256 keys (got ${type} ${curve ?? ''})`,
        },
      ]);
    // DESIGN.md §2: every key is of the type the setting names, so a key pasted in the wrong place stops the start.
    if (type !== config.OIDC_RS_ENCRYPTION_KEY_TYPE.toLowerCase())
      throw new ConfigError([
        {
          name: 'OIDC_RS_ENCRYPTION_KEY_TYPE',
          received: config.OIDC_RS_ENCRYPTION_KEY_TYPE,
          expected: `the type of every key in ${config.OIDC_RS_PRIVATE_KEY_FILE ? 'OIDC_RS_PRIVATE_KEY_FILE' : 'OIDC_RS_PRIVATE_KEY_STR'}: key ${keys.length + 1} is ${type === 'rsa' ? 'RSA' : 'EC'}; set OIDC_RS_ENCRYPTION_KEY_TYPE=${type === 'rsa' ? 'RSA' : 'EC'} if every key is, else replace that key`,
        },
      ]);
    const { kty, n, e, crv, x, y } = createPublicKey(key).export({ format: 'jwk' }) as JWK;
    const base: JWK = type === 'rsa' ? { kty, n, e } : { kty, crv, x, y };
    const kid = await calculateJwkThumbprint(base);
    const alg = algFor(key, config.OIDC_RS_ENCRYPTION_ALGO);
    keys.push({ kid, alg, key, publicJwk: { ...base, kid, use: 'enc', alg } });
  }
  return keys;
}
