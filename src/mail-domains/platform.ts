// The work Desk does on the mail platform (dimail), written once for both callers: the request that tries it at
// once, and the job that finishes it when dimail did not answer in time (DESIGN.md §11: a dimail failure never loses
// what an agent asked for). Every task is idempotent: it reads the record's state and brings dimail to it.
import type { FastifyBaseLogger } from 'fastify';
import type { Database, Db } from '../platform/database.ts';
import { type DimailClient, DimailRefused, DimailUnavailable } from './dimail.ts';
import {
  aliasById,
  domainById,
  mailboxById,
  ownerLanguage,
  pendingMailboxIds,
  queueJob,
  updateAlias,
  updateDomain,
  updateMailbox,
} from './queries.ts';
import type { CheckReport, DnsRecord, DomainCheck, DomainStatus, Mailbox, MailDomain } from './schema.ts';

/** The queue's kind for tasks on dimail; their payload is a SyncTask. */
export const MAIL_SYNC_JOB = 'mail_domains.sync';
/** The recurring job that queues a status check of every domain every MAIL_CHECK_DOMAIN_INTERVAL minutes. */
export const MAIL_CHECK_JOB = 'mail_domains.check';

export type SyncTask =
  | { entity: 'domain'; id: string; check?: boolean }
  | { entity: 'mailbox'; id: string }
  | { entity: 'alias'; id: string }
  | { entity: 'alias_deletion'; domain: string; localPart: string; destination?: string }
  | { entity: 'mailbox_secret'; id: string; kind: 'reset_password' | 'login_link'; language: string };

/** The mails the platform's work sends, queued in the outbox within the given transaction. */
export interface MailDomainMails {
  statusChanged(tx: Db, domain: MailDomain, language: string): Promise<void>;
  mailboxCreated(
    tx: Db,
    mailbox: Mailbox,
    domain: MailDomain,
    loginLink: string | undefined,
    language: string,
  ): Promise<void>;
  loginLink(tx: Db, mailbox: Mailbox, domain: MailDomain, loginLink: string, language: string): Promise<void>;
  passwordReset(
    tx: Db,
    mailbox: Mailbox,
    domain: MailDomain,
    password: string,
    language: string,
  ): Promise<void>;
}

const truthy = (v: unknown) => v === true || v === 'true';

/** The checks of a report, internal (dimail fixes them) or external (the domain's DNS, the agents fix them). */
export function checksOf(report: CheckReport, internal: boolean): Record<string, boolean> {
  const checks: Record<string, boolean> = {};
  for (const [name, value] of Object.entries(report)) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    const check = value as DomainCheck;
    if (!('ok' in check) || truthy(check.internal) !== internal) continue;
    checks[name] = truthy(check.ok);
  }
  return checks;
}

const allOk = (checks: Record<string, boolean>) => Object.values(checks).every(Boolean);

/** What the agents must fix, per check (people's action_required_details): the first error of each failed external check. */
export function actionRequiredDetails(report: CheckReport | null): Record<string, string> {
  const details: Record<string, string> = {};
  if (!report) return details;
  for (const [name, value] of Object.entries(report)) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    const check = value as DomainCheck;
    if (check.ok === false || check.ok === 'false') {
      if (check.internal === false || check.internal === 'false')
        details[name] = check.errors?.[0]?.detail ?? '';
    }
  }
  return details;
}

/**
 * people's status machine: dimail's "ok" enables; "broken" with an external check failing asks the agents to act;
 * with only internal checks failing, dimail is asked to fix them and the domain is enabled, or failed when the fix
 * did not work. `fix` is called only in that last case.
 */
export async function nextStatus(
  current: DomainStatus,
  report: CheckReport,
  fix: () => Promise<CheckReport>,
): Promise<{ status: DomainStatus; report: CheckReport }> {
  const state = report.state;
  if (state === 'ok') return { status: 'enabled', report };
  if (state !== 'broken') return { status: current, report };
  if (!allOk(checksOf(report, false))) return { status: 'action_required', report };
  if (allOk(checksOf(report, true))) return { status: current, report };
  const fixed = await fix();
  if (!allOk(checksOf(fixed, false))) return { status: 'action_required', report: fixed };
  return { status: allOk(checksOf(fixed, true)) ? 'enabled' : 'failed', report: fixed };
}

export interface PlatformSettings {
  webmailUrl: string | undefined;
  now?: () => number;
  log?: FastifyBaseLogger;
}

export class MailPlatform {
  private readonly now: () => number;

