// Who may change whose account (DESIGN.md §8): the rule the staff API enforces, answers as abilities, and the
// organizations slice applies when shutting members out.
import type { User } from './schema.ts';

type Actor = Pick<User, 'id' | 'isSuperuser'>;
type Account = Pick<User, 'id' | 'isStaff' | 'isSuperuser'>;

/** Powers are ordered: only superusers change staff and superuser accounts, and grant or revoke staff. */
export function changesStaffAccounts(actor: Pick<User, 'isSuperuser'>): boolean {
  return actor.isSuperuser;
}

/** Staff change agents' accounts (disable, enable); staff and superuser accounts are for superusers. */
export function mayChangeAccount(
  actor: Pick<User, 'isSuperuser'>,
  account: Pick<User, 'isStaff' | 'isSuperuser'>,
): boolean {
  return changesStaffAccounts(actor) || !(account.isStaff || account.isSuperuser);
}

/**
 * What the back office offers the actor on an account (`abilities` of /admin/users/), from the rules the PATCH
 * enforces. Nothing on one's own account: disabling oneself is refused, and changing one's own staff right is not
 * offered (the PATCH lets a superuser do it).
 */
export function accountAbilities(
  actor: Actor,
  account: Account,
): { set_active: boolean; set_staff: boolean } {
  const self = actor.id === account.id;
  return {
    set_active: !self && mayChangeAccount(actor, account),
    set_staff: !self && changesStaffAccounts(actor),
  };
}

/**
 * Whether shutting out the superusers `shutOut` picks (disabling one, deactivating their organization) leaves none
 * of `superusers` (those able to act, lockSuperusersWhoMayAct) able to act.
 */
export function leavesNoSuperuser<S>(superusers: S[], shutOut: (superuser: S) => boolean): boolean {
  return superusers.some(shutOut) && superusers.every(shutOut);
}
