// The shared key-value store behind sessions, throttles, replay guards and caches:
// Redis when REDIS_URL is set (shared by every pod), process memory otherwise.
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import { ServiceUnavailable } from './errors.ts';

// ioredis (20 MB) is required by the first RedisStore, not imported at start: without REDIS_URL it is never loaded.
const require = createRequire(import.meta.url);

export interface KeyValueStore {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets only when the key is absent; true when it was set (replay guards, single-use values). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Compare-and-set: writes value only while the key still holds exactly expected, so a writer
   * working from an old read never brings back a deleted key nor undoes someone else's write.
   * When it does not write, current is what the key holds now (null when absent).
   */
  replaceIfUnchanged(key: string, expected: string, value: string, ttlMs: number): Promise<Replaced>;
  /** Reads and deletes in one step; null when absent. */
  take(key: string): Promise<string | null>;
  del(...keys: string[]): Promise<void>;
  /** Fixed-window counter: increments, starting a window of ttlMs on the first hit. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  /** The current count of a hit() window without counting (0 when none). */
  peek(key: string): Promise<{ count: number; resetMs: number }>;
  addToSet(key: string, member: string, ttlMs: number): Promise<void>;
  removeFromSet(key: string, member: string): Promise<void>;
  setMembers(key: string): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type Replaced = { replaced: true } | { replaced: false; current: string | null };

/** Every failure of Redis surfaces as this one clear 503. */
export class StoreUnavailable extends ServiceUnavailable {
  constructor(cause: unknown) {
    super('The session and cache store (Redis) is unavailable; try again shortly.');
    this.cause = cause;
  }
}

interface Entry {
  value: string | Set<string>;
  expiresAt: number;
}

export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  private live(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, e] of this.entries) if (e.expiresAt <= t) this.entries.delete(k);
  }

  async get(key: string): Promise<string | null> {
    const e = this.live(key);
    return typeof e?.value === 'string' ? e.value : null;
  }
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
  }
  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    return true;
  }
  async replaceIfUnchanged(key: string, expected: string, value: string, ttlMs: number): Promise<Replaced> {
    // No await between the comparison and the write: nothing can interleave.
    const e = this.live(key);
    const current = typeof e?.value === 'string' ? e.value : null;
    if (current !== expected) return { replaced: false, current };
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    return { replaced: true };
  }
  async take(key: string): Promise<string | null> {
    // No await between the read and the delete: two callers never take the same value.
    const e = this.live(key);
    this.entries.delete(key);
    return typeof e?.value === 'string' ? e.value : null;
  }
  async del(...keys: string[]): Promise<void> {
    for (const k of keys) this.entries.delete(k);
  }
  async hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }> {
    const e = this.live(key);
    if (!e || typeof e.value !== 'string') {
      this.entries.set(key, { value: '1', expiresAt: this.now() + windowMs });
      return { count: 1, resetMs: windowMs };
    }
    e.value = String(Number(e.value) + 1);
    return { count: Number(e.value), resetMs: e.expiresAt - this.now() };
  }
  async peek(key: string): Promise<{ count: number; resetMs: number }> {
    const e = this.live(key);
    if (!e || typeof e.value !== 'string') return { count: 0, resetMs: 0 };
    return { count: Number(e.value), resetMs: e.expiresAt - this.now() };
  }
  async addToSet(key: string, member: string, ttlMs: number): Promise<void> {
    const e = this.live(key);
    const expiresAt = Math.max(e?.expiresAt ?? 0, this.now() + ttlMs);
    if (e && e.value instanceof Set) {
      e.value.add(member);
      e.expiresAt = expiresAt;
    } else this.entries.set(key, { value: new Set([member]), expiresAt });
  }
  async removeFromSet(key: string, member: string): Promise<void> {
    const e = this.live(key);
    if (e && e.value instanceof Set) e.value.delete(member);
  }
  async setMembers(key: string): Promise<string[]> {
    const e = this.live(key);
    return e && e.value instanceof Set ? [...e.value] : [];
  }
  async ping(): Promise<void> {}
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
  }
}

export interface RedisStoreOptions {
  /** Prefix of every key (tests give each file its own). */
  prefix?: string;
  /** Bound on every command, in ms. */
  commandTimeoutMs?: number;
}

