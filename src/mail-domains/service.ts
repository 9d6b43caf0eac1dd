// The rules of mail domains (DESIGN.md §11, people's mailbox_manager permissions): who sees and changes what, each
// change written with its audit event, and the work on dimail tried at once then left to a job when dimail does not
// answer in time. A domain the requester has no role on is answered 404, whether it exists or not.
import { domainToASCII } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import { type AuditContext, type AuditEventName, recordAudit, userParty } from '../audit/index.ts';
import { organizationsOfEmailDomain } from '../organizations/index.ts';
import type { Config } from '../platform/config.ts';
import type { Database, Db } from '../platform/database.ts';
import {
  BadRequest,
  isUniqueViolation,
  NotFound,
  PermissionDenied,
  ServiceUnavailable,
  ValidationFailed,
} from '../platform/errors.ts';
import {
  findActiveColleagueById,
  findActiveColleaguesByEmail,
  type SignInContext,
  type User,
} from '../users/index.ts';
import { canSetRoleTo, domainAbilities, mayGrantDomainRole } from './abilities.ts';
import { DimailRefused, DimailUnavailable } from './dimail.ts';
import { MAIL_SYNC_JOB, type MailPlatform, type SyncTask } from './platform.ts';
import {
  accessOf,
  aliasOf,
  availableUsers,
  convertDomainInvitations,
  type DomainAccessOrdering,
  type DomainOrdering,
  type DomainWithRole,
  deleteAliases,
  deleteDomain,
  deleteDomainAccess,
  deleteDomainInvitation,
  deleteMailbox,
  deleteQueuedJob,
  domainById,
  domainInvitationOf,
  domainOf,
  finishQueuedJob,
  hasDomainAccess,
  insertAlias,
  insertDomain,
  insertDomainAccess,
  insertDomainInvitation,
  insertMailbox,
  listAccesses,
  listAliases,
  listDomainInvitations,
  listMailboxes,
  mailboxClash,
  mailboxOf,
  myDomains,
  queueJob,
  setDomainAccessRole,
  slugTaken,
  touchDomainInvitation,
  updateMailbox,
} from './queries.ts';
import type { DomainRole, Mailbox, MailDomain, MailDomainInvitation } from './schema.ts';

export const NO_DOMAIN = 'No MailDomain matches the given query.';
export const LAST_OWNER_ROLE = 'Cannot change the role to a non-owner role for the last owner access.';
export const LAST_OWNER_DELETE = 'Cannot delete the last owner access for the domain.';

/** What a domain invitation triggers once created or refreshed (its mail), within its transaction. */
export type DomainInvitationMail = (
  tx: Db,
  invitation: MailDomainInvitation,
  domain: MailDomain,
  issuer: User,
) => Promise<void>;

