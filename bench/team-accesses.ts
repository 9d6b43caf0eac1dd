// Benchmark: the access list of a 1,000-member team (p50/p95 and queries per request), against a 1-member team.
import { performance } from 'node:perf_hooks';
import { teamAccesses, teams } from '../src/teams/index.ts';
import { users } from '../src/users/index.ts';
import { listeningDesk } from './support/listening-desk.ts';
import { percentile } from './support/stats.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);

async function main(): Promise<void> {
  // On PostgreSQL, a database of its own, dropped at the end: the teams and users made here go with it.
  const { desk, base, close } = await listeningDesk('team_accesses');
  const db = desk.database.db;
  const stamp = Date.now();

  const makeTeam = async (size: number) => {
    const [owner] = await db
      .insert(users)
      .values({ email: `owner.${size}.${stamp}@example.gouv.fr`, name: 'Owner' })
      .returning();
    const [team] = await db
      .insert(teams)
      .values({ name: `Team of ${size}` })
      .returning();
    const members = [];
    for (let i = 0; i < size - 1; i += 500) {
      const batch = Array.from({ length: Math.min(500, size - 1 - i) }, (_, j) => ({
        email: `member.${size}.${i + j}.${stamp}@example.gouv.fr`,
        name: `Member ${i + j}`,
      }));
      members.push(...(await db.insert(users).values(batch).returning({ id: users.id })));
    }
    await db.insert(teamAccesses).values({ teamId: team!.id, userId: owner!.id, role: 'owner' });
    for (let i = 0; i < members.length; i += 500)
      await db.insert(teamAccesses).values(
        members.slice(i, i + 500).map((m, j) => ({
          teamId: team!.id,
          userId: m.id,
          role: (i + j) % 10 === 0 ? ('administrator' as const) : ('member' as const),
        })),
      );
    const session = await desk.sessions.create(owner!.id);
    return {
      url: `${base}/api/v1.0/teams/${team!.id}/accesses/?page_size=100`,
      cookie: `desk_sessionid=${session.id}`,
    };
  };

  const run = async (team: { url: string; cookie: string }) => {
    const times: number[] = [];
    const before = desk.database.queries.count;
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      const res = await fetch(team.url, { headers: { cookie: team.cookie } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      times.push(performance.now() - t0);
    }
    return {
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      queries: (desk.database.queries.count - before) / REQUESTS,
    };
  };

  const small = await makeTeam(1);
  const large = await makeTeam(1_000);
  await run(small);
  await run(large);
  const s = await run(small);
  const l = await run(large);
  console.log(
    `Workload: GET /teams/{id}/accesses/?page_size=100, ${REQUESTS} sequential requests per team, ${desk.database.kind}.`,
  );
  console.log('| team | p50 ms | p95 ms | queries/request |');
  console.log('|---|---|---|---|');
  console.log(`| 1 member | ${s.p50.toFixed(2)} | ${s.p95.toFixed(2)} | ${s.queries} |`);
  console.log(`| 1,000 members | ${l.p50.toFixed(2)} | ${l.p95.toFixed(2)} | ${l.queries} |`);
  console.log(
    `Ratio 1,000/1: p95 ${(l.p95 / s.p95).toFixed(2)}×, queries ${(l.queries / s.queries).toFixed(2)}× (abilities come from the listing query).`,
  );
  await close();
}

await main();
