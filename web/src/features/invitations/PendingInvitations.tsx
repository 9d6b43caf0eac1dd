// "Pending invitations": who was invited, by whom, when, whether it expired; administrators may cancel them, once
// confirmed (the mail already sent cannot be taken back, and a new invitation sends another).
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Invitation, Team } from '../../api/types.ts';
import { useToast } from '../../ui/feedback.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { ListState } from '../../ui/list.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { useMe } from '../session/api.ts';
import { useCancelInvitation, useInvitations } from './api.ts';

// Loaded when first opened, with react-aria: the team page stays light to load.
const ConfirmDialog = lazy(() =>
  import('../../ui/confirm-dialog.tsx').then((m) => ({ default: m.ConfirmDialog })),
);

export function PendingInvitations({ team }: { team: Team }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const [page, setPage] = useState(1);
  const invitations = useInvitations(team.id, page);
  const cancel = useCancelInvitation(team.id);
  const toast = useToast();
  const [cancelling, setCancelling] = useState<Invitation | null>(null);
  const formatDate = useFormatDate();
  const pages = pagesOf(invitations.data?.count);

  return (
    <section aria-labelledby="invitations-title" className="section">
      <h2 id="invitations-title">{t('invitations.title')}</h2>
      <ListState
        query={invitations}
        empty={invitations.data?.results.length === 0 ? t('invitations.empty') : null}
        page={page}
        pages={pages}
        onPage={setPage}
      >
        <table className="table table-cards" aria-labelledby="invitations-title">
          <thead>
            <tr>
              <th scope="col">{t('invitations.email')}</th>
              <th scope="col">{t('invitations.role')}</th>
              <th scope="col">{t('invitations.invitedBy')}</th>
              <th scope="col">{t('invitations.sent')}</th>
              <th scope="col">{t('invitations.status')}</th>
              {team.abilities.manage_accesses && <th scope="col">{t('members.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {invitations.data?.results.map((invitation) => (
              <tr key={invitation.id} aria-label={invitation.email}>
                <th scope="row">{invitation.email}</th>
                <td data-label={t('invitations.role')}>{t(`roles.${invitation.role}`)}</td>
                <td data-label={t('invitations.invitedBy')}>
                  {invitation.issuer === me?.id ? t('common.you') : t('invitations.someone')}
                </td>
                <td data-label={t('invitations.sent')}>{formatDate(invitation.created_at, true)}</td>
                <td>
                  <span className={invitation.is_expired ? 'badge badge-expired' : 'badge'}>
                    {invitation.is_expired ? t('invitations.expired') : t('invitations.valid')}
                  </span>
                </td>
                {team.abilities.manage_accesses && (
                  <td>
                    <button
                      type="button"
                      className="button button-small button-danger-quiet"
                      onClick={() => setCancelling(invitation)}
                    >
                      {t('invitations.cancel')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </ListState>
      {cancelling && (
        <Suspense fallback={null}>
          <ConfirmDialog
            title={t('invitations.cancelOf', { email: cancelling.email })}
            confirmLabel={t('invitations.cancel')}
            cancelLabel={t('invitations.keep')}
            danger
            onConfirm={async () => {
              await cancel.mutateAsync(cancelling.id);
              toast.success(t('invitations.cancelled', { email: cancelling.email }));
            }}
            onClose={() => setCancelling(null)}
          >
            <p>{t('invitations.cancelWarning', { team: team.name })}</p>
          </ConfirmDialog>
        </Suspense>
      )}
    </section>
  );
}
