// Abilities come from the same query as the rows: listing 200 members costs as many queries as listing 1.
import { describe, expect, it } from 'vitest';
import { teamAccesses, teams } from '../../src/teams/index.ts';
import { users } from '../../src/users/index.ts';
import { useDesk } from '../support/desk.ts';
import { uniqueEmail } from '../support/parts.ts';

const t = useDesk();

async function teamOf(size: number) {
  const owner = await t.createUser();
  const db = t.testDb.database.db;
  const [team] = await db
    .insert(teams)
    .values({ name: `Team of ${size}` })
    .returning();
  const members =
    size > 1
      ? await db
          .insert(users)
          .values(
            Array.from({ length: size - 1 }, (_, i) => ({
              email: uniqueEmail(`m${i}`),
              name: `Member ${i}`,
            })),
          )
          .returning({ id: users.id })
      : [];
  await db.insert(teamAccesses).values([
    { teamId: team!.id, userId: owner.id, role: 'owner' as const },
    ...members.map((m, i) => ({
      teamId: team!.id,
      userId: m.id,
      role: i % 10 === 0 ? ('administrator' as const) : ('member' as const),
    })),
  ]);
  return { id: team!.id, browser: await t.browserFor(owner) };
}

async function queriesFor(call: () => Promise<unknown>): Promise<number> {
  const counter = t.testDb.database.queries;
  const before = counter.count;
  await call();
  return counter.count - before;
}

describe('listing team accesses', () => {
  it('costs the same number of queries for 1 and for 200 members', async () => {
    // Only the request's queries are counted: the background job queue (audit pruning) stops polling.
    await t.desk.jobs.stop();
    const small = await teamOf(1);
    const large = await teamOf(200);
    // Warm-up: one-time work at start (the first audit-pruning run is queued when Desk starts listening).
    await small.browser.get(`/api/v1.0/teams/${small.id}/accesses/?page_size=100`);
    const few = await queriesFor(() =>
      small.browser.get(`/api/v1.0/teams/${small.id}/accesses/?page_size=100`),
    );
    const many = await queriesFor(() =>
      large.browser.get(`/api/v1.0/teams/${large.id}/accesses/?page_size=100`),
    );
    expect(many).toBe(few);
    expect(few).toBeLessThanOrEqual(4);
  });
});

describe('listing my teams', () => {
  it('costs the same number of queries for a root team and for a team six levels deep, its ancestors included', async () => {
    await t.desk.jobs.stop();
    const db = t.testDb.database.db;
    const flat = await t.createUser();
    const deep = await t.createUser();
    const [root] = await db.insert(teams).values({ name: 'Flat' }).returning();
    await db.insert(teamAccesses).values({ teamId: root!.id, userId: flat.id, role: 'owner' });
    let parentId: string | null = null;
    for (let level = 1; level <= 6; level++) {
      const [row]: { id: string }[] = await db
        .insert(teams)
        .values({ name: `Level ${level}`, parentId })
        .returning({ id: teams.id });
      parentId = row?.id ?? null;
    }
    await db.insert(teamAccesses).values({ teamId: parentId!, userId: deep.id, role: 'member' });
    const flatBrowser = await t.browserFor(flat);
    const deepBrowser = await t.browserFor(deep);
    await flatBrowser.get('/api/v1.0/teams/');
    const one = await queriesFor(() => flatBrowser.get('/api/v1.0/teams/'));
    let seen = 0;
    const six = await queriesFor(async () => {
      seen = ((await deepBrowser.get('/api/v1.0/teams/')).json as unknown[]).length;
    });
    expect(seen).toBe(6);
    expect(six).toBe(one);
    expect(one).toBeLessThanOrEqual(2);
  });
});
