// Server-side sessions in the shared store: absolute lifetime, idle timeout, rotation, and "end every session of a user".
import { createHash, randomBytes } from 'node:crypto';
import type { KeyValueStore } from '../platform/kv.ts';

export interface SessionData {
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  /** Set by logout/: from then on the session no longer authenticates API calls. */
  loggingOut?: boolean;
  /** Provider tokens stay on the server (DESIGN.md §5). */
  idToken?: string;
  /** The provider's session id (sid claim), for back-channel logout. */
  oidcSid?: string;
  /** The provider's subject, for back-channel logout by sub. */
  oidcSub?: string;
  logoutState?: string;
}

export interface Session {
  id: string;
  data: SessionData;
}

export interface SessionPolicy {
  absoluteMs: number;
  idleMs: number;
  now?: () => number;
}

/** Keys hold a hash of the id: a dump of the store gives no usable session. */
function keyOf(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export class SessionStore {
  private readonly now: () => number;
  /** lastSeenAt is written at most this often, so most requests cost one read. */
  private readonly touchEveryMs: number;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly policy: SessionPolicy,
  ) {
    this.now = policy.now ?? Date.now;
    this.touchEveryMs = Math.min(60_000, Math.floor(policy.idleMs / 10));
  }

  private ttl(data: SessionData): number {
    const t = this.now();
    return Math.min(data.createdAt + this.policy.absoluteMs - t, data.lastSeenAt + this.policy.idleMs - t);
  }

  private async save(hash: string, data: SessionData): Promise<void> {
    const ttl = this.ttl(data);
    if (ttl <= 0) return;
    await this.kv.set(`session:${hash}`, JSON.stringify(data), ttl);
  }

  private async index(hash: string, data: SessionData): Promise<void> {
    const ttl = this.policy.absoluteMs;
    await this.kv.addToSet(`user-sessions:${data.userId}`, hash, ttl);
    if (data.oidcSid) await this.kv.addToSet(`sid-sessions:${data.oidcSid}`, hash, ttl);
  }

  async create(
    userId: string,
    extra: Omit<Partial<SessionData>, 'userId' | 'createdAt' | 'lastSeenAt'> = {},
  ): Promise<Session> {
    const id = randomBytes(32).toString('base64url');
    const t = this.now();
    const data: SessionData = { ...extra, userId, createdAt: t, lastSeenAt: t };
    const hash = keyOf(id);
    await this.save(hash, data);
    await this.index(hash, data);
    return { id, data };
  }

  /** The live session with this id, or null when unknown, expired or idle too long. */
  async get(id: string): Promise<Session | null> {
    if (!id || id.length > 128) return null;
    const hash = keyOf(id);
    const raw = await this.kv.get(`session:${hash}`);
    if (!raw) return null;
    const data = JSON.parse(raw) as SessionData;
    if (this.ttl(data) <= 0) {
      await this.destroyHash(hash, data);
      return null;
    }
    if (this.now() - data.lastSeenAt >= this.touchEveryMs) {
      data.lastSeenAt = this.now();
      await this.save(hash, data);
    }
    return { id, data };
  }

  async update(session: Session, patch: Partial<SessionData>): Promise<Session> {
    const data = { ...session.data, ...patch };
    const hash = keyOf(session.id);
    await this.save(hash, data);
    if (patch.oidcSid) await this.index(hash, data);
    return { id: session.id, data };
  }

  /** A new id for the same session (login): the old id stops working at once. */
  async rotate(session: Session): Promise<Session> {
    await this.destroy(session);
    const { userId, createdAt: _c, lastSeenAt: _l, ...rest } = session.data;
    return this.create(userId, rest);
  }

  async destroy(session: Session): Promise<void> {
    await this.destroyHash(keyOf(session.id), session.data);
  }

  private async destroyHash(hash: string, data: SessionData): Promise<void> {
    await this.kv.del(`session:${hash}`);
    await this.kv.removeFromSet(`user-sessions:${data.userId}`, hash);
    if (data.oidcSid) await this.kv.removeFromSet(`sid-sessions:${data.oidcSid}`, hash);
  }

  /** Ends every session of the user, on every pod (the index lives in the shared store). */
  async destroyAllForUser(userId: string): Promise<number> {
    return this.destroyIndexed(`user-sessions:${userId}`);
  }

  /** Ends every session opened by one provider session (back-channel logout by sid). */
  async destroyAllForProviderSession(sid: string): Promise<number> {
    return this.destroyIndexed(`sid-sessions:${sid}`);
  }

  private async destroyIndexed(indexKey: string): Promise<number> {
    const hashes = await this.kv.setMembers(indexKey);
    if (hashes.length) await this.kv.del(...hashes.map((h) => `session:${h}`));
    await this.kv.del(indexKey);
    return hashes.length;
  }
}
