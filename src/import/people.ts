// What `desk import people` copies (DESIGN.md §10): people v1.26's tables (suitenumerique/people@9bb1758f), in the
// order their references need, each mapped onto Desk's. Ids other apps store (user id, `sub`, team id, `external_id`)
// are kept as they are. The source is read-only: nothing here writes to it.
import { contactData } from '../contacts/index.ts';
import { domainName } from '../mail-domains/index.ts';
import { LANGUAGES } from '../platform/config.ts';
import type { WebhookSecrets } from '../webhooks/index.ts';
import type { PairTable, Preparation, Row, RowTable } from './engine.ts';

/** The columns the import reads, by people table: a database lacking one is not people v1.26. */
export const PEOPLE_COLUMNS: Record<string, string[]> = {
  people_organization: [
    'id',
    'name',
    'registration_id_list',
    'domain_list',
    'metadata',
    'is_active',
    'created_at',
    'updated_at',
  ],
  people_service_provider: ['id', 'name', 'audience_id', 'created_at'],
  people_user: [
    'id',
    'sub',
    'email',
    'name',
    'language',
    'timezone',
    'is_active',
    'is_staff',
    'is_superuser',
    'password',
    'organization_id',
    'last_login',
    'created_at',
    'updated_at',
  ],
  people_team: [
    'id',
    'name',
    'path',
    'depth',
    'external_id',
    'organization_id',
    'is_visible_all_services',
    'created_at',
    'updated_at',
  ],
  people_team_service_providers: ['team_id', 'serviceprovider_id'],
  people_team_access: ['id', 'team_id', 'user_id', 'role', 'created_at', 'updated_at'],
  people_invitation: ['id', 'team_id', 'email', 'role', 'issuer_id', 'created_at', 'updated_at'],
  people_contact: [
    'id',
    'override_id',
    'owner_id',
    'user_id',
    'full_name',
    'short_name',
    'notes',
    'data',
    'created_at',
    'updated_at',
  ],
  people_mail_domain: [
    'id',
    'name',
    'slug',
    'status',
    'support_email',
    'last_check_details',
    'expected_config',
    'organization_id',
    'created_at',
    'updated_at',
  ],
  people_mail_domain_accesses: ['id', 'domain_id', 'user_id', 'role', 'created_at', 'updated_at'],
  people_mail_box: [
    'id',
    'domain_id',
    'first_name',
    'last_name',
    'local_part',
    'secondary_email',
    'status',
    'created_at',
    'updated_at',
  ],
  people_aliases: ['id', 'domain_id', 'local_part', 'destination', 'created_at', 'updated_at'],
  people_mail_domain_invitation: [
    'id',
    'domain_id',
    'email',
    'role',
    'issuer_id',
    'created_at',
    'updated_at',
  ],
};

const TIMES = { created_at: 'timestamptz', updated_at: 'timestamptz' };
const byId = (select: string, from: string) =>
  `SELECT ${select} FROM ${from} WHERE ($1::uuid IS NULL OR p.id > $1::uuid) ORDER BY p.id LIMIT $2`;
const count = (table: string) => `SELECT count(*) FROM ${table}`;
const skip = (problem: string): Preparation => ({ skip: true, problem });
const languages = new Set<string>(LANGUAGES.map((l) => l.code));
const DEFAULT_LANGUAGE = 'en-us';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A row whose organization was not imported keeps the rest (Desk places agents by mail domain at start). */
const organizationIfImported = {
  column: 'organization_id',
  table: 'organizations',
  clear: 'organization_id',
  problem: 'its organization was not imported',
};

const organizations: RowTable = {
  table: 'organizations',
  source: 'people_organization',
  count: count('people_organization'),
  read: byId('p.id, p.name, p.is_active, p.metadata, p.created_at, p.updated_at', 'people_organization p'),
  key: 'id',
  columns: { id: 'uuid', name: 'text', is_active: 'boolean', metadata: 'jsonb', ...TIMES },
  prepare(row) {
    if (isObject(row.metadata)) return undefined;
    row.metadata = {};
    return { problem: 'metadata is not a JSON object', outcome: 'imported with empty metadata' };
  },
};

