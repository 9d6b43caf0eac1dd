// DESIGN.md §9 "Groups": a team a SCIM client manages has the directory's members; Desk's own API shows it with the
// client's name and refuses every membership change, owners included, while renaming and deleting stay as for any team.
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { teamAccesses } from '../../src/teams/index.ts';
import { useDesk } from '../support/desk.ts';
import { uniqueEmail } from '../support/parts.ts';
import { managedTeam, manageTeam, provisionedUser, scimClientRow } from '../support/scim.ts';

const t = useDesk();

interface TeamBody {
  id: string;
  name: string;
  managed_by: { id: string; name: string } | null;
  abilities: { manage_accesses: boolean; grant_roles: string[]; put: boolean; delete: boolean };
}
interface AccessBody {
  id: string;
  user: { id: string };
  abilities: { put: boolean; patch: boolean; delete: boolean; set_role_to: string[]; reason: string | null };
}

/** An owner's team of three (owner, administrator, member) in one organization, handed to a client named `name`. */
async function managedTeamOfThree(name = `Entra ID ${crypto.randomUUID().slice(0, 6)}`) {
  const organizationId = await t.createOrganization();
  const owner = await t.createUser({ organizationId });
  const admin = await t.createUser({ organizationId });
  const member = await t.createUser({ organizationId });
  const browser = await t.browserFor(owner);
  const team = (await browser.post('/api/v1.0/teams/', { name: 'Direction' })).json as TeamBody;
  await t.testDb.database.db.insert(teamAccesses).values([
    { teamId: team.id, userId: admin.id, role: 'administrator' },
    { teamId: team.id, userId: member.id, role: 'member' },
  ]);
  const client = await scimClientRow(t.testDb.database.db, organizationId, name);
  await manageTeam(t.testDb.database.db, team.id, client.id);
  const accesses = (
    (await browser.get(`/api/v1.0/teams/${team.id}/accesses/`)).json as { results: AccessBody[] }
  ).results;
  const accessOf = (userId: string) => accesses.find((a) => a.user.id === userId) as AccessBody;
  return { organizationId, owner, admin, member, browser, team, client, accesses, accessOf };
}

const refusal = (name: string) => `The members of this team are managed by the directory “${name}” (SCIM).`;

describe('a team managed by a SCIM client', () => {
  it('names its client in managed_by, in the list and alone', async () => {
    const { browser, team, client } = await managedTeamOfThree('Entra ID');
    const one = (await browser.get(`/api/v1.0/teams/${team.id}/`)).json as TeamBody;
    expect(one.managed_by).toEqual({ id: client.id, name: 'Entra ID' });
    const list = (await browser.get('/api/v1.0/teams/')).json as TeamBody[];
    expect(list.find((x) => x.id === team.id)?.managed_by).toEqual({ id: client.id, name: 'Entra ID' });
  });

  it('is null for a team Desk agents run', async () => {
    const owner = await t.createUser();
    const browser = await t.browserFor(owner);
    const team = (await browser.post('/api/v1.0/teams/', { name: 'Libre' })).json as TeamBody;
    expect(team.managed_by).toBeNull();
    expect(team.abilities.manage_accesses).toBe(true);
  });

  it('gives its owner no power over memberships, but rename and delete', async () => {
    const { browser, team } = await managedTeamOfThree();
    const one = (await browser.get(`/api/v1.0/teams/${team.id}/`)).json as TeamBody;
    expect(one.abilities).toMatchObject({ manage_accesses: false, grant_roles: [], put: true, delete: true });
  });

  it('shows every access as unchangeable for everyone, with the reason managed', async () => {
    const { accesses } = await managedTeamOfThree();
    expect(accesses).toHaveLength(3);
    for (const a of accesses)
      expect(a.abilities).toMatchObject({
        put: false,
        patch: false,
        delete: false,
        set_role_to: [],
        reason: 'managed',
      });
  });

  it('refuses adding a member, naming the client', async () => {
    const { browser, team, organizationId } = await managedTeamOfThree('Okta');
    const colleague = await t.createUser({ organizationId });
    const res = await browser.post(`/api/v1.0/teams/${team.id}/accesses/`, { user: colleague.id });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ detail: refusal('Okta') });
  });

  it('refuses changing a role, naming the client', async () => {
    const { browser, team, member, accessOf } = await managedTeamOfThree('Okta');
    const res = await browser.patch(`/api/v1.0/teams/${team.id}/accesses/${accessOf(member.id).id}/`, {
      role: 'administrator',
    });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ detail: refusal('Okta') });
  });

  it('refuses removing a member, naming the client', async () => {
    const { browser, team, member, accessOf } = await managedTeamOfThree('Okta');
    const res = await browser.delete(`/api/v1.0/teams/${team.id}/accesses/${accessOf(member.id).id}/`);
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ detail: refusal('Okta') });
    const still = await t.testDb.database.db
      .select()
      .from(teamAccesses)
      .where(and(eq(teamAccesses.teamId, team.id), eq(teamAccesses.userId, member.id)));
    expect(still).toHaveLength(1);
  });

  it('refuses a member leaving it: the directory decides', async () => {
    const { team, member, accessOf } = await managedTeamOfThree('Okta');
    const browser = await t.browserFor(member);
    const res = await browser.delete(`/api/v1.0/teams/${team.id}/accesses/${accessOf(member.id).id}/`);
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ detail: refusal('Okta') });
  });

  it('refuses an invitation, naming the client', async () => {
    const { browser, team } = await managedTeamOfThree('Keycloak');
    const res = await browser.post(`/api/v1.0/teams/${team.id}/invitations/`, {
      email: uniqueEmail('newhire'),
      role: 'member',
    });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ detail: refusal('Keycloak') });
  });

  it('can still be renamed and deleted by its owner', async () => {
    const { browser, team } = await managedTeamOfThree();
    const renamed = await browser.patch(`/api/v1.0/teams/${team.id}/`, { name: 'Direction générale' });
    expect(renamed.status).toBe(200);
    expect((renamed.json as TeamBody).name).toBe('Direction générale');
    expect((await browser.delete(`/api/v1.0/teams/${team.id}/`)).status).toBe(204);
  });

  it('manages its memberships again in Desk once its client is revoked', async () => {
    const { browser, team, client } = await managedTeamOfThree();
    // The revocation itself belongs to the staff API; only its effect on the team is looked at here.
    await t.testDb.database.db.execute(
      sql`update scim_clients set revoked_at = now() where id = ${client.id}`,
    );
    const one = (await browser.get(`/api/v1.0/teams/${team.id}/`)).json as TeamBody;
    expect(one.managed_by).toBeNull();
    expect(one.abilities.manage_accesses).toBe(true);
  });

  it('is listed for its provisioned members with the role member', async () => {
    const organizationId = await t.createOrganization();
    const client = await scimClientRow(t.testDb.database.db, organizationId, 'Entra ID');
    const agent = await provisionedUser(t.testDb.database.db, {
      organizationId,
      email: uniqueEmail('agent'),
      clientId: client.id,
    });
    const team = await managedTeam(t.testDb.database.db, {
      organizationId,
      clientId: client.id,
      members: [agent.id],
    });
    const browser = await t.browserFor(agent);
    const list = (await browser.get('/api/v1.0/teams/')).json as (TeamBody & { role: string })[];
    expect(list.map((x) => [x.id, x.role, x.managed_by?.name])).toEqual([[team.id, 'member', 'Entra ID']]);
  });
});
