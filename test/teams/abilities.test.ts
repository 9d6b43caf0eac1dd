// What a client is told about an access it can neither change nor remove: the reason, so it can say why.
import { describe, expect, it } from 'vitest';
import { accessAbilities, teamAbilities } from '../../src/teams/index.ts';

describe('the reason an access is locked', () => {
  it('is last_owner for the only owner looking at themselves', () => {
    const a = accessAbilities({ requesterRole: 'owner', targetRole: 'owner', isSelf: true, ownerCount: 1 });
    expect([a.delete, a.set_role_to, a.reason]).toEqual([false, [], 'last_owner']);
  });

  it('is other_owner for an owner someone else holds', () => {
    const a = accessAbilities({ requesterRole: 'owner', targetRole: 'owner', isSelf: false, ownerCount: 2 });
    expect(a.reason).toBe('other_owner');
    const b = accessAbilities({
      requesterRole: 'administrator',
      targetRole: 'owner',
      isSelf: false,
      ownerCount: 1,
    });
    expect(b.reason).toBe('other_owner');
  });

  it('is not_manager for a member looking at anyone', () => {
    const a = accessAbilities({
      requesterRole: 'member',
      targetRole: 'administrator',
      isSelf: false,
      ownerCount: 1,
    });
    expect(a.reason).toBe('not_manager');
  });

  it('is null whenever something is allowed', () => {
    const a = accessAbilities({ requesterRole: 'owner', targetRole: 'owner', isSelf: true, ownerCount: 2 });
    expect(a.reason).toBeNull();
    const b = accessAbilities({
      requesterRole: 'administrator',
      targetRole: 'member',
      isSelf: false,
      ownerCount: 1,
    });
    expect(b.reason).toBeNull();
  });
});

describe('the roles a requester may grant', () => {
  it('are every role for an owner, member and administrator for an administrator, none for a member', () => {
    expect(teamAbilities('owner').grant_roles).toEqual(['member', 'administrator', 'owner']);
    expect(teamAbilities('administrator').grant_roles).toEqual(['member', 'administrator']);
    expect(teamAbilities('member').grant_roles).toEqual([]);
  });
});

describe('a team a SCIM client manages', () => {
  it('lets nobody, owners included, manage its accesses or grant a role', () => {
    const client = { id: crypto.randomUUID(), name: 'Entra ID' };
    expect(teamAbilities('owner', client)).toMatchObject({
      manage_accesses: false,
      grant_roles: [],
      put: true,
    });
  });

  it('shows every access as locked, with the reason managed', () => {
    const a = accessAbilities({
      requesterRole: 'owner',
      targetRole: 'member',
      isSelf: false,
      ownerCount: 2,
      managed: true,
    });
    expect(a).toEqual({
      get: true,
      put: false,
      patch: false,
      delete: false,
      set_role_to: [],
      reason: 'managed',
    });
  });
});
