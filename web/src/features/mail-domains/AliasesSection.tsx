// The domain's aliases (an address of the domain forwarded to another) with their status; "Create an alias" once
// the domain is enabled (said otherwise), and each alias deleted after a confirmation.
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MailAlias, MailDomain } from '../../api/types.ts';
import { useToast } from '../../ui/feedback.tsx';
import { ListState } from '../../ui/list.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { useMe } from '../session/api.ts';
import { useAliases, useDeleteAlias } from './api.ts';
import { addressOf } from './MailboxesSection.tsx';
import { StatusBadge } from './parts.tsx';

const AliasDialog = lazy(() => import('./AliasDialog.tsx'));
const ConfirmDialog = lazy(() =>
  import('../../ui/confirm-dialog.tsx').then((m) => ({ default: m.ConfirmDialog })),
);

export function AliasesSection({ domain }: { domain: MailDomain }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<MailAlias | null>(null);
  const aliases = useAliases(domain.slug, page);
  const remove = useDeleteAlias(domain.slug);
  const toast = useToast();
  const enabled = domain.status === 'enabled';
  // Administrators delete any alias; anyone may stop one forwarding to their own address (as the API allows).
  const mayDelete = (alias: MailAlias) =>
    domain.abilities.manage_accesses ||
    (Boolean(me?.email) && alias.destination.toLowerCase() === me?.email?.toLowerCase());
  const anyAction = aliases.data?.results.some(mayDelete) ?? false;

  return (
    <section aria-labelledby="aliases-title" className="section section-tab">
      <div className="section-head">
        <h2 id="aliases-title">{t('aliases.title')}</h2>
        {domain.abilities.post && enabled && (
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            {t('aliases.create')}
          </button>
        )}
      </div>
      {domain.abilities.post && !enabled && <p className="notice">{t('aliases.notEnabled')}</p>}
      <ListState
        query={aliases}
        empty={aliases.data?.count === 0 ? t('aliases.empty') : null}
        page={page}
        pages={pagesOf(aliases.data?.count)}
        onPage={setPage}
      >
        <table className="table table-cards" aria-labelledby="aliases-title">
          <thead>
            <tr>
              <th scope="col">{t('aliases.alias')}</th>
              <th scope="col">{t('aliases.destination')}</th>
              <th scope="col">{t('aliases.status')}</th>
              {anyAction && <th scope="col">{t('aliases.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {aliases.data?.results.map((alias) => {
              const address = addressOf(alias.local_part, domain);
              return (
                <tr key={alias.id}>
                  <th scope="row" className="cell-address">
                    {address}
                  </th>
                  <td data-label={t('aliases.destination')} className="cell-address">
                    {alias.destination}
                  </td>
                  <td>
                    <StatusBadge status={alias.status} text={t(`aliases.statuses.${alias.status}`)} />
                  </td>
                  {anyAction && (
                    <td>
                      {mayDelete(alias) && (
                        <button
                          type="button"
                          className="button button-small button-danger-quiet"
                          aria-label={t('aliases.deleteOf', { address, destination: alias.destination })}
                          onClick={() => setDeleting(alias)}
                        >
                          {t('aliases.delete')}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </ListState>
      <Suspense fallback={null}>
        {creating && <AliasDialog domain={domain} onClose={() => setCreating(false)} />}
        {deleting && (
          <ConfirmDialog
            title={t('aliases.deleteQuestion', {
              address: addressOf(deleting.local_part, domain),
              destination: deleting.destination,
            })}
            confirmLabel={t('aliases.delete')}
            danger
            onConfirm={async () => {
              await remove.mutateAsync(deleting.id);
              toast.success(
                t('aliases.deleted', {
                  address: addressOf(deleting.local_part, domain),
                  destination: deleting.destination,
                }),
              );
            }}
            onClose={() => setDeleting(null)}
          >
            <p>
              {t('aliases.deleteWarning', {
                address: addressOf(deleting.local_part, domain),
                destination: deleting.destination,
              })}
            </p>
          </ConfirmDialog>
        )}
      </Suspense>
    </section>
  );
}
