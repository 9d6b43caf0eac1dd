// Benchmark: user search at 1,000,000 users in PostgreSQL, Desk's indexed query against the Django system's query.
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { openDatabase } from '../src/platform/database.ts';
import { searchUsers } from '../src/users/index.ts';
import { FIRST, LAST, TARGETS } from '../test/support/population.ts';
import { percentile } from './support/stats.ts';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SIZE = Number(process.env.BENCH_USERS ?? 1_000_000);
const DB_NAME = `desk_bench_search_${SIZE}`;

const QUERIES = [
  // prefixes
  'mar',
  'dup',
  'ka',
  'z',
  'fon',
  'séb',
  'lef',
  'gir',
  // full names
  'helene martin',
  'jean dupont',
  'Hélène Marchetti',
  'françois dupontel',
  'marie-hélène de la fontainerie',
  'camille rousseau',
  'thomas petit',
  'ana núñez quiroga',
  // emails
  'helene.marchetti@example.gouv.fr',
  'john.smithers@example.org',
  'jean.dupont.1234@example.gouv.fr',
  'joel.brez',
  'sophie.martin.99',
  // typos
  'jhon smithers',
  'marchtti',
  'dupontle',
  'castagnde',
  'wisnieska',
  'smihters',
  'lefebre',
  'rousseua',
  'garnir',
];

async function prepare(): Promise<string> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  const exists = await admin`select 1 from pg_database where datname = ${DB_NAME}`;
  if (!exists.length) await admin.unsafe(`create database ${DB_NAME}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  return url.toString();
}

async function main(): Promise<void> {
  const url = await prepare();
  const database = openDatabase(url, '');
  await database.migrate();
  const client = postgres(url, { max: 1, onnotice: () => {} });
  const [{ n } = { n: 0 }] = await client<{ n: number }[]>`select count(*)::int as n from users`;
  // The truncate below empties this benchmark's own database (desk_bench_search_*, kept between runs), nothing else.
  if (n < SIZE) {
    const started = performance.now();
    await client`truncate users cascade`;
    const first = FIRST.map((f) => f.replaceAll("'", "''"));
    const last = LAST.map((l) => l.replaceAll("'", "''"));
    await client.unsafe(`
      insert into users (name, email, is_active)
      select f || ' ' || l, lower(unaccent(f)) || '.' || lower(unaccent(l)) || '.' || i || '@example.gouv.fr', i % 50 <> 0
      from (select i, (array['${first.join("','")}'])[1 + (i::bigint * 7919) % ${first.length}] as f,
                      (array['${last.join("','")}'])[1 + (i::bigint * 104729) % ${last.length}] as l
            from generate_series(1, ${SIZE - TARGETS.length}) as i) g`);
    for (const t of TARGETS) await client`insert into users (name, email) values (${t.name}, ${t.email})`;
    await client`analyze users`;
    console.log(
      `Loaded ${SIZE} users in ${((performance.now() - started) / 1000).toFixed(1)} s (kept in database ${DB_NAME} for later runs).`,
    );
  }

  // DESIGN.md §7: searches stay inside the searcher's organization. The population is spread over 100
  // organizations (10,000 agents each at 1M); the searcher, and the agents the queries look for, are in the first.
  const ORGANIZATIONS = 100;
  const [{ unassigned } = { unassigned: 0 }] = await client<{ unassigned: number }[]>`
    select count(*)::int as unassigned from users where organization_id is null`;
  if (unassigned > 0) {
    const started = performance.now();
    await client.unsafe(`
      insert into organizations (name)
      select 'bench organization ' || n from generate_series(1, ${ORGANIZATIONS}) as n
      where not exists (select 1 from organizations where name like 'bench organization %')`);
    await client.unsafe(`
      with numbered as (select id, row_number() over (order by name) - 1 as n from organizations where name like 'bench organization %')
      update users u set organization_id = o.id
      from numbered o
      where u.organization_id is null
        and o.n = case when u.email like '%.%.%@%' then abs(hashtext(u.id::text)) % ${ORGANIZATIONS} else 0 end`);
    await client`analyze users`;
    console.log(
      `Spread ${unassigned} users over ${ORGANIZATIONS} organizations in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
    );
  }
  const [{ id: organizationId } = { id: '' }] = await client<{ id: string }[]>`
    select organization_id as id from users where email = ${TARGETS[0]?.email ?? ''}`;

  const djangoQuery = (q: string) => client<{ id: string }[]>`
    select id from users
    where is_active and organization_id = ${organizationId} and similarity(unaccent(lower(email)), unaccent(lower(${q}))) + similarity(unaccent(lower(name)), unaccent(lower(${q}))) > 0.04
    order by similarity(unaccent(lower(email)), unaccent(lower(${q}))) + similarity(unaccent(lower(name)), unaccent(lower(${q}))) desc
    limit 20`;

  // Warm-up: caches and plans for both.
  for (const q of QUERIES.slice(0, 5))
    await searchUsers(database.db, { q, organizationId, limit: 20, offset: 0 });
  await djangoQuery('martin');

  const REPEAT = 5;
  const desk: number[] = [];
  const deskTop = new Map<string, string[]>();
  for (let r = 0; r < REPEAT; r++)
    for (const q of QUERIES) {
      const t0 = performance.now();
      const rows = await searchUsers(database.db, { q, organizationId, limit: 20, offset: 0 });
      desk.push(performance.now() - t0);
      deskTop.set(
        q,
        rows.slice(0, 10).map((row) => row.id),
      );
    }
  const django: number[] = [];
  let overlap = 0;
  for (const q of QUERIES) {
    const t0 = performance.now();
    const rows = await djangoQuery(q);
    django.push(performance.now() - t0);
    const theirs = new Set(rows.slice(0, 10).map((row) => row.id));
    const mine = deskTop.get(q) ?? [];
    overlap += theirs.size ? mine.filter((id) => theirs.has(id)).length / theirs.size : 1;
  }

  console.log(
    `Workload: ${SIZE.toLocaleString('en')} users (2% inactive) in ${ORGANIZATIONS} organizations, searched inside one, ${QUERIES.length} queries (prefix, full name, email, typo);`,
  );
  console.log(
    `Desk ${REPEAT} runs of each (${desk.length} searches), the Django query once each (${django.length}: seconds each at this size).`,
  );
  console.log('| query | p50 ms | p95 ms |');
  console.log('|---|---|---|');
  console.log(
    `| Desk (indexed, ranked) | ${percentile(desk, 50).toFixed(1)} | ${percentile(desk, 95).toFixed(1)} |`,
  );
  console.log(
    `| Django (sum of similarity > 0.04) | ${percentile(django, 50).toFixed(1)} | ${percentile(django, 95).toFixed(1)} |`,
  );
  console.log(
    `Ratio Django/Desk: p50 ${(percentile(django, 50) / percentile(desk, 50)).toFixed(1)}×, p95 ${(percentile(django, 95) / percentile(desk, 95)).toFixed(1)}× (aim ≥ 20×; Desk p95 aim < 50 ms)`,
  );
  console.log(
    `Of the Django query's top 10, Desk also returns ${((overlap / QUERIES.length) * 100).toFixed(0)}% on average.`,
  );
  await client.end();
  await database.close();
}

await main();
