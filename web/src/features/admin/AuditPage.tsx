// /admin/audit: the audit log, newest first, filtered by event, actor, target and dates; the same filters export
// every match as JSON lines. Each event reads as who did what to whom, its details as named facts; its raw JSON is
// one click away ("Technical details").
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { AuditEvent } from '../../api/types.ts';
import { useTitle } from '../../pages/errors.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { ListState, SearchField } from '../../ui/list.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { useDebounced } from '../../ui/use-debounced.ts';
import { type AuditFilters, auditExportUrl, useAdminTeam, useAuditEvents } from './api.ts';
import { auditFacts, eventKey, type FactValue } from './audit-facts.ts';
import { Missing } from './parts.tsx';

/** A team named in an event: its name, linked to its page; a team since deleted is said so. */
function TeamName({ id }: { id: string }) {
  const { t } = useTranslation();
  const team = useAdminTeam(id);
  if (team.isError) return <span className="muted">{t('admin.audit.fact.teamGone')}</span>;
  return <Link to={`/admin/teams/${id}`}>{team.data?.name ?? t('admin.audit.fact.team')}</Link>;
}

function FactView({ value }: { value: FactValue }) {
  const { t, i18n } = useTranslation();
  switch (value.kind) {
    case 'text':
      return <>{value.text}</>;
    case 'code':
      return <code>{value.code}</code>;
    case 'number':
      return <>{value.value.toLocaleString(i18n.language)}</>;
    case 'role':
      return <>{t(`roles.${value.role}`)}</>;
    case 'roleChange':
      return (
        <>
          {t('admin.audit.fact.roleChange', { from: t(`roles.${value.from}`), to: t(`roles.${value.to}`) })}
        </>
      );
    case 'team':
      return <TeamName id={value.id} />;
    case 'words':
      return <>{value.keys.map((key) => t(`admin.audit.fact.values.${key}`)).join(', ')}</>;
  }
}

/** A party of an event (actor or target): its label, linked where the back office has its page, and its kind. */
function Party({ party, kind }: { party: NonNullable<AuditEvent['target']>; kind: string }) {
  const page =
    party.id && party.type === 'user'
      ? `/admin/users/${party.id}`
      : party.id && party.type === 'team'
        ? `/admin/teams/${party.id}`
        : null;
  return (
    <>
      {page ? <Link to={page}>{party.label}</Link> : party.label} <span className="muted">({kind})</span>
    </>
  );
}

/** An event's details: the facts a person reads, then the raw JSON for whoever needs it. */
function Details({ event }: { event: AuditEvent }) {
  const { t } = useTranslation();
  const facts = auditFacts(event);
  return (
    <>
      {facts.length > 0 && (
        <dl className="audit-facts">
          {facts.map((fact) => (
            <div key={fact.name}>
              <dt>{fact.label ? t(`admin.audit.fact.labels.${fact.label}`) : fact.name}</dt>
              <dd>
                <FactView value={fact.value} />
              </dd>
            </div>
          ))}
        </dl>
      )}
      <details className="audit-raw">
        <summary>{t('admin.audit.technical')}</summary>
        <pre>{JSON.stringify(event, null, 2)}</pre>
      </details>
    </>
  );
}

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
        <table className="table audit-table" aria-label={t('admin.audit.list')}>
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
                  <span className="audit-event">
                    {t(`admin.audit.events.${eventKey(e.event)}`, { defaultValue: e.event })}
                  </span>
                  <code className="muted">{e.event}</code>
                </th>
                <td>
                  <Party party={e.actor} kind={t(`admin.audit.party.${e.actor.type}`)} />
                </td>
                <td>
                  {e.target ? (
                    <Party
                      party={e.target}
                      kind={t(`admin.audit.targetType.${e.target.type}`, { defaultValue: e.target.type })}
                    />
                  ) : (
                    <Missing />
                  )}
                </td>
                <td>{e.ip ?? <Missing />}</td>
                <td className="cell-wrap">
                  <Details event={e} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListState>
    </section>
  );
}
