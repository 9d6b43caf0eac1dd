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

  private recordKey(hash: string): string {
    return `session:${hash}`;
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
    // Written before it is indexed: an "end every session" racing this cannot delete the index
    // entry (it removes only the members it listed) and leave a live session nobody can end.
    await this.kv.set(this.recordKey(hash), JSON.stringify(data), this.ttl(data));
    await this.index(hash, data);
    return { id, data };
  }

  /** The live session with this id, or null when unknown, expired or idle too long. */
  async get(id: string): Promise<Session | null> {
    if (!id || id.length > 128) return null;
    const hash = keyOf(id);
    const key = this.recordKey(hash);
    const raw = await this.kv.get(key);
    if (!raw) return null;
    const data = JSON.parse(raw) as SessionData;
    if (this.ttl(data) <= 0) {
      await this.destroyHash(hash, data);
      return null;
    }
    if (this.now() - data.lastSeenAt < this.touchEveryMs) return { id, data };
    const touched = { ...data, lastSeenAt: this.now() };
    // Conditional on the record read above: a logout or an update() that landed since wins, and
    // a record deleted meanwhile stays deleted.
    const r = await this.kv.replaceIfUnchanged(key, raw, JSON.stringify(touched), this.ttl(touched));
    if (r.replaced) return { id, data: touched };
    if (!r.current) return null;
    // Someone else wrote it just now (so it was seen recently): their version, untouched.
    const current = JSON.parse(r.current) as SessionData;
    return this.ttl(current) > 0 ? { id, data: current } : null;
  }

  /**
   * Applies the patch to the stored record as it is now, not to the caller's copy, so fields
   * changed meanwhile (last seen, loggingOut) survive; a session ended meanwhile stays ended.
   */
  async update(session: Session, patch: Partial<SessionData>): Promise<Session> {
    const hash = keyOf(session.id);
    const key = this.recordKey(hash);
    const patched = { ...session.data, ...patch };
    // Before the write: a back-channel logout by the new sid racing this finds the record, and
    // once it is deleted the write below cannot bring it back.
    if (patch.oidcSid) await this.index(hash, patched);
    let raw = await this.kv.get(key);
    // Each failed attempt means another write succeeded, so this ends unless writers never stop.
    for (let attempt = 0; attempt < 20; attempt++) {
      if (!raw) return { id: session.id, data: patched };
      const data: SessionData = { ...(JSON.parse(raw) as SessionData), ...patch };
      const ttl = this.ttl(data);
      if (ttl <= 0) return { id: session.id, data };
      const r = await this.kv.replaceIfUnchanged(key, raw, JSON.stringify(data), ttl);
      if (r.replaced) return { id: session.id, data };
      raw = r.current;
    }
    throw new Error('The session kept changing while it was being updated.');
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
    await this.kv.del(this.recordKey(hash));
    await this.kv.removeFromSet(`user-sessions:${data.userId}`, hash);
    if (data.oidcSid) await this.kv.removeFromSet(`sid-sessions:${data.oidcSid}`, hash);
  }

  /** Ends every session of the user, on every pod (the index lives in the shared store). */
  async destroyAllForUser(userId: string): Promise<number> {
    return this.destroyIndexed(`user-sessions:${userId}`);
  }

  /** Ends every session of each of these users (an organization deactivated), a batch of users at a time. */
  async destroyAllForUsers(userIds: string[]): Promise<number> {
    let ended = 0;
    for (let i = 0; i < userIds.length; i += 50) {
      const counts = await Promise.all(userIds.slice(i, i + 50).map((id) => this.destroyAllForUser(id)));
      ended += counts.reduce((sum, n) => sum + n, 0);
    }
    return ended;
  }

  /** Ends every session opened by one provider session (back-channel logout by sid). */
  async destroyAllForProviderSession(sid: string): Promise<number> {
    return this.destroyIndexed(`sid-sessions:${sid}`);
  }

  private async destroyIndexed(indexKey: string): Promise<number> {
    const hashes = await this.kv.setMembers(indexKey);
    if (hashes.length) await this.kv.del(...hashes.map((h) => this.recordKey(h)));
    // Only the members listed: a session created meanwhile keeps its place in the index.
    await Promise.all(hashes.map((h) => this.kv.removeFromSet(indexKey, h)));
    return hashes.length;
  }
}
