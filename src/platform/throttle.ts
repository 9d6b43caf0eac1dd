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

/** Throws Throttled when a failure counter has reached its limit, without counting. */
export async function refuseWhenExhausted(kv: KeyValueStore, key: string, rate: Rate): Promise<void> {
  const { count, resetMs } = await kv.peek(`failures:${key}`);
  if (count >= rate.count) throw new Throttled(Math.max(1, Math.ceil(resetMs / 1000)));
}

export async function countFailure(kv: KeyValueStore, key: string, rate: Rate): Promise<void> {
  await kv.hit(`failures:${key}`, rate.periodMs);
}
