// The "Role" radio group: only the roles the API says this agent may give.
import { Label, Radio, RadioGroup } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../api/types.ts';
import { offeredRoles } from './choices.ts';

export function RolePicker({
  allowed,
  value,
  onChange,
  current,
}: {
  allowed: readonly Role[];
  value: Role;
  onChange: (role: Role) => void;
  current?: Role;
}) {
  const { t } = useTranslation();
  return (
    <RadioGroup className="radio-group" value={value} onChange={(v) => onChange(v as Role)}>
      <Label className="label">{t('members.role')}</Label>
      {offeredRoles(allowed, current).map((role) => (
        <Radio key={role} value={role} className="radio">
          {t(`roles.${role}`)}
        </Radio>
      ))}
    </RadioGroup>
  );
}