const organizationRegistrationIds: PairTable = {
  table: 'organization_registration_ids',
  source: 'people_organization',
  read: 'SELECT r AS registration_id, p.id AS organization_id FROM people_organization p, unnest(p.registration_id_list) r ORDER BY p.id, r',
  columns: { registration_id: 'text', organization_id: 'uuid' },
  owner: { column: 'organization_id', table: 'organizations' },
  key: ['registration_id'],
  references: [
    { column: 'organization_id', table: 'organizations', problem: 'its organization was not imported' },
  ],
  describe: (row) => `registration id ${row.registration_id}`,
};

const organizationDomains: PairTable = {
  table: 'organization_domains',
  source: 'people_organization',
  read: 'SELECT DISTINCT ON (p.id, lower(d)) lower(d) AS domain, p.id AS organization_id FROM people_organization p, unnest(p.domain_list) d ORDER BY p.id, lower(d)',
  columns: { domain: 'text', organization_id: 'uuid' },
  owner: { column: 'organization_id', table: 'organizations' },
  key: ['domain'],
  references: [
    { column: 'organization_id', table: 'organizations', problem: 'its organization was not imported' },
  ],
  describe: (row) => `domain ${row.domain}`,
  // people's column takes 256 characters; a DNS name has at most 253.
  refuse: (row) =>
    String(row.domain).length > 253 ? 'longer than a domain name can be (253 characters)' : undefined,
};

const serviceProviders: RowTable = {
  table: 'service_providers',
  source: 'people_service_provider',
  count: count('people_service_provider'),
  read: byId('p.id, p.audience_id, p.name, p.created_at', 'people_service_provider p'),
  key: 'id',
  columns: { id: 'uuid', audience_id: 'text', name: 'text', created_at: 'timestamptz' },
  uniques: [
    {
      same: (a, b) => `${a}.audience_id = ${b}.audience_id`,
      problem: 'another service provider of Desk has this audience id',
    },
  ],
  // people's columns take 256 characters, Desk's 255 (as Django's default for names elsewhere).
  prepare(row) {
    if (String(row.audience_id).length > 255) return skip('its audience id is longer than 255 characters');
    if (String(row.name).length <= 255) return undefined;
    row.name = String(row.name).slice(0, 255);
    return {
      problem: 'its name is longer than 255 characters',
      outcome: 'imported with its name cut to 255 characters',
    };
  },
};

const users: RowTable = {
  table: 'users',
  source: 'people_user',
  count: count('people_user'),
  // Django's unusable passwords (`!…`) and empty ones are no password: such users sign in through the provider only.
  read: byId(
    `p.id, p.sub, p.email, coalesce(p.name, '') AS name, p.language, p.timezone, p.is_active, p.is_staff, p.is_superuser,
     CASE WHEN p.password = '' OR p.password LIKE '!%' THEN NULL ELSE p.password END AS password,
     p.organization_id, p.last_login, p.created_at, p.updated_at`,
    'people_user p',
  ),
  key: 'id',
  columns: {
    id: 'uuid',
    sub: 'text',
    email: 'text',
    name: 'text',
    language: 'text',
    timezone: 'text',
    is_active: 'boolean',
    is_staff: 'boolean',
    is_superuser: 'boolean',
    password: 'text',
    organization_id: 'uuid',
    last_login: 'timestamptz',
    ...TIMES,
  },
  references: [organizationIfImported],
  uniques: [
    { same: (a, b) => `${a}.sub = ${b}.sub`, problem: 'another user of Desk has this sub' },
    {
      same: (a, b) => `lower(${a}.email) = lower(${b}.email)`,
      where: (a) => `${a}.password IS NOT NULL`,
      problem: 'another account with a password has this email (staff emails are unique in Desk)',
      clear: {
        column: 'password',
        outcome: 'imported without its password (it signs in through the provider)',
      },
    },
  ],
  // A Django hash Desk replaced with argon2id at a staff login stays replaced: the password is the same.
  merge: {
    password: (mine, theirs) =>
      `CASE WHEN ${mine} LIKE '$argon2%' AND ${theirs} IS NOT NULL THEN ${mine} ELSE ${theirs} END`,
  },
  prepare(row) {
    if (typeof row.language === 'string' && languages.has(row.language)) return undefined;
    const was = row.language;
    row.language = DEFAULT_LANGUAGE;
    return {
      problem: `language ${JSON.stringify(was)} is not one Desk speaks`,
      outcome: `imported with language ${DEFAULT_LANGUAGE}`,
    };
  },
};

