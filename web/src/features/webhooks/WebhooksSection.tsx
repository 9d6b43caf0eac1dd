// "Webhooks": where a team's membership changes are sent (DESIGN.md §12), each with its protocol, the outcome of its
// last delivery, when one last succeeded and, while failing, what went wrong; "Add a webhook" and, once confirmed,
// "Remove webhook". The team's page shows it to its administrators and owners, the back office to staff.
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Webhook } from '../../api/types.ts';
import { useToast } from '../../ui/feedback.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { ListState } from '../../ui/list.tsx';
import { useRemoveWebhook, useWebhooks, type WebhookScope } from './api.ts';

// Loaded when first opened, with react-aria: the team page stays light to load.
const AddWebhookDialog = lazy(() => import('./AddWebhookDialog.tsx'));
const ConfirmDialog = lazy(() =>
  import('../../ui/confirm-dialog.tsx').then((m) => ({ default: m.ConfirmDialog })),
);

// A tone that only repeats the words (contrast AA), as the mail domains' statuses do.
const BADGE: Record<Webhook['status'], string> = {
  pending: 'badge badge-status badge-muted',
  success: 'badge badge-status badge-ok',
  failure: 'badge badge-status badge-expired',
};

export function WebhooksSection({
  teamId,
  teamName,
  scope,
}: {
  teamId: string;
  teamName: string;
  scope: WebhookScope;
}) {
  const { t } = useTranslation();
  const formatDate = useFormatDate();
  const toast = useToast();
  const webhooks = useWebhooks(teamId, scope);
  const remove = useRemoveWebhook(teamId, scope);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Webhook | null>(null);
  const titleId = `webhooks-title-${scope}`;

  return (
    <section aria-labelledby={titleId} className="section">
      <div className="section-head">
        <h2 id={titleId}>{t('webhooks.title')}</h2>
        <button type="button" className="button" onClick={() => setAdding(true)}>
          {t('webhooks.add')}
        </button>
      </div>
      <p className="muted">{t('webhooks.lead')}</p>
      <ListState
        query={webhooks}
        empty={webhooks.data?.length === 0 ? t('webhooks.empty') : null}
        page={1}
        pages={1}
        onPage={() => {}}
      >
        <table className="table table-cards" aria-label={t('webhooks.title')}>
          <thead>
            <tr>
              <th scope="col">{t('webhooks.url')}</th>
              <th scope="col">{t('webhooks.protocol')}</th>
              <th scope="col">{t('webhooks.status')}</th>
              <th scope="col">{t('webhooks.lastSuccess')}</th>
              <th scope="col">{t('members.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {webhooks.data?.map((webhook) => (
              <tr key={webhook.id}>
                <th scope="row" className="webhook-url">
                  {webhook.url}
                </th>
                <td data-label={t('webhooks.protocol')}>
                  {t(`webhooks.protocols.${webhook.protocol}`)}
                  {webhook.has_secret && <span className="muted"> · {t('webhooks.withSecret')}</span>}
                </td>
                <td data-label={t('webhooks.status')}>
                  <span className={BADGE[webhook.status]}>{t(`webhooks.statuses.${webhook.status}`)}</span>
                  {webhook.status === 'failure' && webhook.last_error && (
                    <span className="webhook-error">{webhook.last_error}</span>
                  )}
                </td>
                <td data-label={t('webhooks.lastSuccess')}>
                  {webhook.last_success_at ? (
                    formatDate(webhook.last_success_at, true)
                  ) : (
                    <span className="muted">{t('webhooks.never')}</span>
                  )}
                </td>
                <td>
                  <button
                    type="button"
                    className="button button-small button-danger-quiet"
                    aria-label={t('webhooks.removeOf', { url: webhook.url })}
                    onClick={() => setRemoving(webhook)}
                  >
                    {t('webhooks.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListState>
      <Suspense fallback={null}>
        {adding && (
          <AddWebhookDialog
            teamId={teamId}
            teamName={teamName}
            scope={scope}
            onClose={() => setAdding(false)}
          />
        )}
        {removing && (
          <ConfirmDialog
            title={t('webhooks.removeDialog', { url: removing.url })}
            confirmLabel={t('webhooks.removeConfirm')}
            cancelLabel={t('webhooks.keep')}
            danger
            onConfirm={async () => {
              await remove.mutateAsync(removing.id);
              toast.success(t('webhooks.removed', { url: removing.url }));
            }}
            onClose={() => setRemoving(null)}
          >
            <p>{t('webhooks.removeWarning', { team: teamName })}</p>
          </ConfirmDialog>
        )}
      </Suspense>
    </section>
  );
}
