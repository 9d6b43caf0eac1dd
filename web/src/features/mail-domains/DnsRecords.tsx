// "DNS records to set": what dimail expects in the domain's zone (Type, Name, Value), each value copyable and
// wrapped within the screen (a DKIM key is hundreds of characters), then what its last check found wrong.
import { useTranslation } from 'react-i18next';
import type { MailDomain } from '../../api/types.ts';
import { useToast } from '../../ui/feedback.tsx';

/** A record's full name: dimail's target is relative to the domain, empty for the domain itself. */
export function recordName(target: string, domain: string): string {
  const relative = target.replace(/\.$/, '');
  if (!relative || relative === '@') return domain;
  return relative.endsWith(`.${domain}`) ? relative : `${relative}.${domain}`;
}

export function DnsRecords({ domain }: { domain: MailDomain }) {
  const { t } = useTranslation();
  const toast = useToast();
  const records = domain.expected_config ?? [];
  const problems = Object.entries(domain.action_required_details);
  if (!records.length && !problems.length) return null;

  const copy = async (value: string) => {
    try {
      await navigator.clipboard.writeText(value);
      toast.success(t('mailDomain.dns.copied'));
    } catch {
      toast.error(t('mailDomain.dns.copyFailed'));
    }
  };

  return (
    <section aria-labelledby="dns-title" className="section dns">
      <h2 id="dns-title">{t('mailDomain.dns.title')}</h2>
      {problems.length > 0 && (
        <div className="notice notice-warning">
          <p className="notice-title">{t('mailDomain.dns.problems')}</p>
          <ul className="dns-problems">
            {problems.map(([check, message]) => (
              <li key={check}>
                <code>{check}</code> {message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {records.length > 0 && (
        <>
          <p>{t('mailDomain.dns.intro', { domain: domain.name })}</p>
          <table className="table table-cards dns-table" aria-labelledby="dns-title">
            <thead>
              <tr>
                <th scope="col">{t('mailDomain.dns.type')}</th>
                <th scope="col">{t('mailDomain.dns.name')}</th>
                <th scope="col">{t('mailDomain.dns.value')}</th>
              </tr>
            </thead>
            <tbody>
              {records.map((record) => {
                const type = record.type.toUpperCase();
                const name = recordName(record.target, domain.name);
                return (
                  <tr key={`${record.type} ${record.target} ${record.value}`}>
                    <td data-label={t('mailDomain.dns.type')}>
                      <code>{type}</code>
                    </td>
                    <td data-label={t('mailDomain.dns.name')}>
                      <code className="dns-name">{name}</code>
                    </td>
                    <td data-label={t('mailDomain.dns.value')}>
                      <div className="dns-value">
                        <code>{record.value}</code>
                        <button
                          type="button"
                          className="button button-small"
                          aria-label={t('mailDomain.dns.copyOf', { type, name })}
                          onClick={() => copy(record.value)}
                        >
                          {t('mailDomain.dns.copy')}
                        </button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