// treebeard's path: steplen 5, a parent's path is its child's less the last step. Read by path, parents come first.
const teams: RowTable = {
  table: 'teams',
  source: 'people_team',
  count: count('people_team'),
  read: `SELECT p.id, p.name, p.external_id, p.is_visible_all_services AS is_visible_all_service_providers, p.organization_id,
      p.created_at, p.updated_at, p.path, p.depth, parent.id AS parent_id
    FROM people_team p LEFT JOIN people_team parent ON p.depth > 1 AND parent.path = substr(p.path, 1, length(p.path) - 5)
    WHERE ($1::text IS NULL OR p.path > $1::text COLLATE "C") ORDER BY p.path COLLATE "C" LIMIT $2`,
  key: 'path',
  columns: {
    id: 'uuid',
    name: 'text',
    external_id: 'uuid',
    parent_id: 'uuid',
    is_visible_all_service_providers: 'boolean',
    organization_id: 'uuid',
    ...TIMES,
  },
  references: [
    { column: 'parent_id', table: 'teams', clear: 'parent_id', problem: 'its parent team was not imported' },
    organizationIfImported,
  ],
  uniques: [
    {
      same: (a, b) => `${a}.external_id = ${b}.external_id`,
      problem: 'another team of Desk has this external_id',
    },
  ],
  prepare(row) {
    if (Number(row.depth) > 1 && row.parent_id === null)
      return {
        problem: `its parent (path ${String(row.path).slice(0, -5)}) is missing from people's tree`,
        outcome: 'imported as a root team',
      };
    return undefined;
  },
};

const teamServiceProviders: PairTable = {
  table: 'team_service_providers',
  source: 'people_team_service_providers',
  read: 'SELECT team_id, serviceprovider_id AS service_provider_id FROM people_team_service_providers ORDER BY team_id, serviceprovider_id',
  columns: { team_id: 'uuid', service_provider_id: 'uuid' },
  owner: { column: 'team_id', table: 'teams' },
  key: ['team_id', 'service_provider_id'],
  references: [
    { column: 'team_id', table: 'teams', problem: 'its team was not imported' },
    {
      column: 'service_provider_id',
      table: 'service_providers',
      problem: 'its service provider was not imported',
    },
  ],
  describe: (row) => `service provider ${row.service_provider_id}`,
};

const required = (column: string, table: string, what: string) => ({
  column,
  table,
  problem: `its ${what} was not imported`,
});

const teamAccesses: RowTable = {
  table: 'team_accesses',
  source: 'people_team_access',
  count: count('people_team_access'),
  read: byId('p.id, p.team_id, p.user_id, p.role, p.created_at, p.updated_at', 'people_team_access p'),
  key: 'id',
  columns: { id: 'uuid', team_id: 'uuid', user_id: 'uuid', role: 'text', ...TIMES },
  references: [required('team_id', 'teams', 'team'), required('user_id', 'users', 'user')],
  uniques: [
    {
      same: (a, b) => `${a}.team_id = ${b}.team_id AND ${a}.user_id = ${b}.user_id`,
      problem: 'this user already has another access to this team in Desk',
    },
  ],
};

/** An invitation whose validity (counted from updated_at, as people) has run out stays behind: it is not revived. */
function unexpired(validitySeconds: number, now: number) {
  return (row: Row): Preparation =>
    new Date(String(row.updated_at)).getTime() + validitySeconds * 1000 < now
      ? { skip: true, expired: true }
      : undefined;
}

const issuer = {
  column: 'issuer_id',
  table: 'users',
  clear: 'issuer_id',
  problem: 'its issuer was not imported',
};

