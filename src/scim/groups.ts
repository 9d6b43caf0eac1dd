// SCIM Groups (DESIGN.md §9): teams of the organization that its directory manages. Members are users of the same
// organization with the role member; membership changes are deltas in SQL, so a 10,000-member group is never loaded
// to add one member. Each change is one transaction with its audit events.
import { eq } from 'drizzle-orm';
import { type AuditEvent, recordAudits } from '../audit/index.ts';
import type { Database, Db } from '../platform/database.ts';
import { lockTree, teams } from '../teams/index.ts';
import { type GroupRow, groupDocument, type MemberRow, readGroup, UUID } from './documents.ts';
import { InvalidValue, ScimNotFound } from './errors.ts';
import type { FilterNode } from './filter-ast.ts';
import { groupFilterSql } from './filter-sql.ts';
import { applyPatch, type MemberChanges } from './patch.ts';
import {
  addMembers,
  findGroup,
  listGroups,
  membersOf,
  type Page,
  removeMembers,
  usersOfOrganization,
} from './queries.ts';
import type { ScimCaller } from './users.ts';

export class ScimGroupService {
  constructor(
    private readonly database: Database,
    private readonly now: () => number = Date.now,
  ) {}

  list(
    caller: ScimCaller,
    filter: FilterNode | undefined,
    offset: number,
    limit: number,
  ): Promise<Page<GroupRow>> {
    return listGroups(
      this.database.db,
      caller.client.organizationId,
      filter ? groupFilterSql(filter) : undefined,
      offset,
      limit,
    );
  }

  async get(caller: ScimCaller, id: string): Promise<GroupRow> {
    const row = UUID.test(id)
      ? await findGroup(this.database.db, caller.client.organizationId, id)
      : undefined;
    if (!row) throw new ScimNotFound(`Group ${id} not found.`);
    return row;
  }

  members(groupIds: string[]): Promise<Map<string, MemberRow[]>> {
    return membersOf(this.database.db, groupIds);
  }

  async create(caller: ScimCaller, body: unknown): Promise<GroupRow> {
    const input = readGroup(body);
    const organizationId = caller.client.organizationId;
    return this.database.db.transaction(async (tx) => {
      await this.checkMembers(tx, organizationId, input.members);
      const at = new Date(this.now());
      const [team] = await tx
        .insert(teams)
        .values({
          name: input.displayName,
          organizationId,
          scimClientId: caller.client.id,
          scimExternalId: input.externalId,
          createdAt: at,
          updatedAt: at,
        })
        .returning({ id: teams.id });
      if (!team) throw new Error('insert returned no team');
      const added = await addMembers(tx, team.id, input.members);
      await recordAudits(tx, [
        {
          ...caller.audit,
          event: 'scim.group_created',
          target: { type: 'team', id: team.id, label: input.displayName },
          details: { members: added.length },
        },
        ...this.accessEvents(caller, { id: team.id, name: input.displayName }, added, []),
      ]);
      return {
        id: team.id,
        displayName: input.displayName,
        externalId: input.externalId,
        created: at,
        lastModified: at,
      };
    });
  }

  /** PUT: displayName, externalId and the member list as sent (RFC 7644 §3.5.1). */
  replace(caller: ScimCaller, id: string, body: unknown): Promise<GroupRow> {
    return this.change(caller, id, () => {
      const input = readGroup(body);
      return { input, members: { replace: input.members, add: [], remove: [] } };
    });
  }

  /** PATCH: attribute operations on the group without its members; member operations as deltas (patch.ts). */
  patch(caller: ScimCaller, id: string, body: unknown): Promise<GroupRow> {
    return this.change(caller, id, (current) => {
      const plan = applyPatch('Group', groupDocument(current, undefined, ''), body);
      return { input: readGroup({ ...plan.document, members: undefined }), members: plan.members };
    });
  }

