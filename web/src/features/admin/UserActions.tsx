// "Disable" / "Enable" and "Grant staff" / "Revoke staff", as the user's abilities (DESIGN.md §8) allow. Each confirmed.
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminUser } from '../../api/types.ts';
import { useToast } from '../../ui/feedback.tsx';
import { useUpdateUser } from './api.ts';
import { ConfirmDialog } from './lazy-dialogs.ts';

type Change = 'disable' | 'enable' | 'grant' | 'revoke';

export function UserActions({ user, describedBy }: { user: AdminUser; describedBy?: string }) {
  const { t } = useTranslation();
  const update = useUpdateUser();
  const toast = useToast();
  const [change, setChange] = useState<Change | null>(null);
  const name = user.name || user.email || user.id;
  const button = (which: Change, danger: boolean) => (
    <button
      type="button"
      className={`button button-small${danger ? ' button-danger-quiet' : ''}`}
      aria-describedby={describedBy}
      onClick={() => setChange(which)}
    >
      {t(`admin.users.${which}`)}
    </button>
  );
  const body: Record<Change, { is_active?: boolean; is_staff?: boolean }> = {
    disable: { is_active: false },
    enable: { is_active: true },
    grant: { is_staff: true },
    revoke: { is_staff: false },
  };
  return (
    <div className="row-actions">
      {user.abilities.set_active && (user.is_active ? button('disable', true) : button('enable', false))}
      {user.abilities.set_staff && (user.is_staff ? button('revoke', true) : button('grant', false))}
      {change && (
        <Suspense fallback={null}>
          <ConfirmDialog
            title={t(`admin.users.${change}Of`, { name })}
            confirmLabel={t(`admin.users.${change}`)}
            danger={change === 'disable' || change === 'revoke'}
            onConfirm={async () => {
              await update.mutateAsync({ id: user.id, ...body[change] });
              toast.success(t(`admin.users.${change}Done`, { name }));
            }}
            onClose={() => setChange(null)}
          >
            <p>{t(`admin.users.${change}Warning`)}</p>
          </ConfirmDialog>
        </Suspense>
      )}
    </div>
  );
}