function invitations(validitySeconds: number, now: number): RowTable {
  return {
    table: 'invitations',
    source: 'people_invitation',
    count: count('people_invitation'),
    read: byId(
      'p.id, p.team_id, p.email, p.role, p.issuer_id, p.created_at, p.updated_at',
      'people_invitation p',
    ),
    key: 'id',
    columns: { id: 'uuid', team_id: 'uuid', email: 'text', role: 'text', issuer_id: 'uuid', ...TIMES },
    references: [required('team_id', 'teams', 'team'), issuer],
    uniques: [
      {
        same: (a, b) => `${a}.team_id = ${b}.team_id AND lower(${a}.email) = lower(${b}.email)`,
        problem:
          'this team already has an invitation for this email (emails compare case-insensitively in Desk)',
      },
    ],
    prepare: unexpired(validitySeconds, now),
  };
}

// Public contacts first (read by (override_id IS NOT NULL, id)), so the contacts overriding them find them. people
// refused an override of an override in Python only (Contact.clean): its database may hold such chains, which Desk
// keeps one level deep.
const contacts: RowTable = {
  table: 'contacts',
  source: 'people_contact',
  count: count('people_contact'),
  read: `SELECT p.id, p.override_id, p.owner_id, p.user_id, p.full_name, coalesce(p.short_name, '') AS short_name, p.notes, p.data,
      p.created_at, p.updated_at, p.order_key, p.overrides_an_override
    FROM (SELECT c.*, ((c.override_id IS NOT NULL)::int || ':' || c.id::text) COLLATE "C" AS order_key,
        EXISTS (SELECT 1 FROM people_contact o WHERE o.id = c.override_id AND o.override_id IS NOT NULL) AS overrides_an_override
      FROM people_contact c) p
    WHERE ($1::text IS NULL OR p.order_key > $1::text) ORDER BY p.order_key LIMIT $2`,
  key: 'order_key',
  columns: {
    id: 'uuid',
    override_id: 'uuid',
    owner_id: 'uuid',
    user_id: 'uuid',
    full_name: 'text',
    short_name: 'text',
    notes: 'text',
    data: 'jsonb',
    ...TIMES,
  },
  references: [
    required('owner_id', 'users', 'owner'),
    {
      column: 'user_id',
      table: 'users',
      clear: 'user_id',
      problem: 'the user it is the profile of was not imported',
    },
    {
      column: 'override_id',
      table: 'contacts',
      clear: 'override_id',
      problem: 'the contact it overrides was not imported',
    },
  ],
  uniques: [
    {
      same: (a, b) => `${a}.owner_id = ${b}.owner_id AND ${a}.override_id = ${b}.override_id`,
      where: (a) => `${a}.owner_id IS NOT NULL AND ${a}.override_id IS NOT NULL`,
      problem: 'its owner already overrides this contact in Desk',
    },
    {
      same: (a, b) => `${a}.user_id = ${b}.user_id`,
      where: (a) => `${a}.user_id IS NOT NULL`,
      problem: 'another contact of Desk is the profile of this user',
      clear: { column: 'user_id', outcome: 'imported as an ordinary contact' },
    },
  ],
  prepare(row) {
    if (row.override_id === row.id) return skip('it overrides itself');
    const found: { problem: string; outcome: string }[] = [];
    if (row.overrides_an_override) {
      row.override_id = null;
      found.push({
        problem: 'it overrides a contact that itself overrides another (Desk keeps overrides one level deep)',
        outcome: 'imported without override_id',
      });
    }
    const parsed = contactData.safeParse(row.data ?? {});
    if (parsed.success) row.data = parsed.data;
    else {
      const where = parsed.error.issues.map((i) => ['data', ...i.path].join('.')).join(', ');
      row.data = {};
      found.push({
        problem: `data refused by Desk's contact schema (${where})`,
        outcome: 'imported without its data',
      });
    }
    if (!found.length) return undefined;
    return {
      problem: found.map((f) => f.problem).join('; '),
      outcome: found.map((f) => f.outcome).join('; '),
    };
  },
};

