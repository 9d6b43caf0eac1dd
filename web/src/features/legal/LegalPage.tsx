// The footer's pages when the operator names none of its own: the accessibility statement (not compliant: no audit
// yet), the legal notice and what Desk keeps about people. Reachable signed in or not.
import { useTranslation } from 'react-i18next';
import { useTitle } from '../../pages/errors.tsx';

export type LegalTopic = 'accessibility' | 'legalNotice' | 'personalData';

function Paragraphs({ keys }: { keys: string[] }) {
  const { t } = useTranslation();
  return keys.map((key) => <p key={key}>{t(key)}</p>);
}

export default function LegalPage({ topic }: { topic: LegalTopic }) {
  const { t } = useTranslation();
  const title = t(`shell.legal.${topic}.title`);
  useTitle(title);
  return (
    <article className="legal narrow" aria-labelledby="legal-title">
      <h1 id="legal-title">{title}</h1>
      {topic === 'accessibility' && (
        <>
          <p className="lead">{t('shell.legal.accessibility.status')}</p>
          <Paragraphs keys={['shell.legal.accessibility.checked', 'shell.legal.accessibility.contact']} />
          <h2>{t('shell.legal.accessibility.remedyTitle')}</h2>
          <p>
            {t('shell.legal.accessibility.remedy')}{' '}
            <a href="https://formulaire.defenseurdesdroits.fr/">{t('shell.legal.accessibility.defender')}</a>
          </p>
        </>
      )}
      {topic === 'legalNotice' && (
        <Paragraphs keys={['shell.legal.legalNotice.publisher', 'shell.legal.legalNotice.contact']} />
      )}
      {topic === 'personalData' && (
        <>
          <p>{t('shell.legal.personalData.intro')}</p>
          <ul>
            {(['identity', 'settings', 'teams', 'contacts', 'audit'] as const).map((item) => (
              <li key={item}>{t(`shell.legal.personalData.${item}`)}</li>
            ))}
          </ul>
          <h2>{t('shell.legal.personalData.cookiesTitle')}</h2>
          <p>{t('shell.legal.personalData.cookies')}</p>
          <h2>{t('shell.legal.personalData.rightsTitle')}</h2>
          <p>{t('shell.legal.personalData.rights')}</p>
        </>
      )}
    </article>
  );
}
