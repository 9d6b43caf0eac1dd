// The domain's invitations: who was invited, with which role, when, whether it expired; "Invite by email" (a
// colleague with an account gets the access at once, and is told so), "Resend" (a new validity period and mail) and
// "Cancel invitation", confirmed.
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DomainInvitation, MailDomain } from '../../api/types.ts';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { ListState } from '../../ui/list.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { useCancelDomainInvitation, useDomainInvitations, useResendInvitation } from './api.ts';

const InviteDialog = lazy(() => import('./InviteDialog.tsx'));
const ConfirmDialog = lazy(() =>
  import('../../ui/confirm-dialog.tsx').then((m) => ({ default: m.ConfirmDialog })),
);

export function InvitationsSection({ domain }: { domain: MailDomain }) {
  const { t } = useTranslation();
  const formatDate = useFormatDate();
  const toast = useToast();
  const errorText = useErrorText();
  const [page, setPage] = useState(1);
  const [inviting, setInviting] = useState(false);
  const [cancelling, setCancelling] = useState<DomainInvitation | null>(null);
  const invitations = useDomainInvitations(domain.slug, page);
  const resend = useResendInvitation(domain.slug);
  const cancel = useCancelDomainInvitation(domain.slug);
  const mayInvite = domain.abilities.post;
  const anyAction = mayInvite || (invitations.data?.results.some((i) => i.abilities.delete) ?? false);

  return (
    <section aria-labelledby="domain-invitations-title" className="section section-tab">
      <div className="section-head">
        <h2 id="domain-invitations-title">{t('domainInvitations.title')}</h2>
        {mayInvite && (
          <button type="button" className="button button-primary" onClick={() => setInviting(true)}>
            {t('domainInvitations.invite')}
          </button>
        )}
      </div>
      <ListState
        query={invitations}
        empty={invitations.data?.count === 0 ? t('domainInvitations.empty') : null}
        page={page}
        pages={pagesOf(invitations.data?.count)}
        onPage={setPage}
      >
        <table className="table table-cards" aria-labelledby="domain-invitations-title">
          <thead>
            <tr>
              <th scope="col">{t('domainInvitations.email')}</th>
              <th scope="col">{t('domainInvitations.role')}</th>
              <th scope="col">{t('domainInvitations.sent')}</th>
              <th scope="col">{t('domainInvitations.status')}</th>
              {anyAction && <th scope="col">{t('domainInvitations.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {invitations.data?.results.map((invitation) => (
              <tr key={invitation.id} aria-label={invitation.email}>
                <th scope="row" className="cell-address">
                  {invitation.email}
                </th>
                <td data-label={t('domainInvitations.role')}>{t(`domainRoles.${invitation.role}`)}</td>
                <td data-label={t('domainInvitations.sent')}>{formatDate(invitation.created_at, true)}</td>
                <td>
                  <span
                    className={
                      invitation.is_expired ? 'badge badge-status badge-expired' : 'badge badge-status'
                    }
                  >
                    {invitation.is_expired ? t('domainInvitations.expired') : t('domainInvitations.valid')}
                  </span>
                </td>
                {anyAction && (
                  <td>
                    <div className="row-actions">
                      {mayInvite && (
                        <button
                          type="button"
                          className="button button-small"
                          aria-label={t('domainInvitations.resendOf', { email: invitation.email })}
                          disabled={resend.isPending}
                          onClick={() =>
                            resend.mutate(invitation.id, {
                              onSuccess: (answer) =>
                                toast.success(
                                  'detail' in answer
                                    ? t('domainInvitations.accessAtOnce', { email: invitation.email })
                                    : t('domainInvitations.resent', { email: invitation.email }),
                                ),
                              onError: (err) => toast.error(errorText(err)),
                            })
                          }
                        >
                          {t('domainInvitations.resend')}
                        </button>
                      )}
                      {invitation.abilities.delete && (
                        <button
                          type="button"
                          className="button button-small button-danger-quiet"
                          aria-describedby={`domain-invitation-${invitation.id}`}
                          onClick={() => setCancelling(invitation)}
                        >
                          {t('domainInvitations.cancel')}
                        </button>
                      )}
                      <span id={`domain-invitation-${invitation.id}`} hidden>
                        {invitation.email}
                      </span>
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </ListState>
      <Suspense fallback={null}>
        {inviting && <InviteDialog domain={domain} onClose={() => setInviting(false)} />}
        {cancelling && (
          <ConfirmDialog
            title={t('domainInvitations.cancelOf', { email: cancelling.email })}
            confirmLabel={t('domainInvitations.cancel')}
            cancelLabel={t('domainInvitations.keep')}
            danger
            onConfirm={async () => {
              await cancel.mutateAsync(cancelling.id);
              toast.success(t('domainInvitations.cancelled', { email: cancelling.email }));
            }}
            onClose={() => setCancelling(null)}
          >
            <p>{t('domainInvitations.cancelWarning')}</p>
          </ConfirmDialog>
        )}
      </Suspense>
    </section>
  );
}
