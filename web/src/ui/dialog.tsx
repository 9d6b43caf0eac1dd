// A modal dialog named by its heading: react-aria traps focus inside and returns it to the opener on close.
import type { ReactNode } from 'react';
import { Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';

export function ModalDialog({
  title,
  isOpen,
  onOpenChange,
  children,
  role = 'dialog',
  isDismissable = true,
}: {
  title: string;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
  children: ReactNode;
  role?: 'dialog' | 'alertdialog';
  /** False when closing by a click outside or Escape would lose something shown once. */
  isDismissable?: boolean;
}) {
  return (
    <ModalOverlay
      className="overlay"
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      isDismissable={isDismissable}
      isKeyboardDismissDisabled={!isDismissable}
    >
      <Modal className="modal">
        <Dialog className="dialog" role={role}>
          <Heading slot="title" className="dialog-title">
            {title}
          </Heading>
          {children}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
