// Building blocks the back office's pages share: the search field, sortable column headers, a page's list states.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Empty, LoadError, Loading } from '../../ui/feedback.tsx';
import { Pager } from '../../ui/pager.tsx';

export function SearchField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label className="field-inline">
      <span>{label}</span>
      <input className="input" type="search" value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

export function SelectField<V extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: V;
  options: { value: V; label: string }[];
  onChange: (value: V) => void;
}) {
  return (
    <label className="field-inline">
      <span>{label}</span>
      <select className="input" value={value} onChange={(e) => onChange(e.target.value as V)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A column header that sorts by `column` (a second press reverses), telling screen readers the order. */
export function SortHeader({
  column,
  label,
  ordering,
  onOrdering,
}: {
  column: string;
  label: string;
  ordering: string;
  onOrdering: (ordering: string) => void;
}) {
  const active = ordering.replace(/^-/, '') === column;
  const descending = active && ordering.startsWith('-');
  return (
    <th scope="col" aria-sort={active ? (descending ? 'descending' : 'ascending') : 'none'}>
      <button
        type="button"
        className="sort"
        onClick={() => onOrdering(active && !descending ? `-${column}` : column)}
      >
        {label}
        <span aria-hidden="true">{active ? (descending ? ' ↓' : ' ↑') : ''}</span>
      </button>
    </th>
  );
}

/** Loading, error, empty, or the table and its pager. */
export function ListState({
  query,
  empty,
  page,
  pages,
  onPage,
  children,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  empty: string | null;
  page: number;
  pages: number;
  onPage: (page: number) => void;
  children: ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.isError) return <LoadError error={query.error} retry={() => query.refetch()} />;
  if (empty !== null) return <Empty>{empty}</Empty>;
  return (
    <>
      {children}
      <Pager page={page} pages={pages} onPage={onPage} />
    </>
  );
}

export function StatusBadge({ active, on, off }: { active: boolean; on: string; off: string }) {
  return <span className={active ? 'badge' : 'badge badge-expired'}>{active ? on : off}</span>;
}

/** "—" for a missing value, read as "none" by screen readers. */
export function Missing() {
  const { t } = useTranslation();
  return (
    <span className="muted">
      <span aria-hidden="true">—</span>
      <span className="visually-hidden">{t('admin.none')}</span>
    </span>
  );
}
