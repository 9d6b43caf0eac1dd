// Staff passwords: argon2id hashes and the rules a new password must meet.
import { hash, verify } from '@node-rs/argon2';
import { isDjangoPassword, isUnusableDjangoPassword, verifyDjangoPassword } from './django-passwords.ts';

// @node-rs/argon2's default algorithm is Argon2id; OWASP's minimum is 19 MiB, 2 passes.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

const COMMON = new Set([
  'password',
  'password1',
  'password123',
  '123456789012',
  'qwertyuiop',
  'azertyuiop',
  'motdepasse',
  'administrator',
  'letmeinplease',
  'iloveyou1234',
  'welcome12345',
  'changeme1234',
  'passwordpassword',
  'azertyazerty',
  'qwertyqwerty',
]);

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

let dummyHash: Promise<string> | undefined;

/** Spends the time of one verification, for an account that has no password to verify. */
async function verifyNothing(password: string): Promise<false> {
  dummyHash ??= hash('no such account: the time of a verification', OPTIONS);
  await verify(await dummyHash, password).catch(() => false);
  return false;
}

/**
 * Verifies a password against Desk's argon2id hash or, for staff imported from people, Django's encoded hash. With
 * no usable hash (none, or Django's unusable '!…' of OIDC users) it still spends the time of one verification, so
 * an unknown email and a wrong password cannot be told apart by timing.
 */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored || isUnusableDjangoPassword(stored)) return verifyNothing(password);
  if (isDjangoPassword(stored)) return verifyDjangoPassword(stored, password);
  return verify(stored, password).catch(() => false);
}

/** A hash Desk does not write (Django's, from people): the login it lets in replaces it with hashPassword's. */
export function passwordNeedsRehash(stored: string): boolean {
  return isDjangoPassword(stored);
}

/** Why a password is too weak, or an empty list when it is acceptable. */
export function passwordWeaknesses(password: string, email: string): string[] {
  const reasons: string[] = [];
  if (password.length < 12) reasons.push('it must be at least 12 characters long');
  if (password.length > 1024) reasons.push('it must be at most 1024 characters long');
  if (/^\d+$/.test(password)) reasons.push('it must not be only digits');
  if (new Set(password).size < 6) reasons.push('it must use at least 6 different characters');
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) reasons.push('it is a commonly used password');
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 3 && lower.includes(local)) reasons.push('it must not contain the email address');
  return reasons;
}
