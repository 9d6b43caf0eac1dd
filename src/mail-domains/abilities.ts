// What a domain role allows (DESIGN.md §11, people's get_abilities of each mailbox_manager model), as pure functions.
import { DOMAIN_ROLES, type DomainRole } from './schema.ts';

export const DOMAIN_ROLE_RANK: Record<DomainRole, number> = { viewer: 0, administrator: 1, owner: 2 };

const manages = (role: DomainRole | null) => role === 'administrator' || role === 'owner';

export function domainAbilities(role: DomainRole | null) {
  return {
    get: role !== null,
    patch: manages(role),
    put: manages(role),
    post: manages(role),
    delete: role === 'owner',
    manage_accesses: manages(role),
  };
}

/**
 * The roles the requester (role `mine`) may give an access that has role `target`, its own role left out: viewers
 * change nothing, only owners touch an owner's access or make owners. In alphabetical order, as people sorts them.
 */
export function canSetRoleTo(mine: DomainRole | null, target: DomainRole): DomainRole[] {
  if (!manages(mine)) return [];
  if (mine !== 'owner' && target === 'owner') return [];
  return DOMAIN_ROLES.filter((r) => r !== target && (mine === 'owner' || r !== 'owner')).sort();
}

export function accessAbilities(role: DomainRole | null) {
  return {
    get: role !== null,
    patch: manages(role),
    put: manages(role),
    post: manages(role),
    delete: manages(role),
  };
}

/** A viewer may change their own mailbox (the one whose address is their email), as people allows. */
export function mailboxAbilities(role: DomainRole | null, isOwnMailbox: boolean) {
  return {
    get: role !== null,
    post: manages(role),
    patch: manages(role) || (role !== null && isOwnMailbox),
    put: manages(role) || (role !== null && isOwnMailbox),
    delete: false,
  };
}

/** A viewer may delete an alias that forwards to their own email. */
export function aliasAbilities(role: DomainRole | null, forwardsToMe: boolean) {
  return {
    get: role !== null,
    post: manages(role),
    patch: false,
    put: false,
    delete: manages(role) || (role !== null && forwardsToMe),
  };
}

export function invitationAbilities(role: DomainRole | null) {
  return { delete: manages(role), get: role !== null, patch: false, put: false };
}

/** No one invites or grants above their own role. */
export function mayGrantDomainRole(mine: DomainRole, wanted: DomainRole): boolean {
  return DOMAIN_ROLE_RANK[wanted] <= DOMAIN_ROLE_RANK[mine];
}
