// The rules of teams and accesses (DESIGN.md §4), applied with the abilities module, inside transactions that also
// write each change's audit event.
import { type AuditContext, recordAudit, userParty } from '../audit/index.ts';
import type { Database, Db } from '../platform/database.ts';
import { BadRequest, NotFound, PermissionDenied, ValidationFailed } from '../platform/errors.ts';
import { findActiveColleagueById, type User } from '../users/index.ts';
import {
  type AccessAbilities,
  type AccessContext,
  accessAbilities,
  isLastOwner,
  type ManagedBy,
  managedMessage,
  mayGrant,
  teamAbilities,
} from './abilities.ts';
import {
  type AccessOrdering,
  type AccessRow,
  accessRow,
  deleteAccess,
  deleteTeam,
  depthOf,
  insertAccess,
  insertTeam,
  listAccesses,
  lockManagedBy,
  lockOwners,
  lockTree,
  MAX_DEPTH,
  myTeams,
  renameTeam,
  roleIn,
  setAccessRole,
  setParent,
  shareTree,
  type TeamOrdering,
  type TeamWithRole,
  teamOf,
  treeRowOf,
  visibleTeamOf,
} from './queries.ts';
import type { Role } from './schema.ts';

export const LAST_OWNER_MESSAGE = 'A team must keep at least one owner: make another member owner first.';

export interface AccessView extends AccessRow {
  abilities: AccessAbilities;
}

/** Who acts, for the audit log: the request's party when a route passes it, else the user alone (no address). */
function auditContext(user: User, audit: AuditContext | undefined): AuditContext {
  return audit ?? { actor: userParty(user) };
}

const teamTarget = (team: { id: string; name: string }) => ({ type: 'team', id: team.id, label: team.name });
const memberTarget = (row: Pick<AccessRow, 'userId' | 'userEmail' | 'userName'>) => ({
  type: 'user',
  id: row.userId,
  label: row.userEmail ?? row.userName,
});

export class TeamService {
  constructor(private readonly database: Database) {}

  private get db(): Db {
    return this.database.db;
  }

  /** The user's teams and, read only, the ancestors of each (DESIGN.md §12). */
  list(user: User, ordering: TeamOrdering): Promise<TeamWithRole[]> {
    return myTeams(this.db, user, ordering);
  }

  /**
   * The team as the user sees it: theirs, or the ancestor of one of theirs (read only); 404 for any other (existence
   * is not revealed).
   */
  async get(user: User, teamId: string): Promise<TeamWithRole> {
    const found = await visibleTeamOf(this.db, teamId, user);
    if (!found) throw new NotFound();
    return found;
  }

  /** The team as its member sees it: its members, invitations and changes are for members only. */
  private async membership(user: User, teamId: string): Promise<TeamWithRole> {
    const found = await teamOf(this.db, teamId, user.id);
    if (!found) throw new NotFound();
    return found;
  }

  /** A new team owned by its creator; under `parentId` when given, a team the creator administers. */
  create(
    user: User,
    name: string,
    audit?: AuditContext,
    parentId: string | null = null,
  ): Promise<TeamWithRole> {
    return this.db.transaction(async (tx) => {
      if (parentId) {
        // No move meanwhile: the parent's depth and organization checked here are those the trigger writes under.
        await shareTree(tx);
        const parent = await this.parentFor(tx, user, parentId);
        if (parent.organizationId !== user.organizationId)
          throw new ValidationFailed({ parent: ['A sub-team belongs to the organization of its parent.'] });
        if (depthOf(parent) >= MAX_DEPTH)
          throw new ValidationFailed({ parent: [`A tree has at most ${MAX_DEPTH} levels.`] });
      }
      const created = await insertTeam(tx, name, user, parentId);
      await recordAudit(tx, {
        ...auditContext(user, audit),
        event: 'team.created',
        target: teamTarget(created.team),
        ...(parentId ? { details: { parent: parentId } } : {}),
      });
      return created;
    });
  }

  /**
   * A team the user administers, to be a parent (DESIGN.md §12: both the team and its parent are theirs to
   * administer). One they only see, or none, is refused as an unknown id.
   */
  private async parentFor(tx: Db, user: User, parentId: string) {
    const role = await roleIn(tx, parentId, user.id);
    const parent = role ? await treeRowOf(tx, parentId) : undefined;
    if (!parent || !teamAbilities(role).put)
      throw new ValidationFailed({ parent: ['No team you administer has this id.'] });
    return parent;
  }

