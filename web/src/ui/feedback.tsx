// Toasts in a polite live region (success) and an assertive one (errors), each closable and paused while the pointer
// or the focus is on it, one of them possibly offering an action (Undo); plus the loading, empty and error states.
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, Unreachable } from '../api/client.ts';

/** What a toast offers to do about what it says (e.g. "Undo"): one button, that closes the toast once done. */
export interface ToastAction {
  label: string;
  run: () => unknown;
}

interface Toast {
  id: number;
  text: string;
  kind: 'success' | 'error';
  action?: ToastAction | undefined;
}

interface Toaster {
  success(text: string, options?: { action?: ToastAction }): void;
  error(text: string): void;
}

const ToastContext = createContext<Toaster>({ success: () => {}, error: () => {} });
let nextId = 1;

/** How long a toast stays when nobody points at it or focuses it; one with an action leaves time to reach it. */
const SHOWN_MS = { success: 6_000, action: 12_000, error: 10_000 } as const;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const { i18n } = useTranslation();
  // Messages said in the language just left would stay in it: they go with it.
  useEffect(() => {
    if (i18n.language) setToasts([]);
  }, [i18n.language]);
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const push = useCallback((kind: Toast['kind'], text: string, action?: ToastAction) => {
    const id = nextId++;
    // Two at most: a pile of past successes would cover the page they are about.
    setToasts((all) => [...all.slice(-1), { id, kind, text, action }]);
  }, []);
  const toaster = useMemo(
    () => ({
      success: (text: string, options?: { action?: ToastAction }) => push('success', text, options?.action),
      error: (text: string) => push('error', text),
    }),
    [push],
  );
  const shown = (kind: Toast['kind']) =>
    toasts
      .filter((t) => t.kind === kind)
      .map((t) => <ToastView key={t.id} toast={t} onDismiss={() => dismiss(t.id)} />);
  const region = useReservedSpace(toasts.length);
  return (
    <ToastContext.Provider value={toaster}>
      {children}
      <div className="toasts" ref={region}>
        <div role="status" aria-live="polite">
          {shown('success')}
        </div>
        <div role="alert">{shown('error')}</div>
      </div>
    </ToastContext.Provider>
  );
}

/**
 * The space the toasts take, kept free below the page's end (--toasts-space on the root element): scrolled to its end, no
 * row or button of the page stays under a toast.
 */
function useReservedSpace(count: number) {
  const region = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const root = document.documentElement;
    const node = region.current;
    if (!node || !count) {
      root.style.removeProperty('--toasts-space');
      return;
    }
    // From the toasts' top edge to the window's bottom: their height and the gap below them.
    const measure = () =>
      root.style.setProperty(
        '--toasts-space',
        `${Math.ceil(window.innerHeight - node.getBoundingClientRect().top)}px`,
      );
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    window.addEventListener('resize', measure);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', measure);
    };
  }, [count]);
  return region;
}

/** One toast: its text, its action, a close button; its time runs only while nobody points at it or focuses it. */
function ToastView({ toast, onDismiss }: { toast: Toast; onDismiss: () => void }) {
  const { t } = useTranslation();
  const [held, setHeld] = useState({ pointer: false, focus: false });
  const [running, setRunning] = useState(false);
  const left = useRef<number>(SHOWN_MS[toast.action ? 'action' : toast.kind]);
  const dismiss = useRef(onDismiss);
  dismiss.current = onDismiss;
  const paused = held.pointer || held.focus || running;
  useEffect(() => {
    if (paused) return;
    const started = Date.now();
    const timer = setTimeout(() => dismiss.current(), left.current);
    return () => {
      clearTimeout(timer);
      left.current = Math.max(left.current - (Date.now() - started), 0);
    };
  }, [paused]);
  const act = async () => {
    if (!toast.action || running) return;
    setRunning(true);
    try {
      await toast.action.run();
    } finally {
      onDismiss();
    }
  };
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: pointing at or focusing a toast only holds its timer; its buttons are what one acts with.
    <div
      className={`toast toast-${toast.kind}`}
      onPointerEnter={() => setHeld((h) => ({ ...h, pointer: true }))}
      onPointerLeave={() => setHeld((h) => ({ ...h, pointer: false }))}
      onFocus={() => setHeld((h) => ({ ...h, focus: true }))}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null))
          setHeld((h) => ({ ...h, focus: false }));
      }}
    >
      <p className="toast-text">{toast.text}</p>
      {toast.action && (
        <button type="button" className="button button-small toast-action" disabled={running} onClick={act}>
          {toast.action.label}
        </button>
      )}
      <button type="button" className="toast-close" aria-label={t('toast.dismiss')} onClick={onDismiss}>
        <span aria-hidden="true">×</span>
      </button>
    </div>
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
