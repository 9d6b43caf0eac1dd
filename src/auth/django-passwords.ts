// Django's encoded password hashes, as people keeps them in users.password: verified so that staff imported from
// people log in with their passwords, which the login then re-hashes to argon2id (DESIGN.md §10).
import { createHash, pbkdf2, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { verify as verifyArgon2 } from '@node-rs/argon2';

const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify(scrypt) as (
  password: Buffer,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/**
 * Limits on the work a stored hash may ask for. The hash is written by people's own code, not by whoever logs in,
 * but a damaged or hand-edited row must be refused, not hang a login (or the process) for minutes. Each limit is far
 * above what Django 5 writes: pbkdf2_sha256 1,000,000 iterations; argon2 m=102400 KiB, t=2, p=8; bcrypt cost 12;
 * scrypt n=2^14, r=8, p=1.
 */
export const DJANGO_HASH_LIMITS = {
  pbkdf2Iterations: 10_000_000,
  argon2MemoryKiB: 1_048_576,
  argon2Passes: 64,
  argon2Lanes: 64,
  bcryptCost: 16,
  scryptParallelism: 16,
} as const;

/**
 * Django's scrypt hasher passes maxmem=0 to hashlib, so OpenSSL's default bound (32 MiB) applies there; Node's scrypt
 * checks the same bound the same way (OpenSSL's EVP_PBE_scrypt), so a hash Django could verify verifies here, and one
 * it could not is refused here too.
 */
const SCRYPT_MAXMEM = 32 * 1024 * 1024;

/** The hashers of Django 5's default PASSWORD_HASHERS, by the algorithm name that starts their encoded hashes. */
const ALGORITHMS = ['pbkdf2_sha256', 'pbkdf2_sha1', 'argon2', 'bcrypt_sha256', 'scrypt'] as const;

/** Django's `set_unusable_password()` (people's OIDC users) stores '!' and random characters: never a password. */
export function isUnusableDjangoPassword(stored: string): boolean {
  return stored === '' || stored.startsWith('!');
}

/** The stored value is in the encoded form of one of Django's default hashers (`<algorithm>$…`). */
export function isDjangoPassword(stored: string): boolean {
  const algorithm = stored.slice(0, stored.indexOf('$'));
  return (ALGORITHMS as readonly string[]).includes(algorithm);
}

/**
 * Whether the password is the one a Django-encoded hash was made from; false as well for an unknown hasher, a
 * malformed hash, or one asking for more work than DJANGO_HASH_LIMITS allows.
 */
export async function verifyDjangoPassword(encoded: string, password: string): Promise<boolean> {
  try {
    const algorithm = encoded.slice(0, encoded.indexOf('$'));
    switch (algorithm) {
      case 'pbkdf2_sha256':
        return await verifyPbkdf2(encoded, password, 'sha256', 32);
      case 'pbkdf2_sha1':
        return await verifyPbkdf2(encoded, password, 'sha1', 20);
      case 'argon2':
        return await verifyArgon2Encoded(encoded, password);
      case 'bcrypt_sha256':
        return await verifyBcryptSha256(encoded, password);
      case 'scrypt':
        return await verifyScrypt(encoded, password);
      default:
        return false;
    }
  } catch {
    // A parameter the primitive itself refuses (a salt it cannot take, memory beyond maxmem): not this password.
    return false;
  }
}

/** Equal texts, compared in constant time; the length of a stored hash is not a secret. */
function sameText(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(actual, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A decimal integer as Django's `%d` writes it (no sign, no leading zero): Django compares the whole re-encoded
 * string, so any other spelling never matches there either.
 */
function positiveInteger(text: string | undefined, max: number): number | undefined {
  if (!text || !/^[1-9][0-9]{0,15}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

// `pbkdf2_sha256$<iterations>$<salt>$<base64 of the derived key>` (PBKDF2PasswordHasher; pbkdf2_sha1 alike). The key
// is as long as the digest (Django passes dklen=None), the salt any text but '$', both taken as UTF-8.
async function verifyPbkdf2(
  encoded: string,
  password: string,
  digest: 'sha256' | 'sha1',
  keyLength: number,
): Promise<boolean> {
  const [, iterationsText, salt, stored, ...rest] = encoded.split('$');
  const iterations = positiveInteger(iterationsText, DJANGO_HASH_LIMITS.pbkdf2Iterations);
  if (rest.length > 0 || !iterations || !salt || !stored || !BASE64.test(stored)) return false;
  const key = await pbkdf2Async(
    Buffer.from(password, 'utf8'),
    Buffer.from(salt, 'utf8'),
    iterations,
    keyLength,
    digest,
  );
  return sameText(key.toString('base64'), stored);
}

// `argon2$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>` (Argon2PasswordHasher): after 'argon2' comes argon2-cffi's PHC
// string, which @node-rs/argon2 reads as it is, comparing in constant time. Hashes from before Django 3.2 are argon2i,
// the oldest without a version (Argon2 1.0, which the library also assumes when none is written).
const ARGON2_PHC =
  /^\$argon2(?:id|i)\$(?:v=(?:16|19)\$)?m=([0-9]+),t=([0-9]+),p=([0-9]+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

async function verifyArgon2Encoded(encoded: string, password: string): Promise<boolean> {
  const phc = encoded.slice('argon2'.length);
  const [, m, t, p] = ARGON2_PHC.exec(phc) ?? [];
  if (
    !positiveInteger(m, DJANGO_HASH_LIMITS.argon2MemoryKiB) ||
    !positiveInteger(t, DJANGO_HASH_LIMITS.argon2Passes) ||
    !positiveInteger(p, DJANGO_HASH_LIMITS.argon2Lanes)
  )
    return false;
  return verifyArgon2(phc, password);
}

// `bcrypt_sha256$$2b$<cost>$<22 characters of salt><31 of hash>` (BCryptSHA256PasswordHasher): bcrypt of the
// password's SHA-256 in lowercase hex, so that bcrypt's 72-byte limit does not cut long passwords.
const BCRYPT = /^\$2[aby]\$([0-9]{2})\$[./A-Za-z0-9]{53}$/;

async function verifyBcryptSha256(encoded: string, password: string): Promise<boolean> {
  const stored = encoded.slice('bcrypt_sha256$'.length);
  const cost = BCRYPT.exec(stored)?.[1];
  if (!cost || Number(cost) < 4 || Number(cost) > DJANGO_HASH_LIMITS.bcryptCost) return false;
  const prehashed = createHash('sha256').update(password, 'utf8').digest('hex');
  // Loaded here, at the first bcrypt hash, as Desk loads a part only when it is used: most deployments have none.
  const { hash: bcryptHash } = await import('bcryptjs');
  // The first 29 characters are the version, the cost and the salt: bcrypt's salt argument.
  return sameText(await bcryptHash(prehashed, stored.slice(0, 29)), stored);
}

// `scrypt$<n>$<salt>$<r>$<p>$<base64 of a 64-byte key>` (ScryptPasswordHasher, Django 4.0 and later).
async function verifyScrypt(encoded: string, password: string): Promise<boolean> {
  const [, nText, salt, rText, pText, stored, ...rest] = encoded.split('$');
  const n = positiveInteger(nText, 2 ** 30);
  const r = positiveInteger(rText, 2 ** 20);
  const p = positiveInteger(pText, DJANGO_HASH_LIMITS.scryptParallelism);
  if (rest.length > 0 || !n || !r || !p || !salt || !stored || !BASE64.test(stored)) return false;
  // n must be a power of two above 1; the memory scrypt needs is 128·r·(n + 2) + 128·r·p bytes, bounded by maxmem.
  if (n < 2 || (n & (n - 1)) !== 0 || 128 * r * (n + 2 + p) > SCRYPT_MAXMEM) return false;
  const key = await scryptAsync(Buffer.from(password, 'utf8'), Buffer.from(salt, 'utf8'), 64, {
    N: n,
    r,
    p,
    maxmem: SCRYPT_MAXMEM,
  });
  return sameText(key.toString('base64'), stored);
}
