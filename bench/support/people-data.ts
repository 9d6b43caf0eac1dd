// A people v1.26 database to import from, at the size of a national deployment: test/import/people-v1.26.sql loaded
// into a database of the benchmark's own (people_bench_*), filled with set-based SQL (generate_series, one statement
// per table). Ids are md5 of a label, so every run makes the same rows; they look as random as people's uuid4.
import { readFile } from 'node:fs/promises';
import postgres from 'postgres';
import { FIRST, LAST } from '../../test/support/population.ts';
import { type OwnDatabase, ownDatabase, uniquePeopleName } from './isolation.ts';

const SCHEMA_FILE = new URL('../../test/import/people-v1.26.sql', import.meta.url);

export interface PeopleSizes {
  organizations: number;
  users: number;
  /** Root teams; each has CHILDREN children, so teams = roots × (1 + CHILDREN). */
  rootTeams: number;
  /** Accesses per team (distinct users): team accesses = teams × this. */
  accessesPerTeam: number;
  invitations: number;
  contacts: number;
}

export const CHILDREN = 4;

/** The issue's size (1,000,000 users, 100,000 teams, 2,000,000 accesses), times `scale`. */
export function peopleSizes(scale: number): PeopleSizes {
  const n = (full: number, least: number) => Math.max(least, Math.round(full * scale));
  return {
    organizations: n(1_000, 2),
    users: n(1_000_000, 100),
    rootTeams: n(20_000, 2),
    accessesPerTeam: 20,
    invitations: n(10_000, 2),
    contacts: n(50_000, 20),
  };
}

export const teamCount = (s: PeopleSizes) => s.rootTeams * (1 + CHILDREN);

