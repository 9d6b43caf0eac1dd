// Benchmark: an agent's team list when their teams sit at the bottom of a 1,000-team tree six levels deep (their
// ancestors are listed too), against a flat list of as many teams: p50/p95 and queries per request, ratio printed.
import { performance } from 'node:perf_hooks';
import { teamAccesses, teams } from '../src/teams/index.ts';
import { users } from '../src/users/index.ts';
import { listeningDesk } from './support/listening-desk.ts';
import { percentile } from './support/stats.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
/** Teams per level of the tree, root first: 1,000 in all, six levels. */
const LEVELS = [5, 20, 75, 150, 250, 500];
/** The leaves the deep agent is in. */
const LEAVES = 40;

async function main(): Promise<void> {
  // On PostgreSQL, a database of its own, dropped at the end: the teams and users made here go with it.
  const { desk, base, close } = await listeningDesk('team_tree');
  const db = desk.database.db;
  const stamp = Date.now();

  // The tree, level by level: each team's parent is a team of the level above, spread evenly (the trigger writes
  // the paths).
  let above: string[] = [];
  let leaves: string[] = [];
  for (const [level, count] of LEVELS.entries()) {
    const rows = await db
      .insert(teams)
      .values(
        Array.from({ length: count }, (_, i) => ({
          name: `Level ${level + 1} team ${i}`,
          parentId: above.length ? (above[i % above.length] ?? null) : null,
        })),
      )
      .returning({ id: teams.id });
    above = rows.map((r) => r.id);
    leaves = above;
  }
  const [deep, flat] = await db
    .insert(users)
    .values([
      { email: `deep.${stamp}@example.gouv.fr`, name: 'Deep' },
      { email: `flat.${stamp}@example.gouv.fr`, name: 'Flat' },
    ])
    .returning();
  // Leaves far apart, so that they do not share all their ancestors.
  const chosen = Array.from(
    { length: LEAVES },
    (_, i) => leaves[Math.floor((i * leaves.length) / LEAVES)] as string,
  );
  await db
    .insert(teamAccesses)
    .values(chosen.map((teamId) => ({ teamId, userId: deep!.id, role: 'member' as const })));
  const deepSession = await desk.sessions.create(deep!.id);
  const probe = await fetch(`${base}/api/v1.0/teams/`, {
    headers: { cookie: `desk_sessionid=${deepSession.id}` },
  });
  const seen = ((await probe.json()) as unknown[]).length;
  // As many root teams, each with nobody else, for the flat agent.
  const flatTeams = await db
    .insert(teams)
    .values(Array.from({ length: seen }, (_, i) => ({ name: `Flat team ${i}` })))
    .returning({ id: teams.id });
  await db
    .insert(teamAccesses)
    .values(flatTeams.map((t) => ({ teamId: t.id, userId: flat!.id, role: 'member' as const })));
  const flatSession = await desk.sessions.create(flat!.id);

  const run = async (cookie: string) => {
    const times: number[] = [];
    const before = desk.database.queries.count;
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      const res = await fetch(`${base}/api/v1.0/teams/`, { headers: { cookie } });
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

  const deepCookie = `desk_sessionid=${deepSession.id}`;
  const flatCookie = `desk_sessionid=${flatSession.id}`;
  await run(flatCookie);
  await run(deepCookie);
  // Interleaved halves, so that the machine's drift touches both alike.
  const f1 = await run(flatCookie);
  const d1 = await run(deepCookie);
  const d2 = await run(deepCookie);
  const f2 = await run(flatCookie);
  const f = { p50: (f1.p50 + f2.p50) / 2, p95: (f1.p95 + f2.p95) / 2, queries: f1.queries };
  const d = { p50: (d1.p50 + d2.p50) / 2, p95: (d1.p95 + d2.p95) / 2, queries: d1.queries };
  console.log(
    `Workload: GET /api/v1.0/teams/, ${REQUESTS * 2} sequential requests per agent, ${desk.database.kind}. Tree: ${LEVELS.join(' + ')} = 1,000 teams, 6 levels; the deep agent is in ${LEAVES} leaves and sees ${seen} teams (their ancestors included); the flat agent is in ${seen} root teams.`,
  );
  console.log('| agent | teams listed | p50 ms | p95 ms | queries/request |');
  console.log('|---|---|---|---|---|');
  console.log(`| flat | ${seen} | ${f.p50.toFixed(2)} | ${f.p95.toFixed(2)} | ${f.queries} |`);
  console.log(`| in a 6-level tree | ${seen} | ${d.p50.toFixed(2)} | ${d.p95.toFixed(2)} | ${d.queries} |`);
  console.log(
    `Ratio tree/flat: p50 ${(d.p50 / f.p50).toFixed(2)}×, p95 ${(d.p95 / f.p95).toFixed(2)}×, queries ${(d.queries / f.queries).toFixed(2)}×.`,
  );
  await close();
}

await main();
