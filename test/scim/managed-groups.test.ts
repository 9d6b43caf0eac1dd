// Who manages a group: the client that last changed it, and nothing but the directory adds its members.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/audit/index.ts';
import { invitations } from '../../src/invitations/schema.ts';
import { ScimClientService } from '../../src/scim/index.ts';
import { teamAccesses, teams } from '../../src/teams/index.ts';
import { useDesk } from '../support/desk.ts';
import { scimClientOf } from '../support/scim.ts';

const t = useDesk();
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('managed groups', () => {
  it('pass to the new client of a rotated token at its first change, and stay read-only in Desk', async () => {
    const old = await scimClientOf(t, undefined, 'Entra ID (2025)');
    const group = await old.call('POST', '/Groups', {
      schemas: [GROUP],
      displayName: `Finance ${randomUUID()}`,
    });
    const rotated = await scimClientOf(t, old.organizationId, 'Entra ID (2026)');
    await new ScimClientService(t.desk.database).revoke(old.organizationId, old.id, { actor: SYSTEM });

    const renamed = await rotated.call('PATCH', `/Groups/${group.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Finance (renamed)' }],
    });

    expect(renamed.status).toBe(200);
    const [team] = await t.desk.database.db.select().from(teams).where(eq(teams.id, group.body.id));
    expect(team?.scimClientId).toBe(rotated.id);
  });

  it('never take a member from an invitation made before the directory managed the team', async () => {
    const idp = await scimClientOf(t);
    const group = await idp.call('POST', '/Groups', {
      schemas: [GROUP],
      displayName: `Legal ${randomUUID()}`,
    });
    const email = `late-${randomUUID().slice(0, 8)}@example.org`;
    await t.desk.database.db.insert(invitations).values({ email, teamId: group.body.id, role: 'member' });

    const user = await idp.call('POST', '/Users', {
      schemas: [USER],
      userName: email,
      emails: [{ value: email, primary: true }],
    });

    expect(user.status).toBe(201);
    const accesses = await t.desk.database.db
      .select()
      .from(teamAccesses)
      .where(eq(teamAccesses.teamId, group.body.id));
    expect(accesses).toEqual([]);
    const left = await t.desk.database.db.select().from(invitations).where(eq(invitations.email, email));
    expect(left).toEqual([]);
  });
});
