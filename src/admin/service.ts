// The rules of the staff back office: who may change whom (never oneself, never the last superuser, staff rights
// by superusers only), with every change and its audit event in one transaction.
import { type AuditContext, recordAudit } from '../audit/index.ts';
import type { SessionStore } from '../auth/index.ts';
import type { Database, Db } from '../platform/database.ts';
import {
  Conflict,
  isUniqueViolation,
  NotFound,
  PermissionDenied,
  ValidationFailed,
} from '../platform/errors.ts';
import {
  changesStaffAccounts,
  claimStaffEmail,
  leavesNoSuperuser,
  lockSuperusersWhoMayAct,
  mayChangeAccount,
  StaffEmailTaken,
  type User,
} from '../users/index.ts';
import {
  deleteInvitation,
  jobById,
  lockUserFlags,
  renameServiceProvider,
  retryJob,
  setUserFlags,
  userDetail,
} from './queries.ts';

async function claimStaffEmailOrConflict(tx: Db, email: string, id: string): Promise<void> {
  try {
    await claimStaffEmail(tx, email, id);
  } catch (err) {
    if (err instanceof StaffEmailTaken)
      throw new Conflict('Another staff account already has this email address: staff emails are unique.');
    throw err;
  }
}

export class AdminService {
  constructor(
    private readonly database: Database,
    private readonly sessions: SessionStore,
    private readonly now: () => number = Date.now,
  ) {}

  async user(id: string) {
    const found = await userDetail(this.database.db, id);
    if (!found) throw new NotFound();
    return found;
  }

  /**
   * Disables or enables an account, or grants or revokes staff. Powers are ordered (DESIGN.md §8): staff disable and
   * enable agents; only superusers change staff and superuser accounts or grant and revoke staff. A disabled user's
   * sessions end at once on every pod (the index lives in the shared store) and their bearer tokens stop at the next
   * request (the resource server checks the user each time).
   */
  async updateUser(
    me: User,
    id: string,
    changes: { is_active?: boolean; is_staff?: boolean },
    party: AuditContext,
  ) {
    const target = await this.user(id);
    if (changes.is_active === false && id === me.id)
      throw new ValidationFailed({ is_active: ['You cannot disable your own account.'] });
    // Only superusers grant staff: anyone else is refused below for that, whatever the email.
    const grantsStaff =
      changes.is_staff === true && !target.user.isStaff && changesStaffAccounts(me) && target.user.email;
    const updated = await this.database.db.transaction(async (tx) => {
      // Staff emails are unique (as `desk createsuperuser` keeps them): its lock comes first, as there, so the two
      // wait for each other, never deadlock.
      if (grantsStaff) await claimStaffEmailOrConflict(tx, grantsStaff, id);
      // The superusers first, then the target, always in this order: two changes racing wait, never deadlock. Only
      // those able to act count (an organization deactivated meanwhile shuts its superusers out too).
      const superusers = await lockSuperusersWhoMayAct(tx);
      // Decided on the rows as they are now, locked: a grant of staff racing a disable cannot slip between.
      const now = await lockUserFlags(tx, id);
      if (!now) throw new NotFound();
      if (!mayChangeAccount(me, now))
        throw new PermissionDenied('Only superusers change staff and superuser accounts.');
      if (changes.is_staff !== undefined && changes.is_staff !== now.isStaff && !changesStaffAccounts(me))
        throw new PermissionDenied('Only superusers grant or revoke staff rights.');
      if (changes.is_active === false && leavesNoSuperuser(superusers, (s) => s.id === id))
        throw new ValidationFailed({ is_active: ['The last active superuser cannot be disabled.'] });
      const user = await setUserFlags(tx, id, {
        ...(changes.is_active !== undefined ? { isActive: changes.is_active } : {}),
        ...(changes.is_staff !== undefined ? { isStaff: changes.is_staff } : {}),
      });
      const target_ = { type: 'user', id, label: user.email ?? user.name };
      if (changes.is_active !== undefined && changes.is_active !== now.isActive)
        await recordAudit(tx, {
          ...party,
          event: changes.is_active ? 'user.enabled' : 'user.disabled',
          target: target_,
        });
      if (changes.is_staff !== undefined && changes.is_staff !== now.isStaff)
        await recordAudit(tx, {
          ...party,
          event: changes.is_staff ? 'user.staff_granted' : 'user.staff_revoked',
          target: target_,
        });
      return user;
    });
    if (changes.is_active === false) await this.sessions.destroyAllForUser(id);
    return { ...target, user: updated };
  }

  async cancelInvitation(id: string, party: AuditContext): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      const removed = await deleteInvitation(tx, id);
      if (!removed) throw new NotFound();
      await recordAudit(tx, {
        ...party,
        event: 'invitation.cancelled',
        target: { type: 'invitation', id, label: removed.email },
        details: { team: removed.teamId },
      });
    });
  }

  renameServiceProvider(id: string, name: string, party: AuditContext) {
    return this.database.db.transaction(async (tx) => {
      const renamed = await renameServiceProvider(tx, id, name);
      if (!renamed) throw new NotFound();
      await recordAudit(tx, {
        ...party,
        event: 'service_provider.renamed',
        target: { type: 'service_provider', id, label: renamed.audienceId },
        details: { name },
      });
      return renamed;
    });
  }

  /**
   * DESIGN.md §8: a job is retried only when it has failed or its lease has lapsed; a running job is never run twice.
   * 409 for a job that is running, done, or whose kind allows one queued job and already has it.
   */
  async retryJob(id: string, party: AuditContext) {
    const now = new Date(this.now());
    let job: Awaited<ReturnType<typeof retryJob>>;
    try {
      job = await this.database.db.transaction(async (tx) => {
        const retried = await retryJob(tx, id, now);
        if (retried)
          await recordAudit(tx, {
            ...party,
            event: 'job.retried',
            target: { type: 'job', id, label: retried.kind },
          });
        return retried;
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new Conflict('A job of this kind is already queued; it runs in its turn.');
      throw err;
    }
    if (job) return job;
    const found = await jobById(this.database.db, id);
    if (!found) throw new NotFound();
    if (found.status === 'done') throw new Conflict('This job is done; only a failed job can be retried.');
    throw new Conflict(
      'This job is running (a worker holds its lease); it can be retried once it has failed or its lease has lapsed.',
    );
  }
}
