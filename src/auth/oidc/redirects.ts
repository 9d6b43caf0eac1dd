// Where `?next=` may send the browser: Desk's own origin or OIDC_REDIRECT_ALLOWED_HOSTS, decided on the parsed URL.
import type { Config } from '../../platform/config.ts';

// Backslashes (browsers read /\evil as //evil), whitespace and control characters never appear in a URL we accept.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse control characters
const SUSPICIOUS = /[\\\s\u0000-\u001f\u007f]/;

function allowedTarget(candidate: string, config: Config): URL | undefined {
  if (SUSPICIOUS.test(candidate)) return undefined;
  const own = new URL(config.PUBLIC_URL);
  let url: URL;
  try {
    url = new URL(candidate, own);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  if (url.origin === own.origin) return url;
  if (config.isProduction && url.protocol !== 'https:') return undefined;
  const allowed = config.OIDC_REDIRECT_ALLOWED_HOSTS.map((h) => h.toLowerCase());
  return allowed.includes(url.host.toLowerCase()) || allowed.includes(url.hostname.toLowerCase())
    ? url
    : undefined;
}

/** The redirect target to keep, or undefined when `next` must be ignored. */
export function safeNext(next: string | undefined, config: Config): string | undefined {
  if (!next || next.length > 2048) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return undefined;
  }
  // Both the value and its decoded form must stay on an allowed origin, whoever decodes it next.
  const url = allowedTarget(next, config);
  if (!url || !allowedTarget(decoded, config)) return undefined;
  const own = new URL(config.PUBLIC_URL);
  const relative = next.startsWith('/') && !next.startsWith('//');
  if (!relative || url.origin !== own.origin) return url.href;
  // The path as resolved ("/.//evil" and "/a/..//evil" become "//evil"): a Location starting with // (or /\) is
  // another host for the browser, so such a path is no path of Desk.
  const path = `${url.pathname}${url.search}${url.hash}`;
  return /^\/[/\\]/.test(path) ? undefined : path;
}
