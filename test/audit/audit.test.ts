// The audit log (DESIGN.md §8): one row per security event and change, written with the change or not at all,
// failed logins and refused tokens capped per address, read and exported by staff only, pruned past its retention.
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import {
  AUDIT_CAP,
  AUDIT_PRUNE_JOB,
  type AuditRow,
  addressGroup,
  auditEvents,
  auditPruneJobHandler,
  pruneAuditLog,
  recordAudit,
  recordCapped,
  scheduleAuditPrune,
} from '../../src/audit/index.ts';
import { ConfigError, configFrom } from '../../src/platform/config.ts';
import { JobQueue } from '../../src/platform/job-queue.ts';
import { jobs } from '../../src/platform/schema.ts';
import { users } from '../../src/users/index.ts';
import { useDesk } from '../support/desk.ts';
import { testStore, uniqueEmail } from '../support/parts.ts';

// One proxy hop believed: each test speaks from its own address (X-Forwarded-For), so caps and throttles stay apart.
const t = useDesk({ TRUSTED_PROXIES: '1' });

const AUDIT = '/api/v1.0/admin/audit-events/';
let addressCount = 0;
const newAddress = () => `198.51.100.${++addressCount}`;

function rowsWhere(condition: ReturnType<typeof and>): Promise<AuditRow[]> {
  return t.desk.database.db.select().from(auditEvents).where(condition).orderBy(auditEvents.createdAt);
}
const eventsFor = (event: string, targetId: string) =>
  rowsWhere(and(eq(auditEvents.event, event), eq(auditEvents.targetId, targetId)));

interface ApiEvent {
  id: string;
  created_at: string;
  event: string;
  actor: { type: string; id: string | null; label: string };
  target: { type: string; id: string | null; label: string } | null;
  ip: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}
interface ApiPage {
  count: number;
  next: string | null;
  results: ApiEvent[];
}

async function staffBrowser() {
  return (await t.loginAsStaff()).browser;
}

async function makeTeam() {
  const owner = await t.createUser({ name: 'Olivia Owner' });
  const browser = await t.browserFor(owner);
  const res = await browser.post('/api/v1.0/teams/', { name: `Audit ${crypto.randomUUID().slice(0, 8)}` });
  expect(res.status).toBe(201);
  return { owner, browser, id: (res.json as { id: string }).id };
}

