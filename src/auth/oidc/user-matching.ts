// DESIGN.md §4 sign-in matching: by sub, else by a verified email (§5); disabled users refused, duplicates never guessed.

import { organizationAtSignIn } from '../../organizations/index.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/database.ts';
import { findProvisionedUnlinked, isProvisioned } from '../../scim/index.ts';
import {
  findStaffAccountsByEmail,
  findUserBySub,
  findUsersByEmail,
  insertUser,
  lockUserEmail,
  type SignInContext,
  type User,
  type UserLifecycle,
  updateUser,
} from '../../users/index.ts';
import { LoginRefused } from './errors.ts';

export type Claims = Record<string, unknown> & { sub: string };

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

export function fullName(claims: Claims, fields: string[]): string | undefined {
  const parts = fields.map((f) => text(claims[f])).filter((v): v is string => Boolean(v));
  return parts.length ? parts.join(' ').slice(0, 100) : undefined;
}

/**
 * DESIGN.md §5: the login's email when it may stand for the agent, else undefined. The provider vouches for it with
 * `email_verified: true` (also the string "true", which some providers send; nothing else counts), or
 * OIDC_TRUST_PROVIDER_EMAILS says it verifies every email it sends.
 */
export function verifiedEmail(claims: Claims, config: Config): string | undefined {
  const email = text(claims.email);
  if (!email) return undefined;
  const verified = claims.email_verified === true || claims.email_verified === 'true';
  return verified || config.OIDC_TRUST_PROVIDER_EMAILS ? email : undefined;
}

export function checkEssentialClaims(claims: Claims, essential: string[]): void {
  const missing = essential.filter(
    (name) => claims[name] === undefined || claims[name] === null || claims[name] === '',
  );
  if (missing.length)
    throw new LoginRefused(
      'missing_claims',
      `essential claims missing from the provider: ${missing.join(', ')}`,
    );
}

/**
 * DESIGN.md §7: the organization the provider's claims name (registration id, else the verified email's domain),
 * found or created, else the returning user's own, held until the transaction ends; a login that names none, or an
 * organization staff deactivated, is refused.
 */
async function organizationOf(
  db: Db,
  claims: Claims,
  email: string | undefined,
  config: Config,
  userId: string | undefined,
  provisioned: boolean,
): Promise<string> {
  const found = await organizationAtSignIn(db, claims, email, config, userId, provisioned);
  if (found === 'elsewhere')
    throw new LoginRefused(
      'organization_mismatch',
      "this address was provisioned by another organization's directory",
    );
  if (found === 'unnamed')
    throw new LoginRefused(
      'organization_unknown',
      'the provider gave neither a valid organization registration id nor a verified email address',
    );
  if (found === 'merged')
    throw new LoginRefused('organization_unknown', 'the organization kept being merged during the sign-in');
  if (!found.isActive)
    throw new LoginRefused('organization_inactive', 'the organization of this account is deactivated');
  return found.id;
}

/** Whether a staff account (staff, or with a password) would take an email another staff account has. */
async function takesAnotherStaffEmail(db: Db, user: User, email: string): Promise<boolean> {
  if (!user.isStaff && user.password === null) return false;
  return (await findStaffAccountsByEmail(db, email, user.id)).length > 0;
}

/** Finds or creates the user the claims describe; call inside a transaction. */
export async function matchUser(
  db: Db,
  claims: Claims,
  config: Config,
  lifecycle: UserLifecycle,
  context: SignInContext = {},
): Promise<User> {
  // An unverified email is neither matched, stored nor followed: the agent signs in by sub alone.
  const email = verifiedEmail(claims, config);
  const signIn: SignInContext = { ...context, ...(email ? { verifiedEmail: email } : {}) };
  const name = fullName(claims, config.OIDC_USERINFO_FULLNAME_FIELDS);
  // Who has this address is decided one transaction at a time: two first sign-ins, or a sign-in and a directory
  // provisioning it, never both find it free and make two users.
  if (email) await lockUserEmail(db, email);
  let user = await findUserBySub(db, claims.sub);
  let provisioned = user ? await isProvisioned(db, user.id) : false;

  // DESIGN.md §9: a user the directory provisioned and who never signed in is expected; their verified email says it
  // is them, whatever the fallback setting (the organization is checked below).
  if (!user && email) {
    const expected = await findProvisionedUnlinked(db, email);
    if (expected.length > 1)
      throw new LoginRefused(
        'duplicate_email',
        'several accounts share this email address; an administrator must resolve it',
      );
    user = expected[0];
    provisioned = user !== undefined;
    if (user && (user.isStaff || user.isSuperuser))
      throw new LoginRefused(
        'staff_account',
        'this email belongs to a staff account, which signs in with its password, never through the provider by email',
      );
  }

  if (!user && email && config.OIDC_FALLBACK_TO_EMAIL_FOR_IDENTIFICATION) {
    const sameEmail = await findUsersByEmail(db, email);
    if (sameEmail.length > 1)
      throw new LoginRefused(
        'duplicate_email',
        'several accounts share this email address; an administrator must resolve it',
      );
    user = sameEmail[0];
    // A staff account (made by `desk createsuperuser`) is never bound to an identity by its email: whoever controls
    // that address at the provider would become staff.
    if (user && (user.isStaff || user.isSuperuser))
      throw new LoginRefused(
        'staff_account',
        'this email belongs to a staff account, which signs in with its password, never through the provider by email',
      );
    if (user?.sub && user.sub !== claims.sub && config.OIDC_USER_SUB_FIELD_IMMUTABLE)
      throw new LoginRefused(
        'sub_mismatch',
        'the account with this email is bound to another identity (sub is immutable)',
      );
  }

  if (user && !user.isActive) throw new LoginRefused('account_disabled', 'this account is disabled');
  // Only the proved email names an organization; without it (nor a registration id) a returning user stays in theirs.
  const organizationId = await organizationOf(db, claims, email, config, user?.id, provisioned);

  if (user) {
    // Only non-empty claims overwrite what Desk knows.
    const changes: Partial<User> = {};
    if (user.sub !== claims.sub) changes.sub = claims.sub;
    // The provider says where the agent works now: their teams stay theirs.
    if (user.organizationId !== organizationId) changes.organizationId = organizationId;
    if (name && name !== user.name) changes.name = name;
    if (email && email !== user.email) {
      const owners = await findUsersByEmail(db, email);
      if (owners.every((u) => u.id === user?.id)) changes.email = email;
      // Duplicates allowed, but never two staff accounts with one email (staff-accounts.ts): it keeps its own.
      else if (config.OIDC_ALLOW_DUPLICATE_EMAILS && !(await takesAnotherStaffEmail(db, user, email)))
        changes.email = email;
    }
    const updated = Object.keys(changes).length ? await updateUser(db, user.id, changes) : user;
    if (changes.email) await lifecycle.userEmailChanged(db, updated, signIn);
    await lifecycle.userSignedIn(db, updated, signIn);
    return updated;
  }

  if (!config.OIDC_CREATE_USER)
    throw new LoginRefused(
      'user_creation_disabled',
      'no account matches and creating accounts is turned off',
    );
  if (email && !config.OIDC_ALLOW_DUPLICATE_EMAILS && (await findUsersByEmail(db, email, 1)).length)
    throw new LoginRefused('duplicate_email', 'another account already uses this email address');
  const created = await insertUser(db, {
    sub: claims.sub,
    email: email ?? null,
    name: name ?? '',
    organizationId,
  });
  await lifecycle.userCreated(db, created, signIn);
  return created;
}
