// What one search costs in statements, session user included: one look-up when the words (or the address) fill the
// page, a second for look-alikes when they do not, a count when more match than are ranked; never one per row.
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useDesk } from '../support/desk.ts';

const t = useDesk();
const tag = `Qc${crypto.randomUUID().slice(0, 6).replace(/\d/g, 'x')}`;
let search: (q: string) => Promise<number>;

beforeAll(async () => {
  // Only the request's statements are counted: the background job queue stops polling.
  await t.desk.jobs.stop();
  // 1,001 agents named "<tag> Agent<n>" (more than the 1,000 ranked), and a few "<tag>lone <n>" (fewer than a page).
  await t.testDb.database.db.execute(sql`
    insert into users (name, email)
    select ${tag} || ' Agent' || i, lower(${tag}) || '.agent' || i || '@count.example' from generate_series(1, 1001) i
    union all
    select ${`${tag}lone`} || ' ' || i, lower(${tag}) || '.lone' || i || '@count.example' from generate_series(1, 3) i`);
  const me = await t.browserFor(await t.createUser());
  await me.get('/api/v1.0/users/?q=warm');
  search = async (q) => {
    const counter = t.testDb.database.queries;
    const before = counter.count;
    const res = await me.get(`/api/v1.0/users/?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    return counter.count - before;
  };
}, 60_000);

describe('statements per search, the session user included', () => {
  it('costs 2 for an empty query: the page read in name order', async () => {
    expect(await search('')).toBe(2);
  });

  it('costs 2 for an address', async () => {
    expect(await search(`${tag.toLowerCase()}.agent7@count.example`)).toBe(2);
  });

  it('costs 3 for words matching fewer than a page: the look-alikes are asked too', async () => {
    expect(await search(`${tag}lone`)).toBe(3);
  });

  it('costs 3 for words matching more than the 1,000 ranked: their count is asked too', async () => {
    expect(await search(`${tag} agent`)).toBe(3);
  });

  it('costs 2 for words filling the page without reaching 1,000', async () => {
    expect(await search(`${tag} agent1`)).toBe(2);
  });
});
