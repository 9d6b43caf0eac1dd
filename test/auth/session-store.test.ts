// One contract for the session store, run on process memory and (when REDIS_URL is set) on Redis.
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../../src/auth/sessions.ts';
import { type KeyValueStore, MemoryStore, RedisStore } from '../../src/platform/kv.ts';
import { REDIS_URL } from '../support/parts.ts';

const MINUTE = 60_000;

function contract(
  name: string,
  makeStore: (now: () => number) => { kv: KeyValueStore; keys?: () => Promise<string[]> },
) {
  describe(`the session store on ${name}`, () => {
    let clock = Date.now();
    const { kv, keys } = makeStore(() => clock);
    const store = new SessionStore(kv, { absoluteMs: 60 * MINUTE, idleMs: 10 * MINUTE, now: () => clock });
    afterAll(() => kv.close());

    it('finds a session by the id it gave', async () => {
      const s = await store.create('user-1');
      expect((await store.get(s.id))?.data.userId).toBe('user-1');
    });

    it('finds nothing for an unknown or absurd id', async () => {
      expect(await store.get('not-a-session')).toBeNull();
      expect(await store.get('x'.repeat(500))).toBeNull();
    });

    it('ends a session left unused longer than the idle timeout', async () => {
      const s = await store.create('user-idle');
      clock += 10 * MINUTE + 1;
      expect(await store.get(s.id)).toBeNull();
    });

    it('keeps an active session past the idle timeout, but never past the absolute lifetime', async () => {
      const s = await store.create('user-active');
      for (let i = 0; i < 5; i++) {
        clock += 9 * MINUTE;
        expect(await store.get(s.id)).not.toBeNull();
      }
      clock += 9 * MINUTE;
      expect(await store.get(s.id)).not.toBeNull();
      clock += 7 * MINUTE; // 61 minutes after creation
      expect(await store.get(s.id)).toBeNull();
    });

    it('rotates: the old id stops working, the new one carries the same user', async () => {
      const s = await store.create('user-rotate', { oidcSub: 'sub-r' });
      const rotated = await store.rotate(s);
      expect(rotated.id).not.toBe(s.id);
      expect(await store.get(s.id)).toBeNull();
      expect((await store.get(rotated.id))?.data).toMatchObject({ userId: 'user-rotate', oidcSub: 'sub-r' });
    });

    it('destroys one session', async () => {
      const s = await store.create('user-destroy');
      await store.destroy(s);
      expect(await store.get(s.id)).toBeNull();
    });

    it('ends every session of one user and none of another', async () => {
      const a1 = await store.create('user-a');
      const a2 = await store.create('user-a');
      const b = await store.create('user-b');
      expect(await store.destroyAllForUser('user-a')).toBe(2);
      expect(await store.get(a1.id)).toBeNull();
      expect(await store.get(a2.id)).toBeNull();
      expect(await store.get(b.id)).not.toBeNull();
    });

    it('ends the sessions opened by one provider session (sid)', async () => {
      const s = await store.create('user-sid', { oidcSid: 'sid-1' });
      const other = await store.create('user-sid', { oidcSid: 'sid-2' });
      await store.destroyAllForProviderSession('sid-1');
      expect(await store.get(s.id)).toBeNull();
      expect(await store.get(other.id)).not.toBeNull();
    });

    it('gives ids of at least 128 random bits', async () => {
      const ids = new Set(
        await Promise.all(Array.from({ length: 50 }, async () => (await store.create('user-ids')).id)),
      );
      expect(ids.size).toBe(50);
      for (const id of ids) expect(Buffer.from(id, 'base64url').length).toBeGreaterThanOrEqual(16);
    });

    if (keys) {
      it('keeps no raw session id in the store, only its hash', async () => {
        const s = await store.create('user-hash');
        const all = await keys();
        expect(all.some((k) => k.includes(s.id))).toBe(false);
        expect(all.some((k) => k.endsWith(createHash('sha256').update(s.id).digest('base64url')))).toBe(true);
      });
    }
  });
}

contract('process memory', (now) => ({ kv: new MemoryStore(now) }));

const redisUrl = REDIS_URL;
if (redisUrl) {
  const prefix = `desk_test_sessions_${crypto.randomUUID()}:`;
  contract('Redis', () => {
    const kv = new RedisStore(redisUrl, { prefix });
    return { kv, keys: () => kv.client.keys(`${prefix}*`) };
  });
}