/** Makes a people_bench_* database with people v1.26's schema (the file is a BEGIN … COMMIT script, as psql runs it). */
export async function createPeopleSource(serverUrl: string): Promise<OwnDatabase> {
  const own = await ownDatabase(serverUrl, uniquePeopleName());
  const sql = postgres(own.url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(await readFile(SCHEMA_FILE, 'utf8')).simple();
  } catch (error) {
    await sql.end();
    await own.drop();
    throw error;
  }
  await sql.end();
  return own;
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const array = (texts: readonly string[]) => `array[${texts.map(literal).join(',')}]`;
const uuid = (label: string, n: string) => `md5('${label} ' || ${n})::uuid`;

// treebeard's path steps: 5 characters of base 36 (its alphabet, upper case), the first root is 00001.
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const step = (n: string) =>
  [36 ** 4, 36 ** 3, 36 ** 2, 36, 1]
    .map((p) => `substr('${ALPHABET}', ((${n}) / ${p}) % 36 + 1, 1)`)
    .join(' || ');

function gcd(a: number, b: number): number {
  return b ? gcd(b, a % b) : a;
}

/** A stride coprime with `n`: i × stride mod n visits every residue once, so it spreads rows over users. */
function strideFor(n: number): number {
  for (const p of [7919, 104729, 15485863, 7907, 7901]) if (gcd(p, n) === 1) return p;
  throw new Error(`no stride for ${n}`);
}

const CITIES = [
  'Paris',
  'Lyon',
  'Marseille',
  'Toulouse',
  'Nantes',
  'Strasbourg',
  'Lille',
  'Rennes',
  'Bordeaux',
  'Montpellier',
  'Dijon',
  'Besançon',
  'Clermont-Ferrand',
  'Orléans',
  'Rouen',
  'Ajaccio',
];
const BODIES = [
  'Mairie de',
  'Préfecture de',
  'Direction départementale de',
  'Rectorat de',
  'Conseil régional de',
];
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
const DOMAINS = [
  'numerique.gouv.fr',
  'interieur.gouv.fr',
  'education.gouv.fr',
  'example.fr',
  'ville-exemple.fr',
];

/** One user's label number for access slot `slot` of team `team` (both SQL): distinct within a team. */
function accessUser(sizes: PeopleSizes, team: string, slot: string): string {
  const stride = strideFor(sizes.users);
  return `(1 + ((${team} - 1)::bigint * ${sizes.accessesPerTeam} + ${slot}) * ${stride} % ${sizes.users})`;
}

/** Fills the empty source, one statement per table; answers the row count of each table. */
export async function fillPeople(url: string, sizes: PeopleSizes): Promise<Record<string, number>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const { organizations: orgs, users, rootTeams: roots, accessesPerTeam: perTeam } = sizes;
  const teams = teamCount(sizes);
  const organizationOf = (n: string) => uuid('organization', `(1 + (${n}) % ${orgs})`);
  // Times spread over the years before the snapshot; updated a while after created.
  const created = (n: string, total: number) =>
    `timestamptz '2021-03-01 08:00:00+00' + (${n})::float8 / ${total} * interval '1500 days'`;
  try {
    await sql.unsafe(`SET synchronous_commit = off`);
    await sql.unsafe(`
      INSERT INTO people_organization (id, created_at, updated_at, name, registration_id_list, domain_list, metadata, is_active)
      SELECT ${uuid('organization', 'i')}, c, c + interval '3 days',
        (${array(BODIES)})[1 + i % ${BODIES.length}] || ' ' || (${array(CITIES)})[1 + i % ${CITIES.length}] || ' ' || i,
        array[(13002526500000 + i * 97)::text],
        CASE WHEN i % 4 = 0 THEN array['org' || i || '.gouv.fr'] ELSE '{}' END,
        CASE WHEN i % 3 = 0 THEN '{"is_public_service": true, "is_commune": false}'::jsonb ELSE '{}'::jsonb END,
        i % 100 <> 0
      FROM (SELECT i, ${created('i', orgs)} AS c FROM generate_series(1, ${orgs}) i) g`);

    // OIDC users have Django's unusable password ('!' and 40 random characters); one in 10,000 is staff with a
    // pbkdf2_sha256 hash. A few legacy rows: no email, no name, no organization.
    await sql.unsafe(`
      INSERT INTO people_user (password, last_login, is_superuser, id, created_at, updated_at, sub, email, name, language,
        timezone, is_device, is_staff, is_active, organization_id)
      SELECT
        CASE WHEN i % 10000 = 0
          THEN 'pbkdf2_sha256$870000$' || substr(md5('salt ' || i), 1, 22) || '$' || encode(sha256(('password ' || i)::bytea), 'base64')
          ELSE '!' || substr(md5('unusable ' || i) || md5('unusable again ' || i), 1, 40) END,
        CASE WHEN i % 3 = 0 THEN NULL ELSE c + interval '40 days' END,
        i % 100000 = 0,
        ${uuid('user', 'i')}, c, c + interval '40 days',
        md5('sub ' || i)::uuid::text,
        CASE WHEN i % 997 = 0 THEN NULL ELSE
          regexp_replace(lower(public.unaccent(f)), '[^a-z0-9-]', '', 'g') || '.' ||
          regexp_replace(lower(public.unaccent(l)), '[^a-z0-9-]', '', 'g') || '.' || i || '@' ||
          (${array(DOMAINS)})[1 + i % ${DOMAINS.length}] END,
        CASE WHEN i % 991 = 0 THEN NULL ELSE f || ' ' || l END,
        CASE WHEN i % 5 = 0 THEN 'en-us' ELSE 'fr-fr' END,
        'Europe/Paris', false, i % 10000 = 0, i % 50 <> 0,
        CASE WHEN i % 200 = 0 THEN NULL ELSE ${organizationOf('i')} END
      FROM (SELECT i, ${created('i', users)} AS c,
              (${array(FIRST)})[1 + (i::bigint * 7919) % ${FIRST.length}] AS f,
              (${array(LAST)})[1 + (i::bigint * 104729) % ${LAST.length}] AS l
            FROM generate_series(1, ${users}) i) g`);

    // Roots 1..roots; root k's children are teams roots + (k - 1) × CHILDREN + j, j = 1..CHILDREN.
    await sql.unsafe(`
      INSERT INTO people_team (id, created_at, updated_at, name, organization_id, depth, numchild, path,
        is_visible_all_services, external_id)
      SELECT ${uuid('team', 't')}, c, c + interval '5 days',
        (${array(TEAM_NAMES)})[1 + t % ${TEAM_NAMES.length}] || ' ' || t,
        ${organizationOf('k')}, depth, numchild, path, t % 1000 = 0, ${uuid('external', 't')}
      FROM (
        SELECT k AS t, k, 1 AS depth, ${CHILDREN} AS numchild, ${step('k')} AS path, ${created('k', roots)} AS c
        FROM generate_series(1, ${roots}) k
        UNION ALL
        SELECT ${roots} + (k - 1) * ${CHILDREN} + j, k, 2, 0, ${step('k')} || ${step('j')},
          ${created('k', roots)} + j * interval '1 day'
        FROM generate_series(1, ${roots}) k, generate_series(1, ${CHILDREN}) j
      ) g`);

    // Each team: an owner, two administrators, members; distinct users (a stride coprime with the user count).
    await sql.unsafe(`
      INSERT INTO people_team_access (id, created_at, updated_at, role, team_id, user_id)
      SELECT ${uuid('access', `t || ' ' || s`)}, c, c,
        CASE WHEN s = 0 THEN 'owner' WHEN s < 3 THEN 'administrator' ELSE 'member' END,
        ${uuid('team', 't')}, ${uuid('user', accessUser(sizes, 't', 's'))}
      FROM (SELECT t, s, ${created('t', teams)} + s * interval '1 hour' AS c
            FROM generate_series(1, ${teams}) t, generate_series(0, ${perTeam - 1}) s) g`);

    // Invitations from the team's owner; one in five older than the validity (expired, not imported).
    await sql.unsafe(`
      INSERT INTO people_invitation (id, created_at, updated_at, email, role, issuer_id, team_id)
      SELECT ${uuid('invitation', 'i')}, u, u, 'invite.' || i || '@' || (${array(DOMAINS)})[1 + i % ${DOMAINS.length}],
        CASE WHEN i % 10 = 0 THEN 'administrator' ELSE 'member' END,
        ${uuid('user', accessUser(sizes, 't', '0'))}, ${uuid('team', 't')}
      FROM (SELECT i, 1 + (i::bigint * 7919) % ${teams} AS t,
              CASE WHEN i % 5 = 0 THEN now() - interval '30 days' ELSE now() - (i % 6) * interval '1 day' END AS u
            FROM generate_series(1, ${sizes.invitations}) i) g`);

    // Contacts: one in ten public (no owner), the next one overriding it for a user; the rest a user's own.
    await sql.unsafe(`
      INSERT INTO people_contact (id, created_at, updated_at, full_name, short_name, data, owner_id, notes, override_id, user_id)
      SELECT ${uuid('contact', 'i')}, c, c, f || ' ' || l, CASE WHEN i % 2 = 0 THEN f ELSE NULL END,
        jsonb_build_object('emails', jsonb_build_array(jsonb_build_object('type', 'Work', 'value',
          'contact.' || i || '@' || (${array(DOMAINS)})[1 + i % ${DOMAINS.length}])),
          'phones', jsonb_build_array(jsonb_build_object('type', 'Mobile', 'value', '+33 6 ' || lpad((i % 100000000)::text, 8, '0')))),
        CASE WHEN i % 10 = 0 THEN NULL ELSE ${uuid('user', `(1 + (i::bigint * 104729) % ${users})`)} END,
        CASE WHEN i % 3 = 0 THEN 'Rencontré au salon ' || (2020 + i % 5) ELSE '' END,
        CASE WHEN i % 10 = 1 AND i > 1 THEN ${uuid('contact', '(i - 1)')} ELSE NULL END,
        NULL
      FROM (SELECT i, ${created('i', sizes.contacts)} AS c,
              (${array(FIRST)})[1 + (i::bigint * 31) % ${FIRST.length}] AS f,
              (${array(LAST)})[1 + (i::bigint * 17) % ${LAST.length}] AS l
            FROM generate_series(1, ${sizes.contacts}) i) g`);

    // As a live deployment's database would be: vacuumed (visibility map) and analysed.
    await sql.unsafe('VACUUM ANALYZE');
    const counts: Record<string, number> = {};
    for (const table of [
      'people_organization',
      'people_user',
      'people_team',
      'people_team_access',
      'people_invitation',
      'people_contact',
    ]) {
      const [row] = await sql.unsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`);
      counts[table] = row?.n ?? 0;
    }
    return counts;
  } finally {
    await sql.end();
  }
}