describe('events written by the features', () => {
  it('records a staff login that succeeds, with the actor, address and request id', async () => {
    const { user } = await t.loginAsStaff();
    const rows = await rowsWhere(
      and(eq(auditEvents.event, 'login.succeeded'), eq(auditEvents.actorId, user.id)),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorType: 'user',
      actorLabel: user.email,
      targetId: user.id,
      details: { method: 'password' },
    });
    expect(rows[0]?.ip).toBeTruthy();
    expect(rows[0]?.requestId).toBeTruthy();
  });

  it('records a failed staff login with the email typed, never the password', async () => {
    const email = uniqueEmail('nobody');
    const browser = t.browser();
    await browser.primeCsrf();
    const address = newAddress();
    const res = await browser.post(
      '/api/v1.0/login/',
      { email, password: 'not the password' },
      { headers: { 'x-forwarded-for': address } },
    );
    expect(res.status).toBe(400);
    const rows = await rowsWhere(
      and(eq(auditEvents.event, 'login.failed'), eq(auditEvents.targetLabel, email)),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorType: 'system',
      ip: address,
      details: { method: 'password', reason: 'invalid_credentials' },
    });
    expect(JSON.stringify(rows[0])).not.toContain('not the password');
  });

  it('records a team created, by its creator', async () => {
    const { owner, id } = await makeTeam();
    const rows = await eventsFor('team.created', id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorType: 'user', actorId: owner.id, targetType: 'team' });
  });

  it('records an access created, a role changed (from and to) and an access removed', async () => {
    const { owner, browser, id } = await makeTeam();
    const member = await t.createUser();
    const added = await browser.post(`/api/v1.0/teams/${id}/accesses/`, { user: member.id, role: 'member' });
    expect(added.status).toBe(201);
    const accessId = (added.json as { id: string }).id;
    expect(await eventsFor('access.created', member.id)).toHaveLength(1);

    expect(
      (await browser.patch(`/api/v1.0/teams/${id}/accesses/${accessId}/`, { role: 'administrator' })).status,
    ).toBe(200);
    const changed = await eventsFor('access.role_changed', member.id);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({
      actorId: owner.id,
      details: { team: id, access: accessId, from: 'member', to: 'administrator' },
    });

    expect((await browser.delete(`/api/v1.0/teams/${id}/accesses/${accessId}/`)).status).toBe(204);
    const removed = await eventsFor('access.removed', member.id);
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ actorId: owner.id, details: { team: id, role: 'administrator' } });
  });

  it('writes no event for a change that is refused: the last owner cannot step down', async () => {
    const { owner, browser, id } = await makeTeam();
    const list = await browser.get(`/api/v1.0/teams/${id}/accesses/`);
    const mine = (list.json as { results: { id: string }[] }).results[0]?.id;
    const res = await browser.patch(`/api/v1.0/teams/${id}/accesses/${mine}/`, { role: 'member' });
    expect(res.status).toBe(400);
    expect(await eventsFor('access.role_changed', owner.id)).toEqual([]);
  });

  it('records an invitation created and cancelled', async () => {
    const { owner, browser, id } = await makeTeam();
    const email = uniqueEmail('invitee');
    const invited = await browser.post(`/api/v1.0/teams/${id}/invitations/`, { email, role: 'member' });
    expect(invited.status).toBe(201);
    const invitationId = (invited.json as { id: string }).id;
    const created = await eventsFor('invitation.created', invitationId);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      actorId: owner.id,
      targetLabel: email,
      details: { team: id, role: 'member' },
    });

    expect((await browser.delete(`/api/v1.0/teams/${id}/invitations/${invitationId}/`)).status).toBe(204);
    expect(await eventsFor('invitation.cancelled', invitationId)).toHaveLength(1);
  });

  it('records a team deleted', async () => {
    const { browser, id } = await makeTeam();
    expect((await browser.delete(`/api/v1.0/teams/${id}/`)).status).toBe(204);
    expect(await eventsFor('team.deleted', id)).toHaveLength(1);
  });

  it('records a logout', async () => {
    const user = await t.createUser();
    const browser = await t.browserFor(user);
    const res = await browser.post('/api/v1.0/logout/');
    expect(res.status).toBe(302);
    const rows = await rowsWhere(and(eq(auditEvents.event, 'logout'), eq(auditEvents.actorId, user.id)));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.details).toEqual({ via: 'local' });
  });

  it('records a refused bearer token with its reason, never the token', async () => {
    const address = newAddress();
    const res = await t.browser().get('/resource-server/v1.0/teams/', {
      authorization: 'Bearer not a token!',
      'x-forwarded-for': address,
    });
    expect(res.status).toBe(401);
    const rows = await rowsWhere(and(eq(auditEvents.event, 'token.refused'), eq(auditEvents.ip, address)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorType: 'system',
      details: { reason: 'malformed_authorization_header' },
    });
    expect(JSON.stringify(rows[0])).not.toContain('not a token');
  });
});

describe('an event and its change', () => {
  it('are undone together when the change fails after its event was written', async () => {
    const db = t.desk.database.db;
    const user = await t.createUser({ name: 'Cannot Be Disabled' });
    // A rule of this test's own database: disabling this user fails when its transaction commits, after Desk has
    // written the user.disabled event in it.
    await db.execute(sql`create or replace function desk_test_refuse() returns trigger language plpgsql as $$
      begin raise exception 'refused by the test'; end $$`);
    await db.execute(
      sql.raw(`create constraint trigger desk_test_refuse_disable after update on users
        deferrable initially deferred for each row
        when (new.id = '${user.id}' and not new.is_active) execute function desk_test_refuse()`),
    );
    try {
      const res = await (await staffBrowser()).patch(`/api/v1.0/admin/users/${user.id}/`, {
        is_active: false,
      });
      expect(res.status).toBe(500);
      expect(await eventsFor('user.disabled', user.id)).toEqual([]);
      const [after] = await db.select().from(users).where(eq(users.id, user.id));
      expect(after?.isActive).toBe(true);
    } finally {
      await db.execute(sql`drop trigger desk_test_refuse_disable on users`);
    }
  });
});