  private async change(
    caller: ScimCaller,
    id: string,
    next: (current: GroupRow) => { input: ReturnType<typeof readGroup>; members: MemberChanges | undefined },
  ): Promise<GroupRow> {
    const organizationId = caller.client.organizationId;
    if (!UUID.test(id)) throw new ScimNotFound(`Group ${id} not found.`);
    return this.database.db.transaction(async (tx) => {
      // The team row is locked: two PATCHes of one group apply one after the other, never interleaved.
      const current = await findGroup(tx, organizationId, id, true);
      if (!current) throw new ScimNotFound(`Group ${id} not found.`);
      const { input, members } = next(current);
      const events: AuditEvent[] = [];
      const renamed = input.displayName !== current.displayName || input.externalId !== current.externalId;
      let added: string[] = [];
      let removed: string[] = [];
      if (members) {
        const wanted = members.replace ?? members.add;
        await this.checkMembers(tx, organizationId, wanted);
        if (members.replace) removed = await removeMembers(tx, id, { allBut: members.replace });
        else if (members.removeAll) removed = await removeMembers(tx, id, { allBut: [] });
        else if (members.remove.length) removed = await removeMembers(tx, id, { only: members.remove });
        added = await addMembers(tx, id, wanted);
      }
      const changed = renamed || added.length > 0 || removed.length > 0;
      const lastModified = changed ? new Date(this.now()) : current.lastModified;
      if (changed) {
        // A change by a client makes it the team's manager: after a token rotation the new client takes over.
        await tx
          .update(teams)
          .set({
            name: input.displayName,
            scimExternalId: input.externalId,
            scimClientId: caller.client.id,
            updatedAt: lastModified,
          })
          .where(eq(teams.id, id));
        events.push({
          ...caller.audit,
          event: 'scim.group_changed',
          target: { type: 'team', id, label: input.displayName },
          details: {
            ...(input.displayName !== current.displayName
              ? { name: { from: current.displayName, to: input.displayName } }
              : {}),
            added: added.length,
            removed: removed.length,
          },
        });
        events.push(...this.accessEvents(caller, { id, name: input.displayName }, added, removed));
        await recordAudits(tx, events);
      }
      return {
        id,
        displayName: input.displayName,
        externalId: input.externalId,
        created: current.created,
        lastModified,
      };
    });
  }

  async delete(caller: ScimCaller, id: string): Promise<void> {
    const organizationId = caller.client.organizationId;
    if (!UUID.test(id)) throw new ScimNotFound(`Group ${id} not found.`);
    await this.database.db.transaction(async (tx) => {
      // Its sub-teams become roots (a move of each): the tree is held first, as a team's deletion in Desk does.
      await lockTree(tx);
      const current = await findGroup(tx, organizationId, id, true);
      if (!current) throw new ScimNotFound(`Group ${id} not found.`);
      await tx.delete(teams).where(eq(teams.id, id));
      await recordAudits(tx, [
        {
          ...caller.audit,
          event: 'scim.group_deleted',
          target: { type: 'team', id, label: current.displayName },
        },
      ]);
    });
  }

  /** DESIGN.md §9: members are users of the same organization; another organization's id, or an unknown one, is 400. */
  private async checkMembers(tx: Db, organizationId: string, ids: string[]): Promise<void> {
    if (!ids.length) return;
    const known = await usersOfOrganization(tx, organizationId, ids);
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length)
      throw new InvalidValue(
        `No user ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` (and ${unknown.length - 5} more)` : ''} in this organization.`,
      );
  }

  private accessEvents(
    caller: ScimCaller,
    team: { id: string; name: string },
    added: string[],
    removed: string[],
  ): AuditEvent[] {
    const target = { type: 'team', id: team.id, label: team.name };
    return [
      ...added.map((userId) => ({
        ...caller.audit,
        event: 'access.created' as const,
        target,
        details: { user_id: userId, role: 'member' },
      })),
      ...removed.map((userId) => ({
        ...caller.audit,
        event: 'access.removed' as const,
        target,
        details: { user_id: userId },
      })),
    ];
  }
}
