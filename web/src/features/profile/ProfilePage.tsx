// /profile: name, email and organization from the provider (read-only), language and time zone (saved at once).
import { useTranslation } from 'react-i18next';
import { useTitle } from '../../pages/errors.tsx';
import { Loading, useErrorText, useToast } from '../../ui/feedback.tsx';
import { useMe, useUpdateMe } from '../session/api.ts';
import { LanguageSwitch } from '../session/Header.tsx';

const ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];

export default function ProfilePage() {
  const { t } = useTranslation();
  useTitle(t('profile.title'));
  const me = useMe().data;
  const update = useUpdateMe();
  const toast = useToast();
  const errorText = useErrorText();
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
        <dd>{me.organization?.name || '—'}</dd>
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
        <label className="field">
          <span className="label">{t('profile.timezone')}</span>
          <select
            className="input"
            value={me.timezone}
            disabled={update.isPending}
            onChange={(e) =>
              update.mutate(
                { id: me.id, timezone: e.target.value },
                {
                  onSuccess: () => toast.success(t('common.saved')),
                  onError: (err) => toast.error(errorText(err)),
                },
              )
            }
          >
            {ZONES.map((zone) => (
              <option key={zone}>{zone}</option>
            ))}
          </select>
        </label>
      </div>
    </section>
  );
}
