// Request throttling in fixed windows counted in the shared store, so every pod sees the same count.
import type { Rate } from './config.ts';
import { Throttled } from './errors.ts';
import type { KeyValueStore } from './kv.ts';

/** Counts one request against each rate; throws Throttled (429 + Retry-After) past any of them. */
export async function consume(kv: KeyValueStore, key: string, rates: (Rate | null)[]): Promise<void> {
  for (const rate of rates) {
    if (!rate) continue;
    const { count, resetMs } = await kv.hit(`throttle:${rate.periodMs}:${key}`, rate.periodMs);
    if (count > rate.count) throw new Throttled(Math.max(1, Math.ceil(resetMs / 1000)));
  }
}

/**
 * Takes one attempt from a limited budget *before* the attempt runs: the count is one atomic increment in the shared
 * store, so parallel requests each take their own slot and no burst gets more than `rate.count` attempts checked.
 */
export async function takeAttempt(kv: KeyValueStore, key: string, rate: Rate): Promise<void> {
  const { count, resetMs } = await kv.hit(`attempts:${key}`, rate.periodMs);
  if (count > rate.count) throw new Throttled(Math.max(1, Math.ceil(resetMs / 1000)));
}

/** Gives the budget back (a successful login clears its account's failures). */
export async function forgetAttempts(kv: KeyValueStore, key: string): Promise<void> {
  await kv.del(`attempts:${key}`);
}
