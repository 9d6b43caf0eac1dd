// Toasts in a polite live region (success) and an assertive one (errors), plus the loading, empty and error states.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, Unreachable } from '../api/client.ts';

interface Toast {
  id: number;
  text: string;
  kind: 'success' | 'error';
}

interface Toaster {
  success(text: string): void;
  error(text: string): void;
}

const ToastContext = createContext<Toaster>({ success: () => {}, error: () => {} });
let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const { i18n } = useTranslation();
  // Messages said in the language just left would stay in it: they go with it.
  useEffect(() => {
    if (i18n.language) setToasts([]);
  }, [i18n.language]);
  const push = useCallback((kind: Toast['kind'], text: string) => {
    const id = nextId++;
    // Two at most: a pile of past successes would cover the page they are about.
    setToasts((all) => [...all.slice(-1), { id, kind, text }]);
    setTimeout(() => setToasts((all) => all.filter((t) => t.id !== id)), kind === 'error' ? 10_000 : 6_000);
  }, []);
  const toaster = useMemo(
    () => ({
      success: (text: string) => push('success', text),
      error: (text: string) => push('error', text),
    }),
    [push],
  );
  const shown = (kind: Toast['kind']) =>
    toasts
      .filter((t) => t.kind === kind)
      .map((t) => (
        <p key={t.id} className={`toast toast-${kind}`}>
          {t.text}
        </p>
      ));
  return (
    <ToastContext.Provider value={toaster}>
      {children}
      <div className="toasts">
        <div role="status" aria-live="polite">
          {shown('success')}
        </div>
        <div role="alert">{shown('error')}</div>
      </div>
    </ToastContext.Provider>
  );
}

export const useToast = () => useContext(ToastContext);

/** What an error from the API means for the agent, in their language. */
export function useErrorText() {
  const { t } = useTranslation();
  return (error: unknown): string => {
    if (error instanceof ApiError && error.status === 429) return t('common.throttled');
    if (error instanceof ApiError) return error.message;
    if (error instanceof Unreachable) return t('errors.unreachable');
    return String(error);
  };
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="state" role="status">
      <span className="spinner" aria-hidden="true" />
      {t('common.loading')}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}

/** A failed load: what happened, and a retry. */
export function LoadError({ error, retry }: { error: unknown; retry?: () => void }) {
  const { t } = useTranslation();
  const text = useErrorText();
  return (
    <div className="state state-error" role="alert">
      <p>{text(error)}</p>
      {retry && (
        <button type="button" className="button" onClick={retry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}
