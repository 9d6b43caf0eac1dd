// /mail-domains: the mail domains the agent has a role on, their status and mailbox count; "Add a mail domain".
// Open to every agent: one with no domain yet declares their first one here.
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useTitle } from '../../pages/errors.tsx';
import { Loading } from '../../ui/feedback.tsx';
import { ListState } from '../../ui/list.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { useMailDomains } from './api.ts';
import { StatusBadge } from './parts.tsx';

// The mail texts join the catalogs with this page's code; the route waits for them (app.tsx).
export { textsReady } from './texts.ts';

// The dialog (and react-aria with it) loads when first opened.
const AddDomainDialog = lazy(() => import('./AddDomainDialog.tsx'));

export default function MailDomainsPage() {
  const { t } = useTranslation();
  useTitle(t('mailDomains.title'));
  const [page, setPage] = useState(1);
  const [adding, setAdding] = useState(false);
  const domains = useMailDomains(page);

  return (
    <section aria-labelledby="mail-domains-title">
      <div className="page-head">
        <h1 id="mail-domains-title">{t('mailDomains.title')}</h1>
        <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
          {t('mailDomains.add')}
        </button>
      </div>
      <ListState
        query={domains}
        empty={domains.data?.count === 0 ? t('mailDomains.empty') : null}
        page={page}
        pages={pagesOf(domains.data?.count)}
        onPage={setPage}
      >
        <table className="table table-cards" aria-label={t('mailDomains.list')}>
          <thead>
            <tr>
              <th scope="col">{t('mailDomains.domain')}</th>
              <th scope="col">{t('mailDomains.status')}</th>
              <th scope="col">{t('mailDomains.mailboxes')}</th>
            </tr>
          </thead>
          <tbody>
            {domains.data?.results.map((domain) => (
              <tr key={domain.id}>
                <th scope="row">
                  <Link to={`/mail-domains/${domain.slug}`}>{domain.name}</Link>
                </th>
                <td>
                  <StatusBadge status={domain.status} text={t(`mailDomains.statuses.${domain.status}`)} />
                </td>
                <td>{t('mailDomains.mailboxCount', { count: domain.count_mailboxes })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListState>
      {adding && (
        <Suspense fallback={<Loading />}>
          <AddDomainDialog onClose={() => setAdding(false)} />
        </Suspense>
      )}
    </section>
  );
}