describe('failed logins and refused tokens cannot fill the table', () => {
  const failedLogin = async (address: string) => {
    const browser = t.browser();
    await browser.primeCsrf();
    // A new email each time: the login throttle (5 per email) lets every attempt through to the audit cap.
    const res = await browser.post(
      '/api/v1.0/login/',
      { email: uniqueEmail('guess'), password: 'wrong' },
      { headers: { 'x-forwarded-for': address } },
    );
    expect(res.status).toBe(400);
  };
  const summaries = async (since: Date, event = 'login.failed') =>
    (
      await rowsWhere(
        and(
          eq(auditEvents.event, event),
          sql`${auditEvents.createdAt} >= ${since.toISOString()}::timestamptz`,
        ),
      )
    ).filter((r) => r.details.suppressed === true);

  it('keeps the cap of rows per address and minute, then one row saying how many were left out', async () => {
    const since = new Date();
    const address = newAddress();
    for (let i = 0; i < 20; i++) await failedLogin(address);
    const rows = await rowsWhere(and(eq(auditEvents.event, 'login.failed'), eq(auditEvents.ip, address)));
    expect(rows).toHaveLength(AUDIT_CAP.count);
    // The next row written (another address) reports the ten left out.
    await failedLogin(newAddress());
    const [summary, ...more] = await summaries(since);
    expect(more).toEqual([]);
    expect(summary).toMatchObject({
      actorType: 'system',
      ip: null,
      details: { suppressed: true, dropped: 10 },
    });
  });

  it('counts a whole IPv6 /64 as one address: 25 at once from one /64 write the cap, the rest are counted', async () => {
    const since = new Date();
    const network = `2001:db8:${(addressCount++).toString(16)}:64`;
    await Promise.all(
      Array.from({ length: 25 }, (_, i) => failedLogin(`${network}::${(i + 1).toString(16)}`)),
    );
    const rows = await rowsWhere(
      and(eq(auditEvents.event, 'login.failed'), sql`${auditEvents.ip} like ${`${network}::%`}`),
    );
    expect(rows).toHaveLength(AUDIT_CAP.count);
    await failedLogin(newAddress());
    // Racing requests may report part of the count early (a row let through after one left out): never twice.
    const reported = (await summaries(since)).map((r) => Number(r.details.dropped));
    expect(reported.reduce((sum, n) => sum + n, 0)).toBe(15);
  });

  it('counts IPv4 and IPv6 networks, IPv4-mapped addresses as IPv4', () => {
    expect(addressGroup('192.0.2.1')).toBe('192.0.2.1');
    expect(addressGroup('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressGroup('::ffff:c000:201')).toBe('192.0.2.1');
    expect(addressGroup('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressGroup('2001:DB8:1:2::ffff:1')).toBe('2001:db8:1:2::/64');
    expect(addressGroup('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressGroup(null)).toBe('unknown');
  });

  it('caps every address together per window: many addresses at once write a bounded number of rows', async () => {
    // Its own store and a short window, so the burst below fills a budget of its own.
    const store = testStore();
    const cap = { count: 3, total: 20, periodMs: 3_000 };
    const since = new Date();
    const tag = crypto.randomUUID();
    const refused = (ip: string) =>
      recordCapped(
        t.desk.database.db,
        store.kv,
        {
          event: 'token.refused',
          actor: { type: 'system', id: null, label: tag },
          details: { reason: 'test' },
          ip,
        },
        { cap },
      );
    try {
      const distinct = Array.from({ length: 60 }, (_, i) => `203.0.113.${i + 1}`);
      const oneNetwork = Array.from({ length: 30 }, (_, i) => `2001:db8:cafe:1::${(i + 1).toString(16)}`);
      const written = await Promise.all([...distinct, ...oneNetwork].map(refused));
      const let_through = written.filter(Boolean).length;
      expect(let_through).toBeLessThanOrEqual(cap.total);
      expect(written.slice(distinct.length).filter(Boolean).length).toBeLessThanOrEqual(cap.count);
      // The next window lets a write through, which reports what was left out.
      let attempts = written.length;
      await vi.waitUntil(
        async () => {
          attempts += 1;
          return refused(`198.18.0.${attempts % 250}`);
        },
        { timeout: 15_000 },
      );
      const rows = await rowsWhere(
        and(
          eq(auditEvents.event, 'token.refused'),
          sql`${auditEvents.createdAt} >= ${since.toISOString()}::timestamptz`,
        ),
      );
      const events = rows.filter((r) => r.actorLabel === tag);
      const reports = rows.filter((r) => r.details.suppressed === true);
      expect(events).toHaveLength(let_through + 1);
      // Every event is a row or counted once in a summary, however the burst interleaved.
      expect(events.length + reports.reduce((sum, r) => sum + Number(r.details.dropped), 0)).toBe(attempts);
      expect(reports.length).toBeGreaterThanOrEqual(1);
      expect(reports.length).toBeLessThanOrEqual(let_through + 1);
    } finally {
      await store.kv.close();
    }
  });
});

describe('GET /api/v1.0/admin/audit-events/', () => {
  const actorId = crypto.randomUUID();
  const targetId = crypto.randomUUID();
  const base = Date.now() - 10 * 3_600_000;
  const hour = (n: number) => new Date(base + n * 3_600_000);

  async function seed() {
    const db = t.desk.database.db;
    const actor = { type: 'user' as const, id: actorId, label: 'auditor@example.gouv.fr' };
    await recordAudit(db, {
      event: 'team.created',
      actor,
      target: { type: 'team', id: targetId, label: 'T' },
      at: hour(1),
    });
    await recordAudit(db, {
      event: 'access.role_changed',
      actor,
      target: { type: 'user', id: targetId, label: 'x' },
      details: { from: 'member', to: 'owner' },
      at: hour(2),
    });
    await recordAudit(db, {
      event: 'access.removed',
      actor,
      target: { type: 'user', id: 'other', label: 'y' },
      at: hour(3),
    });
  }

  it('is absent (404) to an agent who is not staff and to an anonymous visitor alike', async () => {
    const agent = await t.browserFor(await t.createUser());
    expect((await agent.get(AUDIT)).status).toBe(404);
    // DESIGN.md §8: staff routes answer 404 to everyone else, "as if absent": a 401 would tell they exist.
    const anonymous = await t.browser().get(AUDIT);
    expect(anonymous.status).toBe(404);
    expect(anonymous.json).toEqual({ detail: 'Not found.' });
  });

  it('filters by actor, target, event and time, newest first', async () => {
    await seed();
    const staff = await staffBrowser();
    const get = async (query: string) => {
      const res = await staff.get(`${AUDIT}?${query}`);
      expect(res.status).toBe(200);
      return res.json as ApiPage;
    };
    const all = await get(`actor=${actorId}`);
    expect(all.count).toBe(3);
    expect(all.results.map((e) => e.event)).toEqual([
      'access.removed',
      'access.role_changed',
      'team.created',
    ]);
    expect(all.results[1]).toMatchObject({
      actor: { type: 'user', id: actorId, label: 'auditor@example.gouv.fr' },
      target: { type: 'user', id: targetId },
      details: { from: 'member', to: 'owner' },
    });
    expect((await get('actor=AUDITOR@example.gouv.fr')).count).toBe(3);
    expect((await get(`target=${targetId}`)).results.map((e) => e.event)).toEqual([
      'access.role_changed',
      'team.created',
    ]);
    expect((await get(`actor=${actorId}&event=team.created`)).results).toHaveLength(1);
    expect((await get(`actor=${actorId}&event=access.`)).count).toBe(2);
    const since = encodeURIComponent(hour(1.5).toISOString());
    const until = encodeURIComponent(hour(2.5).toISOString());
    expect((await get(`actor=${actorId}&since=${since}`)).count).toBe(2);
    expect((await get(`actor=${actorId}&until=${until}`)).count).toBe(2);
    expect((await get(`actor=${actorId}&since=${since}&until=${until}`)).results.map((e) => e.event)).toEqual(
      ['access.role_changed'],
    );
    const paged = await get(`actor=${actorId}&page_size=2`);
    expect(paged.results).toHaveLength(2);
    expect(paged.next).toContain('page=2');
  });

  it('refuses a malformed date with a 400', async () => {
    const staff = await staffBrowser();
    const res = await staff.get(`${AUDIT}?since=yesterday`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('ISO 8601');
  });

  it('exports every match as JSON lines, across batches, each event once', async () => {
    const exportActor = crypto.randomUUID();
    // More rows than one export batch (500), all with one timestamp: the keyset must break ties by id.
    const at = new Date(base);
    await t.desk.database.db.insert(auditEvents).values(
      Array.from({ length: 1_234 }, (_, i) => ({
        event: 'user.disabled',
        actorType: 'user' as const,
        actorId: exportActor,
        actorLabel: 'exporter',
        targetType: 'user',
        targetId: `t${i}`,
        createdAt: at,
      })),
    );
    const staff = await staffBrowser();
    const res = await staff.get(`${AUDIT}?actor=${exportActor}&format=jsonl`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = res.text.trimEnd().split('\n');
    expect(lines).toHaveLength(1_234);
    const events = lines.map((line) => JSON.parse(line) as ApiEvent);
    expect(new Set(events.map((e) => e.id)).size).toBe(1_234);
    expect(events[0]).toMatchObject({ event: 'user.disabled', actor: { id: exportActor } });
  });

  it('exports one line per event even when its text holds line or paragraph separators', async () => {
    const separatorActor = crypto.randomUUID();
    const label = 'a\u2028b\u2029c\u0085d';
    for (let i = 0; i < 3; i++)
      await recordAudit(t.desk.database.db, {
        event: 'login.failed',
        actor: { type: 'user', id: separatorActor, label },
        details: { [`k\u2028${i}`]: `v\u2029\u0085${i}` },
      });
    const staff = await staffBrowser();
    const res = await staff.get(`${AUDIT}?actor=${separatorActor}&format=jsonl`);
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/[\u0085\u2028\u2029]/);
    // The line breaks of Python's str.splitlines (JSON escapes the other control characters it splits at).
    const lines = res.text.split(/\r\n|[\n\r\v\f\u0085\u2028\u2029]/).filter(Boolean);
    expect(lines).toHaveLength(3);
    const events = lines.map((line) => JSON.parse(line) as ApiEvent);
    expect(events.map((e) => e.actor.label)).toEqual([label, label, label]);
    expect(
      events.map((e) => e.details).sort((a, b) => Object.keys(a)[0]!.localeCompare(Object.keys(b)[0]!)),
    ).toEqual([
      { 'k\u20280': 'v\u2029\u00850' },
      { 'k\u20281': 'v\u2029\u00851' },
      { 'k\u20282': 'v\u2029\u00852' },
    ]);
  });
});

describe('retention', () => {
  it('AUDIT_LOG_RETENTION_DAYS defaults to 365 and must be at least 1', () => {
    expect(configFrom({}).AUDIT_LOG_RETENTION_DAYS).toBe(365);
    expect(configFrom({ AUDIT_LOG_RETENTION_DAYS: '30' }).AUDIT_LOG_RETENTION_DAYS).toBe(30);
    expect(() => configFrom({ AUDIT_LOG_RETENTION_DAYS: '0' })).toThrow(ConfigError);
  });

  it('prunes events older than the retention and keeps newer ones', async () => {
    const db = t.desk.database.db;
    const now = new Date();
    const day = 86_400_000;
    const actor = { type: 'system' as const, id: `prune-${crypto.randomUUID()}`, label: 'test' };
    for (const age of [400, 366, 364, 1])
      await recordAudit(db, {
        event: 'user.disabled',
        actor,
        details: { age },
        at: new Date(now.getTime() - age * day),
      });
    expect(await pruneAuditLog(db, 365, now)).toBeGreaterThanOrEqual(2);
    const left = await rowsWhere(eq(auditEvents.actorId, actor.id ?? ''));
    expect(left.map((r) => r.details.age).sort()).toEqual([1, 364]);
  });

  const pendingPrunes = () =>
    t.desk.database.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.kind, AUDIT_PRUNE_JOB), eq(jobs.status, 'pending')));

  it('runs as a daily job: one queued row that runs, prunes and stays queued for the next day', async () => {
    const db = t.desk.database.db;
    let clock = Date.now();
    // Desk queued the first run when it started listening; another pod starting queues no second one.
    await scheduleAuditPrune(db, new Date(clock));
    expect(await scheduleAuditPrune(db, new Date(clock))).toBe(false);
    const [queued, ...others] = await pendingPrunes();
    expect(others).toEqual([]);
    // The run queued at start is due in a day: due for the queue below, whose clock is a day ahead, and never for the
    // queue this Desk runs in the background on the real clock (which would otherwise take it first, now and then).
    await db
      .update(jobs)
      .set({ runAt: new Date(clock + 86_400_000) })
      .where(eq(jobs.kind, AUDIT_PRUNE_JOB));

    const old = { type: 'system' as const, id: `job-${crypto.randomUUID()}`, label: 'test' };
    await recordAudit(db, { event: 'user.disabled', actor: old, at: new Date(clock - 400 * 86_400_000) });
    clock += 86_400_000 + 1_000;
    const queue = new JobQueue(t.desk.database, { now: () => clock });
    queue.register(
      AUDIT_PRUNE_JOB,
      auditPruneJobHandler(t.desk.database, t.desk.config, () => clock),
    );
    expect(await queue.runOnce()).toBe(1);
    expect(await rowsWhere(eq(auditEvents.actorId, old.id ?? ''))).toEqual([]);
    const next = await pendingPrunes();
    expect(next).toHaveLength(1);
    expect(next[0]).toMatchObject({ id: queued?.id, attempts: 0, lockedUntil: null, claimToken: null });
    expect(next[0]?.runAt.getTime()).toBe(clock + 86_400_000);
    expect(await queue.runOnce()).toBe(0);
    await db.execute(sql`delete from jobs where kind = ${AUDIT_PRUNE_JOB}`);
  });

  it('is queued once when many pods start at the same moment', async () => {
    const db = t.desk.database.db;
    await db.execute(sql`delete from jobs where kind = ${AUDIT_PRUNE_JOB}`);
    const now = new Date();
    // On PostgreSQL each call has its own connection of the pool: the inserts really race.
    const queued = await Promise.all(Array.from({ length: 12 }, () => scheduleAuditPrune(db, now)));
    expect(queued.filter(Boolean)).toHaveLength(1);
    expect(await pendingPrunes()).toHaveLength(1);
    await db.execute(sql`delete from jobs where kind = ${AUDIT_PRUNE_JOB}`);
  });

  it('a prune that fails for good is queued again at once, without a restart', async () => {
    const db = t.desk.database.db;
    await db.execute(sql`delete from jobs where kind = ${AUDIT_PRUNE_JOB}`);
    // The database refuses the prune's deletes (as a full disk or a lock would), on its last allowed attempt.
    await db.execute(sql`create or replace function audit_prune_refused() returns trigger language plpgsql
      as $$ begin raise exception 'disk full'; end $$`);
    await db.execute(sql`create trigger audit_prune_refused before delete on audit_events
      for each statement execute function audit_prune_refused()`);
    try {
      const [last] = await db
        .insert(jobs)
        .values({ kind: AUDIT_PRUNE_JOB, payload: {}, attempts: 7, runAt: new Date(Date.now() - 1_000) })
        .returning();
      const before = Date.now();
      // The queue Desk runs (its wiring, not a test double); other due jobs may run along.
      expect(await t.desk.jobs.runOnce()).toBeGreaterThanOrEqual(1);
      const [ended] = await db
        .select()
        .from(jobs)
        .where(eq(jobs.id, last?.id ?? ''));
      expect(ended).toMatchObject({ status: 'failed', lastError: expect.stringContaining('audit_events') });
      const [next, ...others] = await pendingPrunes();
      expect(others).toEqual([]);
      expect(next?.attempts).toBe(0);
      expect(next?.runAt.getTime()).toBeGreaterThanOrEqual(before + 86_400_000);
    } finally {
      await db.execute(sql`drop trigger audit_prune_refused on audit_events`);
      await db.execute(sql`drop function audit_prune_refused()`);
      await db.execute(sql`delete from jobs where kind = ${AUDIT_PRUNE_JOB}`);
    }
  });

  it('a running queue queues the prune again when none is pending (a chain broken earlier)', async () => {
    const db = t.desk.database.db;
    await db.execute(sql`delete from jobs where kind = ${AUDIT_PRUNE_JOB}`);
    await db
      .insert(jobs)
      .values({ kind: AUDIT_PRUNE_JOB, payload: {}, status: 'failed', attempts: 8, lastError: 'disk full' });
    const queue = new JobQueue(t.desk.database, { keepQueuedEveryMs: 50, pollMs: 60_000 });
    queue.register(AUDIT_PRUNE_JOB, auditPruneJobHandler(t.desk.database, t.desk.config), {
      keepQueued: (now) => scheduleAuditPrune(db, now),
    });
    queue.start();
    try {
      await vi.waitUntil(async () => (await pendingPrunes()).length === 1, { timeout: 15_000 });
      expect(await pendingPrunes()).toHaveLength(1);
    } finally {
      await queue.stop();
      await db.execute(sql`delete from jobs where kind = ${AUDIT_PRUNE_JOB}`);
    }
  });

  it('a failed prune retried by staff while another is queued answers 409, one prune stays queued', async () => {
    const db = t.desk.database.db;
    await db.execute(sql`delete from jobs where kind = ${AUDIT_PRUNE_JOB}`);
    await scheduleAuditPrune(db, new Date());
    const [failed] = await db
      .insert(jobs)
      .values({ kind: AUDIT_PRUNE_JOB, payload: {}, status: 'failed', attempts: 8, lastError: 'disk full' })
      .returning();
    const staff = await staffBrowser();
    const res = await staff.post(`/api/v1.0/admin/jobs/${failed?.id}/retry/`);
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ detail: expect.stringContaining('already queued') });
    expect(await pendingPrunes()).toHaveLength(1);
    await db.execute(sql`delete from jobs where kind = ${AUDIT_PRUNE_JOB}`);
  });
});