  /**
   * Puts the team under another (or at the root with null), with its whole subtree. The tree is held alone meanwhile
   * (lockTree), so two moves cannot close a cycle between them and a sub-team created meanwhile moves too.
   */
  async move(
    user: User,
    teamId: string,
    parentId: string | null,
    audit?: AuditContext,
  ): Promise<TeamWithRole> {
    const found = await this.membership(user, teamId);
    if (!teamAbilities(found.role).put)
      throw new PermissionDenied('Only administrators and owners can move a team.');
    await this.db.transaction(async (tx) => {
      await lockTree(tx);
      const team = await treeRowOf(tx, teamId);
      if (!team) throw new NotFound();
      const from = team.parentId;
      if (parentId === from) return;
      if (parentId) {
        const parent = await this.parentFor(tx, user, parentId);
        if (parent.path.startsWith(team.path))
          throw new ValidationFailed({
            parent: ['A team cannot be moved under itself or one of its sub-teams.'],
          });
        if (parent.organizationId !== team.organizationId)
          throw new ValidationFailed({ parent: ['A team and its parent belong to the same organization.'] });
        if (depthOf(parent) + 1 + team.height > MAX_DEPTH)
          throw new ValidationFailed({ parent: [`A tree has at most ${MAX_DEPTH} levels.`] });
      }
      await setParent(tx, teamId, parentId);
      await recordAudit(tx, {
        ...auditContext(user, audit),
        event: 'team.moved',
        target: teamTarget(found.team),
        details: { from, to: parentId },
      });
    });
    return this.get(user, teamId);
  }

  async rename(user: User, teamId: string, name: string): Promise<TeamWithRole> {
    const found = await this.get(user, teamId);
    if (!teamAbilities(found.role, found.managedBy).put)
      throw new PermissionDenied('Only administrators and owners can change a team.');
    return { ...found, team: await renameTeam(this.db, teamId, name) };
  }

  async remove(user: User, teamId: string, audit?: AuditContext): Promise<void> {
    const { role, team } = await this.get(user, teamId);
    if (!teamAbilities(role).delete) throw new PermissionDenied('Only owners can delete a team.');
    await this.db.transaction(async (tx) => {
      // Its sub-teams become roots (the foreign key sets their parent to null): a move of each.
      await lockTree(tx);
      await deleteTeam(tx, teamId);
      await recordAudit(tx, {
        ...auditContext(user, audit),
        event: 'team.deleted',
        target: teamTarget(team),
      });
    });
  }

  private view(
    row: AccessRow,
    requesterRole: Role,
    requester: User,
    managedBy: ManagedBy | null,
  ): AccessView {
    return {
      ...row,
      abilities: accessAbilities({
        requesterRole,
        targetRole: row.role,
        isSelf: row.userId === requester.id,
        ownerCount: row.ownerCount,
        managed: managedBy !== null,
      }),
    };
  }

  /**
   * DESIGN.md §9: refuses a membership change on a team a SCIM client manages, read in the change's own transaction
   * with the team row held, so a team that becomes managed meanwhile cannot let one through.
   */
  private async refuseIfManaged(tx: Db, teamId: string): Promise<void> {
    const managedBy = await lockManagedBy(tx, teamId);
    if (managedBy === undefined) throw new NotFound();
    if (managedBy) throw new PermissionDenied(managedMessage(managedBy));
  }

  async accesses(
    user: User,
    teamId: string,
    options: { q?: string; ordering: AccessOrdering; limit: number; offset: number },
  ): Promise<{ role: Role; rows: AccessView[]; count: number }> {
    const { role, managedBy } = await this.membership(user, teamId);
    const rows = await listAccesses(this.db, teamId, options);
    let count = rows[0]?.total ?? 0;
    if (!rows.length && options.offset > 0)
      count = (await listAccesses(this.db, teamId, { ...options, limit: 1, offset: 0 }))[0]?.total ?? 0;
    return { role, rows: rows.map((r) => this.view(r, role, user, managedBy)), count };
  }

