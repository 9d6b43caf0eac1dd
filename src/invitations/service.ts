// The rules of invitations (DESIGN.md §4): who may invite, one per email and team, 7-day validity, conversion at sign-in.
import { type AuditContext, recordAudit, userParty } from '../audit/index.ts';
import type { Config } from '../platform/config.ts';
import type { Database, Db } from '../platform/database.ts';
import { NotFound, PermissionDenied, ValidationFailed } from '../platform/errors.ts';
import {
  insertAccess,
  lockManagedBy,
  managedMessage,
  mayGrant,
  type Role,
  roleIn,
  teamAbilities,
} from '../teams/index.ts';
import { findActiveColleaguesByEmail, type SignInContext, type User } from '../users/index.ts';
import {
  convertInvitations,
  deleteInvitation,
  findInvitation,
  type InvitationRow,
  insertInvitation,
  listInvitations,
} from './queries.ts';

export type InvitationOutcome =
  | { kind: 'invitation'; invitation: InvitationRow }
  | { kind: 'access'; accessId: string; user: User };

/** What an invitation may trigger once created (the email), run inside its transaction. */
export type InvitationCreated = (
  tx: Db,
  invitation: InvitationRow,
  issuer: User,
  teamId: string,
) => Promise<void>;

export class InvitationService {
  private readonly onCreated: InvitationCreated[] = [];

  constructor(
    private readonly database: Database,
    private readonly config: Config,
    private readonly now: () => number = Date.now,
  ) {}

  afterCreate(hook: InvitationCreated): void {
    this.onCreated.push(hook);
  }

  /** Invitations created before this instant have expired. */
  cutoff(): Date {
    return new Date(this.now() - this.config.INVITATION_VALIDITY_DURATION * 1000);
  }

  private async requireRole(user: User, teamId: string): Promise<Role> {
    const role = await roleIn(this.database.db, teamId, user.id);
    if (!role) throw new NotFound();
    return role;
  }

  async list(
    user: User,
    teamId: string,
    limit: number,
    offset: number,
  ): Promise<{ rows: InvitationRow[]; count: number }> {
    await this.requireRole(user, teamId);
    const rows = await listInvitations(this.database.db, teamId, this.cutoff(), limit, offset);
    return { rows, count: rows[0]?.total ?? 0 };
  }

  async get(user: User, teamId: string, id: string): Promise<InvitationRow> {
    await this.requireRole(user, teamId);
    const found = await findInvitation(this.database.db, teamId, id, this.cutoff());
    if (!found) throw new NotFound();
    return found;
  }

  async create(
    user: User,
    teamId: string,
    email: string,
    role: Role,
    audit?: AuditContext,
  ): Promise<InvitationOutcome> {
    // Without the request's party, the user alone is the actor.
    const party = audit ?? { actor: userParty(user) };
    const requesterRole = await this.requireRole(user, teamId);
    if (!teamAbilities(requesterRole).manage_accesses)
      throw new PermissionDenied('Only administrators and owners can invite.');
    // The Django system let administrators invite owners: here only owners can.
    if (!mayGrant(requesterRole, role))
      throw new PermissionDenied('Only owners can invite someone as owner.');

    return this.database.db.transaction(async (tx) => {
      // DESIGN.md §9: a managed team's members are the directory's; read with the team held, as the write commits.
      const managedBy = await lockManagedBy(tx, teamId);
      if (managedBy === undefined) throw new NotFound();
      if (managedBy) throw new PermissionDenied(managedMessage(managedBy));
      // Only a colleague of the same organization is added at once: for anyone else the answer is an invitation,
      // as for an unknown address, so inviting never tells whether an account exists elsewhere.
      const [invitee] = await findActiveColleaguesByEmail(tx, email, user.organizationId, 1);
      if (invitee) {
        // An existing user gets the access at once, and the answer says so.
        const access = await insertAccess(tx, teamId, invitee.id, role);
        if (!access) throw new ValidationFailed({ email: ['This user is already a member of the team.'] });
        await recordAudit(tx, {
          ...party,
          event: 'access.created',
          target: userParty(invitee),
          details: { team: teamId, access: access.id, role, via: 'invitation' },
        });
        return { kind: 'access' as const, accessId: access.id, user: invitee };
      }
      const created = await insertInvitation(
        tx,
        {
          teamId,
          email,
          role,
          issuerId: user.id,
          createdAt: new Date(this.now()),
        },
        this.cutoff(),
      );
      if (!created) throw new ValidationFailed({ email: ['This email is already invited to this team.'] });
      const invitation = { ...created, isExpired: false, total: 1 };
      await recordAudit(tx, {
        ...party,
        event: 'invitation.created',
        target: { type: 'invitation', id: invitation.id, label: email },
        details: { team: teamId, role },
      });
      for (const hook of this.onCreated) await hook(tx, invitation, user, teamId);
      return { kind: 'invitation' as const, invitation };
    });
  }

  async remove(user: User, teamId: string, id: string, audit?: AuditContext): Promise<void> {
    const role = await this.requireRole(user, teamId);
    const found = await findInvitation(this.database.db, teamId, id, this.cutoff());
    if (!found) throw new NotFound();
    if (!teamAbilities(role).manage_accesses)
      throw new PermissionDenied('Only administrators and owners can cancel invitations.');
    await this.database.db.transaction(async (tx) => {
      await deleteInvitation(tx, id);
      await recordAudit(tx, {
        ...(audit ?? { actor: userParty(user) }),
        event: 'invitation.cancelled',
        target: { type: 'invitation', id, label: found.email },
        details: { team: teamId, role: found.role },
      });
    });
  }

  /**
   * Lifecycle hook: a user appears, signs in, or their email changes, and their valid invitations become accesses,
   * each audited as any new access (DESIGN.md §5). The email is one the provider verified (see UserHook).
   */
  readonly convertFor = async (tx: Db, user: User, context: SignInContext = {}): Promise<void> => {
    if (!user.email) return;
    const accesses = await convertInvitations(tx, user.id, user.email, this.cutoff());
    for (const access of accesses)
      await recordAudit(tx, {
        actor: userParty(user),
        ip: context.ip ?? null,
        requestId: context.requestId ?? null,
        ...(context.clientRequestId ? { clientRequestId: context.clientRequestId } : {}),
        event: 'access.created',
        target: userParty(user),
        details: { team: access.teamId, access: access.id, role: access.role, via: 'invitation' },
      });
  };

  /**
   * Lifecycle hook of a returning user: invitations follow the stored address only when this login proved it
   * (DESIGN.md §5). An address stored before unverified emails were refused, and sent unverified now, takes none.
   */
  readonly convertAtSignIn = async (tx: Db, user: User, context: SignInContext = {}): Promise<void> => {
    const proved = context.verifiedEmail?.toLowerCase();
    if (!proved || proved !== user.email?.toLowerCase()) return;
    await this.convertFor(tx, user, context);
  };
}
