// The mails events send, queued in the outbox inside the event's transaction: a team invitation, a filed document.
import type { NotifyOwner } from '../documents/index.ts';
import type { InvitationCreated } from '../invitations/index.ts';
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
