// The 404 page, the page shown when the API is unreachable or fails, and the router's error page (a page whose
// code is lost after a redeploy, or that failed to draw): each explains and offers a retry, never a dead end.
import { type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { ApiError } from '../api/client.ts';
import { isLostChunk, type Recovery, reloadToNewVersion } from '../new-version.ts';
import { Loading } from '../ui/feedback.tsx';

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

/** A heading, what happened, "Try again" and a way home; in a <main> of its own when no layout is around it. */
function Problem({
  title,
  text,
  retry,
  standalone,
  details,
}: {
  title: string;
  text: string;
  retry: () => void;
  standalone: boolean;
  details?: string | undefined;
}) {
  const { t } = useTranslation();
  useTitle(title);
  const content: ReactNode = (
    <>
      <h1>{title}</h1>
      <p role="alert">{text}</p>
      {details && (
        <details className="problem-details">
          <summary>{t('errors.details')}</summary>
          <code>{details}</code>
        </details>
      )}
      <div className="problem-actions">
        <button type="button" className="button button-primary" onClick={retry}>
          {t('common.retry')}
        </button>
        <Link className="button" to="/">
          {t('errors.toHome')}
        </Link>
      </div>
    </>
  );
  return standalone ? (
    <main id="main" className="page-message">
      {content}
    </main>
  ) : (
    <div className="page-message">{content}</div>
  );
}

export function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  const { t } = useTranslation();
  const status = error instanceof ApiError ? error.status : undefined;
  return (
    <Problem
      standalone
      title={status ? t('errors.serverTitle') : t('errors.unreachableTitle')}
      text={status ? t('errors.server', { status }) : t('errors.unreachable')}
      retry={retry}
    />
  );
}

const reload = () => location.reload();

/**
 * The router's errorElement: a page whose code cannot be loaded reloads once to the new version; otherwise, and
 * for any other error, the app's error page. `standalone` where the layout itself failed (no header around it).
 */
export function RouteError({ standalone = false }: { standalone?: boolean }) {
  const { t } = useTranslation();
  const error = useRouteError();
  const lost = isLostChunk(error);
  const [recovery, setRecovery] = useState<Recovery>();
  useEffect(() => {
    if (!lost) return;
    let shown = true;
    void reloadToNewVersion().then((outcome) => {
      if (shown) setRecovery(outcome);
    });
    return () => {
      shown = false;
    };
  }, [lost]);

  if (isRouteErrorResponse(error) && error.status === 404) return <NotFound />;
  if (lost && (recovery === undefined || recovery === 'reloading')) return <Loading />;
  if (lost)
    return (
      <Problem
        standalone={standalone}
        title={recovery === 'unreachable' ? t('errors.unreachableTitle') : t('errors.lostTitle')}
        text={recovery === 'unreachable' ? t('errors.unreachable') : t('errors.lost')}
        retry={reload}
      />
    );
  return (
    <Problem
      standalone={standalone}
      title={t('errors.serverTitle')}
      text={t('errors.unexpected')}
      retry={reload}
      details={error instanceof Error ? error.message : undefined}
    />
  );
}

export { useTitle };
