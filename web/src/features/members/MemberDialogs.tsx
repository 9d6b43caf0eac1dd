// The member dialogs ("Change role", "Remove from team" and "Leave team"), loaded when first opened: react-aria
// comes with them, so the team page itself stays light to load.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { Access, Role, Team } from '../../api/types.ts';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { ModalDialog } from '../../ui/dialog.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { useChangeRole, useRemoveAccess } from './api.ts';
import { RolePicker } from './RolePicker.tsx';

export function ChangeRoleDialog({
  team,
  access,
  onClose,
}: {
  team: Team;
  access: Access;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [role, setRole] = useState<Role>(access.role);
  const change = useChangeRole(team.id);
  const toast = useToast();
  const errorText = useErrorText();
  const name = access.user.name || access.user.email || '';
  return (
    <ModalDialog
      title={t('members.changeRoleOf', { name })}
      isOpen
      onOpenChange={(open) => !open && onClose()}
    >
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate(
            { accessId: access.id, role },
            {
              onSuccess: () => {
                toast.success(t('members.roleChanged', { name, role: t(`roles.${role}`) }));
                onClose();
              },
            },
          );
        }}
      >
        <RolePicker
          allowed={access.abilities.set_role_to}
          current={access.role}
          value={role}
          onChange={setRole}
        />
        {change.isError && (
          <p role="alert" className="notice notice-error">
            {errorText(change.error)}
          </p>
        )}
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className="button button-primary"
            disabled={change.isPending || role === access.role}
          >
            {t('common.save')}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}

/** Removing someone, or leaving (removing oneself): the same confirmation. */
export function RemoveDialog({
  team,
  access,
  self,
  onClose,
}: {
  team: Team;
  access: Access;
  self: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const remove = useRemoveAccess(team.id);
  const toast = useToast();
  const navigate = useNavigate();
  const name = access.user.name || access.user.email || '';
  return (
    <ConfirmDialog
      title={self ? t('team.leaveDialog', { name: team.name }) : t('members.removeOf', { name })}
      confirmLabel={self ? t('team.leaveConfirm') : t('members.removeConfirm')}
      danger
      onClose={onClose}
      onConfirm={async () => {
        await remove.mutateAsync(access.id);
        toast.success(self ? t('team.left', { name: team.name }) : t('members.removed', { name }));
        if (self) navigate('/teams');
      }}
    />
  );
}
