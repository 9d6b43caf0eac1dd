// Staff imported from people log in with the password people knew, kept as Django encoded it, and Desk re-hashes it.
// The encoded hashes are Django's own (test/auth/django-passwords.test.ts says where each comes from).
import { verify } from '@node-rs/argon2';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/index.ts';
import { replacePasswordHash, users } from '../../src/users/index.ts';
import { useDesk } from '../support/desk.ts';

const t = useDesk();

// Django's test_pbkdf2: make_password('lètmein', 'seasalt', 'pbkdf2_sha256') at Django 4.1's 390,000 iterations.
const DJANGO_PASSWORD = 'lètmein';
const DJANGO_PBKDF2 = 'pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=';

const OTHER_HASHERS = [
  {
    hasher: 'pbkdf2_sha1',
    password: 'lètmein',
    encoded: 'pbkdf2_sha1$390000$seasalt2$aDapRanzW8aHTz97v2TcfHzWD+I=',
  },
  {
    hasher: 'argon2',
    password: 'secret',
    encoded: 'argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
  },
  {
    hasher: 'bcrypt_sha256',
    password: 'lètmein',
    encoded: 'bcrypt_sha256$$2b$12$6iXxKCNn.2u3nuEmNKrG8eqhkuoglJZuybI1yCYutA6NKH62QWk3i',
  },
  {
    hasher: 'scrypt',
    password: 'lètmein',
    encoded:
      'scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==',
  },
];

async function storedPassword(id: string): Promise<string | null> {
  const [row] = await t.testDb.database.db
    .select({ password: users.password })
    .from(users)
    .where(eq(users.id, id));
  return row?.password ?? null;
}

async function login(email: string | null, password: string) {
  const browser = t.browser();
  await browser.primeCsrf();
  return browser.post('/api/v1.0/login/', { email, password });
}

describe('staff login with a password hash imported from people', () => {
  it('logs in with the Django pbkdf2_sha256 password, which is then stored as argon2id and logs in again', async () => {
    const user = await t.createUser({ isStaff: true, isSuperuser: true, password: DJANGO_PBKDF2 });
    const first = await login(user.email, DJANGO_PASSWORD);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ id: user.id, email: user.email, is_staff: true });
    expect(await storedPassword(user.id)).toMatch(/^\$argon2id\$/);
    expect((await login(user.email, DJANGO_PASSWORD)).status).toBe(200);
  });

  it('refuses a wrong password with the usual answer and keeps the Django hash', async () => {
    const user = await t.createUser({ isStaff: true, password: DJANGO_PBKDF2 });
    const wrong = await login(user.email, 'lètmeinz');
    expect(wrong.status).toBe(400);
    expect(wrong.json).toEqual({ detail: 'Invalid email or password.' });
    expect(await storedPassword(user.id)).toBe(DJANGO_PBKDF2);
  });

  for (const { hasher, password, encoded } of OTHER_HASHERS)
    it(`logs in with a Django ${hasher} password, then stored as argon2id`, async () => {
      const user = await t.createUser({ isStaff: true, password: encoded });
      expect((await login(user.email, password)).status).toBe(200);
      expect(await storedPassword(user.id)).toMatch(/^\$argon2id\$/);
    });

  it("never logs in with Django's unusable password, whatever is typed", async () => {
    // As Django's set_unusable_password() writes it: '!' and 40 random characters (people's OIDC users).
    const unusable = '!Xq3RMTzFWnZ0X1SVkUVsHJDQmJgZcKoGUvkiImpV';
    const user = await t.createUser({ isStaff: true, password: unusable });
    for (const typed of [unusable, unusable.slice(1), '!'])
      expect((await login(user.email, typed)).status).toBe(400);
    expect(await storedPassword(user.id)).toBe(unusable);
  });

  it('lets two parallel logins with the Django password both in, leaving one argon2id hash of that password', async () => {
    const user = await t.createUser({ isStaff: true, password: DJANGO_PBKDF2 });
    const answers = await Promise.all([
      login(user.email, DJANGO_PASSWORD),
      login(user.email, DJANGO_PASSWORD),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const stored = (await storedPassword(user.id)) ?? '';
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(await verify(stored, DJANGO_PASSWORD)).toBe(true);
    expect((await login(user.email, DJANGO_PASSWORD)).status).toBe(200);
  });

  it('never overwrites a password changed after the Django hash was verified', async () => {
    const user = await t.createUser({ isStaff: true, password: DJANGO_PBKDF2 });
    const changed = await hashPassword('a new staff passphrase');
    await t.testDb.database.db.update(users).set({ password: changed }).where(eq(users.id, user.id));
    const rehashed = await hashPassword(DJANGO_PASSWORD);
    expect(await replacePasswordHash(t.testDb.database.db, user.id, DJANGO_PBKDF2, rehashed)).toBe(false);
    expect(await storedPassword(user.id)).toBe(changed);
  });
});
