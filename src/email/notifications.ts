// The mails events send, queued in the outbox inside the event's transaction: a team invitation, a filed document.
import type { NotifyOwner } from '../documents/index.ts';
import type { InvitationCreated } from '../invitations/index.ts';
import {
  actionRequiredDetails,
  type DomainInvitationMail,
  type Mailbox,
  type MailDomain,
  type MailDomainMails,
} from '../mail-domains/index.ts';
import type { Config } from '../platform/config.ts';
import { teamOf } from '../teams/index.ts';
import { enqueueMail } from './index.ts';

/** To the invited address, in the inviter's language. */
export function teamInvitationMail(config: Config): InvitationCreated {
  return async (tx, invitation, issuer, teamId) => {
    const team = await teamOf(tx, teamId, issuer.id);
    await enqueueMail(tx, {
      to: invitation.email,
      template: 'team_invitation',
      language: issuer.language,
      context: {
        teamName: team?.team.name ?? '',
        role: invitation.role,
        inviterName: issuer.name,
        email: invitation.email,
        appUrl: `${config.EMAIL_APP_URL}/`,
      },
    });
  };
}

/** To the agent a trusted back-end filed a document for. */
export function documentFiledMail(config: Config): NotifyOwner {
  return (tx, n) =>
    enqueueMail(tx, {
      to: n.to,
      template: 'document_created',
      language: n.language,
      context: {
        title: n.document.title,
        documentUrl: `${config.EMAIL_APP_URL}/documents/${n.document.id}/`,
        ...(n.subject ? { subject: n.subject } : {}),
        ...(n.message ? { message: n.message } : {}),
      },
    });
}

/** The mails of mail domains (DESIGN.md §11): status changes to the support address, a mailbox's own mails. */
export function mailDomainMails(config: Config): MailDomainMails {
  const manageUrl = (domain: MailDomain) => `${config.EMAIL_APP_URL}/mail-domains/${domain.slug}/`;
  const address = (mailbox: Mailbox, domain: MailDomain) => `${mailbox.localPart}@${domain.name}`;
  const webmail = config.WEBMAIL_URL ? { webmailUrl: config.WEBMAIL_URL } : {};
  return {
    async statusChanged(tx, domain, language) {
      if (domain.status !== 'enabled' && domain.status !== 'action_required' && domain.status !== 'failed')
        return;
      await enqueueMail(tx, {
        to: domain.supportEmail,
        template: 'maildomain_status',
        language,
        context: {
          domainName: domain.name,
          status: domain.status,
          manageUrl: manageUrl(domain),
          details: Object.values(actionRequiredDetails(domain.lastCheckDetails)).filter(Boolean),
        },
      });
    },
    async mailboxCreated(tx, mailbox, domain, loginLink, language) {
      if (!mailbox.secondaryEmail) return;
      await enqueueMail(
        tx,
        {
          to: mailbox.secondaryEmail,
          template: 'mailbox_created',
          language,
          context: { email: address(mailbox, domain), ...(loginLink ? { loginLink } : {}), ...webmail },
        },
        // A login link signs in: the outbox forgets it once sent, as a password.
        { secret: ['loginLink'] },
      );
    },
    async loginLink(tx, mailbox, domain, loginLink, language) {
      if (!mailbox.secondaryEmail) return;
      await enqueueMail(
        tx,
        {
          to: mailbox.secondaryEmail,
          template: 'mailbox_login_link',
          language,
          context: { email: address(mailbox, domain), loginLink },
        },
        { secret: ['loginLink'] },
      );
    },
    async passwordReset(tx, mailbox, domain, password, language) {
      if (!mailbox.secondaryEmail) return;
      await enqueueMail(
        tx,
        {
          to: mailbox.secondaryEmail,
          template: 'mailbox_password_reset',
          language,
          context: { email: address(mailbox, domain), password, ...webmail },
        },
        { secret: ['password'] },
      );
    },
  };
}

/** To the address invited to manage a mail domain, in the inviter's language. */
export function mailDomainInvitationMail(config: Config): DomainInvitationMail {
  return (tx, invitation, domain, issuer) =>
    enqueueMail(tx, {
      to: invitation.email,
      template: 'maildomain_invitation',
      language: issuer.language,
      context: {
        domainName: domain.name,
        role: invitation.role,
        inviterName: issuer.name,
        email: invitation.email,
        appUrl: `${config.EMAIL_APP_URL}/`,
      },
    });
}