  constructor(
    private readonly database: Database,
    /** null: no mail platform configured (no MAIL_PROVISIONING_API_URL, no development dimail). */
    private readonly client: DimailClient | null,
    private readonly mails: MailDomainMails,
    private readonly settings: PlatformSettings,
  ) {
    this.now = settings.now ?? Date.now;
  }

  get configured(): boolean {
    return this.client !== null;
  }

  private dimail(): DimailClient {
    if (!this.client)
      throw new DimailUnavailable('No mail platform is configured (MAIL_PROVISIONING_API_URL is not set).');
    return this.client;
  }

  /** Runs one task; dimail's refusals mark the record failed (the task is over), outages throw (retry later). */
  async run(task: SyncTask, options: { firstAttempt?: boolean } = {}): Promise<void> {
    switch (task.entity) {
      case 'domain':
        return this.syncDomain(task.id, options.firstAttempt ?? false);
      case 'mailbox':
        return this.syncMailbox(task.id);
      case 'alias':
        return this.syncAlias(task.id);
      case 'alias_deletion':
        return task.destination === undefined
          ? this.dimail().deleteAliases(task.domain, task.localPart)
          : this.dimail().deleteAlias(task.domain, task.localPart, task.destination);
      case 'mailbox_secret':
        return this.mailboxSecret(task.id, task.kind, task.language);
    }
  }

  /**
   * Declares the domain at dimail if it is not yet, then checks it. On a first attempt (the agent's request) a
   * domain dimail already has is refused; a retry accepts it (the earlier attempt may have made it).
   */
  async syncDomain(id: string, firstAttempt = false): Promise<void> {
    let domain = await domainById(this.database.db, id);
    if (!domain) return;
    if (!domain.onPlatform) {
      try {
        await this.dimail().createDomain(domain.name, firstAttempt ? 'refuse' : 'accept');
      } catch (err) {
        // A job finishing an agent's creation: nobody waits for an answer, the domain says it failed (the agent's own
        // request, a first attempt, is answered 400 and undone instead).
        if (!firstAttempt && err instanceof DimailRefused) await this.failCreation(domain);
        throw err;
      }
      domain = (await updateDomain(this.database.db, id, { onPlatform: true })) ?? domain;
    }
    if (domain.status === 'disabled') return;
    try {
      await this.refreshStatus(domain);
    } catch (err) {
      // The domain exists at dimail: a check it will not answer now is left to the periodic check, never undone.
      if (!(err instanceof DimailRefused)) throw err;
      this.settings.log?.warn({ domain: domain.name, err: err.message }, 'dimail refused the check');
    }
  }

  /** dimail refused to create the domain: failed, and its support address told (once). */
  private async failCreation(domain: MailDomain): Promise<void> {
    if (domain.status === 'failed') return;
    await this.database.db.transaction(async (tx) => {
      const row = await updateDomain(tx, domain.id, { status: 'failed' });
      if (row) await this.mails.statusChanged(tx, row, (await ownerLanguage(tx, domain.id)) ?? 'en-us');
    });
    this.settings.log?.warn({ domain: domain.name }, 'dimail refused the domain: failed');
  }

  /** Checks the domain at dimail, moves its status, keeps the report and the expected DNS records. */
  async refreshStatus(domain: MailDomain): Promise<MailDomain> {
    const dimail = this.dimail();
    const report = await dimail.checkDomain(domain.name);
    const next = await nextStatus(domain.status, report, () => dimail.fixDomain(domain.name));
    let expected: DnsRecord[] | null = domain.expectedConfig;
    try {
      expected = await dimail.domainSpec(domain.name);
    } catch (err) {
      // The records to set are shown when dimail gives them; a failure here does not undo the check.
      this.settings.log?.warn(
        { domain: domain.name, err: (err as Error).message },
        'dimail spec unavailable',
      );
    }
    const changed = next.status !== domain.status;
    const updated = await this.database.db.transaction(async (tx) => {
      const row = await updateDomain(tx, domain.id, {
        status: next.status,
        lastCheckDetails: next.report,
        lastCheckedAt: new Date(this.now()),
        expectedConfig: expected,
      });
      if (!row) return domain;
      if (changed) {
        const language = (await ownerLanguage(tx, domain.id)) ?? 'en-us';
        await this.mails.statusChanged(tx, row, language);
        // Mailboxes asked for while the domain was not ready are made now, each by its own job.
        if (row.status === 'enabled')
          for (const mailboxId of await pendingMailboxIds(tx, domain.id))
            await queueJob(tx, MAIL_SYNC_JOB, { entity: 'mailbox', id: mailboxId }, new Date(this.now()));
      }
      return row;
    });
    if (changed)
      this.settings.log?.info(
        { domain: domain.name, from: domain.status, to: next.status },
        'mail domain status changed',
      );
    return updated;
  }

