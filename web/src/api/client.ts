// The one way the app talks to Desk: same origin, the session cookie, X-CSRFToken from the csrftoken cookie,
// and every non-2xx answer turned into an ApiError carrying what the API said.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The API's body: {"detail": "…"} or DRF's {"field": ["message"]}; null when there was none. */
    readonly body: Record<string, unknown> | null,
  ) {
    super(ApiError.describe(status, body));
  }

  /** Field messages by field, for forms. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.body ?? {}))
      if (key !== 'detail') out[key] = Array.isArray(value) ? value.join(' ') : String(value);
    return out;
  }

  static describe(status: number, body: Record<string, unknown> | null): string {
    if (body && typeof body.detail === 'string') return body.detail;
    const fields = Object.values(body ?? {})
      .flat()
      .filter((v) => typeof v === 'string');
    return fields.length ? fields.join(' ') : `HTTP ${status}`;
  }
}

/** The API did not answer at all (network down, server stopped). */
export class Unreachable extends Error {}

function csrfToken(): string | undefined {
  return document.cookie
    .split('; ')
    .find((c) => c.startsWith('csrftoken='))
    ?.slice('csrftoken='.length);
}

/** Where the browser goes to log in and come back to the page it was on. */
export function loginUrl(next = `${location.pathname}${location.search}`): string {
  return `/api/v1.0/authenticate/?next=${encodeURIComponent(next)}`;
}

type Init = { method?: string; body?: unknown; signal?: AbortSignal };

export async function api<T>(path: string, init: Init = {}): Promise<T> {
  return (await apiAnswer<T>(path, init)).body;
}

/** The answer with its status, for the routes whose 2xx codes differ in meaning (202: queued, not done yet). */
export async function apiAnswer<T>(path: string, init: Init = {}): Promise<{ status: number; body: T }> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const token = csrfToken();
  if (token && method !== 'GET') headers['x-csrftoken'] = token;
  let res: Response;
  try {
    res = await fetch(`/api/v1.0/${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new Unreachable(String(err));
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok)
    throw new ApiError(
      res.status,
      body && typeof body === 'object' ? (body as Record<string, unknown>) : null,
    );
  return { status: res.status, body: body as T };
}
