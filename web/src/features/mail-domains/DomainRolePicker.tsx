// The "Role" radio group of a mail domain: only the roles the agent may give (loaded with the dialogs, react-aria).
import { Label, Radio, RadioGroup } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { DomainRole } from '../../api/types.ts';
import { DOMAIN_ROLES } from './api.ts';

export function DomainRolePicker({
  allowed,
  value,
  onChange,
  current,
}: {
  allowed: readonly DomainRole[];
  value: DomainRole;
  onChange: (role: DomainRole) => void;
  /** The role held now, shown among the choices so the picker says where it stands. */
  current?: DomainRole;
}) {
  const { t } = useTranslation();
  return (
    <RadioGroup className="radio-group" value={value} onChange={(v) => onChange(v as DomainRole)}>
      <Label className="label">{t('domainAccesses.role')}</Label>
      {DOMAIN_ROLES.filter((role) => allowed.includes(role) || role === current).map((role) => (
        <Radio key={role} value={role} className="radio">
          {t(`domainRoles.${role}`)}
        </Radio>
      ))}
    </RadioGroup>
  );
}