const MAIL_DOMAIN_STATUSES = new Set(['pending', 'enabled', 'failed', 'disabled', 'action_required']);
const MAILBOX_STATUSES = new Set(['pending', 'enabled', 'failed', 'disabled']);

// people creates a domain on dimail before it saves it: every domain it has is on the platform.
const mailDomains: RowTable = {
  table: 'mail_domains',
  source: 'people_mail_domain',
  count: count('people_mail_domain'),
  read: byId(
    `p.id, p.name, p.slug, p.status, p.support_email, p.last_check_details, p.expected_config, true AS on_platform,
     p.organization_id, p.created_at, p.updated_at`,
    'people_mail_domain p',
  ),
  key: 'id',
  columns: {
    id: 'uuid',
    name: 'text',
    slug: 'text',
    status: 'text',
    support_email: 'text',
    last_check_details: 'jsonb',
    expected_config: 'jsonb',
    on_platform: 'boolean',
    organization_id: 'uuid',
    ...TIMES,
  },
  references: [organizationIfImported],
  uniques: [
    { same: (a, b) => `${a}.name = ${b}.name`, problem: 'another mail domain of Desk has this name' },
    { same: (a, b) => `${a}.slug = ${b}.slug`, problem: 'another mail domain of Desk has this slug' },
  ],
  prepare(row) {
    if (!MAIL_DOMAIN_STATUSES.has(String(row.status)))
      return skip(`unknown status ${JSON.stringify(row.status)}`);
    const name = domainName(String(row.name));
    if (!name) return skip(`${JSON.stringify(row.name)} is not a domain name`);
    row.name = name;
    return undefined;
  },
};

const domain = required('domain_id', 'mail_domains', 'mail domain');

const mailDomainAccesses: RowTable = {
  table: 'mail_domain_accesses',
  source: 'people_mail_domain_accesses',
  count: count('people_mail_domain_accesses'),
  read: byId(
    'p.id, p.domain_id, p.user_id, p.role, p.created_at, p.updated_at',
    'people_mail_domain_accesses p',
  ),
  key: 'id',
  columns: { id: 'uuid', domain_id: 'uuid', user_id: 'uuid', role: 'text', ...TIMES },
  references: [domain, required('user_id', 'users', 'user')],
  uniques: [
    {
      same: (a, b) => `${a}.domain_id = ${b}.domain_id AND ${a}.user_id = ${b}.user_id`,
      problem: 'this user already has another access to this mail domain in Desk',
    },
  ],
};

// A mailbox people made is on dimail unless it is pending (its domain was not ready) or failed; `active` is what its
// administrators asked: enabled unless disabled.
const mailboxes: RowTable = {
  table: 'mailboxes',
  source: 'people_mail_box',
  count: count('people_mail_box'),
  read: byId(
    `p.id, p.domain_id, p.first_name, p.last_name, lower(p.local_part) AS local_part, p.secondary_email, p.status,
     p.status <> 'disabled' AS active, p.status IN ('enabled', 'disabled') AS on_platform, p.created_at, p.updated_at`,
    'people_mail_box p',
  ),
  key: 'id',
  columns: {
    id: 'uuid',
    domain_id: 'uuid',
    first_name: 'text',
    last_name: 'text',
    local_part: 'text',
    secondary_email: 'text',
    status: 'text',
    active: 'boolean',
    on_platform: 'boolean',
    ...TIMES,
  },
  references: [domain],
  uniques: [
    {
      same: (a, b) => `${a}.domain_id = ${b}.domain_id AND ${a}.local_part = ${b}.local_part`,
      problem: 'another mailbox of this domain has this address',
    },
    {
      same: (a, b) =>
        `${a}.domain_id = ${b}.domain_id AND lower(${a}.first_name) = lower(${b}.first_name) AND lower(${a}.last_name) = lower(${b}.last_name)`,
      problem: 'another mailbox of this domain has this display name (the mail platform refuses two)',
    },
  ],
  prepare(row) {
    return MAILBOX_STATUSES.has(String(row.status))
      ? undefined
      : skip(`unknown status ${JSON.stringify(row.status)}`);
  },
};

