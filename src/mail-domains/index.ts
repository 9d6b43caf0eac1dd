// The mail domains slice (DESIGN.md §11): what the rest of Desk uses of it.
export { adminMailDomainRoutes, adminMailDomainSchema } from './admin-routes.ts';
export { domainChecksJobHandler, scheduleDomainChecks } from './checks.ts';
export { DimailClient, DimailRefused, DimailUnavailable } from './dimail.ts';
export {
  actionRequiredDetails,
  MAIL_CHECK_JOB,
  MAIL_SYNC_JOB,
  type MailDomainMails,
  MailPlatform,
  mailSyncJobHandler,
} from './platform.ts';
export { mailboxSchema, mailDomainRoutes, mailDomainSchema, serializeDomain } from './routes.ts';
export type { Mailbox, MailDomain, MailDomainInvitation } from './schema.ts';
export { type DomainInvitationMail, domainName, MailDomainService } from './service.ts';
