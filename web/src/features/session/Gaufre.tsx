// La Suite's app switcher (the "gaufre"): the suite's own button and styles (@gouvfr-lasuite/integration), in the
// agent's language. Its behaviour comes from the operator's FRONTEND_GAUFRE_URL script, which Desk puts in the page;
// until that script has run (or when it cannot load, offline), the button stays hidden and the page works as is.
import '@gouvfr-lasuite/integration/dist/css/gaufre.css';
import {
  frTranslations,
  LaSuiteTranslationsProvider,
  Gaufre as SuiteGaufre,
} from '@gouvfr-lasuite/integration';
import { useTranslation } from 'react-i18next';

export default function Gaufre() {
  const { t } = useTranslation();
  return (
    <LaSuiteTranslationsProvider translations={{ ...frTranslations, gaufre: { label: t('shell.gaufre') } }}>
      <span className="header-gaufre">
        <SuiteGaufre variant="small" />
      </span>
    </LaSuiteTranslationsProvider>
  );
}