const mailAliases: RowTable = {
  table: 'mail_aliases',
  source: 'people_aliases',
  count: count('people_aliases'),
  read: byId(
    `p.id, p.domain_id, lower(p.local_part) AS local_part, p.destination, 'enabled' AS status, p.created_at, p.updated_at`,
    'people_aliases p',
  ),
  key: 'id',
  columns: {
    id: 'uuid',
    domain_id: 'uuid',
    local_part: 'text',
    destination: 'text',
    status: 'text',
    ...TIMES,
  },
  references: [domain],
  uniques: [
    {
      same: (a, b) =>
        `${a}.domain_id = ${b}.domain_id AND ${a}.local_part = ${b}.local_part AND lower(${a}.destination) = lower(${b}.destination)`,
      problem: 'this alias already leads to this destination',
    },
  ],
};

function mailDomainInvitations(validitySeconds: number, now: number): RowTable {
  return {
    table: 'mail_domain_invitations',
    source: 'people_mail_domain_invitation',
    count: count('people_mail_domain_invitation'),
    read: byId(
      'p.id, p.domain_id, p.email, p.role, p.issuer_id, p.created_at, p.updated_at',
      'people_mail_domain_invitation p',
    ),
    key: 'id',
    columns: { id: 'uuid', domain_id: 'uuid', email: 'text', role: 'text', issuer_id: 'uuid', ...TIMES },
    references: [domain, issuer],
    uniques: [
      {
        same: (a, b) => `${a}.domain_id = ${b}.domain_id AND lower(${a}.email) = lower(${b}.email)`,
        problem:
          'this mail domain already has an invitation for this email (emails compare case-insensitively in Desk)',
      },
    ],
    prepare: unexpired(validitySeconds, now),
  };
}

const WEBHOOK_STATUSES = new Set(['pending', 'success', 'failure']);

/**
 * people's team webhooks (DESIGN.md §12), their secrets encrypted as Desk keeps them (with the SECRET_KEY of the Desk
 * that will send them). Imported after the team accesses: the accesses an import brings are not changes to deliver.
 */
function teamWebhooks(secrets: WebhookSecrets): RowTable {
  return {
    table: 'team_webhooks',
    source: 'people_team_webhook',
    count: count('people_team_webhook'),
    read: byId(
      'p.id, p.team_id, p.url, p.secret, p.protocol, p.status, p.created_at, p.updated_at',
      'people_team_webhook p',
    ),
    key: 'id',
    columns: {
      id: 'uuid',
      team_id: 'uuid',
      url: 'text',
      secret: 'text',
      protocol: 'text',
      status: 'text',
      ...TIMES,
    },
    references: [{ column: 'team_id', table: 'teams', problem: 'its team was not imported' }],
    prepare(row) {
      const protocol = String(row.protocol).toLowerCase();
      if (protocol !== 'scim' && protocol !== 'matrix')
        return skip(`protocol ${JSON.stringify(row.protocol)} is not one Desk speaks`);
      row.protocol = protocol;
      const status = String(row.status).toLowerCase();
      row.status = WEBHOOK_STATUSES.has(status) ? status : 'pending';
      // people's blank secret means none.
      row.secret = row.secret ? secrets.encrypt(String(row.secret), String(row.id)) : null;
      return undefined;
    },
  };
}

/** Every table, in the order references need (a referenced table first). */
export function peopleTables(o: {
  invitationValiditySeconds: number;
  now: number;
  /** Team webhooks come across only with the secrets that encrypt theirs (Desk's SECRET_KEY). */
  webhookSecrets?: WebhookSecrets | undefined;
}): (RowTable | PairTable)[] {
  return [
    organizations,
    organizationRegistrationIds,
    organizationDomains,
    serviceProviders,
    users,
    teams,
    teamServiceProviders,
    teamAccesses,
    ...(o.webhookSecrets ? [teamWebhooks(o.webhookSecrets)] : []),
    invitations(o.invitationValiditySeconds, o.now),
    contacts,
    mailDomains,
    mailDomainAccesses,
    mailboxes,
    mailAliases,
    mailDomainInvitations(o.invitationValiditySeconds, o.now),
  ];
}
