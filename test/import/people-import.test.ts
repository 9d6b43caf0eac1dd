// What `desk import people` brings over (DESIGN.md §10, issue 22): a people v1.26 database holding ordinary rows and
// the legacy rows people's older migrations left, imported into Desk, then every Desk table read back and compared
// with the source row by row; each legacy case with the report entry it produces. Then the identity an agent had in
// people carries on in Desk: the same user at the provider's sign-in, the same teams, the same SCIM groups.
import { randomBytes, randomUUID } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPeople, type Problem, type TableResult } from '../../src/import/index.ts';
import { rowsOf } from '../../src/platform/database.ts';
import { type RunningDesk, startDeskOn } from '../support/desk.ts';
import { loginWithDevIdp } from '../support/dev-idp-login.ts';
import { type TestDatabase, type TestStore, testDatabase, testStore } from '../support/parts.ts';
import {
  createPeopleSource,
  insertAlias,
  insertContact,
  insertInvitation,
  insertMailbox,
  insertMailDomain,
  insertMailDomainAccess,
  insertMailDomainInvitation,
  insertOrganization,
  insertServiceProvider,
  insertTeam,
  insertTeamAccess,
  insertUser,
  linkTeamServiceProvider,
  type PeopleContact,
  type PeopleInvitation,
  type PeopleMailDomain,
  type PeopleMailDomainInvitation,
  type PeopleOrganization,
  type PeopleServiceProvider,
  type PeopleSource,
  type PeopleTeam,
  type PeopleUser,
} from '../support/people-source.ts';

type Rec = Record<string, unknown>;

const DAY = 86_400_000;
const VALIDITY_SECONDS = 7 * 86_400;
// Django's test_pbkdf2: make_password('lètmein', 'seasalt', 'pbkdf2_sha256') (see test/auth/django-password-login.test.ts).
const DJANGO_PASSWORD = 'lètmein';
const DJANGO_PBKDF2 = 'pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=';

const tag = () => randomBytes(4).toString('hex');
const daysAgo = (days: number, from: number) => new Date(from - days * DAY);
/** Ordered as PostgreSQL orders uuids (lower-case hex compares as the bytes do). */
const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
const sortRows = (rows: Rec[]) => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