  async access(user: User, teamId: string, accessId: string): Promise<AccessView> {
    const { role, managedBy } = await this.membership(user, teamId);
    const row = await accessRow(this.db, teamId, accessId);
    if (!row) throw new NotFound();
    return this.view(row, role, user, managedBy);
  }

  async grant(
    user: User,
    teamId: string,
    targetUserId: string,
    role: Role,
    audit?: AuditContext,
  ): Promise<AccessView> {
    const { role: requesterRole, managedBy } = await this.membership(user, teamId);
    if (managedBy) throw new PermissionDenied(managedMessage(managedBy));
    if (!teamAbilities(requesterRole).manage_accesses)
      throw new PermissionDenied('Only administrators and owners can add members.');
    if (!mayGrant(requesterRole, role)) throw new PermissionDenied('Only owners can make someone an owner.');
    // Only a colleague (DESIGN.md §5 "Isolation"): a user of another organization gets the answer of an unknown id.
    const target = await findActiveColleagueById(this.db, targetUserId, user.organizationId);
    if (!target) throw new ValidationFailed({ user: ['No active user has this id.'] });
    const access = await this.db.transaction(async (tx) => {
      await this.refuseIfManaged(tx, teamId);
      const inserted = await insertAccess(tx, teamId, target.id, role);
      if (inserted)
        await recordAudit(tx, {
          ...auditContext(user, audit),
          event: 'access.created',
          target: userParty(target),
          details: { team: teamId, access: inserted.id, role },
        });
      return inserted;
    });
    if (!access) throw new ValidationFailed({ user: ['This user is already a member of the team.'] });
    return this.access(user, teamId, access.id);
  }

  /**
   * Runs a change of one access inside a transaction that holds the team's owner rows, so the last-owner
   * rule cannot be raced; `change` gets the rule context of that access.
   */
  private async withLockedAccess(
    user: User,
    teamId: string,
    accessId: string,
    change: (tx: Db, context: AccessContext, row: AccessRow) => Promise<void>,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      const requesterRole = await roleIn(tx, teamId, user.id);
      if (!requesterRole) throw new NotFound();
      // Before any other rule: a managed team's own members may not even leave it (the directory decides).
      await this.refuseIfManaged(tx, teamId);
      const ownerCount = await lockOwners(tx, teamId);
      const row = await accessRow(tx, teamId, accessId);
      if (!row) throw new NotFound();
      await change(
        tx,
        { requesterRole, targetRole: row.role, isSelf: row.userId === user.id, ownerCount },
        row,
      );
    });
  }

  async changeRole(
    user: User,
    teamId: string,
    accessId: string,
    role: Role,
    audit?: AuditContext,
  ): Promise<AccessView> {
    await this.withLockedAccess(user, teamId, accessId, async (tx, context, row) => {
      if (role === context.targetRole && teamAbilities(context.requesterRole).manage_accesses) return;
      if (context.isSelf && role !== 'owner' && isLastOwner(context))
        throw new BadRequest(LAST_OWNER_MESSAGE);
      const abilities = accessAbilities(context);
      if (!abilities.put) throw new PermissionDenied("You cannot change this member's role.");
      if (!abilities.set_role_to.includes(role))
        throw new PermissionDenied(`You cannot give the role ${role}.`);
      await setAccessRole(tx, accessId, role);
      await recordAudit(tx, {
        ...auditContext(user, audit),
        event: 'access.role_changed',
        target: memberTarget(row),
        details: { team: teamId, access: accessId, from: context.targetRole, to: role },
      });
    });
    return this.access(user, teamId, accessId);
  }

  async revoke(user: User, teamId: string, accessId: string, audit?: AuditContext): Promise<void> {
    await this.withLockedAccess(user, teamId, accessId, async (tx, context, row) => {
      if (context.isSelf && isLastOwner(context)) throw new BadRequest(LAST_OWNER_MESSAGE);
      if (!accessAbilities(context).delete) throw new PermissionDenied('You cannot remove this member.');
      await deleteAccess(tx, accessId);
      await recordAudit(tx, {
        ...auditContext(user, audit),
        event: 'access.removed',
        target: memberTarget(row),
        details: { team: teamId, access: accessId, role: context.targetRole },
      });
    });
  }
}