  /** Brings dimail to the mailbox's state: created (once its domain is enabled), then enabled or disabled as asked. */
  async syncMailbox(id: string): Promise<void> {
    const mailbox = await mailboxById(this.database.db, id);
    if (!mailbox) return;
    const domain = await domainById(this.database.db, mailbox.domainId);
    if (domain?.status !== 'enabled') return; // made when the domain is enabled (refreshStatus)
    const dimail = this.dimail();
    const names = { firstName: mailbox.firstName, lastName: mailbox.lastName };
    try {
      let created = false;
      if (!mailbox.onPlatform) {
        await dimail.createMailbox(domain.name, mailbox.localPart, names);
        await updateMailbox(this.database.db, id, { onPlatform: true });
        created = true;
      }
      if (!mailbox.active || !created)
        await dimail.setMailboxActive(domain.name, mailbox.localPart, mailbox.active, names);
      let link: string | undefined;
      if (created && this.mayMailTo(mailbox, domain) && this.settings.webmailUrl) {
        try {
          link = this.loginLinkOf(await dimail.loginCode(domain.name, mailbox.localPart));
        } catch (err) {
          if (!(err instanceof DimailRefused || err instanceof DimailUnavailable)) throw err;
          this.settings.log?.warn({ mailbox: id, err: err.message }, 'no login link for the new mailbox');
        }
      }
      await this.database.db.transaction(async (tx) => {
        const row = await updateMailbox(tx, id, {
          status: mailbox.active ? 'enabled' : 'disabled',
          lastError: null,
        });
        if (created && row && this.mayMailTo(row, domain))
          await this.mails.mailboxCreated(
            tx,
            row,
            domain,
            link,
            (await ownerLanguage(tx, domain.id)) ?? 'en-us',
          );
      });
    } catch (err) {
      if (!(err instanceof DimailRefused)) throw err;
      await updateMailbox(this.database.db, id, { status: 'failed', lastError: err.message });
      throw err;
    }
  }

  async syncAlias(id: string): Promise<void> {
    const alias = await aliasById(this.database.db, id);
    if (!alias || alias.status === 'enabled') return;
    const domain = await domainById(this.database.db, alias.domainId);
    if (!domain) return;
    try {
      await this.dimail().createAlias(domain.name, alias.localPart, alias.destination);
      await updateAlias(this.database.db, id, { status: 'enabled', lastError: null });
    } catch (err) {
      if (!(err instanceof DimailRefused)) throw err;
      await updateAlias(this.database.db, id, { status: 'failed', lastError: err.message });
      throw err;
    }
  }

  /** A mailbox's secondary address can receive its mails: set, and not the mailbox itself. */
  mayMailTo(mailbox: Mailbox, domain: MailDomain): boolean {
    const own = `${mailbox.localPart}@${domain.name}`;
    return Boolean(mailbox.secondaryEmail) && mailbox.secondaryEmail?.toLowerCase() !== own;
  }

  loginLinkOf(code: string): string {
    return `${(this.settings.webmailUrl ?? '').replace(/\/+$/, '')}/code/${encodeURIComponent(code)}`;
  }

  /** A new password or a login link, mailed to the mailbox's secondary address. */
  async mailboxSecret(id: string, kind: 'reset_password' | 'login_link', language: string): Promise<void> {
    const mailbox = await mailboxById(this.database.db, id);
    if (!mailbox) return;
    const domain = await domainById(this.database.db, mailbox.domainId);
    if (!domain || !this.mayMailTo(mailbox, domain)) return;
    const dimail = this.dimail();
    if (kind === 'reset_password') {
      const { password } = await dimail.resetPassword(domain.name, mailbox.localPart);
      await this.database.db.transaction((tx) =>
        this.mails.passwordReset(tx, mailbox, domain, password, language),
      );
    } else {
      const link = this.loginLinkOf(await dimail.loginCode(domain.name, mailbox.localPart));
      await this.database.db.transaction((tx) => this.mails.loginLink(tx, mailbox, domain, link, language));
    }
  }
}

/** The job running queued tasks: dimail's refusal ends it (the record says failed), an outage retries it. */
export function mailSyncJobHandler(platform: MailPlatform) {
  return async (payload: Record<string, unknown>): Promise<void> => {
    try {
      await platform.run(payload as unknown as SyncTask);
    } catch (err) {
      if (err instanceof DimailRefused) return;
      throw err;
    }
  };
}