// A script runs atomically in Redis: no other command lands between the GET and the SET.
const REPLACE_IF_UNCHANGED = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return {1}
end
return {0, current}
`;

interface ScriptedRedis extends Redis {
  deskReplaceIfUnchanged(
    key: string,
    expected: string,
    value: string,
    ttlMs: number,
  ): Promise<[number, (string | null)?]>;
}

export class RedisStore implements KeyValueStore {
  readonly kind = 'redis' as const;
  readonly client: Redis;
  private readonly prefix: string;
  private readonly waitMs: number;
  private waiting: Promise<void> | undefined;

  constructor(url: string, options: RedisStoreOptions = {}) {
    this.prefix = options.prefix ?? 'desk:';
    this.waitMs = options.commandTimeoutMs ?? 2_000;
    const { Redis: Client } = require('ioredis') as typeof import('ioredis');
    this.client = new Client(url, {
      // Fail fast instead of queueing while disconnected: callers answer 503 at once, and
      // the client keeps reconnecting in the background so Desk recovers by itself.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: options.commandTimeoutMs ?? 2_000,
      retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000),
      lazyConnect: false,
    });
    // Connection errors are reported by the commands that fail; without a listener ioredis would log them.
    this.client.on('error', () => {});
    // ioredis sends EVALSHA, falling back to EVAL once after a Redis restart forgot the script.
    this.client.defineCommand('deskReplaceIfUnchanged', { numberOfKeys: 1, lua: REPLACE_IF_UNCHANGED });
  }

  private k(key: string): string {
    return this.prefix + key;
  }

  /** Waits, bounded, for a connection not ready: at start-up or during a reconnect, instead of failing at once. */
  private connected(): Promise<void> {
    // One wait shared by every command queued meanwhile.
    this.waiting ??= new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        reject(new Error(`Redis not connected within ${this.waitMs} ms (status ${this.client.status})`));
      }, this.waitMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once('ready', onReady);
    }).finally(() => {
      this.waiting = undefined;
    });
    return this.waiting;
  }

  private async run<T>(op: () => Promise<T>): Promise<T> {
    try {
      // Connected (nearly always): straight to the command, without waiting a turn on a promise already settled.
      if (this.client.status !== 'ready') await this.connected();
      return await op();
    } catch (err) {
      throw new StoreUnavailable(err);
    }
  }

  get(key: string): Promise<string | null> {
    return this.run(() => this.client.get(this.k(key)));
  }
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.run(() => this.client.set(this.k(key), value, 'PX', Math.max(1, Math.ceil(ttlMs))));
  }
  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const r = await this.run(() =>
      this.client.set(this.k(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'),
    );
    return r === 'OK';
  }
  async replaceIfUnchanged(key: string, expected: string, value: string, ttlMs: number): Promise<Replaced> {
    const client = this.client as ScriptedRedis;
    const [replaced, current] = await this.run(() =>
      client.deskReplaceIfUnchanged(this.k(key), expected, value, Math.max(1, Math.ceil(ttlMs))),
    );
    return replaced === 1 ? { replaced: true } : { replaced: false, current: current ?? null };
  }
  take(key: string): Promise<string | null> {
    return this.run(() => this.client.getdel(this.k(key)));
  }
  async del(...keys: string[]): Promise<void> {
    if (keys.length) await this.run(() => this.client.del(...keys.map((k) => this.k(k))));
  }
  async hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }> {
    const k = this.k(key);
    const res = await this.run(() =>
      // SET NX starts the window (works on every Redis version, unlike PEXPIRE NX).
      this.client.multi().set(k, '0', 'PX', windowMs, 'NX').incr(k).pttl(k).exec(),
    );
    const count = Number(res?.[1]?.[1] ?? 1);
    const pttl = Number(res?.[2]?.[1] ?? windowMs);
    return { count, resetMs: pttl > 0 ? pttl : windowMs };
  }
  async peek(key: string): Promise<{ count: number; resetMs: number }> {
    const k = this.k(key);
    const res = await this.run(() => this.client.multi().get(k).pttl(k).exec());
    const count = Number(res?.[0]?.[1] ?? 0);
    const pttl = Number(res?.[1]?.[1] ?? 0);
    return { count, resetMs: Math.max(pttl, 0) };
  }
  async addToSet(key: string, member: string, ttlMs: number): Promise<void> {
    const k = this.k(key);
    // Callers pass the longest lifetime a member can have, so the newest member's TTL is the set's.
    await this.run(() => this.client.multi().sadd(k, member).pexpire(k, Math.ceil(ttlMs)).exec());
  }
  async removeFromSet(key: string, member: string): Promise<void> {
    await this.run(() => this.client.srem(this.k(key), member));
  }
  setMembers(key: string): Promise<string[]> {
    return this.run(() => this.client.smembers(this.k(key)));
  }
  async ping(): Promise<void> {
    await this.run(() => this.client.ping());
  }
  async close(): Promise<void> {
    this.client.disconnect();
  }
}

export function createStore(redisUrl: string | undefined, options: RedisStoreOptions = {}): KeyValueStore {
  return redisUrl ? new RedisStore(redisUrl, options) : new MemoryStore();
}
