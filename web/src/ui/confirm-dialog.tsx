// A confirmation: the question, its consequence, and the one button that does it; the API's refusal shown inside.
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ModalDialog } from './dialog.tsx';
import { useErrorText } from './feedback.tsx';

/** A question with its consequence, and the one button that does it (the error, if any, shown in the dialog). */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  cancelLabel,
  danger = false,
  onConfirm,
  onClose,
}: {
  title: string;
  /** The consequence, when the title alone does not say it. */
  children?: ReactNode;
  confirmLabel: string;
  /** The button that leaves things as they are, when "Cancel" would read like the action itself. */
  cancelLabel?: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    setPending(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setPending(false);
    }
  };
  return (
    <ModalDialog title={title} isOpen onOpenChange={(open) => !open && onClose()} role="alertdialog">
      {children}
      {error && (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" className="button" onClick={onClose}>
          {cancelLabel ?? t('common.cancel')}
        </button>
        <button
          type="button"
          className={danger ? 'button button-danger' : 'button button-primary'}
          disabled={pending}
          onClick={confirm}
        >
          {confirmLabel}
        </button>
      </div>
    </ModalDialog>
  );
}
