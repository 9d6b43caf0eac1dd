// The rules of teams and accesses (DESIGN.md §4), applied with the abilities module, inside transactions.
import type { Database, Db } from '../platform/database.ts';
import { BadRequest, NotFound, PermissionDenied, ValidationFailed } from '../platform/errors.ts';
import { findActiveUserById, type User } from '../users/index.ts';
import {
  type AccessAbilities,
  type AccessContext,
  accessAbilities,
  isLastOwner,
  mayGrant,
  teamAbilities,
} from './abilities.ts';
import {
  type AccessOrdering,
  type AccessRow,
  accessRow,
  deleteAccess,
  deleteTeam,
  insertAccess,
  insertTeam,
  listAccesses,
  lockOwners,
  myTeams,
  renameTeam,
  roleIn,
  setAccessRole,
  type TeamOrdering,
  type TeamWithRole,
  teamOf,
} from './queries.ts';
import type { Role } from './schema.ts';

export const LAST_OWNER_MESSAGE = 'A team must keep at least one owner: make another member owner first.';

export interface AccessView extends AccessRow {
  abilities: AccessAbilities;
}

export class TeamService {
  constructor(private readonly database: Database) {}

  private get db(): Db {
    return this.database.db;
  }

  list(user: User, ordering: TeamOrdering): Promise<TeamWithRole[]> {
    return myTeams(this.db, user.id, ordering);
  }

  /** The team as the user sees it; 404 for teams they are not in (existence is not revealed). */
  async get(user: User, teamId: string): Promise<TeamWithRole> {
    const found = await teamOf(this.db, teamId, user.id);
    if (!found) throw new NotFound();
    return found;
  }

  create(user: User, name: string): Promise<TeamWithRole> {
    return this.db.transaction((tx) => insertTeam(tx, name, user));
  }

  async rename(user: User, teamId: string, name: string): Promise<TeamWithRole> {
    const found = await this.get(user, teamId);
    if (!teamAbilities(found.role).put)
      throw new PermissionDenied('Only administrators and owners can change a team.');
    return { ...found, team: await renameTeam(this.db, teamId, name) };
  }

  async remove(user: User, teamId: string): Promise<void> {
    const { role } = await this.get(user, teamId);
    if (!teamAbilities(role).delete) throw new PermissionDenied('Only owners can delete a team.');
    await deleteTeam(this.db, teamId);
  }

  private view(row: AccessRow, requesterRole: Role, requester: User): AccessView {
    return {
      ...row,
      abilities: accessAbilities({
        requesterRole,
        targetRole: row.role,
        isSelf: row.userId === requester.id,
        ownerCount: row.ownerCount,
      }),
    };
  }

  async accesses(
    user: User,
    teamId: string,
    options: { q?: string; ordering: AccessOrdering; limit: number; offset: number },
  ): Promise<{ role: Role; rows: AccessView[]; count: number }> {
    const { role } = await this.get(user, teamId);
    const rows = await listAccesses(this.db, teamId, options);
    let count = rows[0]?.total ?? 0;
    if (!rows.length && options.offset > 0)
      count = (await listAccesses(this.db, teamId, { ...options, limit: 1, offset: 0 }))[0]?.total ?? 0;
    return { role, rows: rows.map((r) => this.view(r, role, user)), count };
  }

  async access(user: User, teamId: string, accessId: string): Promise<AccessView> {
    const { role } = await this.get(user, teamId);
    const row = await accessRow(this.db, teamId, accessId);
    if (!row) throw new NotFound();
    return this.view(row, role, user);
  }

  async grant(user: User, teamId: string, targetUserId: string, role: Role): Promise<AccessView> {
    const { role: requesterRole } = await this.get(user, teamId);
    if (!teamAbilities(requesterRole).manage_accesses)
      throw new PermissionDenied('Only administrators and owners can add members.');
    if (!mayGrant(requesterRole, role)) throw new PermissionDenied('Only owners can make someone an owner.');
    const target = await findActiveUserById(this.db, targetUserId);
    if (!target) throw new ValidationFailed({ user: ['No active user has this id.'] });
    const access = await this.db.transaction((tx) => insertAccess(tx, teamId, target.id, role));
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
    change: (tx: Db, context: AccessContext) => Promise<void>,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      const requesterRole = await roleIn(tx, teamId, user.id);
      if (!requesterRole) throw new NotFound();
      const ownerCount = await lockOwners(tx, teamId);
      const row = await accessRow(tx, teamId, accessId);
      if (!row) throw new NotFound();
      await change(tx, { requesterRole, targetRole: row.role, isSelf: row.userId === user.id, ownerCount });
    });
  }

  async changeRole(user: User, teamId: string, accessId: string, role: Role): Promise<AccessView> {
    await this.withLockedAccess(user, teamId, accessId, async (tx, context) => {
      if (role === context.targetRole && teamAbilities(context.requesterRole).manage_accesses) return;
      if (context.isSelf && role !== 'owner' && isLastOwner(context))
        throw new BadRequest(LAST_OWNER_MESSAGE);
      const abilities = accessAbilities(context);
      if (!abilities.put) throw new PermissionDenied("You cannot change this member's role.");
      if (!abilities.set_role_to.includes(role))
        throw new PermissionDenied(`You cannot give the role ${role}.`);
      await setAccessRole(tx, accessId, role);
    });
    return this.access(user, teamId, accessId);
  }

  async revoke(user: User, teamId: string, accessId: string): Promise<void> {
    await this.withLockedAccess(user, teamId, accessId, async (tx, context) => {
      if (context.isSelf && isLastOwner(context)) throw new BadRequest(LAST_OWNER_MESSAGE);
      if (!accessAbilities(context).delete) throw new PermissionDenied('You cannot remove this member.');
      await deleteAccess(tx, accessId);
    });
  }
}
