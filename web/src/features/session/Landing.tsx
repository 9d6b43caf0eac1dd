// The signed-out page: what Desk is, and the way in (ProConnect's button, or "Log in" with the development provider).
import { useTranslation } from 'react-i18next';
import { useLocation, useSearchParams } from 'react-router';
import { loginUrl } from '../../api/client.ts';
import { useConfig } from './api.ts';
import { Footer } from './Footer.tsx';
import { SignedOutHeader } from './Header.tsx';

export function Landing() {
  const { t } = useTranslation();
  const config = useConfig().data;
  const location = useLocation();
  const [params] = useSearchParams();
  const error = params.get('login_error');
  const next = location.pathname === '/' ? '/teams' : `${location.pathname}${location.search}`;
  const development = config?.LOGIN_PROVIDER === 'development';
  return (
    <>
      <SignedOutHeader />
      <main id="main" className="landing" tabIndex={-1}>
        <h1>{t('landing.title')}</h1>
        <p className="lead">{t('landing.lead')}</p>
        {error && (
          <p role="alert" className="notice notice-error">
            {t('landing.error', { code: error })}
          </p>
        )}
        {development ? (
          <>
            <a className="button button-primary button-large" href={loginUrl(next)}>
              {t('landing.login')}
            </a>
            <p className="hint">{t('landing.devHint')}</p>
          </>
        ) : (
          <div className="proconnect">
            <a className="proconnect-button" href={loginUrl(next)}>
              <span className="proconnect-login">{t('landing.proconnect')}</span>
            </a>
            <p>
              <a href="https://www.proconnect.gouv.fr/" target="_blank" rel="noopener noreferrer">
                {t('landing.proconnectWhat')}
              </a>
            </p>
          </div>
        )}
      </main>
      <Footer />
    </>
  );
}
