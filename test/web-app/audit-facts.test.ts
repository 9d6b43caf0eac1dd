// How the audit log reads an event's details, without a browser: named facts instead of raw JSON.
import { describe, expect, it } from 'vitest';
import { auditFacts, eventKey } from '../../web/src/features/admin/audit-facts.ts';

const TEAM = '33333333-3333-4333-8333-333333333333';
const ACCESS = '44444444-4444-4444-8444-444444444444';

describe("an audit event's facts", () => {
  it('name the team and tell a change of role from one role to the other, without the access id', () => {
    expect(
      auditFacts({
        event: 'access.role_changed',
        details: { team: TEAM, access: ACCESS, from: 'member', to: 'administrator' },
      }),
    ).toEqual([
      { label: 'team', name: 'team', value: { kind: 'team', id: TEAM } },
      { label: 'role', name: 'role', value: { kind: 'roleChange', from: 'member', to: 'administrator' } },
    ]);
  });

  it('read a role, and an access that came through an invitation', () => {
    expect(
      auditFacts({
        event: 'access.created',
        details: { team: TEAM, access: ACCESS, role: 'owner', via: 'invitation' },
      }).map((f) => [f.label, f.value]),
    ).toEqual([
      ['team', { kind: 'team', id: TEAM }],
      ['role', { kind: 'role', role: 'owner' }],
      ['via', { kind: 'words', keys: ['invitation'] }],
    ]);
  });

  it('read a login method and why a staff login was refused', () => {
    expect(
      auditFacts({
        event: 'login.failed',
        details: { method: 'password', reason: 'invalid_credentials' },
      }).map((f) => f.value),
    ).toEqual([
      { kind: 'words', keys: ['method_password'] },
      { kind: 'words', keys: ['invalid_credentials'] },
    ]);
  });

  it("name an organization's changed fields and what a merge moved", () => {
    expect(
      auditFacts({ event: 'organization.changed', details: { fields: ['domain_list', 'name'] } })[0]?.value,
    ).toEqual({ kind: 'words', keys: ['field_domain_list', 'field_name'] });
    expect(
      auditFacts({
        event: 'organization.merged',
        details: { from: TEAM, from_name: 'Mairie', users: 3, teams: 1 },
      }).map((f) => [f.label, f.value]),
    ).toEqual([
      ['mergedFrom', { kind: 'text', text: 'Mairie' }],
      ['usersMoved', { kind: 'number', value: 3 }],
      ['teamsMoved', { kind: 'number', value: 1 }],
    ]);
  });

  it('keep a detail Desk does not know, by its own name, after the known ones', () => {
    expect(
      auditFacts({ event: 'token.refused', details: { reason: 'expired', zeta: [1], alpha: 'x' } }),
    ).toEqual([
      { label: 'reason', name: 'reason', value: { kind: 'code', code: 'expired' } },
      { label: null, name: 'alpha', value: { kind: 'text', text: 'x' } },
      { label: null, name: 'zeta', value: { kind: 'code', code: '[1]' } },
    ]);
  });

  it('are none for an event without details', () => {
    expect(auditFacts({ event: 'logout', details: {} })).toEqual([]);
  });
});

describe("an event's catalog key", () => {
  it('has no dot, which i18next would read as nesting', () => {
    expect(eventKey('access.role_changed')).toBe('access_role_changed');
  });
});