/** A time as both sides print it, to the microsecond (UTC). */
const t = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS ${column}`;
const TIMES = `${t('created_at')}, ${t('updated_at')}`;

/**
 * people's clock writes microseconds, JavaScript's Date only milliseconds: every time of the source gets a random
 * sub-millisecond part, so a copy that rounded anywhere would show.
 */
async function addMicroseconds(source: PeopleSource): Promise<void> {
  const columns = await source.sql<{ table_name: string; column_name: string }[]>`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name LIKE 'people_%' AND data_type = 'timestamp with time zone'`;
  for (const { table_name, column_name } of columns)
    await source.sql.unsafe(
      `UPDATE ${table_name} SET ${column_name} = ${column_name} + (1 + floor(random() * 998)) * interval '1 microsecond' WHERE ${column_name} IS NOT NULL`,
    );
}

function readSource(source: PeopleSource, query: string): Promise<Rec[]> {
  return source.sql.unsafe(query) as unknown as Promise<Rec[]>;
}

async function readDesk(desk: TestDatabase, query: string): Promise<Rec[]> {
  return rowsOf<Rec>(await desk.database.db.execute(sql.raw(query)));
}

/** The rows each legacy case is about, named by what they are. */
interface Fixture {
  organization: PeopleOrganization;
  sharedIdFirst: PeopleOrganization;
  sharedIdSecond: PeopleOrganization;
  longDomain: PeopleOrganization;
  staff: PeopleUser;
  longNamedProvider: PeopleServiceProvider;
  noOrganization: PeopleUser;
  noName: PeopleUser;
  unusablePassword: PeopleUser;
  emptyPassword: PeopleUser;
  unknownLanguage: PeopleUser;
  passwordTwinFirst: PeopleUser;
  passwordTwinSecond: PeopleUser;
  sharedEmailA: PeopleUser;
  sharedEmailB: PeopleUser;
  root: PeopleTeam;
  child: PeopleTeam;
  grandchild: PeopleTeam;
  orphan: PeopleTeam;
  validInvitation: PeopleInvitation;
  refreshedInvitation: PeopleInvitation;
  expiredInvitation: PeopleInvitation;
  caseInvitationFirst: PeopleInvitation;
  caseInvitationSecond: PeopleInvitation;
  refusedContact: PeopleContact;
  baseContact: PeopleContact;
  overridingContact: PeopleContact;
  profileContact: PeopleContact;
  /** Contacts overriding a contact that itself overrides another, read before and after the one they override. */
  chainLinks: PeopleContact[];
  idnDomain: PeopleMailDomain;
  validDomainInvitation: PeopleMailDomainInvitation;
  expiredDomainInvitation: PeopleMailDomainInvitation;
}

describe('importing a people database', () => {
  let source: PeopleSource;
  let desk: TestDatabase;
  let tables: TableResult[];
  let settled: string[];
  const problems: Problem[] = [];
  const now = Date.now();
  const f = {} as Fixture;
  let sharedRegistrationId: string;
  let idnName: string;

  beforeAll(async () => {
    [source, desk] = await Promise.all([createPeopleSource(), testDatabase()]);
    const s = source.sql;

    // Organizations: one with an upper-case domain; two listing one registration id (people checked that in Python).
    sharedRegistrationId = String(10_000_000_000_000 + Math.floor(Math.random() * 1e13));
    f.organization = await insertOrganization(s, {
      domain_list: ['Ville.Example.gouv.fr', 'mairie-ville.example.gouv.fr'],
      metadata: { siren: '217500016' },
    });
    const [sharedA, sharedB] = byId([
      await insertOrganization(s, { registration_id_list: [sharedRegistrationId] }),
      await insertOrganization(s, {
        registration_id_list: [
          sharedRegistrationId,
          String(20_000_000_000_000 + Math.floor(Math.random() * 1e13)),
        ],
      }),
    ]);
    f.sharedIdFirst = sharedA!;
    f.sharedIdSecond = sharedB!;
    // people's column takes 256 characters; a DNS name (and Desk's column) at most 253.
    f.longDomain = await insertOrganization(s, {
      domain_list: [
        `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.fr`,
        'short.example.fr',
      ],
    });

    // Users.
    f.staff = await insertUser(s, {
      organization: f.organization,
      password: DJANGO_PBKDF2,
      is_staff: true,
      is_superuser: true,
      language: 'fr-fr',
      timezone: 'Europe/Paris',
      last_login: daysAgo(3, now),
      created_at: daysAgo(900, now),
    });
    f.noOrganization = await insertUser(s, { organization: null });
    f.noName = await insertUser(s, { organization: f.organization, name: null });
    f.unusablePassword = await insertUser(s, {
      password: `!${randomBytes(30).toString('base64url').slice(0, 40)}`,
    });
    f.emptyPassword = await insertUser(s, { password: '' });
    f.unknownLanguage = await insertUser(s, { language: 'xx-yy' });
    const twinEmail = `twin.${tag()}@example.gouv.fr`;
    const [twinA, twinB] = byId([
      await insertUser(s, { email: twinEmail, password: DJANGO_PBKDF2, is_staff: true }),
      await insertUser(s, { email: twinEmail.toUpperCase(), password: DJANGO_PBKDF2, is_staff: true }),
    ]);
    f.passwordTwinFirst = twinA!;
    f.passwordTwinSecond = twinB!;
    const sharedEmail = `shared.${tag()}@example.gouv.fr`;
    f.sharedEmailA = await insertUser(s, { email: sharedEmail });
    f.sharedEmailB = await insertUser(s, { email: sharedEmail });

    // Teams: a three-level tree, and a team whose parent left the tree.
    const provider = await insertServiceProvider(s);
    f.longNamedProvider = await insertServiceProvider(s, { name: `Service ${'é'.repeat(248)}` });
    f.root = await insertTeam(s, { organization: f.organization, is_visible_all_services: true });
    f.child = await insertTeam(s, { parent: f.root });
    f.grandchild = await insertTeam(s, { parent: f.child, organization: f.organization });
    const lostParent = await insertTeam(s);
    f.orphan = await insertTeam(s, { parent: lostParent });
    await s`DELETE FROM people_team WHERE id = ${lostParent.id}`;
    await linkTeamServiceProvider(s, f.root, provider);
    await linkTeamServiceProvider(s, f.grandchild, provider);
    await insertTeamAccess(s, { team: f.root, user: f.staff, role: 'owner' });
    await insertTeamAccess(s, { team: f.child, user: f.staff, role: 'administrator' });
    await insertTeamAccess(s, { team: f.grandchild, user: f.noName });
    await insertTeamAccess(s, { team: f.orphan, user: f.noOrganization, role: 'owner' });

    // Invitations (valid for 7 days from updated_at, as people counts them).
    f.validInvitation = await insertInvitation(s, {
      team: f.root,
      issuer: f.staff,
      created_at: daysAgo(1, now),
      updated_at: daysAgo(1, now),
    });
    f.refreshedInvitation = await insertInvitation(s, {
      team: f.root,
      issuer: f.staff,
      role: 'administrator',
      created_at: daysAgo(10, now),
      updated_at: daysAgo(2, now),
    });
    f.expiredInvitation = await insertInvitation(s, {
      team: f.root,
      issuer: f.staff,
      created_at: daysAgo(10, now),
      updated_at: daysAgo(10, now),
    });
    const invited = `Invited.${tag()}@Example.gouv.fr`;
    const [caseA, caseB] = byId([
      await insertInvitation(s, { team: f.child, issuer: f.staff, email: invited }),
      await insertInvitation(s, { team: f.child, issuer: f.staff, email: invited.toLowerCase() }),
    ]);
    f.caseInvitationFirst = caseA!;
    f.caseInvitationSecond = caseB!;

    // Contacts.
    f.refusedContact = await insertContact(s, {
      owner: f.staff,
      data: { emails: [{ type: 'Work', value: 'not an email' }] },
    });
    f.baseContact = await insertContact(s, {
      full_name: 'Jeanne Dupont',
      short_name: 'Jeanne',
      notes: 'Mairie',
      data: {
        emails: [{ type: 'Work', value: 'jeanne.dupont@example.gouv.fr' }],
        phones: [{ type: 'Mobile', value: '+33 6 12 34 56 78' }],
      },
    });
    f.overridingContact = await insertContact(s, {
      owner: f.staff,
      override: f.baseContact,
      full_name: 'Jeanne D.',
      data: { customFields: { Bureau: '12' } },
    });
    f.profileContact = await insertContact(s, { owner: f.noName, user: f.noName, full_name: 'Me' });
    // people refused an override of an override in Python only (Contact.clean); its database holds such chains.
    f.chainLinks = [];
    for (const [first, owner] of [
      ['0', f.noName],
      ['f', f.noOrganization],
    ] as const) {
      const middle = await insertContact(s, {
        id: `8${randomUUID().slice(1)}`,
        owner,
        override: f.baseContact,
      });
      f.chainLinks.push(
        await insertContact(s, { id: `${first}${randomUUID().slice(1)}`, owner: f.staff, override: middle }),
      );
    }

    // Mail domains, one in each status, one with an upper-case internationalized name.
    idnName = `Mairie-Élysée-${tag()}.Example.FR`;
    f.idnDomain = await insertMailDomain(s, {
      name: idnName,
      organization: f.organization,
      status: 'enabled',
      support_email: `support@${idnName}`,
      last_check_details: { mx: ['mx.ox.numerique.gouv.fr'], ok: true },
      expected_config: [{ target: '', type: 'mx', value: 'mx.ox.numerique.gouv.fr.' }],
    });
    const domains = [f.idnDomain];
    for (const status of ['pending', 'failed', 'disabled', 'action_required'])
      domains.push(await insertMailDomain(s, { status }));
    await insertMailDomainAccess(s, { domain: f.idnDomain, user: f.staff, role: 'owner' });
    await insertMailDomainAccess(s, { domain: f.idnDomain, user: f.noName, role: 'administrator' });
    await insertMailDomainAccess(s, { domain: domains[1]!, user: f.noName });
    for (const status of ['pending', 'enabled', 'failed', 'disabled'])
      await insertMailbox(s, {
        domain: f.idnDomain,
        status,
        secondary_email: status === 'enabled' ? `perso.${tag()}@example.com` : null,
      });
    await insertAlias(s, { domain: f.idnDomain, local_part: 'contact' });
    await insertAlias(s, { domain: f.idnDomain, local_part: 'contact' });
    f.validDomainInvitation = await insertMailDomainInvitation(s, {
      domain: f.idnDomain,
      issuer: f.staff,
      role: 'administrator',
      created_at: daysAgo(1, now),
      updated_at: daysAgo(1, now),
    });
    f.expiredDomainInvitation = await insertMailDomainInvitation(s, {
      domain: f.idnDomain,
      issuer: f.staff,
      created_at: daysAgo(30, now),
      updated_at: daysAgo(30, now),
    });

    await addMicroseconds(source);
    const result = await importPeople({
      from: source.url,
      db: desk.database.db,
      invitationValiditySeconds: VALIDITY_SECONDS,
      now,
      onProblem: (p) => problems.push(p),
    });
    tables = result.tables;
    settled = result.settled;
  });

  afterAll(async () => {
    await Promise.all([source?.close(), desk?.drop()]);
  });

  const fromSource = (query: string) => readSource(source, query);
  const fromDesk = (query: string) => readDesk(desk, query);
  const reported = (table: string, id: string) => problems.filter((p) => p.table === table && p.id === id);

  describe('every table, row by row', () => {
    it('brings over each organization with its id, name, active flag, metadata and times', async () => {
      const expected = await fromSource(
        `SELECT id, name, is_active, metadata, ${TIMES} FROM people_organization ORDER BY id`,
      );
      expect(
        await fromDesk(`SELECT id, name, is_active, metadata, ${TIMES} FROM organizations ORDER BY id`),
      ).toEqual(expected);
    });

    it("brings over each organization's registration ids, an id listed by two going to the first", async () => {
      const listed = await fromSource(
        'SELECT r AS registration_id, p.id AS organization_id FROM people_organization p, unnest(p.registration_id_list) r ORDER BY p.id, r',
      );
      const seen = new Set<unknown>();
      const expected = listed.filter(
        (row) => !seen.has(row.registration_id) && seen.add(row.registration_id),
      );
      expect(expected.length).toBe(listed.length - 1);
      expect(
        sortRows(
          await fromDesk('SELECT registration_id, organization_id FROM organization_registration_ids'),
        ),
      ).toEqual(sortRows(expected));
    });

    it("brings over each organization's domains in lower case", async () => {
      const expected = await fromSource(
        'SELECT DISTINCT lower(d) AS domain, p.id AS organization_id FROM people_organization p, unnest(p.domain_list) d WHERE length(d) <= 253',
      );
      const actual = await fromDesk('SELECT domain, organization_id FROM organization_domains');
      expect(sortRows(actual)).toEqual(sortRows(expected));
      expect(actual.map((r) => r.domain)).toContain('ville.example.gouv.fr');
    });

    it('brings over each service provider with its id, audience, name and creation time', async () => {
      const columns = `id, audience_id, name, ${t('created_at')}`;
      const people = await fromSource(`SELECT ${columns} FROM people_service_provider ORDER BY id`);
      expect(await fromDesk(`SELECT ${columns} FROM service_providers ORDER BY id`)).toEqual(
        people.map((p) => ({ ...p, name: String(p.name).slice(0, 255) })),
      );
    });

    it('brings over each user: id, sub, email, name, language, timezone, flags, password, organization, times', async () => {
      const columns = `id, sub, email, name, language, timezone, is_active, is_staff, is_superuser, password, organization_id, ${t('last_login')}, ${TIMES}`;
      const people = await fromSource(`SELECT ${columns} FROM people_user ORDER BY id`);
      // The spec of the mapping: no name is '', an unknown language is en-us, Django's unusable ('!…') and empty
      // passwords are no password, and of two accounts with a password and one email the second loses it.
      const expected = people.map((u) => ({
        ...u,
        name: u.name ?? '',
        language: ['en-us', 'fr-fr'].includes(String(u.language)) ? u.language : 'en-us',
        password:
          u.password === '' || String(u.password).startsWith('!') || u.id === f.passwordTwinSecond.id
            ? null
            : u.password,
      }));
      expect(await fromDesk(`SELECT ${columns} FROM users ORDER BY id`)).toEqual(expected);
    });

    it('brings over each team with its id, external_id, name, flags, organization and times, its parent from the path', async () => {
      const people = await fromSource(
        `SELECT id, name, external_id, is_visible_all_services, organization_id, path, depth, ${TIMES} FROM people_team ORDER BY id`,
      );
      const byPath = new Map(people.map((team) => [team.path, team.id]));
      const expected = people.map(({ path, depth, is_visible_all_services, ...team }) => ({
        ...team,
        is_visible_all_service_providers: is_visible_all_services,
        parent_id: Number(depth) > 1 ? (byPath.get(String(path).slice(0, -5)) ?? null) : null,
      }));
      expect(
        await fromDesk(
          `SELECT id, name, external_id, organization_id, ${TIMES}, is_visible_all_service_providers, parent_id FROM teams ORDER BY id`,
        ),
      ).toEqual(expected);
    });

    it('links each team to the service providers it was linked to', async () => {
      expect(
        sortRows(await fromDesk('SELECT team_id, service_provider_id FROM team_service_providers')),
      ).toEqual(
        sortRows(
          await fromSource(
            'SELECT team_id, serviceprovider_id AS service_provider_id FROM people_team_service_providers',
          ),
        ),
      );
    });

    it('brings over each team access with its id, team, user, role and times', async () => {
      const columns = `id, team_id, user_id, role, ${TIMES}`;
      expect(await fromDesk(`SELECT ${columns} FROM team_accesses ORDER BY id`)).toEqual(
        await fromSource(`SELECT ${columns} FROM people_team_access ORDER BY id`),
      );
    });

    it('brings over each invitation still valid, but the second of two differing only by email case', async () => {
      const columns = `id, team_id, email, role, issuer_id, ${TIMES}`;
      const people = await fromSource(`SELECT ${columns} FROM people_invitation ORDER BY id`);
      const expected = people.filter(
        (i) => i.id !== f.expiredInvitation.id && i.id !== f.caseInvitationSecond.id,
      );
      expect(await fromDesk(`SELECT ${columns} FROM invitations ORDER BY id`)).toEqual(expected);
    });

    it('brings over each contact with its owner, profile user, override, names, notes, data and times', async () => {
      const columns = `id, override_id, owner_id, user_id, full_name, short_name, notes, data, ${TIMES}`;
      const people = await fromSource(`SELECT ${columns} FROM people_contact ORDER BY id`);
      const expected = people.map((c) => ({
        ...c,
        short_name: c.short_name ?? '',
        data: c.id === f.refusedContact.id ? {} : c.data,
        override_id: f.chainLinks.some((link) => link.id === c.id) ? null : c.override_id,
      }));
      expect(await fromDesk(`SELECT ${columns} FROM contacts ORDER BY id`)).toEqual(expected);
    });

    it('brings over each mail domain: name in lower-case ASCII, slug, status, support email, checks, on the platform', async () => {
      const columns = `id, name, slug, status, support_email, last_check_details, expected_config, organization_id, ${TIMES}`;
      const people = await fromSource(`SELECT ${columns} FROM people_mail_domain ORDER BY id`);
      // people made every domain on the mail platform before saving it.
      const expected = people.map((d) => ({
        ...d,
        name: domainToASCII(String(d.name).toLowerCase()),
        on_platform: true,
      }));
      expect(await fromDesk(`SELECT ${columns}, on_platform FROM mail_domains ORDER BY id`)).toEqual(
        expected,
      );
    });

    it('brings over each mail domain access with its id, domain, user, role and times', async () => {
      const columns = `id, domain_id, user_id, role, ${TIMES}`;
      expect(await fromDesk(`SELECT ${columns} FROM mail_domain_accesses ORDER BY id`)).toEqual(
        await fromSource(`SELECT ${columns} FROM people_mail_domain_accesses ORDER BY id`),
      );
    });

    it('brings over each mailbox, active unless disabled, on the platform when enabled or disabled', async () => {
      const columns = `id, domain_id, first_name, last_name, local_part, secondary_email, status, ${TIMES}`;
      const people = await fromSource(`SELECT ${columns} FROM people_mail_box ORDER BY id`);
      expect(people.map((m) => m.status).sort()).toEqual(['disabled', 'enabled', 'failed', 'pending']);
      const expected = people.map((m) => ({
        ...m,
        active: m.status !== 'disabled',
        on_platform: m.status === 'enabled' || m.status === 'disabled',
      }));
      expect(await fromDesk(`SELECT ${columns}, active, on_platform FROM mailboxes ORDER BY id`)).toEqual(
        expected,
      );
    });

    it('brings over each alias, enabled, with its domain, local part, destination and times', async () => {
      const columns = `id, domain_id, local_part, destination, ${TIMES}`;
      const people = await fromSource(`SELECT ${columns} FROM people_aliases ORDER BY id`);
      expect(people).toHaveLength(2);
      expect(await fromDesk(`SELECT ${columns}, status FROM mail_aliases ORDER BY id`)).toEqual(
        people.map((a) => ({ ...a, status: 'enabled' })),
      );
    });

    it('brings over each mail domain invitation still valid', async () => {
      const columns = `id, domain_id, email, role, issuer_id, ${TIMES}`;
      const people = await fromSource(`SELECT ${columns} FROM people_mail_domain_invitation ORDER BY id`);
      expect(await fromDesk(`SELECT ${columns} FROM mail_domain_invitations ORDER BY id`)).toEqual(
        people.filter((i) => i.id === f.validDomainInvitation.id),
      );
    });

    it('leaves the tables it wrote vacuumed and analysed, as a database that has lived a day is', async () => {
      expect(settled).toEqual(expect.arrayContaining(['users', 'teams', 'team_accesses', 'contacts']));
      expect(new Set(settled).size).toBe(settled.length);
      // Analysed: the planner knows the rows are there (a table never analysed says -1).
      const [users] = await fromDesk(`select reltuples from pg_class where oid = 'users'::regclass`);
      expect(Number(users?.reltuples)).toBeGreaterThan(0);
    });

    it('reports exactly the legacy rows below, and nothing else', () => {
      const key = (p: { table: string; id: string }) => `${p.table} ${p.id}`;
      expect(problems.map(key).sort()).toEqual(
        [
          { table: 'users', id: f.unknownLanguage.id },
          { table: 'users', id: f.passwordTwinSecond.id },
          { table: 'organization_registration_ids', id: f.sharedIdSecond.id },
          { table: 'organization_domains', id: f.longDomain.id },
          { table: 'teams', id: f.orphan.id },
          { table: 'invitations', id: f.caseInvitationSecond.id },
          { table: 'contacts', id: f.refusedContact.id },
          { table: 'service_providers', id: f.longNamedProvider.id },
          ...f.chainLinks.map((link) => ({ table: 'contacts', id: link.id })),
        ]
          .map(key)
          .sort(),
      );
    });
  });

  describe('users people left behind', () => {
    it('imports a user without an organization with no organization', async () => {
      expect(await fromDesk(`SELECT organization_id FROM users WHERE id = '${f.noOrganization.id}'`)).toEqual(
        [{ organization_id: null }],
      );
      expect(reported('users', f.noOrganization.id)).toEqual([]);
    });

    it("imports a user without a name with the name ''", async () => {
      expect(await fromDesk(`SELECT name FROM users WHERE id = '${f.noName.id}'`)).toEqual([{ name: '' }]);
      expect(reported('users', f.noName.id)).toEqual([]);
    });

    it("imports users with Django's unusable ('!…') or an empty password without a password", async () => {
      const rows = await fromDesk(
        `SELECT id, password FROM users WHERE id IN ('${f.unusablePassword.id}', '${f.emptyPassword.id}') ORDER BY id`,
      );
      expect(rows).toEqual(
        byId([f.unusablePassword, f.emptyPassword]).map((u) => ({ id: u.id, password: null })),
      );
      expect([...reported('users', f.unusablePassword.id), ...reported('users', f.emptyPassword.id)]).toEqual(
        [],
      );
    });

    it('imports a user speaking a language Desk does not in English, and reports it', async () => {
      expect(await fromDesk(`SELECT language FROM users WHERE id = '${f.unknownLanguage.id}'`)).toEqual([
        { language: 'en-us' },
      ]);
      expect(reported('users', f.unknownLanguage.id)).toEqual([
        {
          table: 'users',
          id: f.unknownLanguage.id,
          problem: 'language "xx-yy" is not one Desk speaks',
          outcome: 'imported with language en-us',
        },
      ]);
    });

    it('keeps the password of the first (by id) of two accounts with a password and one email; the second is reported', async () => {
      const rows = await fromDesk(
        `SELECT id, email, password FROM users WHERE id IN ('${f.passwordTwinFirst.id}', '${f.passwordTwinSecond.id}') ORDER BY id`,
      );
      expect(rows).toEqual([
        { id: f.passwordTwinFirst.id, email: f.passwordTwinFirst.email, password: DJANGO_PBKDF2 },
        { id: f.passwordTwinSecond.id, email: f.passwordTwinSecond.email, password: null },
      ]);
      expect(reported('users', f.passwordTwinSecond.id)).toEqual([
        {
          table: 'users',
          id: f.passwordTwinSecond.id,
          problem: 'another account with a password has this email (staff emails are unique in Desk)',
          outcome: 'imported without its password (it signs in through the provider)',
        },
      ]);
      expect(reported('users', f.passwordTwinFirst.id)).toEqual([]);
    });

    it('imports both of two accounts sharing an email without a password, and reports neither', async () => {
      const rows = await fromDesk(
        `SELECT id, email FROM users WHERE id IN ('${f.sharedEmailA.id}', '${f.sharedEmailB.id}') ORDER BY id`,
      );
      expect(rows).toEqual(byId([f.sharedEmailA, f.sharedEmailB]).map((u) => ({ id: u.id, email: u.email })));
      expect([...reported('users', f.sharedEmailA.id), ...reported('users', f.sharedEmailB.id)]).toEqual([]);
    });
  });

  describe('service providers', () => {
    it("imports a service provider named longer than Desk's 255 characters with its name cut, and reports it", async () => {
      expect(
        await fromDesk(`SELECT name FROM service_providers WHERE id = '${f.longNamedProvider.id}'`),
      ).toEqual([{ name: f.longNamedProvider.name.slice(0, 255) }]);
      expect(reported('service_providers', f.longNamedProvider.id)).toEqual([
        {
          table: 'service_providers',
          id: f.longNamedProvider.id,
          problem: 'its name is longer than 255 characters',
          outcome: 'imported with its name cut to 255 characters',
        },
      ]);
    });
  });

  describe('the team tree', () => {
    it('keeps the parents of a three-level tree', async () => {
      const rows = await fromDesk(
        `SELECT id, parent_id FROM teams WHERE id IN ('${f.root.id}', '${f.child.id}', '${f.grandchild.id}')`,
      );
      expect(Object.fromEntries(rows.map((r) => [r.id, r.parent_id]))).toEqual({
        [f.root.id]: null,
        [f.child.id]: f.root.id,
        [f.grandchild.id]: f.child.id,
      });
    });

    it("imports a team whose parent is missing from people's tree as a root team, and reports it", async () => {
      expect(await fromDesk(`SELECT parent_id, external_id FROM teams WHERE id = '${f.orphan.id}'`)).toEqual([
        { parent_id: null, external_id: f.orphan.external_id },
      ]);
      expect(reported('teams', f.orphan.id)).toEqual([
        {
          table: 'teams',
          id: f.orphan.id,
          problem: `its parent (path ${f.orphan.path.slice(0, 5)}) is missing from people's tree`,
          outcome: 'imported as a root team',
        },
      ]);
    });
  });

  describe('invitations', () => {
    it('keeps a valid invitation with its creation and update times', async () => {
      const [people] = await fromSource(
        `SELECT ${TIMES} FROM people_invitation WHERE id = '${f.validInvitation.id}'`,
      );
      expect(await fromDesk(`SELECT ${TIMES} FROM invitations WHERE id = '${f.validInvitation.id}'`)).toEqual(
        [people],
      );
    });

    it('imports an invitation created 10 days ago but refreshed 2 days ago, as people counts from the refresh', async () => {
      expect(await fromDesk(`SELECT id FROM invitations WHERE id = '${f.refreshedInvitation.id}'`)).toEqual([
        { id: f.refreshedInvitation.id },
      ]);
    });

    it('leaves an expired invitation behind and counts it as expired, not as a problem', async () => {
      expect(await fromDesk(`SELECT id FROM invitations WHERE id = '${f.expiredInvitation.id}'`)).toEqual([]);
      expect(tables.find((r) => r.table === 'invitations')).toMatchObject({ expired: 1 });
      expect(reported('invitations', f.expiredInvitation.id)).toEqual([]);
    });

    it('imports the first of two invitations to one team differing only by email case, and reports the second', async () => {
      expect(
        await fromDesk(
          `SELECT id FROM invitations WHERE id IN ('${f.caseInvitationFirst.id}', '${f.caseInvitationSecond.id}')`,
        ),
      ).toEqual([{ id: f.caseInvitationFirst.id }]);
      expect(reported('invitations', f.caseInvitationSecond.id)).toEqual([
        {
          table: 'invitations',
          id: f.caseInvitationSecond.id,
          problem:
            'this team already has an invitation for this email (emails compare case-insensitively in Desk)',
          outcome: 'skipped',
        },
      ]);
    });
  });

  describe('contacts', () => {
    it("imports a contact whose data Desk's schema refuses without its data, and reports where", async () => {
      expect(
        await fromDesk(`SELECT full_name, data FROM contacts WHERE id = '${f.refusedContact.id}'`),
      ).toEqual([{ full_name: f.refusedContact.full_name, data: {} }]);
      expect(reported('contacts', f.refusedContact.id)).toEqual([
        {
          table: 'contacts',
          id: f.refusedContact.id,
          problem: "data refused by Desk's contact schema (data.emails.0.value)",
          outcome: 'imported without its data',
        },
      ]);
    });

    it('keeps a contact overriding another pointing at it, with its own data', async () => {
      expect(
        await fromDesk(
          `SELECT override_id, owner_id, data FROM contacts WHERE id = '${f.overridingContact.id}'`,
        ),
      ).toEqual([
        { override_id: f.baseContact.id, owner_id: f.staff.id, data: { customFields: { Bureau: '12' } } },
      ]);
    });

    it('imports a contact overriding an override as a contact of its own, and reports it', async () => {
      const ids = f.chainLinks.map((link) => `'${link.id}'`).join(', ');
      expect(
        await fromDesk(`SELECT id, owner_id, override_id FROM contacts WHERE id IN (${ids}) ORDER BY id`),
      ).toEqual(byId(f.chainLinks).map((link) => ({ id: link.id, owner_id: f.staff.id, override_id: null })));
      expect(f.chainLinks.flatMap((link) => reported('contacts', link.id))).toEqual(
        f.chainLinks.map((link) => ({
          table: 'contacts',
          id: link.id,
          problem:
            'it overrides a contact that itself overrides another (Desk keeps overrides one level deep)',
          outcome: 'imported without override_id',
        })),
      );
    });

    it('keeps a profile contact as the profile of its user', async () => {
      expect(
        await fromDesk(`SELECT owner_id, user_id FROM contacts WHERE id = '${f.profileContact.id}'`),
      ).toEqual([{ owner_id: f.noName.id, user_id: f.noName.id }]);
    });
  });

  describe('organizations', () => {
    it("gives a registration id two organizations list to the first, and reports the second's", async () => {
      expect(
        await fromDesk(
          `SELECT organization_id FROM organization_registration_ids WHERE registration_id = '${sharedRegistrationId}'`,
        ),
      ).toEqual([{ organization_id: f.sharedIdFirst.id }]);
      expect(reported('organization_registration_ids', f.sharedIdSecond.id)).toEqual([
        {
          table: 'organization_registration_ids',
          id: f.sharedIdSecond.id,
          problem: `registration id ${sharedRegistrationId}: already belongs to another one`,
          outcome: 'skipped',
        },
      ]);
      // Its other registration ids (if any) are still its own.
      expect(
        await fromDesk(
          `SELECT registration_id FROM organization_registration_ids WHERE organization_id = '${f.sharedIdSecond.id}'`,
        ),
      ).toEqual(
        f.sharedIdSecond.registration_id_list
          .filter((id) => id !== sharedRegistrationId)
          .map((registration_id) => ({ registration_id })),
      );
    });

    it('leaves behind a domain longer than a DNS name can be (people took 256 characters), and reports it', async () => {
      expect(
        await fromDesk(
          `SELECT domain FROM organization_domains WHERE organization_id = '${f.longDomain.id}'`,
        ),
      ).toEqual([{ domain: 'short.example.fr' }]);
      expect(problems.find((p) => p.table === 'organization_domains')).toMatchObject({
        id: f.longDomain.id,
        problem: expect.stringContaining('longer than a domain name can be'),
        outcome: 'skipped',
      });
    });

    it('stores a domain people kept in upper case in lower case', async () => {
      expect(
        await fromDesk(
          `SELECT domain FROM organization_domains WHERE organization_id = '${f.organization.id}' ORDER BY domain`,
        ),
      ).toEqual([{ domain: 'mairie-ville.example.gouv.fr' }, { domain: 'ville.example.gouv.fr' }]);
    });
  });

  describe('mail domains', () => {
    it('names a domain with an upper-case internationalized name by its lower-case xn-- form, keeping its slug', async () => {
      const [row] = await fromDesk(`SELECT name, slug FROM mail_domains WHERE id = '${f.idnDomain.id}'`);
      expect(row?.name).toBe(domainToASCII(idnName.toLowerCase()));
      expect(row?.name).toMatch(/^xn--[a-z0-9-]+\.example\.fr$/);
      expect(row?.slug).toBe(f.idnDomain.slug);
      expect(reported('mail_domains', f.idnDomain.id)).toEqual([]);
    });

    it('leaves an expired mail domain invitation behind, counted as expired', async () => {
      expect(
        await fromDesk(`SELECT id FROM mail_domain_invitations WHERE id = '${f.expiredDomainInvitation.id}'`),
      ).toEqual([]);
      expect(tables.find((r) => r.table === 'mail_domain_invitations')).toMatchObject({ expired: 1 });
    });
  });
});

