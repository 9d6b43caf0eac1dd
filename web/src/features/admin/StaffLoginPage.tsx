// /admin/login: staff accounts (made with `desk createsuperuser`) log in with email and password, then land on
// the back office. Reachable signed out; a staff member already signed in goes straight to the users.

import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router';
import { ApiError, api } from '../../api/client.ts';
import type { Me } from '../../api/types.ts';
import { useTitle } from '../../pages/errors.tsx';
import { useErrorText } from '../../ui/feedback.tsx';
import { meKey, useMe } from '../session/api.ts';

export default function StaffLoginPage() {
  const { t } = useTranslation();
  useTitle(t('admin.login.title'));
  const me = useMe().data;
  const client = useQueryClient();
  const navigate = useNavigate();
  const errorText = useErrorText();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  if (me?.is_staff && !pending) return <Navigate to="/admin/users" replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await api<Me>('login/', { method: 'POST', body: { email, password } });
      // A new session: whatever the previous one had loaded is someone else's.
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' && q.queryKey[0] !== 'config' });
      await client.invalidateQueries({ queryKey: meKey });
      navigate('/admin/users', { replace: true });
    } catch (err) {
      setError(err instanceof ApiError && err.status === 400 ? t('admin.login.invalid') : errorText(err));
      setPending(false);
    }
  };

  return (
    <section aria-labelledby="staff-login-title" className="narrow staff-login">
      <h1 id="staff-login-title">{t('admin.login.title')}</h1>
      <p className="lead">{t('admin.login.lead')}</p>
      <form className="form" onSubmit={submit} noValidate={false}>
        <label className="field">
          <span className="label">{t('admin.login.email')}</span>
          <input
            className="input"
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label className="field">
          <span className="label">{t('admin.login.password')}</span>
          <input
            className="input"
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p role="alert" className="notice notice-error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={pending}>
            {t('admin.login.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
