// /admin/invitations: every invitation, valid or expired, searched by email or team; "Cancel invitation", confirmed.
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { AdminInvitation } from '../../api/types.ts';
import { useTitle } from '../../pages/errors.tsx';
import { useToast } from '../../ui/feedback.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { ListState, SearchField, SelectField } from '../../ui/list.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { useDebounced } from '../../ui/use-debounced.ts';
import { useAdminInvitations, useCancelAdminInvitation } from './api.ts';
import { ConfirmDialog } from './lazy-dialogs.ts';

type Status = 'all' | 'valid' | 'expired';

export function InvitationsPage() {
  const { t } = useTranslation();
  useTitle(t('admin.invitations.title'));
  const formatDate = useFormatDate();
  const toast = useToast();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<Status>('all');
  const [page, setPage] = useState(1);
  const [cancelling, setCancelling] = useState<AdminInvitation | null>(null);
  const cancel = useCancelAdminInvitation();
  const invitations = useAdminInvitations({
    q: useDebounced(q.trim()),
    is_expired: status === 'all' ? undefined : status === 'expired',
    page,
  });
  return (
    <section aria-labelledby="admin-invitations-title">
      <h1 id="admin-invitations-title">{t('admin.invitations.title')}</h1>
      <div className="toolbar">
        <SearchField
          label={t('admin.invitations.search')}
          value={q}
          onChange={(v) => {
            setQ(v);
            setPage(1);
          }}
        />
        <SelectField
          label={t('admin.invitations.status')}
          value={status}
          onChange={(v) => {
            setStatus(v);
            setPage(1);
          }}
          options={[
            { value: 'all', label: t('admin.all') },
            { value: 'valid', label: t('invitations.valid') },
            { value: 'expired', label: t('invitations.expired') },
          ]}
        />
      </div>
      <ListState
        query={invitations}
        empty={invitations.data?.results.length === 0 ? t('admin.invitations.empty') : null}
        page={page}
        pages={pagesOf(invitations.data?.count)}
        onPage={setPage}
      >
        <table className="table" aria-label={t('admin.invitations.list')}>
          <thead>
            <tr>
              <th scope="col">{t('invitations.email')}</th>
              <th scope="col">{t('admin.invitations.team')}</th>
              <th scope="col">{t('admin.role')}</th>
              <th scope="col">{t('invitations.sent')}</th>
              <th scope="col">{t('admin.invitations.status')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {invitations.data?.results.map((invitation) => (
              <tr key={invitation.id}>
                <th scope="row" id={`invitation-${invitation.id}`}>
                  {invitation.email}
                </th>
                <td>
                  <Link to={`/admin/teams/${invitation.team.id}`}>{invitation.team.name}</Link>
                </td>
                <td>{t(`roles.${invitation.role}`)}</td>
                <td>{formatDate(invitation.created_at, true)}</td>
                <td>
                  <span className={invitation.is_expired ? 'badge badge-expired' : 'badge'}>
                    {invitation.is_expired ? t('invitations.expired') : t('invitations.valid')}
                  </span>
                </td>
                <td>
                  <button
                    type="button"
                    className="button button-small button-danger-quiet"
                    aria-describedby={`invitation-${invitation.id}`}
                    onClick={() => setCancelling(invitation)}
                  >
                    {t('invitations.cancel')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListState>
      {cancelling && (
        <Suspense fallback={null}>
          <ConfirmDialog
            title={t('admin.invitations.cancelOf', { email: cancelling.email })}
            confirmLabel={t('invitations.cancel')}
            cancelLabel={t('invitations.keep')}
            danger
            onConfirm={async () => {
              await cancel.mutateAsync(cancelling.id);
              toast.success(t('invitations.cancelled', { email: cancelling.email }));
            }}
            onClose={() => setCancelling(null)}
          >
            <p>{t('admin.invitations.cancelWarning', { team: cancelling.team.name })}</p>
          </ConfirmDialog>
        </Suspense>
      )}
    </section>
  );
}
