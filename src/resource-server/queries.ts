// SQL of the resource-server API: service providers, and the teams a calling service may see.
import { and, asc, eq, or, type Placeholder, sql } from 'drizzle-orm';
import type { Db } from '../platform/database.ts';
import { preparedPerDatabase } from '../platform/prepared-queries.ts';
import {
  accessIdsOf,
  managedByOf,
  serviceProviders,
  type TeamWithRole,
  teamAccesses,
  teamServiceProviders,
  teams,
} from '../teams/index.ts';

/** The service provider named by a token's audience, created on its first call. */
export async function serviceProviderFor(db: Db, audience: string): Promise<string> {
  // Rows are only ever added, never changed: once known, an audience's id is kept for the process.
  const ids = serviceProviderIds.get(db) ?? new Map<string, string>();
  serviceProviderIds.set(db, ids);
  const known = ids.get(audience);
  if (known) return known;
  await db.insert(serviceProviders).values({ audienceId: audience, name: audience }).onConflictDoNothing();
  const [row] = await db
    .select({ id: serviceProviders.id })
    .from(serviceProviders)
    .where(eq(serviceProviders.audienceId, audience))
    .limit(1);
  if (!row) throw new Error(`service provider ${audience} vanished`);
  if (ids.size < 10_000) ids.set(audience, row.id);
  return row.id;
}

/** Per database (several Desks may share a process in tests and benchmarks). */
const serviceProviderIds = new WeakMap<Db, Map<string, string>>();

const visibleTo = (serviceProviderId: string | Placeholder) =>
  or(
    eq(teams.isVisibleAllServiceProviders, true),
    sql`exists (select 1 from team_service_providers tsp where tsp.team_id = ${teams.id} and tsp.service_provider_id = ${serviceProviderId})`,
  );

// GET /resource-server/v1.0/teams/, at each call of another app of the suite: built once (sql/resource-server.sql).
const visibleTeams = preparedPerDatabase((db) =>
  db
    .select({ team: teams, role: teamAccesses.role, accessIds: accessIdsOf, managedBy: managedByOf })
    .from(teamAccesses)
    .innerJoin(teams, eq(teams.id, teamAccesses.teamId))
    .where(
      and(
        eq(teamAccesses.userId, sql.placeholder('userId')),
        visibleTo(sql.placeholder('serviceProviderId')),
      ),
    )
    .orderBy(asc(teams.name), asc(teams.id))
    .prepare('resource_server_teams'),
);

export async function teamsForService(
  db: Db,
  userId: string,
  serviceProviderId: string,
): Promise<TeamWithRole[]> {
  return visibleTeams(db).execute({ userId, serviceProviderId });
}

export async function teamForService(
  db: Db,
  teamId: string,
  userId: string,
  serviceProviderId: string,
): Promise<(TeamWithRole & { linked: boolean }) | undefined> {
  const [row] = await db
    .select({
      team: teams,
      role: teamAccesses.role,
      accessIds: accessIdsOf,
      managedBy: managedByOf,
      linked: sql<boolean>`exists (select 1 from team_service_providers tsp where tsp.team_id = ${teams.id} and tsp.service_provider_id = ${serviceProviderId})`,
    })
    .from(teamAccesses)
    .innerJoin(teams, eq(teams.id, teamAccesses.teamId))
    .where(and(eq(teams.id, teamId), eq(teamAccesses.userId, userId), visibleTo(serviceProviderId)))
    .limit(1);
  return row;
}

export async function linkTeam(tx: Db, teamId: string, serviceProviderId: string): Promise<void> {
  await tx.insert(teamServiceProviders).values({ teamId, serviceProviderId }).onConflictDoNothing();
}
