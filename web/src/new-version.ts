// A page's code that will not load most often means Desk was redeployed under this tab: the file names changed
// and the old ones are gone. Reloading once fetches the new version; sessionStorage remembers the reload per path,
// so a file that stays missing ends on the app's error page, never in a reload loop.

/** What browsers and Vite's preloading say when a module of the page cannot be fetched. */
const LOST_CHUNK =
  /Failed to fetch dynamically imported module|Importing a module script failed|error loading dynamically imported module|Unable to preload CSS|Loading (CSS )?chunk .+ failed/i;

export function isLostChunk(error: unknown): boolean {
  return error instanceof Error && LOST_CHUNK.test(error.message);
}

/** reloading: the page is being reloaded; unreachable: Desk does not answer; missing: a reload already failed. */
export type Recovery = 'reloading' | 'unreachable' | 'missing';

const KEY = 'desk.reloadedForNewVersion';
// Long enough to cover a reload and the page's first requests on a slow connection; short enough that a later
// redeploy under the same tab is recovered from again.
const GUARD_MS = 60_000;

interface Reload {
  path: string;
  at: number;
}

function lastReload(): Reload | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Partial<Reload> | null;
    return typeof saved?.path === 'string' && typeof saved.at === 'number'
      ? { path: saved.path, at: saved.at }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers this reload; false when it cannot be remembered (storage disabled), as a reload could then loop. */
function remember(path: string): boolean {
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ path, at: Date.now() }));
    return true;
  } catch {
    return false;
  }
}

/** Whether Desk answers at all: reloading while it is down would show the browser's error page, not the app's. */
async function deskAnswers(): Promise<boolean> {
  try {
    const res = await fetch('/', {
      cache: 'no-store',
      credentials: 'same-origin',
      headers: { accept: 'text/html' },
      signal: AbortSignal.timeout(10_000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

let recovery: Promise<Recovery> | undefined;

/**
 * Reloads the page to the version Desk serves now, once per path (within GUARD_MS); every caller of one page life
 * shares the same attempt. Says why it did not reload otherwise.
 */
export function reloadToNewVersion(): Promise<Recovery> {
  recovery ??= (async (): Promise<Recovery> => {
    const path = location.pathname;
    const last = lastReload();
    const now = Date.now();
    if (last && last.path === path && now >= last.at && now - last.at < GUARD_MS) return 'missing';
    if (!(await deskAnswers())) return 'unreachable';
    if (!remember(path)) return 'missing';
    location.reload();
    return 'reloading';
  })().then((outcome) => {
    // Not reloading: a later failure (Desk back up, another page) may try again.
    if (outcome !== 'reloading') recovery = undefined;
    return outcome;
  });
  return recovery;
}
