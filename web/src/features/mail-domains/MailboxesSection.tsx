// The domain's mailboxes: address, name, secondary email, status (and why one waits); "Create a mailbox" and, per
// mailbox, a menu of what may be done to it, named by its address for screen readers. The API's abilities decide
// what is offered: viewers see the list only.
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Mailbox, MailDomain } from '../../api/types.ts';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { ListState } from '../../ui/list.tsx';
import { type MenuAction, MenuButton } from '../../ui/menu-button.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { Missing } from '../admin/parts.tsx';
import { useConfig } from '../session/api.ts';
import { type MailboxAction, useMailboxAction, useMailboxes } from './api.ts';
import { StatusBadge } from './parts.tsx';

// Dialogs load when first opened (react-aria with them).
const MailboxDialog = lazy(() => import('./MailboxDialog.tsx'));
const ConfirmDialog = lazy(() =>
  import('../../ui/confirm-dialog.tsx').then((m) => ({ default: m.ConfirmDialog })),
);

export const addressOf = (localPart: string, domain: MailDomain) => `${localPart}@${domain.name}`;

/** Why a mailbox is not enabled yet, when its status alone does not say it. */
function useWhy(domain: MailDomain) {
  const { t } = useTranslation();
  return (mailbox: Mailbox): string | null => {
    if (mailbox.status === 'pending')
      return domain.status === 'enabled' ? t('mailboxes.waitingPlatform') : t('mailboxes.waitingDomain');
    if (mailbox.status === 'failed') return t('mailboxes.refused');
    return null;
  };
}

type Confirming = { mailbox: Mailbox; action: 'disable' | 'reset_password' };

export function MailboxesSection({ domain }: { domain: MailDomain }) {
  const { t } = useTranslation();
  const creationOn = useConfig().data?.FEATURES.MAILBOXES_CREATE !== false;
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Mailbox | 'new' | null>(null);
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const mailboxes = useMailboxes(domain.slug, page);
  const act = useMailboxAction(domain.slug);
  const toast = useToast();
  const errorText = useErrorText();
  const why = useWhy(domain);
  const manage = domain.abilities.post;
  const canCreate = manage && creationOn && domain.status !== 'disabled';

  /** Runs an action, then says what happened: done, or queued until the mail platform answers (202). */
  const run = async (mailbox: Mailbox, action: MailboxAction) => {
    const address = addressOf(mailbox.local_part, domain);
    const email = mailbox.secondary_email ?? '';
    const { mailbox: after, queued } = await act.mutateAsync({ id: mailbox.id, action });
    if (action === 'login_link')
      toast.success(queued ? t('mailboxes.queuedLink') : t('mailboxes.loginLinkSent', { email }));
    else if (action === 'reset_password')
      toast.success(queued ? t('mailboxes.queuedPassword') : t('mailboxes.resetDone', { email }));
    else if (after.status === 'pending') toast.success(t('mailboxes.queuedChange'));
    else
      toast.success(t(action === 'enable' ? 'mailboxes.enableDone' : 'mailboxes.disableDone', { address }));
  };
  const runFromMenu = (mailbox: Mailbox, action: MailboxAction) =>
    run(mailbox, action).catch((err) => toast.error(errorText(err)));

  const itemsFor = (mailbox: Mailbox): MenuAction[] => {
    const items: MenuAction[] = [];
    if (mailbox.status === 'enabled') {
      items.push({
        id: 'login_link',
        label: t('mailboxes.loginLink'),
        onAction: () => void runFromMenu(mailbox, 'login_link'),
      });
      items.push({
        id: 'reset_password',
        label: t('mailboxes.reset'),
        // Without a secondary email there is nowhere to send it: the API's refusal says so at once.
        onAction: () =>
          mailbox.secondary_email
            ? setConfirming({ mailbox, action: 'reset_password' })
            : void runFromMenu(mailbox, 'reset_password'),
      });
    }
    items.push({ id: 'edit', label: t('mailboxes.edit'), onAction: () => setEditing(mailbox) });
    if (mailbox.status === 'disabled')
      items.push({
        id: 'enable',
        label: t('mailboxes.enable'),
        onAction: () => void runFromMenu(mailbox, 'enable'),
      });
    else if (mailbox.status !== 'pending' || domain.status === 'enabled')
      items.push({
        id: 'disable',
        label: t('mailboxes.disable'),
        onAction: () => setConfirming({ mailbox, action: 'disable' }),
      });
    return items;
  };

  return (
    <section aria-labelledby="mailboxes-title" className="section section-tab">
      <div className="section-head">
        <h2 id="mailboxes-title">{t('mailboxes.title')}</h2>
        {canCreate && (
          <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
            {t('mailboxes.create')}
          </button>
        )}
      </div>
      {manage && !creationOn && <p className="notice">{t('mailboxes.turnedOff')}</p>}
      <ListState
        query={mailboxes}
        empty={mailboxes.data?.count === 0 ? t('mailboxes.empty') : null}
        page={page}
        pages={pagesOf(mailboxes.data?.count)}
        onPage={setPage}
      >
        <table className="table table-cards" aria-labelledby="mailboxes-title">
          <thead>
            <tr>
              <th scope="col">{t('mailboxes.address')}</th>
              <th scope="col">{t('mailboxes.name')}</th>
              <th scope="col">{t('mailboxes.secondaryEmail')}</th>
              <th scope="col">{t('mailboxes.status')}</th>
              {manage && <th scope="col">{t('mailboxes.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {mailboxes.data?.results.map((mailbox) => {
              const address = addressOf(mailbox.local_part, domain);
              const reason = why(mailbox);
              return (
                <tr key={mailbox.id}>
                  <th scope="row" className="cell-address">
                    {address}
                  </th>
                  <td>{`${mailbox.first_name} ${mailbox.last_name}`.trim()}</td>
                  <td data-label={t('mailboxes.secondaryEmail')} className="cell-address">
                    {mailbox.secondary_email ?? <Missing />}
                  </td>
                  <td>
                    <StatusBadge status={mailbox.status} text={t(`mailboxes.statuses.${mailbox.status}`)} />
                    {reason && <span className="why status-why">{reason}</span>}
                  </td>
                  {manage && (
                    <td>
                      <MenuButton
                        label={t('mailboxes.actionsOf', { address })}
                        className="button button-small"
                        items={itemsFor(mailbox)}
                      >
                        {t('mailboxes.actions')}
                        <span aria-hidden="true" className="menu-caret" />
                      </MenuButton>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </ListState>
      <Suspense fallback={null}>
        {editing && (
          <MailboxDialog
            domain={domain}
            mailbox={editing === 'new' ? null : editing}
            onClose={() => setEditing(null)}
          />
        )}
        {confirming && (
          <ConfirmDialog
            title={t(confirming.action === 'disable' ? 'mailboxes.disableOf' : 'mailboxes.resetOf', {
              address: addressOf(confirming.mailbox.local_part, domain),
            })}
            confirmLabel={t(confirming.action === 'disable' ? 'mailboxes.disable' : 'mailboxes.reset')}
            danger={confirming.action === 'disable'}
            onConfirm={() => run(confirming.mailbox, confirming.action)}
            onClose={() => setConfirming(null)}
          >
            <p>
              {confirming.action === 'disable'
                ? t('mailboxes.disableWarning')
                : t('mailboxes.resetWarning', { email: confirming.mailbox.secondary_email ?? '' })}
            </p>
          </ConfirmDialog>
        )}
      </Suspense>
    </section>
  );
}
