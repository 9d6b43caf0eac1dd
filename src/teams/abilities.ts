// DESIGN.md §4: what a role may do on a team and on its accesses; routes, SQL results and tests all ask this module.
import { ROLES, type Role } from './schema.ts';

export const ROLE_RANK: Record<Role, number> = { member: 1, administrator: 2, owner: 3 };

export interface TeamAbilities {
  get: boolean;
  put: boolean;
  patch: boolean;
  delete: boolean;
  manage_accesses: boolean;
  /** The roles this requester may give a new member or invitation (the web app's role picker offers these). */
  grant_roles: Role[];
}

/** The SCIM client whose directory decides a team's members (DESIGN.md §9): its id and name. */
export interface ManagedBy {
  id: string;
  name: string;
}

/**
 * A managed team's memberships are the directory's: nobody, owners included, adds, changes or removes one in Desk.
 * Renaming and deleting the team stay as for any team.
 */
export function teamAbilities(
  role: Role | null | undefined,
  managedBy: ManagedBy | null = null,
): TeamAbilities {
  const admin = role === 'administrator' || role === 'owner';
  const manage = admin && managedBy === null;
  return {
    get: Boolean(role),
    put: admin,
    patch: admin,
    delete: role === 'owner',
    manage_accesses: manage,
    grant_roles: manage ? ROLES.filter((r) => mayGrant(role, r)) : [],
  };
}

/** The refusal of a membership change on a managed team, naming the directory that decides. */
export function managedMessage(managedBy: ManagedBy): string {
  return `The members of this team are managed by the directory “${managedBy.name}” (SCIM).`;
}

export interface AccessAbilities {
  get: boolean;
  put: boolean;
  patch: boolean;
  delete: boolean;
  set_role_to: Role[];
  /** Why this access can be neither changed nor removed by the requester, so a client can say it; else null. */
  reason: AccessLock | null;
}

/**
 * last_owner: the team's only owner; other_owner: an owner other than the requester; not_manager: a member;
 * managed: the team's members are decided by a SCIM directory (DESIGN.md §9).
 */
export type AccessLock = 'last_owner' | 'other_owner' | 'not_manager' | 'managed';

export interface AccessContext {
  /** The requester's role in the team (null when not a member). */
  requesterRole: Role | null | undefined;
  /** The role of the access looked at. */
  targetRole: Role;
  /** The access is the requester's own. */
  isSelf: boolean;
  /** How many owners the team has. */
  ownerCount: number;
  /** A SCIM client manages the team's members. */
  managed?: boolean;
}

const NONE: AccessAbilities = {
  get: false,
  put: false,
  patch: false,
  delete: false,
  set_role_to: [],
  reason: 'not_manager',
};

export function accessAbilities({
  requesterRole,
  targetRole,
  isSelf,
  ownerCount,
  managed = false,
}: AccessContext): AccessAbilities {
  if (!requesterRole) return NONE;
  if (managed) return { ...NONE, get: true, reason: 'managed' };
  let canDelete = false;
  let setRoleTo: Role[] = [];
  if (targetRole === 'owner') {
    // Nobody touches another owner; an owner may step down only while another owner remains.
    const mayStepDown = isSelf && requesterRole === 'owner' && ownerCount > 1;
    canDelete = mayStepDown;
    setRoleTo = mayStepDown ? ['administrator', 'member'] : [];
  } else if (requesterRole === 'owner') {
    canDelete = true;
    setRoleTo = ROLES.filter((r) => r !== targetRole);
  } else if (requesterRole === 'administrator') {
    canDelete = true;
    setRoleTo = (['administrator', 'member'] as Role[]).filter((r) => r !== targetRole);
  }
  const canChange = setRoleTo.length > 0;
  let reason: AccessLock | null = null;
  if (!canChange && !canDelete)
    reason =
      targetRole === 'owner'
        ? isSelf && requesterRole === 'owner'
          ? 'last_owner'
          : 'other_owner'
        : 'not_manager';
  return { get: true, put: canChange, patch: canChange, delete: canDelete, set_role_to: setRoleTo, reason };
}

/** The last owner is protected with a 400 and a message, not a bare 403 (DESIGN.md §4). */
export function isLastOwner({
  targetRole,
  ownerCount,
}: Pick<AccessContext, 'targetRole' | 'ownerCount'>): boolean {
  return targetRole === 'owner' && ownerCount <= 1;
}

/** Only owners grant the owner role, by access or by invitation. */
export function mayGrant(requesterRole: Role | null | undefined, role: Role): boolean {
  if (requesterRole === 'owner') return true;
  return requesterRole === 'administrator' && role !== 'owner';
}
