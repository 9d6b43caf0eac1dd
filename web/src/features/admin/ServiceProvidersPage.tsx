// /admin/service-providers: the suite's apps that called Desk, filtered here by name or audience; "Rename".
import { Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ServiceProvider } from '../../api/types.ts';
import { useTitle } from '../../pages/errors.tsx';
import { useToast } from '../../ui/feedback.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { ListState, SearchField } from '../../ui/list.tsx';
import { PAGE_SIZE, pagesOf } from '../../ui/paging.ts';
import { useRenameServiceProvider, useServiceProviders } from './api.ts';
import { NameDialog } from './lazy-dialogs.ts';

export function ServiceProvidersPage() {
  const { t } = useTranslation();
  useTitle(t('admin.providers.title'));
  const formatDate = useFormatDate();
  const toast = useToast();
  const providers = useServiceProviders();
  const rename = useRenameServiceProvider();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [renaming, setRenaming] = useState<ServiceProvider | null>(null);
  // The API answers the whole (short) list: searched and paged here.
  const shown = useMemo(() => {
    const needle = q.trim().toLocaleLowerCase();
    return (providers.data ?? []).filter(
      (p) =>
        p.name.toLocaleLowerCase().includes(needle) || p.audience_id.toLocaleLowerCase().includes(needle),
    );
  }, [providers.data, q]);
  const pages = pagesOf(shown.length);
  const current = Math.min(page, pages);
  return (
    <section aria-labelledby="admin-providers-title">
      <h1 id="admin-providers-title">{t('admin.providers.title')}</h1>
      <div className="toolbar">
        <SearchField
          label={t('admin.providers.search')}
          value={q}
          onChange={(v) => {
            setQ(v);
            setPage(1);
          }}
        />
      </div>
      <ListState
        query={providers}
        empty={providers.data && shown.length === 0 ? t('admin.providers.empty') : null}
        page={current}
        pages={pages}
        onPage={setPage}
      >
        <table className="table" aria-label={t('admin.providers.list')}>
          <thead>
            <tr>
              <th scope="col">{t('admin.providers.name')}</th>
              <th scope="col">{t('admin.providers.audience')}</th>
              <th scope="col">{t('admin.providers.teams')}</th>
              <th scope="col">{t('admin.created')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE).map((p) => (
              <tr key={p.id}>
                <th scope="row" id={`provider-${p.id}`}>
                  {p.name}
                </th>
                <td>
                  <code>{p.audience_id}</code>
                </td>
                <td>{p.team_count}</td>
                <td>{formatDate(p.created_at)}</td>
                <td>
                  <button
                    type="button"
                    className="button button-small"
                    aria-describedby={`provider-${p.id}`}
                    onClick={() => setRenaming(p)}
                  >
                    {t('admin.rename')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListState>
      {renaming && (
        <Suspense fallback={null}>
          <NameDialog
            title={t('admin.providers.renameOf', { name: renaming.name })}
            label={t('admin.providers.name')}
            initial={renaming.name}
            onSubmit={async (name) => {
              await rename.mutateAsync({ id: renaming.id, name });
              toast.success(t('admin.providers.renamed', { name }));
            }}
            onClose={() => setRenaming(null)}
          />
        </Suspense>
      )}
    </section>
  );
}
