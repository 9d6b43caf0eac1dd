// /profile: name, email and organization from the provider (read-only), language and time zone (saved at once).
import { useTranslation } from 'react-i18next';
import { useTitle } from '../../pages/errors.tsx';
import { Loading } from '../../ui/feedback.tsx';
import { useOrganizationName } from '../organizations/use-organization-name.ts';
import { useMe } from '../session/api.ts';
import { LanguageSwitch } from '../session/Header.tsx';
import { TimeZoneField } from './TimeZoneField.tsx';

export default function ProfilePage() {
  const { t } = useTranslation();
  useTitle(t('profile.title'));
  const me = useMe().data;
  const organizationName = useOrganizationName();
  if (!me) return <Loading />;
  return (
    <section aria-labelledby="profile-title" className="narrow">
      <h1 id="profile-title">{t('profile.title')}</h1>
      <p className="muted">{t('profile.fromProvider')}</p>
      <dl className="facts">
        <dt>{t('profile.name')}</dt>
        <dd>{me.name || '—'}</dd>
        <dt>{t('profile.email')}</dt>
        <dd>{me.email ?? '—'}</dd>
        <dt>{t('profile.organization')}</dt>
        <dd>{me.organization?.name ? organizationName(me.organization.name) : '—'}</dd>
        {me.organization?.registration_id_list.length ? (
          <>
            <dt>{t('profile.registrationIds')}</dt>
            <dd>{me.organization.registration_id_list.join(', ')}</dd>
          </>
        ) : null}
      </dl>
      <div className="form">
        <div className="field">
          <span className="label" aria-hidden="true">
            {t('profile.language')}
          </span>
          <LanguageSwitch me={me} label={t('profile.language')} />
        </div>
        <TimeZoneField me={me} />
      </div>
    </section>
  );
}