describe('an agent of people signing in to Desk after the import', () => {
  let source: PeopleSource;
  let testDb: TestDatabase;
  let store: TestStore;
  let running: RunningDesk;
  let agent: PeopleUser;
  let superuser: PeopleUser;
  let teams: { id: string; external_id: string; name: string }[];
  let refreshed: { id: string; team_id: string };
  let usersImported: number;

  beforeAll(async () => {
    [source, testDb] = await Promise.all([createPeopleSource(), testDatabase()]);
    const s = source.sql;
    const now = Date.now();
    const organization = await insertOrganization(s, { registration_id_list: ['13002526500013'] });
    // The development provider's demo agent (src/dev-idp/demo-users.ts), as people knew her.
    agent = await insertUser(s, {
      sub: 'demo-helene-martin',
      email: 'helene.martin@example.gouv.fr',
      name: 'Hélène Martin',
      organization,
    });
    superuser = await insertUser(s, {
      organization,
      password: DJANGO_PBKDF2,
      is_staff: true,
      is_superuser: true,
    });
    // The demo app of the suite (the development provider's client) as a service provider people knew.
    const demoApp = await insertServiceProvider(s, { audience_id: 'demo-app', name: 'Demo app' });
    const root = await insertTeam(s, { organization, name: 'Direction' });
    const child = await insertTeam(s, { parent: root, name: 'Service' });
    const grandchild = await insertTeam(s, { parent: child, name: 'Bureau', is_visible_all_services: true });
    await linkTeamServiceProvider(s, root, demoApp);
    await linkTeamServiceProvider(s, child, demoApp);
    await insertTeamAccess(s, { team: root, user: agent, role: 'owner' });
    await insertTeamAccess(s, { team: child, user: agent, role: 'administrator' });
    await insertTeamAccess(s, { team: grandchild, user: agent });
    teams = [root, child, grandchild];
    refreshed = await insertInvitation(s, {
      team: root,
      issuer: agent,
      created_at: daysAgo(10, now),
      updated_at: daysAgo(2, now),
    });
    await addMicroseconds(source);
    await importPeople({
      from: source.url,
      db: testDb.database.db,
      invitationValiditySeconds: VALIDITY_SECONDS,
    });
    usersImported = 2;
    store = testStore();
    running = await startDeskOn(testDb, store.kv, { DESK_DEV_IDP: 'true' });
  });

  afterAll(async () => {
    await running?.stop();
    await store?.kv.close();
    await Promise.all([source?.close(), testDb?.drop()]);
  });

  const userCount = async () => (await readDesk(testDb, 'SELECT count(*)::int AS n FROM users'))[0]?.n;

  it('is the same Desk user, by sub, as in people: no new user is made', async () => {
    const browser = running.browser();
    await loginWithDevIdp(browser, agent.sub);
    const me = await browser.get('/api/v1.0/users/me/');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ id: agent.id, email: agent.email });
    expect(await userCount()).toBe(usersImported);
  });

  it('sees the teams they had in people', async () => {
    const browser = running.browser();
    await loginWithDevIdp(browser, agent.sub);
    const res = await browser.get('/api/v1.0/teams/');
    expect(res.status).toBe(200);
    const listed = res.json as { id: string; name: string }[];
    expect(
      listed.map((team) => ({ id: team.id, name: team.name })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    ).toEqual(byId(teams).map((team) => ({ id: team.id, name: team.name })));
  });

  it('sees an invitation refreshed 2 days ago (created 10 days ago) as not expired', async () => {
    const browser = running.browser();
    await loginWithDevIdp(browser, agent.sub);
    const res = await browser.get(`/api/v1.0/teams/${refreshed.team_id}/invitations/`);
    expect(res.status).toBe(200);
    expect((res.json as { results: { id: string; is_expired: boolean }[] }).results).toEqual([
      expect.objectContaining({ id: refreshed.id, is_expired: false }),
    ]);
  });

  it("is listed by the resource server's SCIM Me with a group per team, by the team's people external_id", async () => {
    const token = await running.browser().post('/dev-idp-demo-token', { user: agent.sub });
    expect(token.status).toBe(200);
    const me = await running.browser().request('GET', '/resource-server/v1.0/scim/Me/', {
      headers: { authorization: `Bearer ${(token.json as { access_token: string }).access_token}` },
    });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ id: agent.id, userName: agent.sub });
    const groups = (me.json as { groups: { value: string; display: string }[] }).groups;
    expect(
      groups
        .map((g) => ({ value: g.value, display: g.display }))
        .sort((a, b) => (a.value < b.value ? -1 : 1)),
    ).toEqual(
      teams
        .map((team) => ({ value: team.external_id, display: team.name }))
        .sort((a, b) => (a.value < b.value ? -1 : 1)),
    );
  });

  it('logs a superuser in with the Django pbkdf2_sha256 password people knew, staff and superuser in Desk', async () => {
    const browser = running.browser();
    await browser.primeCsrf();
    const login = await browser.post('/api/v1.0/login/', {
      email: superuser.email,
      password: DJANGO_PASSWORD,
    });
    expect(login.status).toBe(200);
    const me = await browser.get('/api/v1.0/users/me/');
    expect(me.json).toMatchObject({ id: superuser.id, is_staff: true, is_superuser: true });
  });
});
