// The 404 page, and the page shown when the API is unreachable or fails (with a retry).
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../api/client.ts';

function useTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Desk`;
  }, [title]);
}

export function NotFound() {
  const { t } = useTranslation();
  useTitle(t('errors.notFoundTitle'));
  return (
    <div className="page-message">
      <h1>{t('errors.notFoundTitle')}</h1>
      <p>{t('errors.notFound')}</p>
      <Link className="button" to="/teams">
        {t('errors.home')}
      </Link>
    </div>
  );
}

export function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  const { t } = useTranslation();
  const status = error instanceof ApiError ? error.status : undefined;
  const title = status ? t('errors.serverTitle') : t('errors.unreachableTitle');
  useTitle(title);
  return (
    <main id="main" className="page-message">
      <h1>{title}</h1>
      <p role="alert">{status ? t('errors.server', { status }) : t('errors.unreachable')}</p>
      <button type="button" className="button button-primary" onClick={retry}>
        {t('common.retry')}
      </button>
    </main>
  );
}

export { useTitle };
