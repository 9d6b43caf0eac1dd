// /admin/jobs: the mail outbox and other background jobs, by status; "Retry" for a failed one.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useTitle } from '../../pages/errors.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { ListState, SelectField } from '../../ui/list.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { JOB_STATUSES, useJobs, useRetryJob } from './api.ts';
import { Missing } from './parts.tsx';

type Status = 'all' | (typeof JOB_STATUSES)[number];

export function JobsPage() {
  const { t } = useTranslation();
  useTitle(t('admin.jobs.title'));
  const formatDate = useFormatDate();
  const toast = useToast();
  const errorText = useErrorText();
  const [status, setStatus] = useState<Status>('all');
  const [page, setPage] = useState(1);
  const jobs = useJobs({ status: status === 'all' ? undefined : status, page });
  const retry = useRetryJob();
  const statusText = (s: string) =>
    (JOB_STATUSES as readonly string[]).includes(s) ? t(`admin.jobs.statuses.${s}`) : s;
  return (
    <section aria-labelledby="admin-jobs-title">
      <h1 id="admin-jobs-title">{t('admin.jobs.title')}</h1>
      <div className="toolbar">
        <SelectField
          label={t('admin.jobs.status')}
          value={status}
          onChange={(v) => {
            setStatus(v);
            setPage(1);
          }}
          options={[
            { value: 'all', label: t('admin.all') },
            ...JOB_STATUSES.map((s) => ({ value: s, label: statusText(s) })),
          ]}
        />
      </div>
      <ListState
        query={jobs}
        empty={jobs.data?.results.length === 0 ? t('admin.jobs.empty') : null}
        page={page}
        pages={pagesOf(jobs.data?.count)}
        onPage={setPage}
      >
        <table className="table" aria-label={t('admin.jobs.list')}>
          <thead>
            <tr>
              <th scope="col">{t('admin.jobs.kind')}</th>
              <th scope="col">{t('admin.jobs.status')}</th>
              <th scope="col">{t('admin.jobs.attempts')}</th>
              <th scope="col">{t('admin.jobs.runAt')}</th>
              <th scope="col">{t('admin.jobs.doneAt')}</th>
              <th scope="col">{t('admin.jobs.lastError')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {jobs.data?.results.map((job) => (
              <tr key={job.id}>
                <th scope="row" id={`job-${job.id}`}>
                  <code>{job.kind}</code>
                </th>
                <td>
                  <span className={job.status === 'failed' ? 'badge badge-expired' : 'badge'}>
                    {statusText(job.status)}
                  </span>
                </td>
                <td>{job.attempts}</td>
                <td>{formatDate(job.run_at, true)}</td>
                <td>{job.done_at ? formatDate(job.done_at, true) : <Missing />}</td>
                <td className="cell-wrap">{job.last_error ?? <Missing />}</td>
                <td>
                  {job.status === 'failed' && (
                    <button
                      type="button"
                      className="button button-small"
                      aria-describedby={`job-${job.id}`}
                      disabled={retry.isPending}
                      onClick={() =>
                        retry.mutate(job.id, {
                          onSuccess: () => toast.success(t('admin.jobs.retried')),
                          onError: (err) => toast.error(errorText(err)),
                        })
                      }
                    >
                      {t('admin.jobs.retry')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListState>
    </section>
  );
}
