// The shared store's atomic operations, on process memory and (when REDIS_URL is set) on Redis: what single-use
// values (sign-in state) and counters (audit caps) rely on when many requests race.
import { afterAll, describe, expect, it } from 'vitest';
import { type KeyValueStore, MemoryStore, RedisStore } from '../../src/platform/kv.ts';
import { REDIS_URL } from '../support/parts.ts';

const stores: [string, () => KeyValueStore][] = [['memory', () => new MemoryStore()]];
const redisUrl = REDIS_URL;
if (redisUrl)
  stores.push(['Redis', () => new RedisStore(redisUrl, { prefix: `desk_test_kv_${crypto.randomUUID()}:` })]);

for (const [name, make] of stores) {
  describe(`the ${name} store`, () => {
    const kv = make();
    afterAll(() => kv.close());

    it('gives a value to one taker only, however many take it at once', async () => {
      await kv.set('single-use', 'state', 60_000);
      const taken = await Promise.all(Array.from({ length: 20 }, () => kv.take('single-use')));
      expect(taken.filter((v) => v !== null)).toEqual(['state']);
      expect(await kv.get('single-use')).toBeNull();
    });

    it('counts every hit once, however many hit at once, and a take resets the count', async () => {
      const counts = await Promise.all(Array.from({ length: 25 }, () => kv.hit('counter', 60_000)));
      expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
      expect(await kv.take('counter')).toBe('25');
      expect((await kv.hit('counter', 60_000)).count).toBe(1);
    });
  });
}