/** Django's slugify, as people computes a domain's slug: dots and other punctuation dropped ("example.fr" → "examplefr"). */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[^\p{ASCII}]/gu, '')
    .toLowerCase()
    .replace(/[^\w\s-]/g, '')
    .replace(/[-\s]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A domain name as dimail and DNS take it: lower case, an internationalized name in its ASCII (xn--) form, at least
 * two labels, letters, digits and inner hyphens only. Undefined when it is not one.
 */
export function domainName(input: string): string | undefined {
  const trimmed = input.trim().replace(/\.$/, '');
  if (!trimmed || trimmed.length > 150 || /[\s/\\@:%?#]/.test(trimmed)) return undefined;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (!ascii || ascii.length > 150) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^[0-9]+$/.test(labels.at(-1) ?? ''))
    return undefined;
  return ascii;
}

export interface MailboxInput {
  firstName: string;
  lastName: string;
  localPart: string;
  secondaryEmail: string | null;
}

export class MailDomainService {
  private readonly invitationMails: DomainInvitationMail[] = [];
  private readonly now: () => number;

  constructor(
    private readonly database: Database,
    private readonly config: Config,
    private readonly platform: MailPlatform,
    options: { now?: () => number; log?: FastifyBaseLogger } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.log = options.log;
  }

  private readonly log: FastifyBaseLogger | undefined;

  afterInvitation(hook: DomainInvitationMail): void {
    this.invitationMails.push(hook);
  }

  cutoff(): Date {
    return new Date(this.now() - this.config.INVITATION_VALIDITY_DURATION * 1000);
  }

  /** The domain as the user sees it; 404 when they have no role on it. */
  async domain(user: User, slug: string): Promise<DomainWithRole> {
    const found = await domainOf(this.database.db, slug, user.id);
    if (!found) throw new NotFound(NO_DOMAIN);
    return found;
  }

  /** The domain, when the user's role allows `ability` (403 otherwise, 404 without a role). */
  private async domainFor(user: User, slug: string, ability: keyof ReturnType<typeof domainAbilities>) {
    const found = await this.domain(user, slug);
    if (!domainAbilities(found.role)[ability]) throw new PermissionDenied();
    return found;
  }

  private party(user: User, audit?: AuditContext): AuditContext {
    return audit ?? { actor: userParty(user) };
  }

  private async audit(
    tx: Db,
    party: AuditContext,
    event: AuditEventName,
    domain: MailDomain,
    target: { type: string; id: string | null; label: string },
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await recordAudit(tx, { ...party, event, target, details: { domain: domain.name, ...details } });
  }

  /**
   * Removes a record whose creation dimail refused (the agent's request answers 400), and says so in the audit log,
   * which keeps its 'created' event: the log is append-only.
   */
  private async undo(
    party: AuditContext,
    domain: MailDomain,
    target: { type: string; id: string; label: string },
    err: DimailRefused,
    remove: (tx: Db) => Promise<void>,
  ): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      await remove(tx);
      await this.audit(tx, party, 'mail_platform.refused', domain, target, { reason: err.message });
    });
  }

  /** When a queued task may run: after the request's own attempt has surely ended. */
  private jobDelay(): Date {
    return new Date(this.now() + 3 * this.config.MAIL_PROVISIONING_API_TIMEOUT * 1000 + 5_000);
  }

  /**
   * The request's own attempt at a queued task: done → the job is closed; dimail unavailable → the job stays and
   * finishes it later ("pending"); dimail refused → thrown for the caller to undo or report.
   */
  private async attempt(task: SyncTask, jobId: string, firstAttempt = false): Promise<'done' | 'queued'> {
    try {
      await this.platform.run(task, { firstAttempt });
    } catch (err) {
      if (err instanceof DimailUnavailable) {
        this.log?.warn({ task: task.entity, err: err.message }, 'dimail unavailable: the work is queued');
        return 'queued';
      }
      if (err instanceof DimailRefused) await deleteQueuedJob(this.database.db, jobId);
      throw err;
    }
    await finishQueuedJob(this.database.db, jobId, new Date(this.now()));
    return 'done';
  }

  private requirePlatform(): void {
    if (!this.platform.configured)
      throw new ServiceUnavailable('No mail platform is configured (MAIL_PROVISIONING_API_URL is not set).');
  }

  // --- Domains ---

  /** users/me's `abilities.mailboxes`, computed as people does: a role on some domain shows the mail pages. */
  readonly abilitiesOf = async (user: User) => {
    const canView = await hasDomainAccess(this.database.db, user.id);
    return { can_view: canView, can_create: canView && this.config.FEATURE_MAILBOXES_CREATE };
  };

  list(user: User, ordering: DomainOrdering, limit: number, offset: number) {
    return myDomains(this.database.db, user.id, ordering, limit, offset);
  }

  async create(user: User, input: { name: string; supportEmail: string }, audit?: AuditContext) {
    this.requirePlatform();
    const name = domainName(input.name);
    if (!name) throw new ValidationFailed({ name: ['Enter a valid domain name, such as example.fr.'] });
    const db = this.database.db;
    // §5 Isolation: a domain that names another organization's agents (its email domain) is not another's to run.
    const owners = await organizationsOfEmailDomain(db, name);
    if (owners.some((o) => o !== user.organizationId))
      throw new ValidationFailed({ name: ['This domain belongs to another organization.'] });
    const base = slugify(name).slice(0, 70) || 'domain';
    let slug = base;
    for (let n = 2; await slugTaken(db, slug); n += 1) slug = `${base}-${n}`;
    const party = this.party(user, audit);
    const { domain, jobId } = await db.transaction(async (tx) => {
      const domain = await insertDomain(tx, {
        name,
        slug,
        supportEmail: input.supportEmail,
        organizationId: user.organizationId,
      });
      if (!domain) throw new ValidationFailed({ name: ['Mail domain with this name already exists.'] });
      await insertDomainAccess(tx, domain.id, user.id, 'owner');
      await this.audit(tx, party, 'mail_domain.created', domain, {
        type: 'mail_domain',
        id: domain.id,
        label: name,
      });
      const jobId = await queueJob(tx, MAIL_SYNC_JOB, { entity: 'domain', id: domain.id }, this.jobDelay());
      return { domain, jobId };
    });
    try {
      await this.attempt({ entity: 'domain', id: domain.id }, jobId, true);
    } catch (err) {
      if (!(err instanceof DimailRefused)) throw err;
      await this.undo(party, domain, { type: 'mail_domain', id: domain.id, label: name }, err, (tx) =>
        deleteDomain(tx, domain.id),
      );
      throw new ValidationFailed({ name: [err.message] });
    }
    return this.domain(user, domain.slug);
  }

  /** people's fetch/: checks the domain at dimail now (503 when dimail does not answer); administrators and owners. */
  async fetch(user: User, slug: string): Promise<DomainWithRole> {
    const found = await this.domainFor(user, slug, 'post');
    await this.checkNow(found.domain);
    return this.domain(user, slug);
  }

  /** A check at once (people's fetch/, the back office's "check now"): declared first if dimail lacks it. */
  async checkNow(domain: MailDomain): Promise<void> {
    this.requirePlatform();
    try {
      await this.platform.syncDomain(domain.id);
    } catch (err) {
      if (err instanceof DimailUnavailable) throw new ServiceUnavailable(err.message);
      if (err instanceof DimailRefused) throw new BadRequest(err.message);
      throw err;
    }
  }

  // --- Accesses ---

  async accesses(
    user: User,
    slug: string,
    ordering: DomainAccessOrdering | undefined,
    limit: number,
    offset: number,
  ) {
    const { domain, role } = await this.domainFor(user, slug, 'get');
    const { rows, count } = await listAccesses(this.database.db, domain.id, ordering, limit, offset);
    return { role, rows: rows.map((a) => ({ ...a, canSetRoleTo: canSetRoleTo(role, a.role) })), count };
  }

  async access(user: User, slug: string, accessId: string) {
    const { domain, role } = await this.domainFor(user, slug, 'get');
    const found = await accessOf(this.database.db, domain.id, accessId);
    if (!found) throw new NotFound();
    return { ...found, canSetRoleTo: canSetRoleTo(role, found.role) };
  }

  async availableUsers(user: User, slug: string, q: string | undefined) {
    const { domain } = await this.domainFor(user, slug, 'manage_accesses');
    return availableUsers(this.database.db, domain.id, user.organizationId, q);
  }

  async grant(user: User, slug: string, userId: string, role: DomainRole, audit?: AuditContext) {
    const { domain, role: mine } = await this.domainFor(user, slug, 'post');
    if (role === 'owner' && mine !== 'owner')
      throw new PermissionDenied('Only owners of a domain can assign other users as owners.');
    // §5 Isolation: only a colleague of the requester's organization; anyone else is unknown.
    const colleague = await findActiveColleagueById(this.database.db, userId, user.organizationId);
    if (!colleague) throw new ValidationFailed({ user: [`Invalid pk "${userId}" - object does not exist.`] });
    const party = this.party(user, audit);
    const id = await this.database.db.transaction(async (tx) => {
      const access = await insertDomainAccess(tx, domain.id, colleague.id, role);
      if (!access) throw new ValidationFailed({ user: ['This user already has an access to this domain.'] });
      await this.audit(tx, party, 'mail_domain_access.created', domain, userParty(colleague), { role });
      return access.id;
    });
    return this.access(user, slug, id);
  }

  async changeRole(user: User, slug: string, accessId: string, role: DomainRole, audit?: AuditContext) {
    const { domain, role: mine } = await this.domainFor(user, slug, 'patch');
    const target = await accessOf(this.database.db, domain.id, accessId);
    if (!target) throw new NotFound();
    if (role !== target.role) {
      const allowed = canSetRoleTo(mine, target.role);
      if (!allowed.includes(role))
        throw new PermissionDenied(
          allowed.length
            ? `You are only allowed to set role to ${allowed.join(', ')}`
            : 'You are not allowed to modify role for this user.',
        );
      const party = this.party(user, audit);
      await this.database.db.transaction(async (tx) => {
        if (!(await setDomainAccessRole(tx, domain.id, accessId, role))) {
          const denied = new PermissionDenied(LAST_OWNER_ROLE);
          denied.body = () => ({ role: LAST_OWNER_ROLE });
          throw denied;
        }
        await this.audit(
          tx,
          party,
          'mail_domain_access.role_changed',
          domain,
          userParty({ id: target.userId, email: target.userEmail, name: target.userName }),
          { from: target.role, to: role },
        );
      });
    }
    return this.access(user, slug, accessId);
  }

  async revoke(user: User, slug: string, accessId: string, audit?: AuditContext): Promise<void> {
    const { domain, role: mine } = await this.domainFor(user, slug, 'manage_accesses');
    const target = await accessOf(this.database.db, domain.id, accessId);
    if (!target) throw new NotFound();
    // Only an owner removes an owner (themselves included, while another owner stays).
    if (target.role === 'owner' && mine !== 'owner') throw new PermissionDenied();
    const party = this.party(user, audit);
    await this.database.db.transaction(async (tx) => {
      if (!(await deleteDomainAccess(tx, domain.id, accessId))) throw new PermissionDenied(LAST_OWNER_DELETE);
      await this.audit(
        tx,
        party,
        'mail_domain_access.removed',
        domain,
        userParty({ id: target.userId, email: target.userEmail, name: target.userName }),
        { role: target.role },
      );
    });
  }

  // --- Mailboxes ---

  async mailboxes(user: User, slug: string, limit: number, offset: number) {
    const { domain, role } = await this.domainFor(user, slug, 'get');
    return { domain, role, ...(await listMailboxes(this.database.db, domain.id, limit, offset)) };
  }

  async mailbox(user: User, slug: string, id: string) {
    const { domain, role } = await this.domainFor(user, slug, 'get');
    const mailbox = await mailboxOf(this.database.db, domain.id, id);
    if (!mailbox) throw new NotFound();
    return { domain, role, mailbox };
  }

  private clashMessage(clash: 'local_part' | 'display_name'): ValidationFailed {
    return clash === 'local_part'
      ? new ValidationFailed({ local_part: ['Mailbox with this Local_part and Domain already exists.'] })
      : new ValidationFailed({
          __all__: ['Mailbox with this First name, Last name and Domain already exists.'],
        });
  }

  private checkSecondary(input: { secondaryEmail: string | null; localPart: string }, domain: MailDomain) {
    if (input.secondaryEmail && input.secondaryEmail.toLowerCase() === `${input.localPart}@${domain.name}`)
      throw new ValidationFailed({
        secondary_email: ['The secondary email must be another address than the mailbox.'],
      });
  }

  async createMailbox(user: User, slug: string, input: MailboxInput, audit?: AuditContext): Promise<Mailbox> {
    const { domain } = await this.domainFor(user, slug, 'post');
    if (!this.config.FEATURE_MAILBOXES_CREATE)
      throw new PermissionDenied('Creating mailboxes is turned off.');
    if (domain.status === 'disabled')
      throw new ValidationFailed({
        __all__: ["You can't create or update a mailbox for a disabled domain."],
      });
    this.requirePlatform();
    this.checkSecondary(input, domain);
    const db = this.database.db;
    const clash = await mailboxClash(db, domain.id, input);
    if (clash) throw this.clashMessage(clash);
    const party = this.party(user, audit);
    const enabled = domain.status === 'enabled';
    const { mailbox, jobId } = await db.transaction(async (tx) => {
      const mailbox = await insertMailbox(tx, { domainId: domain.id, ...input });
      // Two agents creating the same mailbox at once: the unique keys decide, the loser gets the same 400.
      if (!mailbox) throw this.clashMessage((await mailboxClash(tx, domain.id, input)) ?? 'local_part');
      await this.audit(tx, party, 'mailbox.created', domain, {
        type: 'mailbox',
        id: mailbox.id,
        label: `${mailbox.localPart}@${domain.name}`,
      });
      // On a domain not yet enabled the mailbox waits: the status check that enables the domain queues it.
      const jobId = enabled
        ? await queueJob(tx, MAIL_SYNC_JOB, { entity: 'mailbox', id: mailbox.id }, this.jobDelay())
        : null;
      return { mailbox, jobId };
    });
    if (jobId) {
      try {
        await this.attempt({ entity: 'mailbox', id: mailbox.id }, jobId);
      } catch (err) {
        if (!(err instanceof DimailRefused)) throw err;
        await this.undo(
          party,
          domain,
          { type: 'mailbox', id: mailbox.id, label: `${mailbox.localPart}@${domain.name}` },
          err,
          (tx) => deleteMailbox(tx, mailbox.id),
        );
        throw new ValidationFailed({ __all__: [err.message] });
      }
    }
    return (await mailboxOf(db, domain.id, mailbox.id)) ?? mailbox;
  }

  /** Names and secondary email (the address never changes); administrators, or the mailbox's own agent. */
  async updateMailbox(
    user: User,
    slug: string,
    id: string,
    changes: Partial<Pick<MailboxInput, 'firstName' | 'lastName' | 'secondaryEmail'>>,
    audit?: AuditContext,
  ): Promise<Mailbox> {
    const { domain, role, mailbox } = await this.mailbox(user, slug, id);
    const own = Boolean(user.email) && user.email?.toLowerCase() === `${mailbox.localPart}@${domain.name}`;
    if (!domainAbilities(role).patch && !own) throw new PermissionDenied();
    if (domain.status === 'disabled')
      throw new ValidationFailed({
        __all__: ["You can't create or update a mailbox for a disabled domain."],
      });
    const next = {
      firstName: changes.firstName ?? mailbox.firstName,
      lastName: changes.lastName ?? mailbox.lastName,
      secondaryEmail: changes.secondaryEmail === undefined ? mailbox.secondaryEmail : changes.secondaryEmail,
    };
    this.checkSecondary({ ...next, localPart: mailbox.localPart }, domain);
    const db = this.database.db;
    const renamed = next.firstName !== mailbox.firstName || next.lastName !== mailbox.lastName;
    if (renamed) {
      const clash = await mailboxClash(db, domain.id, next, mailbox.id);
      if (clash) throw this.clashMessage(clash);
    }
    // A renamed mailbox already on dimail gets its new display name there too.
    const push = renamed && mailbox.onPlatform && domain.status === 'enabled';
    const party = this.party(user, audit);
    const jobId = await db.transaction(async (tx) => {
      const row = await updateMailbox(tx, id, {
        ...next,
        ...(push ? { status: 'pending' as const } : {}),
      }).catch((err: unknown) => {
        // Two renames to one display name at once: the unique key decides, the loser gets the same 400.
        if (isUniqueViolation(err)) throw this.clashMessage('display_name');
        throw err;
      });
      if (!row) throw new NotFound();
      await this.audit(tx, party, 'mailbox.changed', domain, {
        type: 'mailbox',
        id,
        label: `${mailbox.localPart}@${domain.name}`,
      });
      return push ? queueJob(tx, MAIL_SYNC_JOB, { entity: 'mailbox', id }, this.jobDelay()) : null;
    });
    if (jobId) await this.attemptOrReport({ entity: 'mailbox', id }, jobId);
    return (await mailboxOf(db, domain.id, id)) ?? mailbox;
  }

  /** Runs a task whose refusal is reported as a 400 (the record already says failed). */
  private async attemptOrReport(task: SyncTask, jobId: string): Promise<void> {
    try {
      await this.attempt(task, jobId);
    } catch (err) {
      if (err instanceof DimailRefused) throw new BadRequest(err.message);
      throw err;
    }
  }

  async setMailboxActive(user: User, slug: string, id: string, active: boolean, audit?: AuditContext) {
    const { domain, role, mailbox } = await this.mailbox(user, slug, id);
    if (!domainAbilities(role).post) throw new PermissionDenied();
    if (domain.status === 'disabled')
      throw new ValidationFailed({
        __all__: ["You can't create or update a mailbox for a disabled domain."],
      });
    this.requirePlatform();
    const party = this.party(user, audit);
    const db = this.database.db;
    const jobId = await db.transaction(async (tx) => {
      await updateMailbox(tx, id, { active, status: 'pending' });
      await this.audit(tx, party, active ? 'mailbox.enabled' : 'mailbox.disabled', domain, {
        type: 'mailbox',
        id,
        label: `${mailbox.localPart}@${domain.name}`,
      });
      return domain.status === 'enabled'
        ? queueJob(tx, MAIL_SYNC_JOB, { entity: 'mailbox', id }, this.jobDelay())
        : null;
    });
    if (jobId) await this.attemptOrReport({ entity: 'mailbox', id }, jobId);
    return (await mailboxOf(db, domain.id, id)) ?? mailbox;
  }

  /** A new password or a login link mailed to the secondary address: 'sent' at once, or 'queued' (dimail down). */
  async mailboxSecret(
    user: User,
    slug: string,
    id: string,
    kind: 'reset_password' | 'login_link',
    audit?: AuditContext,
  ): Promise<{ mailbox: Mailbox; outcome: 'done' | 'queued' }> {
    const { domain, role, mailbox } = await this.mailbox(user, slug, id);
    if (!domainAbilities(role).post) throw new PermissionDenied();
    if (!this.platform.mayMailTo(mailbox, domain))
      throw new ValidationFailed({
        secondary_email: [
          kind === 'reset_password'
            ? 'Please add a secondary email before resetting the password.'
            : 'Logging in with a link requires a secondary email address. Please add a valid secondary email before trying again.',
        ],
      });
    if (!mailbox.onPlatform || mailbox.status !== 'enabled')
      throw new BadRequest('This mailbox is not enabled on the mail platform yet.');
    if (kind === 'login_link' && !this.config.WEBMAIL_URL)
      throw new BadRequest('No webmail is configured (WEBMAIL_URL): there is nowhere to log in with a link.');
    this.requirePlatform();
    const party = this.party(user, audit);
    const task: SyncTask = { entity: 'mailbox_secret', id, kind, language: user.language };
    const jobId = await this.database.db.transaction(async (tx) => {
      await this.audit(
        tx,
        party,
        kind === 'reset_password' ? 'mailbox.password_reset' : 'mailbox.login_link_sent',
        domain,
        { type: 'mailbox', id, label: `${mailbox.localPart}@${domain.name}` },
      );
      return queueJob(tx, MAIL_SYNC_JOB, task, this.jobDelay());
    });
    try {
      return { mailbox, outcome: await this.attempt(task, jobId) };
    } catch (err) {
      if (err instanceof DimailRefused) throw new BadRequest(err.message);
      throw err;
    }
  }

  // --- Aliases ---

  async aliases(user: User, slug: string, limit: number, offset: number) {
    const { domain, role } = await this.domainFor(user, slug, 'get');
    return { domain, role, ...(await listAliases(this.database.db, domain.id, limit, offset)) };
  }

  async createAlias(
    user: User,
    slug: string,
    input: { localPart: string; destination: string },
    audit?: AuditContext,
  ) {
    const found = await this.domainFor(user, slug, 'post');
    const { domain } = found;
    if (domain.status !== 'enabled')
      throw new ValidationFailed({ __all__: ['Aliases can be created once the domain is enabled.'] });
    this.requirePlatform();
    const db = this.database.db;
    const party = this.party(user, audit);
    const { alias, jobId } = await db.transaction(async (tx) => {
      const alias = await insertAlias(tx, { domainId: domain.id, ...input });
      if (!alias)
        throw new ValidationFailed({
          __all__: ['Alias with this Domain, Local part and Destination already exists.'],
        });
      await this.audit(
        tx,
        party,
        'alias.created',
        domain,
        { type: 'alias', id: alias.id, label: `${alias.localPart}@${domain.name}` },
        { destination: alias.destination },
      );
      return {
        alias,
        jobId: await queueJob(tx, MAIL_SYNC_JOB, { entity: 'alias', id: alias.id }, this.jobDelay()),
      };
    });
    try {
      await this.attempt({ entity: 'alias', id: alias.id }, jobId);
    } catch (err) {
      if (!(err instanceof DimailRefused)) throw err;
      await this.undo(
        party,
        domain,
        { type: 'alias', id: alias.id, label: `${alias.localPart}@${domain.name}` },
        err,
        async (tx) => void (await deleteAliases(tx, domain.id, { id: alias.id })),
      );
      throw new ValidationFailed({ __all__: [err.message] });
    }
    return { ...found, alias: (await aliasOf(db, domain.id, alias.id)) ?? alias };
  }

  /** One alias by id (administrators, or the agent it forwards to), or every destination of a local part. */
  async deleteAlias(
    user: User,
    slug: string,
    which: { id: string } | { localPart: string },
    audit?: AuditContext,
  ) {
    const { domain, role } = await this.domain(user, slug);
    const db = this.database.db;
    if ('id' in which) {
      const alias = await aliasOf(db, domain.id, which.id);
      if (!alias) throw new NotFound();
      const mine = Boolean(user.email) && alias.destination.toLowerCase() === user.email?.toLowerCase();
      if (!domainAbilities(role).manage_accesses && !mine) throw new PermissionDenied();
    } else if (!domainAbilities(role).manage_accesses) throw new PermissionDenied();
    const party = this.party(user, audit);
    const queued = await db.transaction(async (tx) => {
      const removed = await deleteAliases(tx, domain.id, which);
      const [first] = removed;
      if (!first) throw new NotFound('No Alias matches the given query.');
      for (const alias of removed)
        await this.audit(
          tx,
          party,
          'alias.deleted',
          domain,
          { type: 'alias', id: alias.id, label: `${alias.localPart}@${domain.name}` },
          { destination: alias.destination },
        );
      // Aliases dimail never had (still pending, or failed) need no call.
      if (!removed.some((a) => a.status === 'enabled')) return null;
      const task: SyncTask =
        'id' in which
          ? {
              entity: 'alias_deletion',
              domain: domain.name,
              localPart: first.localPart,
              destination: first.destination,
            }
          : { entity: 'alias_deletion', domain: domain.name, localPart: which.localPart };
      return { task, jobId: await queueJob(tx, MAIL_SYNC_JOB, task, this.jobDelay()) };
    });
    if (queued) await this.attemptOrReport(queued.task, queued.jobId);
  }

  // --- Invitations ---

  async invitations(user: User, slug: string, limit: number, offset: number) {
    const { domain, role } = await this.domainFor(user, slug, 'get');
    return {
      role,
      ...(await listDomainInvitations(this.database.db, domain.id, this.cutoff(), limit, offset)),
    };
  }

  async invitation(user: User, slug: string, id: string) {
    const { domain, role } = await this.domainFor(user, slug, 'get');
    const found = await domainInvitationOf(this.database.db, domain.id, id, this.cutoff());
    if (!found) throw new NotFound();
    return { role, invitation: found };
  }

  /**
   * An invitation, or (for an active colleague of the requester's organization with that email) an access at once.
   * Anyone else gets an invitation, so inviting never tells whether an account exists elsewhere.
   */
  async invite(user: User, slug: string, email: string, role: DomainRole, audit?: AuditContext) {
    const { domain, role: mine } = await this.domainFor(user, slug, 'post');
    if (!mayGrantDomainRole(mine, role)) {
      const denied = new PermissionDenied('You cannot grant a role higher than your own.');
      denied.body = () => ({ role: 'You cannot grant a role higher than your own.' });
      throw denied;
    }
    const party = this.party(user, audit);
    return this.database.db.transaction(async (tx) => {
      const [invitee] = await findActiveColleaguesByEmail(tx, email, user.organizationId, 1);
      if (invitee) {
        const access = await insertDomainAccess(tx, domain.id, invitee.id, role);
        if (!access)
          throw new ValidationFailed({ email: ['This user already has an access to this domain.'] });
        await this.audit(tx, party, 'mail_domain_access.created', domain, userParty(invitee), {
          role,
          via: 'invitation',
        });
        return { kind: 'access' as const };
      }
      const invitation = await insertDomainInvitation(
        tx,
        { domainId: domain.id, email, role, issuerId: user.id, at: new Date(this.now()) },
        this.cutoff(),
      );
      if (!invitation)
        throw new ValidationFailed({
          __all__: ['Mail domain invitation with this Email address and Domain already exists.'],
        });
      await this.audit(
        tx,
        party,
        'mail_domain_invitation.created',
        domain,
        { type: 'mail_domain_invitation', id: invitation.id, label: email },
        { role },
      );
      for (const hook of this.invitationMails) await hook(tx, invitation, domain, user);
      return { kind: 'invitation' as const, invitation: { ...invitation, isExpired: false } };
    });
  }

  /** Moves the validity window and mails it again; an account made since (same organization) gets its access instead. */
  async refreshInvitation(user: User, slug: string, id: string, audit?: AuditContext) {
    const { domain } = await this.domainFor(user, slug, 'post');
    const found = await domainInvitationOf(this.database.db, domain.id, id, this.cutoff());
    if (!found) throw new NotFound();
    const party = this.party(user, audit);
    return this.database.db.transaction(async (tx) => {
      const [invitee] = await findActiveColleaguesByEmail(tx, found.email, domain.organizationId, 1);
      if (invitee) {
        await insertDomainAccess(tx, domain.id, invitee.id, found.role);
        await deleteDomainInvitation(tx, id);
        await this.audit(tx, party, 'mail_domain_access.created', domain, userParty(invitee), {
          role: found.role,
          via: 'invitation',
        });
        return { kind: 'access' as const };
      }
      const at = new Date(this.now());
      await touchDomainInvitation(tx, id, at);
      await this.audit(tx, party, 'mail_domain_invitation.refreshed', domain, {
        type: 'mail_domain_invitation',
        id,
        label: found.email,
      });
      for (const hook of this.invitationMails) await hook(tx, found, domain, user);
      return { kind: 'invitation' as const, invitation: { ...found, updatedAt: at, isExpired: false } };
    });
  }

  async cancelInvitation(user: User, slug: string, id: string, audit?: AuditContext): Promise<void> {
    const { domain } = await this.domainFor(user, slug, 'manage_accesses');
    const found = await domainInvitationOf(this.database.db, domain.id, id, this.cutoff());
    if (!found) throw new NotFound();
    const party = this.party(user, audit);
    await this.database.db.transaction(async (tx) => {
      await deleteDomainInvitation(tx, id);
      await this.audit(
        tx,
        party,
        'mail_domain_invitation.cancelled',
        domain,
        { type: 'mail_domain_invitation', id, label: found.email },
        { role: found.role },
      );
    });
  }

  /**
   * Lifecycle hook: a user appears or proves their address, and their valid domain invitations become accesses —
   * only for domains of their own organization (§5 Isolation); the others wait and expire.
   */
  readonly convertFor = async (tx: Db, user: User, context: SignInContext = {}): Promise<void> => {
    if (!user.email) return;
    const created = await convertDomainInvitations(
      tx,
      user.id,
      user.email,
      this.cutoff(),
      user.organizationId,
    );
    for (const access of created) {
      const domain = await domainById(tx, access.domainId);
      if (!domain) continue;
      await recordAudit(tx, {
        actor: userParty(user),
        ip: context.ip ?? null,
        requestId: context.requestId ?? null,
        event: 'mail_domain_access.created',
        target: userParty(user),
        details: { domain: domain.name, role: access.role, via: 'invitation' },
      });
    }
  };

  readonly convertAtSignIn = async (tx: Db, user: User, context: SignInContext = {}): Promise<void> => {
    const proved = context.verifiedEmail?.toLowerCase();
    if (!proved || proved !== user.email?.toLowerCase()) return;
    await this.convertFor(tx, user, context);
  };
}
