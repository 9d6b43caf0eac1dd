// One contract for the session store, run on process memory and (when REDIS_URL is set) on Redis.
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../../src/auth/sessions.ts';
import { type KeyValueStore, MemoryStore, RedisStore } from '../../src/platform/kv.ts';
import { REDIS_URL } from '../support/parts.ts';

const MINUTE = 60_000;

/**
 * The store as one request sees it: while held, each read waits after reading, so a test can end
 * the session between a request's read and its write: the interleaving that used to resurrect it.
 */
function holdable(inner: KeyValueStore) {
  let opened: Promise<void> = Promise.resolve();
  let open = () => {};
  let reads = 0;
  let readDone = () => {};
  const calls: string[] = [];
  const kv = new Proxy(inner, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        calls.push(String(prop));
        const result = await value.apply(target, args);
        if (prop === 'get') {
          reads++;
          readDone();
          await opened;
        }
        return result;
      };
    },
  });
  return {
    kv,
    calls,
    hold() {
      reads = 0;
      opened = new Promise((resolve) => {
        open = resolve;
      });
    },
    async readsHeld(n: number) {
      while (reads < n)
        await new Promise<void>((resolve) => {
          readDone = resolve;
        });
    },
    release() {
      open();
      opened = Promise.resolve();
    },
  };
}

function contract(
  name: string,
  makeStore: (now: () => number) => { kv: KeyValueStore; keys?: () => Promise<string[]> },
) {
  describe(`the session store on ${name}`, () => {
    let clock = Date.now();
    const { kv, keys } = makeStore(() => clock);
    const policy = { absoluteMs: 60 * MINUTE, idleMs: 10 * MINUTE, now: () => clock };
    const store = new SessionStore(kv, policy);
    // Concurrent requests, on this pod or another one, sharing the store with `store`.
    const held = holdable(kv);
    const requests = new SessionStore(held.kv, policy);
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

    it('reads a session in one store round trip, and one more when it refreshes last seen', async () => {
      const s = await store.create('user-cost');
      held.calls.length = 0;
      expect(await requests.get(s.id)).not.toBeNull();
      expect(held.calls).toEqual(['get']);
      clock += MINUTE;
      held.calls.length = 0;
      expect(await requests.get(s.id)).not.toBeNull();
      expect(held.calls).toEqual(['get', 'replaceIfUnchanged']);
    });

    it("a logout racing a request's last-seen touch stays logged out", async () => {
      const s = await store.create('user-race-logout');
      clock += MINUTE; // so the request refreshes last seen
      held.hold();
      const request = requests.get(s.id);
      await held.readsHeld(1);
      await store.destroy(s);
      held.release();
      await request;
      expect(await store.get(s.id)).toBeNull();
    });

    it('a logout racing many requests stays logged out, wherever it lands among them', async () => {
      for (let i = 0; i < 200; i++) {
        const s = await store.create('user-race-many');
        clock += MINUTE;
        const racers = [requests.get(s.id), requests.get(s.id), requests.get(s.id)];
        racers.splice(
          i % 4,
          0,
          store.destroy(s).then(() => null),
        );
        await Promise.all(racers);
        expect(await store.get(s.id)).toBeNull();
      }
    });

    it('logging out racing a touch keeps the logging-out flag', async () => {
      const s = await store.create('user-race-flag', { idToken: 'id-token' });
      clock += MINUTE;
      held.hold();
      const request = requests.get(s.id);
      await held.readsHeld(1);
      await store.update(s, { loggingOut: true, logoutState: 'state-1' });
      held.release();
      await request;
      expect((await store.get(s.id))?.data).toMatchObject({ loggingOut: true, logoutState: 'state-1' });
    });

    it("ending all of a user's sessions racing their requests leaves none alive", async () => {
      const sessions = await Promise.all(Array.from({ length: 5 }, () => store.create('user-race-all')));
      const other = await store.create('user-race-other');
      clock += MINUTE;
      held.hold();
      const pending = [...sessions, other].map((s) => requests.get(s.id));
      await held.readsHeld(6);
      expect(await store.destroyAllForUser('user-race-all')).toBe(5);
      held.release();
      await Promise.all(pending);
      for (const s of sessions) expect(await store.get(s.id)).toBeNull();
      expect(await store.get(other.id)).not.toBeNull();
    });

    it("a provider's back-channel logout racing requests leaves none of its sessions alive", async () => {
      const sessions = await Promise.all(
        Array.from({ length: 3 }, () => store.create('user-race-sid', { oidcSid: 'sid-race' })),
      );
      clock += MINUTE;
      held.hold();
      const pending = sessions.map((s) => requests.get(s.id));
      await held.readsHeld(3);
      expect(await store.destroyAllForProviderSession('sid-race')).toBe(3);
      held.release();
      await Promise.all(pending);
      for (const s of sessions) expect(await store.get(s.id)).toBeNull();
    });

    it('a change made from an older copy of the session keeps the logging-out flag', async () => {
      const s = await store.create('user-stale-copy');
      await store.update(s, { loggingOut: true });
      await store.update(s, { logoutState: 'state-2' }); // s predates the first update
      expect((await store.get(s.id))?.data).toMatchObject({ loggingOut: true, logoutState: 'state-2' });
    });

    it('a change arriving after the logout does not bring the session back', async () => {
      const s = await store.create('user-late-change');
      await store.destroy(s);
      await store.update(s, { loggingOut: true, logoutState: 'state-3' });
      expect(await store.get(s.id)).toBeNull();
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
