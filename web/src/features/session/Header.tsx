// The header, after the French state's conventions (DSFR): "République Française" and the service's name, the tools
// (language, La Suite's app switcher, the account menu) and the main navigation below. On a narrow screen the
// navigation and the language fold under a "Menu" button; the account menu floats over the page, so the header
// keeps its height whatever opens.
import { type KeyboardEvent, lazy, type MouseEvent, Suspense, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, useNavigate } from 'react-router';
import type { Me } from '../../api/types.ts';
import { LANGUAGES, shortOf } from '../../i18n/index.ts';
import { Avatar } from '../../ui/avatar.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { MenuButton } from '../../ui/menu-button.tsx';
import { logOut, useConfig, useUpdateMe } from './api.ts';

// The app switcher loads only where an operator turned it on (FRONTEND_GAUFRE_URL): its code and styles stay out of
// everyone else's first load.
const Gaufre = lazy(() => import('./Gaufre.tsx'));

export function LanguageSwitch({ me, label }: { me: Me; label?: string }) {
  const { t, i18n } = useTranslation();
  const name = label ?? t('nav.language');
  const update = useUpdateMe();
  const toast = useToast();
  const errorText = useErrorText();
  return (
    <label className="language">
      <span className="visually-hidden">{name}</span>
      <select
        className="input"
        value={LANGUAGES.find((l) => l.short === shortOf(i18n.language))?.code ?? 'en-us'}
        disabled={update.isPending}
        onChange={(e) =>
          update.mutate(
            { id: me.id, language: e.target.value },
            { onError: (err) => toast.error(errorText(err)) },
          )
        }
      >
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.short}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** "République Française" as the state's sites write it (two lines, capitals), where the operator is the state. */
export function StateIdentity() {
  return (
    <p className="state-identity" lang="fr">
      République
      <br />
      Française
    </p>
  );
}

/** The state's identity and the service's name, a link home. */
function Brand({ home }: { home: string }) {
  const { t } = useTranslation();
  const stateIdentity = useConfig().data?.FRONTEND_STATE_IDENTITY ?? false;
  return (
    <div className="header-brand">
      {stateIdentity && <StateIdentity />}
      <div className="header-service">
        <Link to={home} className="header-service-name" title={t('shell.home')}>
          {t('app.name')}
        </Link>
        <p className="header-tagline">{t('app.tagline')}</p>
      </div>
    </div>
  );
}

/** The header of a signed-out page: who runs the service and its name, nothing else to reach yet. */
export function SignedOutHeader() {
  const { t } = useTranslation();
  return (
    <header className="header">
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <div className="shell-container header-row">
        <Brand home="/" />
      </div>
    </header>
  );
}

export function Header({ me }: { me: Me }) {
  const { t } = useTranslation();
  const config = useConfig().data;
  const features = config?.FEATURES ?? {};
  const navigate = useNavigate();
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const name = me.name || me.email || '';

  // A link chosen in the folded menu takes the agent to its page: the menu has done its job.
  const closeOnLink = (event: MouseEvent) => {
    if ((event.target as Element).closest('a')) setMenuOpen(false);
  };
  const closeOnEscape = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || !menuOpen) return;
    setMenuOpen(false);
    menuButton.current?.focus();
  };

  return (
    <header className="header">
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <div className="shell-container header-row">
        <Brand home="/teams" />
        <div className="header-tools">
          <div className="header-language">
            <LanguageSwitch me={me} />
          </div>
          {config?.FRONTEND_GAUFRE_URL && (
            <Suspense fallback={null}>
              <Gaufre />
            </Suspense>
          )}
          <MenuButton
            label={`${name} – ${t('nav.account')}`}
            className="button button-quiet account-button"
            heading={
              <div className="account-who">
                <Avatar name={me.name} email={me.email} large />
                <p>
                  <strong>{name}</strong>
                  {me.name && me.email && <span className="account-email">{me.email}</span>}
                </p>
              </div>
            }
            items={[
              { id: 'profile', label: t('nav.profile'), onAction: () => navigate('/profile') },
              { id: 'logout', label: t('nav.logout'), onAction: logOut },
            ]}
          >
            <Avatar name={me.name} email={me.email} />
            <span className="account-name">{name}</span>
          </MenuButton>
          <button
            ref={menuButton}
            type="button"
            className="button button-quiet menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="header-menu"
            onClick={() => setMenuOpen((open) => !open)}
          >
            <span className="menu-toggle-icon" aria-hidden="true" />
            {t('shell.menu')}
          </button>
        </div>
      </div>
      {/* Folded on a narrow screen until "Menu" opens it; always shown on a wide one. */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: clicks and Escape bubble up from the links inside */}
      <div
        id="header-menu"
        className={menuOpen ? 'header-menu header-menu-open' : 'header-menu'}
        onClick={closeOnLink}
        onKeyDown={closeOnEscape}
      >
        <div className="shell-container">
          <nav aria-label={t('nav.main')} className="nav">
            <ul>
              {features.TEAMS_DISPLAY !== false && (
                <li>
                  <NavLink to="/teams">{t('nav.teams')}</NavLink>
                </li>
              )}
              {features.CONTACTS_DISPLAY !== false && (
                <li>
                  <NavLink to="/contacts">{t('nav.contacts')}</NavLink>
                </li>
              )}
              {/* Always shown (not only with abilities.mailboxes.can_view, as people does): an agent with no mail
                  domain yet declares their first one there. */}
              <li>
                <NavLink to="/mail-domains">{t('nav.mailDomains')}</NavLink>
              </li>
              {me.is_staff && (
                <li>
                  <NavLink to="/admin">{t('nav.admin')}</NavLink>
                </li>
              )}
            </ul>
          </nav>
          <div className="header-menu-language">
            <LanguageSwitch me={me} />
          </div>
        </div>
      </div>
    </header>
  );
}
