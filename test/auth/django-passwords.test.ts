// Django's encoded password hashes, checked against hashes Django itself made (never against this implementation).
//
// Where each vector comes from:
// - pbkdf2_sha256 (390000) and pbkdf2_sha1, argon2id and both argon2i: fixed in Django's own test suite
//   (django/django tests/auth_tests/test_hashers.py, test_pbkdf2, test_low_level_pbkdf2_sha1, test_argon2,
//   test_argon2_version_upgrade), and checked again with Debian's python3-django 3.2.25 `check_password`.
// - pbkdf2_sha256 (1000000, Django 5.2's default): the salt and password of Django's test_pbkdf2, computed with
//   python3 `hashlib.pbkdf2_hmac('sha256', 'lètmein'.encode(), b'seasalt', 1000000)`, base64 — Django's format.
// - scrypt: fixed in Django's test suite (test_scrypt, Django 4.0 and later), checked with python3
//   `hashlib.scrypt('lètmein'.encode(), salt=b'seasalt', n=16384, r=8, p=1, maxmem=0, dklen=64)`.
// - bcrypt_sha256: Django's test suite makes them with a random salt, so these were made with python3-django 3.2.25
//   and python3-bcrypt 3.2.2 (Debian 12): `make_password('lètmein', hasher='bcrypt_sha256')`, and the same for the
//   100-character password of Django's test_bcrypt_sha256 (longer than bcrypt's 72 bytes).
import { describe, expect, it } from 'vitest';
import {
  isDjangoPassword,
  isUnusableDjangoPassword,
  verifyDjangoPassword,
} from '../../src/auth/django-passwords.ts';

const LONG =
  'VSK0UYV6FFQVZ0KG88DYN9WADAADZO1CTSIVDJUNZSUML6IBX7LN7ZS3R5JGB3RGZ7VI7G7DJQ9NI8BQFSRPTG6UWTTVESA5ZPUN';

const VECTORS: { hasher: string; password: string; encoded: string }[] = [
  {
    hasher: 'pbkdf2_sha256',
    password: 'lètmein',
    encoded: 'pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
  },
  {
    hasher: 'pbkdf2_sha256 at Django 5.2 iterations',
    password: 'lètmein',
    encoded: 'pbkdf2_sha256$1000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps=',
  },
  {
    hasher: 'pbkdf2_sha1',
    password: 'lètmein',
    encoded: 'pbkdf2_sha1$390000$seasalt2$aDapRanzW8aHTz97v2TcfHzWD+I=',
  },
  {
    hasher: 'argon2 (argon2id)',
    password: 'secret',
    encoded: 'argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
  },
  {
    hasher: 'argon2 (argon2i, version 1.3)',
    password: 'secret',
    encoded: 'argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q',
  },
  {
    hasher: 'argon2 (argon2i without a version)',
    password: 'secret',
    encoded:
      'argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg',
  },
  {
    hasher: 'bcrypt_sha256',
    password: 'lètmein',
    encoded: 'bcrypt_sha256$$2b$12$6iXxKCNn.2u3nuEmNKrG8eqhkuoglJZuybI1yCYutA6NKH62QWk3i',
  },
  {
    hasher: 'bcrypt_sha256 with a password longer than 72 bytes',
    password: LONG,
    encoded: 'bcrypt_sha256$$2b$12$FmibXtnGnMuWIS/nbOn8XutxtsKlLO5eG3BVCb3GMsSs.GMJw1cLO',
  },
  {
    hasher: 'scrypt',
    password: 'lètmein',
    encoded:
      'scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==',
  },
];

describe("Django's password hashes", () => {
  for (const { hasher, password, encoded } of VECTORS) {
    it(`accepts the password of a ${hasher} hash Django made, and refuses another`, async () => {
      expect(isDjangoPassword(encoded)).toBe(true);
      expect(await verifyDjangoPassword(encoded, password)).toBe(true);
      expect(await verifyDjangoPassword(encoded, `${password}z`)).toBe(false);
    });
  }

  it("refuses the first 72 characters of a long password under bcrypt_sha256 (Django's point of hashing first)", async () => {
    const long = VECTORS.find((v) => v.password === LONG);
    expect(await verifyDjangoPassword(long?.encoded ?? '', LONG.slice(0, 72))).toBe(false);
  });

  it("takes people's unusable passwords and empty strings for no password", () => {
    expect(isUnusableDjangoPassword('!Xq3RMTzFWnZ0X1SVkUVsHJDQmJgZcKoGUvkiImpV')).toBe(true);
    expect(isUnusableDjangoPassword('')).toBe(true);
    expect(isDjangoPassword('!Xq3RMTzFWnZ0X1SVkUVsHJDQmJgZcKoGUvkiImpV')).toBe(false);
    expect(isUnusableDjangoPassword(VECTORS[0]?.encoded ?? '')).toBe(false);
  });

  it('refuses, without computing them, hashes asking for absurd work', async () => {
    // Each would take minutes or gigabytes if it were computed; each is refused at once.
    const absurd = [
      'pbkdf2_sha256$10000001$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
      'pbkdf2_sha256$99999999999999999999$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
      'argon2$argon2id$v=19$m=4194304,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
      'argon2$argon2id$v=19$m=102400,t=100000,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
      'bcrypt_sha256$$2b$31$6iXxKCNn.2u3nuEmNKrG8eqhkuoglJZuybI1yCYutA6NKH62QWk3i',
      'scrypt$1048576$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==',
      'scrypt$16384$seasalt$8$100000$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==',
    ];
    for (const encoded of absurd) expect(await verifyDjangoPassword(encoded, 'lètmein')).toBe(false);
  });

  it('refuses malformed hashes and the hashers Django 5 does not use by default', async () => {
    const malformed = [
      'pbkdf2_sha256$0390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
      'pbkdf2_sha256$390000$seasalt',
      'pbkdf2_sha256$390000$$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
      'bcrypt_sha256$$2b$12$short',
      'scrypt$16000$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==',
      // Django's test_md5 vector: MD5PasswordHasher is not among Django 5's default hashers.
      'md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3',
    ];
    for (const encoded of malformed) expect(await verifyDjangoPassword(encoded, 'lètmein')).toBe(false);
    expect(isDjangoPassword('md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3')).toBe(false);
  });
});
