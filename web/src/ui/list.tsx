// List building blocks every page shares: a search field, a select, sortable column headers, and a list's states
// (loading, error with retry, empty, or the table with its pager).
import type { ReactNode } from 'react';
import { Empty, LoadError, Loading } from './feedback.tsx';
import { Pager } from './pager.tsx';

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
