// Search relevance over a generated population: each query of the relevance set finds the right person first.
import { beforeAll, describe, expect, it } from 'vitest';
import { normalize, searchUsers } from '../../src/users/index.ts';
import { useDesk } from '../support/desk.ts';
import { INACTIVE, loadPopulation } from '../support/population.ts';
import { RELEVANCE_SET } from './relevance-set.ts';

const t = useDesk();

beforeAll(async () => {
  await loadPopulation(t.testDb.database.db, 2_500);
}, 60_000);

describe('search relevance', () => {
  for (const c of RELEVANCE_SET) {
    it(`"${c.query}" ${c.first ? `finds ${c.first} first` : `only finds words starting with "${c.allStartWith}"`}`, async () => {
      const rows = await searchUsers(t.testDb.database.db, {
        q: c.query,
        organizationId: null,
        limit: 10,
        offset: 0,
      });
      if (c.first) expect(rows[0]?.email).toBe(c.first);
      if (c.allStartWith) {
        expect(rows.length).toBeGreaterThan(0);
        const prefix = c.allStartWith;
        for (const row of rows) {
          const words = normalize(row.name).split(/[\s-]+/);
          expect(words.some((w) => w.startsWith(prefix)) || row.email?.startsWith(prefix)).toBe(true);
        }
      }
    });
  }

  it('never finds an inactive user', async () => {
    const rows = await searchUsers(t.testDb.database.db, {
      q: 'desactivee',
      organizationId: null,
      limit: 10,
      offset: 0,
    });
    expect(rows.map((r) => r.email)).not.toContain(INACTIVE.email);
  });
});
