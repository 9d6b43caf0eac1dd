// SQL of the resource-server API: service providers, and the teams a calling service may see.
import { and, asc, eq, or, type Placeholder, sql } from 'drizzle-orm';
import type { Db } from '../platform/database.ts';
import { preparedPerDatabase } from '../platform/prepared-queries.ts';
import {
  seenBy,
  serviceProviders,
  type TeamWithRole,
  teamAccesses,
  teamServiceProviders,
  teams,
  userAccess,
  visibleColumns,
  visibleTeamIds,
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
// The agent's teams and their ancestors (DESIGN.md §12), each only if visible to the calling service.
const visibleTeams = preparedPerDatabase((db) => {
  const userId = sql.placeholder('userId');
  return db
    .select(visibleColumns)
    .from(teams)
    .leftJoin(teamAccesses, userAccess(userId))
    .where(
      and(
        sql`${teams.id} in ${visibleTeamIds(userId, sql.placeholder('organizationId'))}`,
        visibleTo(sql.placeholder('serviceProviderId')),
      ),
    )
    .orderBy(asc(teams.name), asc(teams.id))
    .prepare('resource_server_teams');
});

export async function teamsForService(
  db: Db,
  user: { id: string; organizationId: string | null },
  serviceProviderId: string,
): Promise<TeamWithRole[]> {
  return visibleTeams(db).execute({
    userId: user.id,
    organizationId: user.organizationId,
    serviceProviderId,
  });
}

export async function teamForService(
  db: Db,
  teamId: string,
  user: { id: string; organizationId: string | null },
  serviceProviderId: string,
): Promise<(TeamWithRole & { linked: boolean }) | undefined> {
  const [row] = await db
    .select({
      ...visibleColumns,
      linked: sql<boolean>`exists (select 1 from team_service_providers tsp where tsp.team_id = ${teams.id} and tsp.service_provider_id = ${serviceProviderId})`,
    })
    .from(teams)
    .leftJoin(teamAccesses, userAccess(user.id))
    .where(and(eq(teams.id, teamId), seenBy(user.id, user.organizationId), visibleTo(serviceProviderId)))
    .limit(1);
  return row;
}

export async function linkTeam(tx: Db, teamId: string, serviceProviderId: string): Promise<void> {
  await tx.insert(teamServiceProviders).values({ teamId, serviceProviderId }).onConflictDoNothing();
}
