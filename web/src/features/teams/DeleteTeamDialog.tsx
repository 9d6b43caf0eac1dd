// "Delete team", confirmed: loaded when first opened, with react-aria.
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { Team } from '../../api/types.ts';
import { ModalDialog } from '../../ui/dialog.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { useDeleteTeam } from './api.ts';

export default function DeleteTeamDialog({ team, onClose }: { team: Team; onClose: () => void }) {
  const { t } = useTranslation();
  const remove = useDeleteTeam(team.id);
  const navigate = useNavigate();
  const toast = useToast();
  const errorText = useErrorText();
  return (
    <ModalDialog
      title={t('team.deleteDialog', { name: team.name })}
      isOpen
      onOpenChange={(o) => !o && onClose()}
      role="alertdialog"
    >
      <p>{t('team.deleteWarning')}</p>
      {remove.isError && (
        <p role="alert" className="notice notice-error">
          {errorText(remove.error)}
        </p>
      )}
      <div className="actions">
        <button type="button" className="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className="button button-danger"
          disabled={remove.isPending}
          onClick={() =>
            remove.mutate(undefined, {
              onSuccess: () => {
                toast.success(t('team.deleted', { name: team.name }));
                navigate('/teams');
              },
            })
          }
        >
          {t('team.deleteConfirm')}
        </button>
      </div>
    </ModalDialog>
  );
}
