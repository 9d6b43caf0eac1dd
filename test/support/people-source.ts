// A real people v1.26 database for import tests: a fresh PostgreSQL database loaded with
// test/import/people-v1.26.sql, and plain-SQL helpers that insert rows the way people's Django
// models would (people's defaults are in its ORM, not in its columns, so the helpers supply them).
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import postgres, { type Sql, type TransactionSql } from 'postgres';
import { emptyPostgresDatabase } from './parts.ts';

/**
 * Where source databases are made. A PostgreSQL server even when the test run itself uses PGlite:
 * the importer reads people over the network, as it would in production.
 */
const ADMIN_URL = process.env.PEOPLE_SOURCE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const SCHEMA_FILE = new URL('../import/people-v1.26.sql', import.meta.url);

export interface PeopleSource {
  /** The URL to give `desk import people --from`. */
  url: string;
  /** A client on the source database. */
  sql: Sql;
  /** Ends the client and drops the database (other sessions on it are ended too). */
  close(): Promise<void>;
}

export async function createPeopleSource(): Promise<PeopleSource> {
  const { url, drop } = await emptyPostgresDatabase('people_src', ADMIN_URL);
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const close = async (): Promise<void> => {
    await sql.end();
    await drop();
  };
  try {
    // The file is one BEGIN … COMMIT script (as psql -f runs it): it needs a connection of its own.
    const connection = await sql.reserve();
    try {
      await connection.unsafe(await readFile(SCHEMA_FILE, 'utf8')).simple();
    } finally {
      connection.release();
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { url: url.toString(), sql, close };
}

// Rows as people stores them (column names are people's).

/** Any row to point a foreign key at. */
export interface Ref {
  id: string;
}

interface BaseRow {
  id: string;
  created_at: Date;
  updated_at: Date;
}

export interface PeopleOrganization extends BaseRow {
  name: string;
  registration_id_list: string[];
  domain_list: string[];
  metadata: Record<string, unknown>;
  is_active: boolean;
}

export interface PeopleUser extends BaseRow {
  password: string;
  last_login: Date | null;
  is_superuser: boolean;
  sub: string;
  email: string | null;
  name: string | null;
  language: string;
  timezone: string;
  is_device: boolean;
  is_staff: boolean;
  is_active: boolean;
  organization_id: string | null;
}

export interface PeopleServiceProvider extends BaseRow {
  name: string;
  audience_id: string;
}

export interface PeopleOrganizationAccess extends BaseRow {
  role: string;
  organization_id: string;
  user_id: string;
}

export interface PeopleTeam extends BaseRow {
  name: string;
  organization_id: string | null;
  depth: number;
  numchild: number;
  path: string;
  is_visible_all_services: boolean;
  external_id: string;
}

export interface PeopleTeamAccess extends BaseRow {
  role: string;
  team_id: string;
  user_id: string;
}

export interface PeopleInvitation extends BaseRow {
  email: string;
  role: string;
  issuer_id: string;
  team_id: string;
}

export interface PeopleContact extends BaseRow {
  full_name: string;
  short_name: string | null;
  data: unknown;
  owner_id: string | null;
  notes: string;
  override_id: string | null;
  user_id: string | null;
}

export interface PeopleTeamWebhook extends BaseRow {
  url: string;
  secret: string | null;
  status: string;
  team_id: string;
  protocol: string;
}

export interface PeopleAccountService extends BaseRow {
  name: string;
  api_key: string;
  scopes: string[];
}

export interface PeopleMailDomain extends BaseRow {
  name: string;
  slug: string;
  status: string;
  support_email: string;
  last_check_details: unknown;
  expected_config: unknown;
  organization_id: string | null;
}

export interface PeopleMailDomainAccess extends BaseRow {
  role: string;
  domain_id: string;
  user_id: string;
}

export interface PeopleMailbox extends BaseRow {
  local_part: string;
  secondary_email: string | null;
  domain_id: string;
  first_name: string;
  last_name: string;
  status: string;
  last_login: Date | null;
  password: string;
  dn_email: string;
}

export interface PeopleMailDomainInvitation extends BaseRow {
  email: string;
  role: string;
  domain_id: string;
  issuer_id: string;
}

export interface PeopleAlias extends BaseRow {
  local_part: string;
  destination: string;
  domain_id: string;
}

/** A row of an auto-created many-to-many table (integer id). */
export interface PeopleServiceProviderLink {
  id: number;
  serviceprovider_id: string;
}

function hex(bytes = 5): string {
  return randomBytes(bytes).toString('hex');
}

/** Django's unusable password (`make_password(None)`): "!" and 40 random characters. */
function unusablePassword(): string {
  return `!${randomBytes(30).toString('base64url').slice(0, 40)}`;
}

/** A random SIRET-shaped registration id (14 digits), unique enough for one test database. */
function registrationId(): string {
  return Array.from(randomBytes(14), (byte) => String(byte % 10)).join('');
}

/**
 * Django's `slugify` (people's MailDomain.save sets `slug = slugify(name)`): ASCII-folded, lower
 * case, anything but letters, digits, "_", "-" and spaces dropped, spaces and dashes runs made
 * one dash, dashes and underscores trimmed ("Sub.Example.gouv.fr" → "subexamplegouvfr").
 */
export function djangoSlugify(value: string): string {
  const ascii = value.normalize('NFKD').replace(/[^\p{ASCII}]/gu, '');
  return ascii
    .toLowerCase()
    .replace(/[^\w\s-]/g, '')
    .replace(/[-\s]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

type Values = Record<string, unknown>;

/** Inserts one row, naming every column people would (no column has a default). */
async function insertRow<Row extends object>(
  sql: Sql | TransactionSql,
  table: string,
  values: Values,
  jsonColumns: string[] = [],
) {
  const now = new Date();
  const row: Values = {};
  for (const [column, value] of Object.entries({ created_at: now, updated_at: now, ...values })) {
    if (value === undefined) continue;
    row[column] = jsonColumns.includes(column) && value !== null ? sql.json(value as never) : value;
  }
  const [inserted] = await sql<Row[]>`insert into ${sql(table)} ${sql(row as never)} returning *`;
  return inserted as Row;
}

function stamped(values: Values): Values {
  return { id: randomUUID(), ...values };
}

export function insertOrganization(
  sql: Sql,
  values: Partial<PeopleOrganization> = {},
): Promise<PeopleOrganization> {
  return insertRow<PeopleOrganization>(
    sql,
    'people_organization',
    stamped({
      name: `Organization ${hex()}`,
      registration_id_list: values.domain_list?.length ? [] : [registrationId()],
      domain_list: [],
      metadata: {},
      is_active: true,
      ...values,
    }),
    ['metadata'],
  );
}

export function insertUser(
  sql: Sql,
  values: Partial<PeopleUser> & { organization?: Ref | null } = {},
): Promise<PeopleUser> {
  const { organization, ...columns } = values;
  const tag = hex();
  return insertRow<PeopleUser>(
    sql,
    'people_user',
    stamped({
      // A user people made at an OIDC login: no password (Django's CharField default, '').
      password: '',
      last_login: null,
      is_superuser: false,
      sub: `sub-${tag}`,
      email: `user.${tag}@example.gouv.fr`,
      name: `User ${tag}`,
      language: 'en-us',
      timezone: 'UTC',
      is_device: false,
      is_staff: false,
      is_active: true,
      organization_id: organization === undefined ? null : (organization?.id ?? null),
      ...columns,
    }),
  );
}

export function insertServiceProvider(
  sql: Sql,
  values: Partial<PeopleServiceProvider> = {},
): Promise<PeopleServiceProvider> {
  const tag = hex();
  return insertRow<PeopleServiceProvider>(
    sql,
    'people_service_provider',
    stamped({ name: `Service ${tag}`, audience_id: `client-${tag}`, ...values }),
  );
}

export async function linkOrganizationServiceProvider(
  sql: Sql,
  organization: Ref,
  serviceProvider: Ref,
): Promise<PeopleServiceProviderLink & { organization_id: string }> {
  const [row] = await sql<(PeopleServiceProviderLink & { organization_id: string })[]>`
    insert into people_organization_service_providers (organization_id, serviceprovider_id)
    values (${organization.id}, ${serviceProvider.id}) returning *`;
  return row!;
}

export async function linkTeamServiceProvider(
  sql: Sql,
  team: Ref,
  serviceProvider: Ref,
): Promise<PeopleServiceProviderLink & { team_id: string }> {
  const [row] = await sql<(PeopleServiceProviderLink & { team_id: string })[]>`
    insert into people_team_service_providers (team_id, serviceprovider_id)
    values (${team.id}, ${serviceProvider.id}) returning *`;
  return row!;
}

export function insertOrganizationAccess(
  sql: Sql,
  values: { organization: Ref; user: Ref } & Partial<PeopleOrganizationAccess>,
): Promise<PeopleOrganizationAccess> {
  const { organization, user, ...columns } = values;
  return insertRow<PeopleOrganizationAccess>(
    sql,
    'people_organization_access',
    stamped({ role: 'administrator', organization_id: organization.id, user_id: user.id, ...columns }),
  );
}

// treebeard's materialized path as people configures it (Team.steplen, Team.alphabet).
const TREE_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TREE_STEPLEN = 5;

function treeStep(value: number): string {
  let digits = '';
  for (let rest = value; rest > 0; rest = Math.floor(rest / TREE_ALPHABET.length)) {
    digits = TREE_ALPHABET[rest % TREE_ALPHABET.length] + digits;
  }
  return digits.padStart(TREE_STEPLEN, TREE_ALPHABET[0]);
}

function nextTreeStep(lastStep: string | undefined): string {
  if (lastStep === undefined) return treeStep(1);
  let value = 0;
  for (const char of lastStep) value = value * TREE_ALPHABET.length + TREE_ALPHABET.indexOf(char);
  return treeStep(value + 1);
}

/**
 * A team placed in the tree as treebeard's MP_Node.add_root / add_child would: the next path
 * after the last sibling's (the first root is 00001, its first child 0000100001), depth one
 * more than the parent's, and the parent's numchild bumped.
 */
export function insertTeam(
  sql: Sql,
  values: Partial<PeopleTeam> & { parent?: Ref; organization?: Ref | null } = {},
): Promise<PeopleTeam> {
  const { parent, organization, ...columns } = values;
  return sql.begin(async (tx) => {
    let prefix = '';
    let depth = 1;
    if (parent) {
      const [row] = await tx<{ path: string; depth: number }[]>`
        select path, depth from people_team where id = ${parent.id} for update`;
      if (!row) throw new Error(`no people_team ${parent.id}`);
      prefix = row.path;
      depth = row.depth + 1;
    }
    const [last] = await tx<{ path: string }[]>`
      select path from people_team
      where depth = ${depth} and path like ${`${prefix}%`}
      order by path desc limit 1`;
    const path = prefix + nextTreeStep(last?.path.slice(prefix.length));
    const team = await insertRow<PeopleTeam>(
      tx,
      'people_team',
      stamped({
        name: `Team ${hex()}`,
        organization_id: organization === undefined ? null : (organization?.id ?? null),
        depth,
        numchild: 0,
        path,
        is_visible_all_services: false,
        external_id: randomUUID(),
        ...columns,
      }),
    );
    if (parent) await tx`update people_team set numchild = numchild + 1 where id = ${parent.id}`;
    return team;
  }) as Promise<PeopleTeam>;
}

export function insertTeamAccess(
  sql: Sql,
  values: { team: Ref; user: Ref } & Partial<PeopleTeamAccess>,
): Promise<PeopleTeamAccess> {
  const { team, user, ...columns } = values;
  return insertRow<PeopleTeamAccess>(
    sql,
    'people_team_access',
    stamped({ role: 'member', team_id: team.id, user_id: user.id, ...columns }),
  );
}

export function insertInvitation(
  sql: Sql,
  values: { team: Ref; issuer: Ref } & Partial<PeopleInvitation>,
): Promise<PeopleInvitation> {
  const { team, issuer, ...columns } = values;
  return insertRow<PeopleInvitation>(
    sql,
    'people_invitation',
    stamped({
      email: `invited.${hex()}@example.gouv.fr`,
      role: 'member',
      issuer_id: issuer.id,
      team_id: team.id,
      ...columns,
    }),
  );
}

/**
 * A contact. A profile contact is `{ owner: user, user }` (people requires the owner to be the
 * user); an override is `{ owner, override: base }`.
 */
export function insertContact(
  sql: Sql,
  values: { owner?: Ref | null; user?: Ref | null; override?: Ref | null } & Partial<PeopleContact> = {},
): Promise<PeopleContact> {
  const { owner, user, override, ...columns } = values;
  return insertRow<PeopleContact>(
    sql,
    'people_contact',
    stamped({
      full_name: `Contact ${hex()}`,
      short_name: null,
      data: {},
      notes: '',
      owner_id: owner?.id ?? null,
      override_id: override?.id ?? null,
      user_id: user?.id ?? null,
      ...columns,
    }),
    ['data'],
  );
}

export function insertTeamWebhook(
  sql: Sql,
  values: { team: Ref } & Partial<PeopleTeamWebhook>,
): Promise<PeopleTeamWebhook> {
  const { team, ...columns } = values;
  return insertRow<PeopleTeamWebhook>(
    sql,
    'people_team_webhook',
    stamped({
      url: `https://hooks.example.gouv.fr/${hex()}`,
      secret: null,
      status: 'pending',
      protocol: 'scim',
      team_id: team.id,
      ...columns,
    }),
  );
}

export function insertAccountService(
  sql: Sql,
  values: Partial<PeopleAccountService> = {},
): Promise<PeopleAccountService> {
  return insertRow<PeopleAccountService>(
    sql,
    'people_account_service',
    stamped({
      name: `Account service ${hex()}`,
      api_key: randomBytes(32).toString('base64url'),
      scopes: ['la-suite-list-organizations-siret'],
      ...values,
    }),
  );
}

export function insertMailDomain(
  sql: Sql,
  values: Partial<PeopleMailDomain> & { organization?: Ref | null } = {},
): Promise<PeopleMailDomain> {
  const { organization, ...columns } = values;
  const name = columns.name ?? `mail-${hex()}.example.gouv.fr`;
  return insertRow<PeopleMailDomain>(
    sql,
    'people_mail_domain',
    stamped({
      name,
      slug: djangoSlugify(name),
      status: 'pending',
      support_email: `support@${name}`,
      last_check_details: null,
      expected_config: null,
      organization_id: organization === undefined ? null : (organization?.id ?? null),
      ...columns,
    }),
    ['last_check_details', 'expected_config'],
  );
}

export function insertMailDomainAccess(
  sql: Sql,
  values: { domain: Ref; user: Ref } & Partial<PeopleMailDomainAccess>,
): Promise<PeopleMailDomainAccess> {
  const { domain, user, ...columns } = values;
  return insertRow<PeopleMailDomainAccess>(
    sql,
    'people_mail_domain_accesses',
    stamped({ role: 'viewer', domain_id: domain.id, user_id: user.id, ...columns }),
  );
}

/** A mailbox; `dn_email` is `local_part@domain name` as people's Mailbox.save computes it. */
export function insertMailbox(
  sql: Sql,
  values: { domain: Pick<PeopleMailDomain, 'id' | 'name'> } & Partial<PeopleMailbox>,
): Promise<PeopleMailbox> {
  const { domain, ...columns } = values;
  const tag = hex(3);
  const localPart = columns.local_part ?? `first.last.${tag}`;
  return insertRow<PeopleMailbox>(
    sql,
    'people_mail_box',
    stamped({
      local_part: localPart,
      secondary_email: null,
      domain_id: domain.id,
      first_name: `First ${tag}`,
      last_name: `Last ${tag}`,
      status: 'pending',
      last_login: null,
      password: unusablePassword(),
      dn_email: `${localPart}@${domain.name}`,
      ...columns,
    }),
  );
}

export function insertMailDomainInvitation(
  sql: Sql,
  values: { domain: Ref; issuer: Ref } & Partial<PeopleMailDomainInvitation>,
): Promise<PeopleMailDomainInvitation> {
  const { domain, issuer, ...columns } = values;
  return insertRow<PeopleMailDomainInvitation>(
    sql,
    'people_mail_domain_invitation',
    stamped({
      email: `invited.${hex()}@example.gouv.fr`,
      role: 'viewer',
      domain_id: domain.id,
      issuer_id: issuer.id,
      ...columns,
    }),
  );
}

export function insertAlias(sql: Sql, values: { domain: Ref } & Partial<PeopleAlias>): Promise<PeopleAlias> {
  const { domain, ...columns } = values;
  return insertRow<PeopleAlias>(
    sql,
    'people_aliases',
    stamped({
      local_part: `alias-${hex(3)}`,
      destination: `someone.${hex(3)}@example.gouv.fr`,
      domain_id: domain.id,
      ...columns,
    }),
  );
}
