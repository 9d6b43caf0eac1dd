// The data of bench/floors: one organization of agents with French names, an agent in 20 teams, a team of 1,000
// members, the people the search looks for, and a service provider the 20 teams are linked to; beside it a small
// organization of 2,000 agents (a directory of people's usual size), one of whom searches it. Filled in bulk.
import { settleTables } from '../../src/platform/maintenance.ts';
import { FIRST, INACTIVE, LAST, TARGETS } from '../../test/support/population.ts';

/** Runs one statement (no parameters: values are literals made here) and answers its rows. */
export type Exec = (text: string) => Promise<Record<string, unknown>[]>;

export interface FloorData {
  organizationId: string;
  /** In 20 teams (owner of 10, administrator of 5, member of 5); searches and calls through the service provider. */
  agent: { id: string; sub: string };
  /** Owner of the 1,000-member team. */
  owner: { id: string };
  bigTeamId: string;
  serviceProvider: { id: string; audience: string };
  /** Users of the big organization. */
  users: number;
  /** An agent of the small organization (SMALL_ORGANIZATION users in all), who searches it. */
  smallAgent: { id: string };
}

const TEAM_NAMES = [
  'Accueil',
  'Achats',
  'Archives',
  'Budget',
  'Communication',
  'Comptabilité',
  'Données',
  'Formation',
  'Juridique',
  'Logistique',
  'Marchés publics',
  'Numérique',
  'Paie',
  'Patrimoine',
  'Projets',
  'Recrutement',
  'Ressources humaines',
  'Sécurité',
  'Support',
  'Urbanisme',
];
export const BIG_TEAM_SIZE = 1_000;
export const SMALL_ORGANIZATION = 2_000;
const TEAM_SIZE = 10;

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const array = (texts: string[]) => `array[${texts.map(literal).join(',')}]`;

function one(rows: Record<string, unknown>[], what: string): string {
  const id = rows[0]?.id;
  if (typeof id !== 'string') throw new Error(`${what}: no id returned`);
  return id;
}

/**
 * `count` agents of one organization, subs `<subPrefix><n>`: deterministic names and addresses (two coprime strides over
 * the name lists), one agent in 50 inactive.
 */
function generatedAgents(organizationId: string, count: number, subPrefix: string, domain: string): string {
  return `insert into users (sub, name, email, organization_id, is_active)
    select '${subPrefix}' || i, f || ' ' || l,
           desk_unaccent(lower(f)) || '.' || desk_unaccent(lower(l)) || '.' || i || '@${domain}',
           '${organizationId}', i % 50 <> 0
    from (select i, (${array(FIRST)})[1 + (i::bigint * 7919) % ${FIRST.length}] as f,
                    (${array(LAST)})[1 + (i::bigint * 104729) % ${LAST.length}] as l
          from generate_series(1, ${count}) as i) g`;
}

