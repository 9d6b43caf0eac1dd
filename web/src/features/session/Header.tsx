// The header: Desk's name, the main navigation, the language switch and the account menu.
import { useTranslation } from 'react-i18next';
import { NavLink, useNavigate } from 'react-router';
import type { Me } from '../../api/types.ts';
import { LANGUAGES, shortOf } from '../../i18n/index.ts';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { MenuButton } from '../../ui/menu-button.tsx';
import { logOut, useConfig, useUpdateMe } from './api.ts';

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

export function Header({ me }: { me: Me }) {
  const { t } = useTranslation();
  const features = useConfig().data?.FEATURES ?? {};
  const navigate = useNavigate();
  return (
    <header className="header">
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <div className="header-inner">
        <NavLink to="/teams" className="brand">
          {t('app.name')}
        </NavLink>
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
            {me.is_staff && (
              <li>
                <NavLink to="/admin">{t('nav.admin')}</NavLink>
              </li>
            )}
          </ul>
        </nav>
        <div className="header-tools">
          <LanguageSwitch me={me} />
          <MenuButton
            label={`${me.name || me.email} – ${t('nav.account')}`}
            items={[
              { id: 'profile', label: t('nav.profile'), onAction: () => navigate('/profile') },
              { id: 'logout', label: t('nav.logout'), onAction: logOut },
            ]}
          >
            <svg aria-hidden="true" className="avatar" viewBox="0 0 24 24">
              <circle cx="12" cy="12" r="12" />
              <circle cx="12" cy="9.5" r="4" fill="#fff" />
              <path d="M4.5 20a8 6 0 0 1 15 0" fill="#fff" />
            </svg>
            <span className="account-name">{me.name || me.email}</span>
          </MenuButton>
        </div>
      </div>
    </header>
  );
}
