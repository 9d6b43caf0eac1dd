// Dates in the agent's language and time zone.
import { useTranslation } from 'react-i18next';
import { useMe } from '../features/session/api.ts';

export function useFormatDate() {
  const { i18n } = useTranslation();
  const me = useMe().data;
  return (iso: string, withTime = false) =>
    new Intl.DateTimeFormat(i18n.language === 'fr' ? 'fr-FR' : 'en-GB', {
      dateStyle: 'medium',
      ...(withTime ? { timeStyle: 'short' } : {}),
      ...(me?.timezone ? { timeZone: me.timezone } : {}),
    }).format(new Date(iso));
}