/** Fills an empty, migrated database with `size` users in the big organization and SMALL_ORGANIZATION in the small. */
export async function fillFloorData(exec: Exec, size: number): Promise<FloorData> {
  const organizationId = one(
    await exec(
      `insert into organizations (name) values ('Direction interministérielle du numérique') returning id`,
    ),
    'organization',
  );
  const agentId = one(
    await exec(`insert into users (sub, name, email, organization_id)
      values ('bench-agent', 'Camille Rousseau', 'camille.rousseau@numerique.gouv.fr', '${organizationId}') returning id`),
    'agent',
  );
  const ownerId = one(
    await exec(`insert into users (sub, name, email, organization_id)
      values ('bench-owner', 'Thomas Petit', 'thomas.petit@numerique.gouv.fr', '${organizationId}') returning id`),
    'owner',
  );
  const named = [...TARGETS, { ...INACTIVE, inactive: true }];
  await exec(
    `insert into users (name, email, organization_id, is_active) values ${named
      .map((p) => `(${literal(p.name)}, ${literal(p.email)}, '${organizationId}', ${!('inactive' in p)})`)
      .join(', ')}`,
  );
  const generated = size - 2 - named.length;
  await exec(generatedAgents(organizationId, generated, 'bench-', 'example.gouv.fr'));

  // The agent's 20 teams, each of TEAM_SIZE members; someone else owns those the agent does not.
  const teamIds: string[] = [];
  for (const [n, name] of TEAM_NAMES.entries()) {
    const role = n < 10 ? 'owner' : n < 15 ? 'administrator' : 'member';
    const teamId = one(
      await exec(
        `insert into teams (name, organization_id) values (${literal(name)}, '${organizationId}') returning id`,
      ),
      'team',
    );
    teamIds.push(teamId);
    await exec(
      `insert into team_accesses (team_id, user_id, role) values ('${teamId}', '${agentId}', '${role}')`,
    );
    const first = 1_000 + n * 20;
    await exec(`insert into team_accesses (team_id, user_id, role)
      select '${teamId}', id, case when row_number() over (order by sub) = 1 and '${role}' <> 'owner' then 'owner'
                                   else 'member' end
      from users where is_active and sub in (select 'bench-' || g from generate_series(${first}, ${first + 19}) g)
      order by sub limit ${TEAM_SIZE - 1}`);
  }

  const bigTeamId = one(
    await exec(
      `insert into teams (name, organization_id) values ('Tous les agents', '${organizationId}') returning id`,
    ),
    'big team',
  );
  await exec(
    `insert into team_accesses (team_id, user_id, role) values ('${bigTeamId}', '${ownerId}', 'owner')`,
  );
  await exec(`insert into team_accesses (team_id, user_id, role)
    select '${bigTeamId}', id, case when row_number() over (order by sub) % 10 = 0 then 'administrator' else 'member' end
    from users where is_active and sub in (select 'bench-' || g from generate_series(10000, 12000) g)
    order by sub limit ${BIG_TEAM_SIZE - 1}`);

  const smallId = one(
    await exec(`insert into organizations (name) values ('Préfecture de la Marne') returning id`),
    'small organization',
  );
  const smallAgentId = one(
    await exec(`insert into users (sub, name, email, organization_id)
      values ('bench-small-agent', 'Léa Fontaine', 'lea.fontaine@marne.gouv.fr', '${smallId}') returning id`),
    'small agent',
  );
  await exec(generatedAgents(smallId, SMALL_ORGANIZATION - 1, 'bench-small-', 'marne.gouv.fr'));

  const audience = 'bench-app';
  const serviceProviderId = one(
    await exec(
      `insert into service_providers (audience_id, name) values ('${audience}', 'Bench app') returning id`,
    ),
    'service provider',
  );
  await exec(`insert into team_service_providers (team_id, service_provider_id)
    select id, '${serviceProviderId}' from unnest(array[${teamIds.map((id) => `'${id}'::uuid`).join(',')}]) as id`);
  // Settled before anything is measured: vacuumed (autovacuum would otherwise start on the new rows during the first
  // path measured, on one side only), analysed, the GIN indexes' pending lists flushed.
  await settleTables(exec, ['organizations', 'users', 'teams', 'team_accesses', 'team_service_providers']);

  const [{ n } = { n: 0 }] = (await exec(
    `select count(*)::int as n from users where organization_id = '${organizationId}'`,
  )) as { n: number }[];
  const [{ s } = { s: 0 }] = (await exec(
    `select count(*)::int as s from users where organization_id = '${smallId}'`,
  )) as { s: number }[];
  const [{ m } = { m: 0 }] = (await exec(
    `select count(*)::int as m from team_accesses where team_id = '${bigTeamId}'`,
  )) as { m: number }[];
  if (n !== size || m !== BIG_TEAM_SIZE || s !== SMALL_ORGANIZATION)
    throw new Error(
      `population: ${n} users (wanted ${size}), big team of ${m} (wanted ${BIG_TEAM_SIZE}), small organization of ${s} (wanted ${SMALL_ORGANIZATION})`,
    );
  return {
    organizationId,
    agent: { id: agentId, sub: 'bench-agent' },
    owner: { id: ownerId },
    bigTeamId,
    serviceProvider: { id: serviceProviderId, audience },
    users: n,
    smallAgent: { id: smallAgentId },
  };
}
