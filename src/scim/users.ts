// SCIM Users (DESIGN.md §9): an organization's directory creates, changes, deactivates and removes its agents. Each
// change is one transaction with its audit events; sessions end after the commit, on every pod (shared store).
import { eq } from 'drizzle-orm';
import { type AuditContext, type AuditEvent, recordAudit, recordAudits } from '../audit/index.ts';
import { domainOf, organizationsOfEmailDomain } from '../organizations/index.ts';
import type { Config } from '../platform/config.ts';
import type { Database, Db } from '../platform/database.ts';
import { isUniqueViolation } from '../platform/errors.ts';
import {
  findUsersByEmail,
  insertUser,
  lockUserEmail,
  type User,
  type UserLifecycle,
  updateUser,
} from '../users/index.ts';
import {
  deskEmailOf,
  deskNameOf,
  readUser,
  type UserInput,
  type UserRow,
  UUID,
  userDocument,
} from './documents.ts';
import { InvalidValue, ScimNotFound, Uniqueness } from './errors.ts';
import type { FilterNode } from './filter-ast.ts';
import { userFilterSql } from './filter-sql.ts';
import { applyPatch } from './patch.ts';
import { adoptableUsers, findUser, listUsers, lockUser, type Page, removeFromTeams } from './queries.ts';
import { type ScimClient, scimUsers } from './schema.ts';

/** What SCIM asks of the session store (auth's SessionStore): auth asks SCIM at sign-in, so SCIM names no auth type. */
export interface SessionsOfUser {
  /** Ends every session of the user, on every pod. */
  destroyAllForUser(userId: string): Promise<number>;
}

/** Who calls: the client (its organization scopes everything) and where the request came from, for the audit log. */
export interface ScimCaller {
  client: ScimClient;
  audit: AuditContext;
}

export function scimActor(client: ScimClient): AuditContext['actor'] {
  return { type: 'scim_client', id: client.id, label: client.name };
}

export class ScimUserService {
  constructor(
    private readonly database: Database,
    private readonly config: Config,
    private readonly sessions: SessionsOfUser,
    private readonly lifecycle: UserLifecycle,
    private readonly now: () => number = Date.now,
  ) {}

  list(
    caller: ScimCaller,
    filter: FilterNode | undefined,
    offset: number,
    limit: number,
  ): Promise<Page<UserRow>> {
    return listUsers(
      this.database.db,
      caller.client.organizationId,
      filter ? userFilterSql(filter) : undefined,
      offset,
      limit,
    );
  }

  async get(caller: ScimCaller, id: string): Promise<UserRow> {
    const row = UUID.test(id)
      ? await findUser(this.database.db, caller.client.organizationId, id)
      : undefined;
    if (!row) throw new ScimNotFound(`User ${id} not found.`);
    return row;
  }

  async create(caller: ScimCaller, body: unknown): Promise<UserRow> {
    const input = readUser(body);
    const organizationId = caller.client.organizationId;
    const email = deskEmailOf(input.emails);
    if (email) await this.refuseAnotherOrganizationsAddress(email, organizationId);
    const { row, user, created } = await this.database.db.transaction(async (tx) => {
      if (email) await lockUserEmail(tx, email);
      // Someone who signed in before the directory was connected is adopted, not duplicated.
      const adoptable = email ? await adoptableUsers(tx, organizationId, email) : [];
      if (adoptable.length > 1)
        throw new Uniqueness(`Several accounts of the organization use ${email}; staff must resolve it.`);
      let user: User;
      const created = !adoptable[0];
      if (adoptable[0]) {
        user = await updateUser(tx, adoptable[0].id, {
          name: deskNameOf(input),
          isActive: input.active,
        });
      } else {
        if (
          email &&
          !this.config.OIDC_ALLOW_DUPLICATE_EMAILS &&
          (await findUsersByEmail(tx, email, 1)).length
        )
          throw new Uniqueness(`Another account already uses ${email}.`);
        user = await insertUser(tx, {
          sub: null,
          email,
          name: deskNameOf(input),
          organizationId,
          isActive: input.active,
        });
      }
      const at = new Date(this.now());
      // The unique index decides a race between two POSTs of one userName: the loser gets 409, nothing written.
      const inserted = await tx
        .insert(scimUsers)
        .values({
          userId: user.id,
          organizationId,
          clientId: caller.client.id,
          ...stored(input),
          createdAt: at,
          updatedAt: at,
        })
        .onConflictDoNothing()
        .returning({ userId: scimUsers.userId });
      if (!inserted.length)
        throw new Uniqueness(`userName ${JSON.stringify(input.userName)} is already provisioned.`);
      await recordAudit(tx, {
        ...caller.audit,
        event: 'scim.user_created',
        target: { type: 'user', id: user.id, label: email ?? input.userName },
        details: { user_name: input.userName, adopted: !created, active: input.active },
      });
      // Invitations to the address become memberships, as for any new user (DESIGN.md §4).
      if (created) await this.lifecycle.userCreated(tx, user);
      const row: UserRow = { ...input, id: user.id, active: user.isActive, created: at, lastModified: at };
      return { row, user, created };
    });
    if (!user.isActive && !created) await this.sessions.destroyAllForUser(user.id);
    return row;
  }

  /** PUT: the whole resource as sent (RFC 7644 §3.5.1); attributes left out are cleared. */
  replace(caller: ScimCaller, id: string, body: unknown): Promise<UserRow> {
    return this.change(caller, id, () => readUser(body));
  }

