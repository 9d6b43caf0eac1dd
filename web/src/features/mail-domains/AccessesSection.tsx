// Who manages the domain and with which role: "Add someone" (a colleague with an account), per person "Change role"
// (to the roles the API lists for that access) and "Remove access", confirmed; the API's refusals (the last owner)
// shown in the dialog. Giving up one's own access leaves the domain's pages.
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { DomainAccess, MailDomain } from '../../api/types.ts';
import { Avatar } from '../../ui/avatar.tsx';
import { useToast } from '../../ui/feedback.tsx';
import { ListState } from '../../ui/list.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { useMe } from '../session/api.ts';
import { useDomainAccesses, useRevokeAccess } from './api.ts';

const AddAccessDialog = lazy(() =>
  import('./AccessDialogs.tsx').then((m) => ({ default: m.AddAccessDialog })),
);
const ChangeDomainRoleDialog = lazy(() =>
  import('./AccessDialogs.tsx').then((m) => ({ default: m.ChangeDomainRoleDialog })),
);
const ConfirmDialog = lazy(() =>
  import('../../ui/confirm-dialog.tsx').then((m) => ({ default: m.ConfirmDialog })),
);

export function AccessesSection({ domain }: { domain: MailDomain }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const toast = useToast();
  const [page, setPage] = useState(1);
  const [adding, setAdding] = useState(false);
  const [changing, setChanging] = useState<DomainAccess | null>(null);
  const [removing, setRemoving] = useState<DomainAccess | null>(null);
  const accesses = useDomainAccesses(domain.slug, page);
  const revoke = useRevokeAccess(domain.slug);
  const manage = domain.abilities.manage_accesses;
  // An owner's access is removed by an owner only (`delete` is the owner's ability on the domain).
  const mayRemove = (access: DomainAccess) => manage && (access.role !== 'owner' || domain.abilities.delete);
  const nameOf = (access: DomainAccess) => access.user.name || access.user.email || '';

  return (
    <section aria-labelledby="accesses-title" className="section section-tab">
      <div className="section-head">
        <h2 id="accesses-title">{t('domainAccesses.title')}</h2>
        {manage && (
          <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
            {t('domainAccesses.add')}
          </button>
        )}
      </div>
      <ListState
        query={accesses}
        empty={accesses.data?.count === 0 ? t('domainAccesses.empty') : null}
        page={page}
        pages={pagesOf(accesses.data?.count)}
        onPage={setPage}
      >
        <table className="table table-cards" aria-labelledby="accesses-title">
          <thead>
            <tr>
              <th scope="col">{t('domainAccesses.name')}</th>
              <th scope="col">{t('domainAccesses.email')}</th>
              <th scope="col">{t('domainAccesses.role')}</th>
              {manage && <th scope="col">{t('domainAccesses.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {accesses.data?.results.map((access) => {
              const self = access.user.id === me?.id;
              const name = nameOf(access);
              return (
                <tr key={access.id}>
                  <td>
                    <span className="person">
                      <Avatar name={access.user.name} email={access.user.email} />
                      <span>
                        {name}
                        {self && <span className="muted"> ({t('common.you')})</span>}
                      </span>
                    </span>
                  </td>
                  <td className="cell-address">{access.user.email}</td>
                  <td data-label={t('domainAccesses.role')}>{t(`domainRoles.${access.role}`)}</td>
                  {manage && (
                    <td>
                      <div className="row-actions">
                        {access.can_set_role_to.length > 0 && (
                          <button
                            type="button"
                            className="button button-small"
                            aria-describedby={`domain-access-${access.id}`}
                            onClick={() => setChanging(access)}
                          >
                            {t('domainAccesses.changeRole')}
                          </button>
                        )}
                        {mayRemove(access) && (
                          <button
                            type="button"
                            className="button button-small button-danger-quiet"
                            aria-describedby={`domain-access-${access.id}`}
                            onClick={() => setRemoving(access)}
                          >
                            {t('domainAccesses.remove')}
                          </button>
                        )}
                        <span id={`domain-access-${access.id}`} hidden>
                          {name}
                        </span>
                      </div>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </ListState>
      <Suspense fallback={null}>
        {adding && <AddAccessDialog domain={domain} onClose={() => setAdding(false)} />}
        {changing && (
          <ChangeDomainRoleDialog domain={domain} access={changing} onClose={() => setChanging(null)} />
        )}
        {removing && (
          <ConfirmDialog
            title={
              removing.user.id === me?.id
                ? t('domainAccesses.leaveOf', { domain: domain.name })
                : t('domainAccesses.removeOf', { name: nameOf(removing) })
            }
            confirmLabel={t('domainAccesses.removeConfirm')}
            danger
            onConfirm={async () => {
              const self = removing.user.id === me?.id;
              await revoke.mutateAsync({ id: removing.id, self });
              if (self) {
                toast.success(t('domainAccesses.left', { domain: domain.name }));
                navigate('/mail-domains');
              } else toast.success(t('domainAccesses.removed', { name: nameOf(removing) }));
            }}
            onClose={() => setRemoving(null)}
          >
            <p>
              {removing.user.id === me?.id
                ? t('domainAccesses.leaveWarning')
                : t('domainAccesses.removeWarning')}
            </p>
          </ConfirmDialog>
        )}
      </Suspense>
    </section>
  );
}
