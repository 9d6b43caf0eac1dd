// The member dialogs ("Change role", "Remove from team" and "Leave team"), loaded when first opened: react-aria
// comes with them, so the team page itself stays light to load.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/client.ts';
import type { Access, Role, Team } from '../../api/types.ts';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { ModalDialog } from '../../ui/dialog.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { useAddAccess, useChangeRole, useRemoveAccess } from './api.ts';
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

/**
 * Removing someone, or leaving (removing oneself): the same confirmation. Removing someone else is undone from its
 * toast: they are added again with the role they had, through the API, so the rules hold as for any addition. Had the
 * agent lost the right to add members meanwhile, the API refuses and the toast that follows says why.
 */
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
  const addBack = useAddAccess(team.id);
  const toast = useToast();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const name = access.user.name || access.user.email || '';
  const undo = async () => {
    try {
      await addBack.mutateAsync({ user: access.user.id, role: access.role });
      toast.success(t('members.restored', { name, role: t(`roles.${access.role}`) }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) toast.error(t('members.undoForbidden', { name }));
      else if (err instanceof ApiError && err.status === 404) toast.error(t('members.undoGone', { name }));
      else toast.error(t('members.undoFailed', { name, message: errorText(err) }));
    }
  };
  return (
    <ConfirmDialog
      title={self ? t('team.leaveDialog', { name: team.name }) : t('members.removeOf', { name })}
      confirmLabel={self ? t('team.leaveConfirm') : t('members.removeConfirm')}
      danger
      onClose={onClose}
      onConfirm={async () => {
        await remove.mutateAsync(access.id);
        if (self) {
          toast.success(t('team.left', { name: team.name }));
          navigate('/teams');
        } else
          toast.success(t('members.removed', { name }), { action: { label: t('members.undo'), run: undo } });
      }}
    />
  );
}
