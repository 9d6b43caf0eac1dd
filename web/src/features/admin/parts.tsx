// Small pieces of the back office's tables: a status badge, and a value that is missing.
import { useTranslation } from 'react-i18next';

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
