// The people v1.26 source the import tests read from (DESIGN.md §10): its schema loads, its helpers
// store what people would, and it refuses what people's database refuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPeopleSource,
  djangoSlugify,
  insertAlias,
  insertContact,
  insertInvitation,
  insertMailbox,
  insertMailDomain,
  insertMailDomainAccess,
  insertMailDomainInvitation,
  insertOrganization,
  insertOrganizationAccess,
  insertServiceProvider,
  insertTeam,
  insertTeamAccess,
  insertTeamWebhook,
  insertUser,
  linkOrganizationServiceProvider,
  linkTeamServiceProvider,
  type PeopleSource,
} from '../support/people-source.ts';

let source: PeopleSource;
beforeAll(async () => {
  source = await createPeopleSource();
});
afterAll(async () => {
  await source?.close();
});

describe('a people v1.26 source database', () => {
  it('records every core and mailbox_manager migration up to 9bb1758f as applied', async () => {
    const rows = await source.sql<{ app: string; last: string; count: number }[]>`
      select app, max(name) as last, count(*)::int as count from django_migrations group by app order by app`;
    expect(rows.map((row) => ({ ...row }))).toEqual([
      { app: 'core', last: '0017_teamwebhook_protocol', count: 17 },
      { app: 'mailbox_manager', last: '0029_alter_alias_unique_together_alias_no_duplicate', count: 29 },
    ]);
  });

  it('takes one row of every table the import reads, made by the helpers', async () => {
    const { sql } = source;
    const organization = await insertOrganization(sql, { domain_list: ['ville.example.gouv.fr'] });
    const user = await insertUser(sql, { organization, is_staff: true });
    const provider = await insertServiceProvider(sql);
    await linkOrganizationServiceProvider(sql, organization, provider);
    await insertOrganizationAccess(sql, { organization, user });
    const team = await insertTeam(sql, { organization });
    await linkTeamServiceProvider(sql, team, provider);
    await insertTeamAccess(sql, { team, user, role: 'owner' });
    await insertInvitation(sql, { team, issuer: user, created_at: new Date('2024-03-01T08:00:00Z') });
    await insertTeamWebhook(sql, { team });
    const profile = await insertContact(sql, { owner: user, user, data: { emails: [] } });
    await insertContact(sql, { owner: user, override: profile });
    const domain = await insertMailDomain(sql, { organization, name: 'Mairie.Example.gouv.fr' });
    await insertMailDomainAccess(sql, { domain, user, role: 'owner' });
    await insertMailbox(sql, { domain, local_part: 'jeanne.dupont' });
    await insertAlias(sql, { domain });
    await insertMailDomainInvitation(sql, { domain, issuer: user });

    expect(domain.slug).toBe('mairieexamplegouvfr');
    const [stored] = await sql<{ kind: string }[]>`
      select jsonb_typeof(data) as kind from people_contact where id = ${profile.id}`;
    expect(stored?.kind).toBe('object');
    const [mailbox] = await sql<{ dn_email: string }[]>`
      select dn_email from people_mail_box where domain_id = ${domain.id}`;
    expect(mailbox?.dn_email).toBe('jeanne.dupont@Mairie.Example.gouv.fr');
  });

  it('leaves nothing to column defaults: a row missing a column people always fills is refused', async () => {
    await expect(
      source.sql`insert into people_user (id, sub, created_at, updated_at) values (gen_random_uuid(), 'x', now(), now())`,
    ).rejects.toMatchObject({ code: '23502' });
  });
});

describe('teams made with the helpers', () => {
  it('are stored as treebeard stores them: steplen 5 paths, depth, and the parent’s numchild', async () => {
    // A source of its own, so the first root is the first team ever made.
    const own = await createPeopleSource();
    try {
      const root = await insertTeam(own.sql, { name: 'Ministère' });
      const first = await insertTeam(own.sql, { name: 'Direction A', parent: root });
      const second = await insertTeam(own.sql, { name: 'Direction B', parent: root });
      await insertTeam(own.sql, { name: 'Bureau B1', parent: second });
      await insertTeam(own.sql, { name: 'Autre ministère' });

      expect([root.path, first.path, second.path]).toEqual(['00001', '0000100001', '0000100002']);
      const rows = await own.sql<{ name: string; path: string; depth: number; numchild: number }[]>`
        select name, path, depth, numchild from people_team order by path`;
      expect(rows.map((row) => ({ ...row }))).toEqual([
        { name: 'Ministère', path: '00001', depth: 1, numchild: 2 },
        { name: 'Direction A', path: '0000100001', depth: 2, numchild: 0 },
        { name: 'Direction B', path: '0000100002', depth: 2, numchild: 1 },
        { name: 'Bureau B1', path: '000010000200001', depth: 3, numchild: 0 },
        { name: 'Autre ministère', path: '00002', depth: 1, numchild: 0 },
      ]);
    } finally {
      await own.close();
    }
  });
});

describe("people's constraints", () => {
  it('refuse a second access of the same user to the same team (unique_team_user)', async () => {
    const user = await insertUser(source.sql);
    const team = await insertTeam(source.sql);
    await insertTeamAccess(source.sql, { team, user, role: 'owner' });
    await expect(insertTeamAccess(source.sql, { team, user, role: 'member' })).rejects.toMatchObject({
      constraint_name: 'unique_team_user',
    });
  });

  it('refuse an organization with neither registration ids nor domains (registration_id_or_domain)', async () => {
    await expect(
      insertOrganization(source.sql, { registration_id_list: [], domain_list: [] }),
    ).rejects.toMatchObject({ constraint_name: 'registration_id_or_domain' });
  });

  it('refuse a profile contact not owned by its user (profile_contact_owner_constraint)', async () => {
    const user = await insertUser(source.sql);
    const someoneElse = await insertUser(source.sql);
    await expect(insertContact(source.sql, { owner: someoneElse, user })).rejects.toMatchObject({
      constraint_name: 'profile_contact_owner_constraint',
    });
  });

  it('refuse a mailbox whose first and last names differ from another’s in the domain only by case', async () => {
    const domain = await insertMailDomain(source.sql);
    await insertMailbox(source.sql, { domain, first_name: 'Jeanne', last_name: 'Dupont' });
    await expect(
      insertMailbox(source.sql, { domain, first_name: 'JEANNE', last_name: 'dupont' }),
    ).rejects.toMatchObject({ constraint_name: 'unique_ox_display_name' });
  });
});

describe("Django's slugify, as people names a mail domain's slug", () => {
  it('folds accents, drops dots and joins words with dashes', () => {
    expect(djangoSlugify('Commune-de-Vénissieux.fr')).toBe('commune-de-venissieuxfr');
    expect(djangoSlugify('  Sub  Domain_.gouv.fr_ ')).toBe('sub-domain_gouvfr');
  });
});
