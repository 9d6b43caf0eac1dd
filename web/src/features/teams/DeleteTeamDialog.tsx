// "Delete team", confirmed: loaded when first opened, with react-aria.
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { Team } from '../../api/types.ts';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { useToast } from '../../ui/feedback.tsx';
import { useDeleteTeam } from './api.ts';

export default function DeleteTeamDialog({ team, onClose }: { team: Team; onClose: () => void }) {
  const { t } = useTranslation();
  const remove = useDeleteTeam(team.id);
  const navigate = useNavigate();
  const toast = useToast();
  return (
    <ConfirmDialog
      title={t('team.deleteDialog', { name: team.name })}
      confirmLabel={t('team.deleteConfirm')}
      danger
      onClose={onClose}
      onConfirm={async () => {
        await remove.mutateAsync();
        toast.success(t('team.deleted', { name: team.name }));
        navigate('/teams');
      }}
    >
      <p>{t('team.deleteWarning')}</p>
    </ConfirmDialog>
  );
}
