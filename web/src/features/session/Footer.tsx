// The footer, after the French state's conventions (DSFR): who runs the service, the state's sites, the mandatory
// links (accessibility statement with its compliance, legal notice, personal data) and Desk's release.
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useConfig } from './api.ts';
import { StateIdentity } from './Header.tsx';

// The state's reference sites every DSFR footer lists; their names are the same in every language.
const STATE_SITES = ['info.gouv.fr', 'service-public.fr', 'legifrance.gouv.fr', 'data.gouv.fr'];

/** The operator's page when a setting names one, else Desk's own. */
function FooterLink({
  href,
  to,
  children,
}: {
  href: string | null | undefined;
  to: string;
  children: string;
}) {
  return href ? (
    <a className="footer-bottom-link" href={href}>
      {children}
    </a>
  ) : (
    <Link className="footer-bottom-link" to={to}>
      {children}
    </Link>
  );
}

export function Footer() {
  const { t } = useTranslation();
  const config = useConfig().data;
  const stateIdentity = config?.FRONTEND_STATE_IDENTITY ?? false;
  return (
    <footer className="footer">
      <div className="shell-container">
        <div className="footer-body">
          {stateIdentity && <StateIdentity />}
          <div className="footer-content">
            <p className="footer-description">{t('shell.footer.description')}</p>
            {stateIdentity && (
              <ul className="footer-sites">
                {STATE_SITES.map((site) => (
                  <li key={site}>
                    <a href={`https://www.${site}`}>{site}</a>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
        <div className="footer-bottom">
          <ul>
            <li>
              <FooterLink href={config?.FRONTEND_ACCESSIBILITY_URL} to="/accessibility">
                {t('shell.footer.accessibility')}
              </FooterLink>
            </li>
            <li>
              <FooterLink href={config?.FRONTEND_LEGAL_NOTICE_URL} to="/legal-notice">
                {t('shell.footer.legalNotice')}
              </FooterLink>
            </li>
            <li>
              <FooterLink href={config?.FRONTEND_PERSONAL_DATA_URL} to="/personal-data">
                {t('shell.footer.personalData')}
              </FooterLink>
            </li>
          </ul>
          <p className="footer-release">
            {t('app.name')} {config?.RELEASE}
          </p>
        </div>
      </div>
    </footer>
  );
}
