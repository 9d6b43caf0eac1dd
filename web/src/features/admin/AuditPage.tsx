// /admin/audit: the audit log, newest first, filtered by event, actor, target and dates; the same filters export
// every match as JSON lines.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useTitle } from '../../pages/errors.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { ListState, SearchField } from '../../ui/list.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { useDebounced } from '../../ui/use-debounced.ts';
import { type AuditFilters, auditExportUrl, useAuditEvents } from './api.ts';
import { Missing } from './parts.tsx';

/** A day picked in the agent's browser, as the instant it starts (since) or ends (until). */
function dayBound(day: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, end ? d + 1 : d).toISOString();
}

export function AuditPage() {
  const { t } = useTranslation();
  useTitle(t('admin.audit.title'));
  const formatDate = useFormatDate();
  const [event, setEvent] = useState('');
  const [actor, setActor] = useState('');
  const [target, setTarget] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [page, setPage] = useState(1);
  const typed = useDebounced({ event: event.trim(), actor: actor.trim(), target: target.trim() });
  const filters: AuditFilters = {
    ...typed,
    since: dayBound(since, false),
    until: dayBound(until, true),
  };
  const events = useAuditEvents({ ...filters, page });
  const set = (setter: (v: string) => void) => (v: string) => {
    setter(v);
    setPage(1);
  };
  const dateField = (label: string, value: string, onChange: (v: string) => void) => (
    <label className="field-inline">
      <span>{label}</span>
      <input className="input" type="date" value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );

  return (
    <section aria-labelledby="admin-audit-title">
      <div className="page-head">
        <h1 id="admin-audit-title">{t('admin.audit.title')}</h1>
        <a className="button" href={auditExportUrl(filters)} download="audit-events.jsonl">
          {t('admin.audit.export')}
        </a>
      </div>
      <search className="toolbar" aria-label={t('admin.audit.filters')}>
        <SearchField label={t('admin.audit.event')} value={event} onChange={set(setEvent)} />
        <SearchField label={t('admin.audit.actor')} value={actor} onChange={set(setActor)} />
        <SearchField label={t('admin.audit.target')} value={target} onChange={set(setTarget)} />
        {dateField(t('admin.audit.since'), since, set(setSince))}
        {dateField(t('admin.audit.until'), until, set(setUntil))}
      </search>
      <ListState
        query={events}
        empty={events.data?.results.length === 0 ? t('admin.audit.empty') : null}
        page={page}
        pages={pagesOf(events.data?.count)}
        onPage={setPage}
      >
        <table className="table" aria-label={t('admin.audit.list')}>
          <thead>
            <tr>
              <th scope="col">{t('admin.audit.when')}</th>
              <th scope="col">{t('admin.audit.event')}</th>
              <th scope="col">{t('admin.audit.actor')}</th>
              <th scope="col">{t('admin.audit.target')}</th>
              <th scope="col">{t('admin.audit.ip')}</th>
              <th scope="col">{t('admin.audit.details')}</th>
            </tr>
          </thead>
          <tbody>
            {events.data?.results.map((e) => (
              <tr key={e.id}>
                <td>
                  <time dateTime={e.created_at}>{formatDate(e.created_at, true)}</time>
                </td>
                <th scope="row">
                  <code>{e.event}</code>
                </th>
                <td>
                  {e.actor.label} <span className="muted">({t(`admin.audit.party.${e.actor.type}`)})</span>
                </td>
                <td>
                  {e.target ? (
                    <>
                      {e.target.label} <span className="muted">({e.target.type})</span>
                    </>
                  ) : (
                    <Missing />
                  )}
                </td>
                <td>{e.ip ?? <Missing />}</td>
                <td className="cell-wrap">
                  {Object.keys(e.details).length ? <code>{JSON.stringify(e.details)}</code> : <Missing />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListState>
    </section>
  );
}
