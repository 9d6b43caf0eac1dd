// How Desk's settings choose a webhook's URL check and its delivery by protocol (DESIGN.md §12).
import type { Config } from '../platform/config.ts';
import type { Deliver } from './delivery.ts';
import type { UrlCheck } from './service.ts';

/** The check of a URL an agent gives, before it is kept. */
export function webhookUrlCheck(_config: Config): UrlCheck {
  return async (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'Enter a valid URL.';
    }
    return parsed.protocol === 'https:' || parsed.protocol === 'http:'
      ? null
      : 'Only http and https URLs are allowed.';
  };
}

/** Sends a delivery by its webhook's protocol. */
export function deliverTo(_config: Config): Deliver {
  return async () => {
    throw new Error('No protocol client yet.');
  };
}
