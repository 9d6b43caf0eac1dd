// An organization's name as the app shows it (name.ts), in the agent's language.
import { useTranslation } from 'react-i18next';
import { organizationName } from './name.ts';

export function useOrganizationName(): (name: string) => string {
  const { t } = useTranslation();
  return (name) => organizationName(name, (key, values) => t(key, values));
}
