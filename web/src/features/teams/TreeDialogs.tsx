// "Attach a sub-team" and "Detach from parent" (DESIGN.md §12), loaded when first opened: react-aria comes with them.
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Team } from '../../api/types.ts';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { ModalDialog } from '../../ui/dialog.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { useMoveTeam } from './api.ts';

/** One of the agent's teams, chosen among `candidates`, moved under `team`. */
export function AttachDialog({
  team,
  candidates,
  onClose,
}: {
  team: Team;
  candidates: Team[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const move = useMoveTeam();
  const toast = useToast();
  const errorText = useErrorText();
  const [child, setChild] = useState('');
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const chosen = candidates.find((c) => c.id === child);
    if (!chosen) return;
    move.mutate(
      { id: chosen.id, parent: team.id },
      {
        onSuccess: () => {
          toast.success(t('tree.attached', { child: chosen.name, parent: team.name }));
          onClose();
        },
      },
    );
  };
  return (
    <ModalDialog
      title={t('tree.attachDialog', { name: team.name })}
      isOpen
      onOpenChange={(open) => !open && onClose()}
    >
      <form className="form" onSubmit={submit}>
        {candidates.length === 0 ? (
          <p>{t('tree.attachNone')}</p>
        ) : (
          <div className="field">
            <label className="label" htmlFor={`${id}-team`}>
              {t('tree.attachTeam')}
            </label>
            <select
              id={`${id}-team`}
              className="input"
              value={child}
              required
              // biome-ignore lint/a11y/noAutofocus: the dialog's one choice; react-aria would otherwise focus the dialog itself.
              autoFocus
              aria-describedby={`${id}-hint`}
              onChange={(e) => setChild(e.target.value)}
            >
              <option value="">{t('tree.attachChoose')}</option>
              {candidates.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            <p id={`${id}-hint`} className="hint">
              {t('tree.attachHint')}
            </p>
          </div>
        )}
        {move.isError && (
          <p role="alert" className="notice notice-error">
            {errorText(move.error)}
          </p>
        )}
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          {candidates.length > 0 && (
            <button type="submit" className="button button-primary" disabled={move.isPending || child === ''}>
              {move.isPending ? t('tree.attaching') : t('tree.attachSubmit')}
            </button>
          )}
        </div>
      </form>
    </ModalDialog>
  );
}

/** `team` out of its parent: a root from then on, its own sub-teams still under it. */
export function DetachDialog({ team, parent, onClose }: { team: Team; parent: Team; onClose: () => void }) {
  const { t } = useTranslation();
  const move = useMoveTeam();
  const toast = useToast();
  return (
    <ConfirmDialog
      title={t('tree.detachDialog', { name: team.name, parent: parent.name })}
      confirmLabel={t('tree.detachConfirm')}
      onClose={onClose}
      onConfirm={async () => {
        await move.mutateAsync({ id: team.id, parent: null });
        toast.success(t('tree.detached', { name: team.name }));
      }}
    >
      <p>{t('tree.detachWarning')}</p>
    </ConfirmDialog>
  );
}