  /** PATCH (RFC 7644 §3.5.2): the operations applied to the resource as it is, then stored as a whole. */
  patch(caller: ScimCaller, id: string, body: unknown): Promise<UserRow> {
    return this.change(caller, id, (current) => {
      const plan = applyPatch('User', userDocument(current, ''), body);
      return readUser(plan.document);
    });
  }

  private async change(
    caller: ScimCaller,
    id: string,
    next: (current: UserRow) => UserInput,
  ): Promise<UserRow> {
    const organizationId = caller.client.organizationId;
    if (!UUID.test(id)) throw new ScimNotFound(`User ${id} not found.`);
    const { row, deactivated } = await userNameDecidedByIndex(async (tx) => {
      const current = await lockUser(tx, organizationId, id);
      if (!current) throw new ScimNotFound(`User ${id} not found.`);
      const input = next(current);
      const email = deskEmailOf(input.emails);
      const emailChanged = email !== null && email.toLowerCase() !== (current.email ?? '').toLowerCase();
      if (emailChanged) {
        await lockUserEmail(tx, email);
        await this.refuseAnotherOrganizationsAddress(email, organizationId, tx);
        if (
          !this.config.OIDC_ALLOW_DUPLICATE_EMAILS &&
          (await findUsersByEmail(tx, email)).some((other) => other.id !== id)
        )
          throw new Uniqueness(`Another account already uses ${email}.`);
      }
      const changes: Partial<User> = {};
      const name = deskNameOf(input);
      if (name !== current.name) changes.name = name;
      if (emailChanged) changes.email = email;
      if (input.active !== current.active) changes.isActive = input.active;
      const updated = Object.keys(changes).length ? await updateUser(tx, id, changes) : undefined;
      const at = new Date(this.now());
      await tx
        .update(scimUsers)
        .set({ ...stored(input), clientId: caller.client.id, updatedAt: at })
        .where(eq(scimUsers.userId, id));
      const label = (updated ?? current).email ?? input.userName;
      const events: AuditEvent[] = [
        {
          ...caller.audit,
          event: 'scim.user_changed',
          target: { type: 'user', id, label },
          details: { user_name: input.userName, changed: Object.keys(changes) },
        },
      ];
      if (changes.isActive !== undefined)
        events.push({
          ...caller.audit,
          event: changes.isActive ? 'user.enabled' : 'user.disabled',
          target: { type: 'user', id, label },
        });
      await recordAudits(tx, events);
      if (emailChanged && updated) await this.lifecycle.userEmailChanged(tx, updated);
      const row: UserRow = { ...input, id, active: input.active, created: current.created, lastModified: at };
      return { row, deactivated: changes.isActive === false };
    }, this.database.db);
    // DESIGN.md §9: active false ends their sessions, on every pod (the session index is in the shared store).
    if (deactivated) await this.sessions.destroyAllForUser(id);
    return row;
  }

  /** DELETE: disabled, removed from teams (not where they are the last owner), then unknown to SCIM. */
  async delete(caller: ScimCaller, id: string): Promise<void> {
    const organizationId = caller.client.organizationId;
    if (!UUID.test(id)) throw new ScimNotFound(`User ${id} not found.`);
    await this.database.db.transaction(async (tx) => {
      const current = await lockUser(tx, organizationId, id);
      if (!current) throw new ScimNotFound(`User ${id} not found.`);
      const user = await updateUser(tx, id, { isActive: false });
      const removed = await removeFromTeams(tx, id);
      await tx.delete(scimUsers).where(eq(scimUsers.userId, id));
      const target = { type: 'user', id, label: user.email ?? current.userName };
      await recordAudits(tx, [
        {
          ...caller.audit,
          event: 'scim.user_deleted',
          target,
          details: { user_name: current.userName, teams_left: removed.length },
        },
        ...(current.active ? [{ ...caller.audit, event: 'user.disabled' as const, target }] : []),
        ...removed.map((access) => ({
          ...caller.audit,
          event: 'access.removed' as const,
          target: { type: 'team', id: access.team_id, label: access.team_name },
          details: { user_id: id, role: access.role },
        })),
      ]);
    });
    await this.sessions.destroyAllForUser(id);
  }

  /**
   * DESIGN.md §5 isolation: an address under another organization's email domain names that organization's agent;
   * provisioning it here would take their identity (their first sign-in would be refused as a duplicate).
   */
  private async refuseAnotherOrganizationsAddress(email: string, organizationId: string, db?: Db) {
    const domain = domainOf(email);
    if (!domain) return;
    const owners = await organizationsOfEmailDomain(db ?? this.database.db, domain);
    if (owners.some((o) => o !== organizationId))
      throw new InvalidValue(`${email} belongs to another organization's email domain.`);
  }
}

/** Two renames to one userName: the unique index decides, and the loser gets 409, not 500. */
async function userNameDecidedByIndex<T>(work: (tx: Db) => Promise<T>, db: Db): Promise<T> {
  try {
    return await db.transaction(work);
  } catch (error) {
    if (isUniqueViolation(error)) throw new Uniqueness('userName is already provisioned.');
    throw error;
  }
}

function stored(input: UserInput) {
  return {
    userName: input.userName,
    externalId: input.externalId,
    givenName: input.givenName,
    familyName: input.familyName,
    formatted: input.formatted,
    displayName: input.displayName,
    emails: input.emails,
  };
}
