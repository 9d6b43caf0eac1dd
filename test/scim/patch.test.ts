// The SCIM PATCH engine: RFC 7644 §3.5.2's examples, what Entra ID and Okta send, and every error a client can get.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findAttribute } from '../../src/scim/attributes.ts';
import { parseFilter } from '../../src/scim/filter.ts';
import { applyPatch, matchesElement, type ScimDocument } from '../../src/scim/patch.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

function patch(...operations: unknown[]) {
  return { schemas: [PATCH_OP], Operations: operations };
}

function user(overrides: ScimDocument = {}): ScimDocument {
  const id = randomUUID();
  return {
    schemas: [USER_SCHEMA],
    id,
    externalId: randomUUID(),
    userName: `ann-${id}@example.fr`,
    name: { givenName: 'Ann', familyName: 'Lee', formatted: 'Ann Lee' },
    displayName: 'Ann Lee',
    emails: [{ value: `ann-${id}@example.fr`, type: 'work', primary: true }],
    active: true,
    meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z', lastModified: '2024-01-01T00:00:00Z' },
    ...overrides,
  };
}

function group(): ScimDocument {
  const id = randomUUID();
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    id,
    displayName: `Team ${id}`,
    meta: { resourceType: 'Group' },
  };
}

function errorOf(action: () => unknown): { status: number; scimType: string | undefined } {
  try {
    action();
  } catch (error) {
    const { statusCode, scimType } = error as { statusCode: number; scimType?: string };
    return { status: statusCode, scimType };
  }
  throw new Error('expected a SCIM error');
}

describe('the PatchOp message', () => {
  it('refuses a body that is not an object with invalidSyntax', () => {
    expect(errorOf(() => applyPatch('User', user(), 'replace'))).toEqual({
      status: 400,
      scimType: 'invalidSyntax',
    });
  });

  it('refuses a body without the PatchOp schema with invalidSyntax', () => {
    const body = { Operations: [{ op: 'replace', path: 'active', value: false }] };
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('invalidSyntax');
  });

  it('refuses a body without operations with invalidSyntax', () => {
    expect(errorOf(() => applyPatch('User', user(), { schemas: [PATCH_OP] })).scimType).toBe('invalidSyntax');
  });

  it('refuses an empty Operations list with invalidSyntax', () => {
    expect(errorOf(() => applyPatch('User', user(), patch())).scimType).toBe('invalidSyntax');
  });

  it('refuses an unknown op with invalidSyntax', () => {
    const body = patch({ op: 'move', path: 'active', value: false });
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('invalidSyntax');
  });

  it('refuses an add without value with invalidSyntax', () => {
    expect(
      errorOf(() => applyPatch('User', user(), patch({ op: 'add', path: 'displayName' }))).scimType,
    ).toBe('invalidSyntax');
  });

  it('reads the Operations key in any case', () => {
    const body = {
      schemas: [PATCH_OP],
      operations: [{ op: 'replace', path: 'displayName', value: 'Ann B' }],
    };
    expect(applyPatch('User', user(), body).document.displayName).toBe('Ann B');
  });

  it('reads op names in any case', () => {
    const body = patch({ op: 'Replace', path: 'displayName', value: 'Ann C' });
    expect(applyPatch('User', user(), body).document.displayName).toBe('Ann C');
  });

  it('leaves the current document untouched', () => {
    const current = user();
    applyPatch('User', current, patch({ op: 'replace', path: 'name.givenName', value: 'Bea' }));
    expect((current.name as Record<string, unknown>).givenName).toBe('Ann');
  });

  it('applies operations in order', () => {
    const body = patch(
      { op: 'replace', path: 'displayName', value: 'First' },
      { op: 'replace', path: 'displayName', value: 'Second' },
    );
    expect(applyPatch('User', user(), body).document.displayName).toBe('Second');
  });

  it('aborts the whole PATCH when one operation fails', () => {
    const body = patch(
      { op: 'replace', path: 'displayName', value: 'New' },
      { op: 'remove', path: 'userName' },
    );
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('mutability');
  });
});

describe('users', () => {
  it('deactivates with Entra ID\'s string "False"', () => {
    const body = patch({ op: 'Replace', path: 'active', value: 'False' });
    expect(applyPatch('User', user(), body).document.active).toBe(false);
  });

  it('reads "TRUE" in any case as true', () => {
    const body = patch({ op: 'replace', path: 'active', value: 'TRUE' });
    expect(applyPatch('User', user({ active: false }), body).document.active).toBe(true);
  });

  it('refuses any other value of active with invalidValue', () => {
    const body = patch({ op: 'replace', path: 'active', value: 'no' });
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('invalidValue');
  });

  it("deactivates with Okta's path-less replace", () => {
    const body = patch({ op: 'replace', value: { active: false } });
    expect(applyPatch('User', user(), body).document.active).toBe(false);
  });

  it("applies Entra ID's path-less replace with dotted keys", () => {
    const body = patch({ op: 'replace', value: { 'name.givenName': 'Bea', active: false } });
    const { document } = applyPatch('User', user(), body);
    expect(document.name).toEqual({ givenName: 'Bea', familyName: 'Lee', formatted: 'Ann Lee' });
    expect(document.active).toBe(false);
  });

  it('applies URN-prefixed keys of the core schema', () => {
    const body = patch({ op: 'replace', value: { [`${USER_SCHEMA}:userName`]: 'bea@example.fr' } });
    expect(applyPatch('User', user(), body).document.userName).toBe('bea@example.fr');
  });

  it('applies attributes nested under the core schema URN', () => {
    const body = patch({ op: 'replace', value: { [USER_SCHEMA]: { displayName: 'Nested' } } });
    expect(applyPatch('User', user(), body).document.displayName).toBe('Nested');
  });

  it('reads attribute names in any case', () => {
    const body = patch({ op: 'replace', path: 'NAME.FAMILYNAME', value: 'Kim' });
    expect((applyPatch('User', user(), body).document.name as Record<string, unknown>).familyName).toBe(
      'Kim',
    );
  });

  it('merges a complex value into the current one', () => {
    const body = patch({ op: 'replace', path: 'name', value: { familyName: 'Kim' } });
    expect(applyPatch('User', user(), body).document.name).toEqual({
      givenName: 'Ann',
      familyName: 'Kim',
      formatted: 'Ann Lee',
    });
  });

  it('adds a sub-attribute to a user without name', () => {
    const current = user();
    delete current.name;
    const body = patch({ op: 'add', path: 'name.givenName', value: 'Zoe' });
    expect(applyPatch('User', current, body).document.name).toEqual({ givenName: 'Zoe' });
  });

  it('removes an optional attribute', () => {
    const { document } = applyPatch('User', user(), patch({ op: 'remove', path: 'displayName' }));
    expect(document).not.toHaveProperty('displayName');
  });

  it('removes the last sub-attribute of name and with it name', () => {
    const current = user({ name: { givenName: 'Ann' } });
    const { document } = applyPatch('User', current, patch({ op: 'remove', path: 'name.givenName' }));
    expect(document).not.toHaveProperty('name');
  });

  it('ignores attributes Desk does not declare', () => {
    const current = user();
    const body = patch(
      { op: 'replace', path: 'title', value: 'Engineer' },
      { op: 'add', path: 'phoneNumbers[type eq "work"].value', value: '+33 1 23 45 67 89' },
      { op: 'replace', path: 'name.middleName', value: 'Q' },
    );
    expect(applyPatch('User', current, body).document).toEqual(current);
  });

  it('ignores enterprise extension attributes, by path or path-less', () => {
    const current = user();
    const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    const body = patch(
      { op: 'add', path: `${enterprise}:department`, value: 'Finance' },
      { op: 'replace', value: { [enterprise]: { department: 'Finance' }, [`${enterprise}:manager`]: 'x' } },
    );
    expect(applyPatch('User', current, body).document).toEqual(current);
  });

  it('ignores schemas sent in a path-less replace', () => {
    const current = user();
    const body = patch({ op: 'replace', value: { schemas: ['urn:x'], displayName: 'D' } });
    expect(applyPatch('User', current, body).document.schemas).toEqual([USER_SCHEMA]);
  });

  it('refuses a broken path with invalidPath', () => {
    const body = patch({ op: 'replace', path: 'emails[type eq "work"', value: 'x' });
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('invalidPath');
  });

  it('refuses a value filter on a single-valued attribute with invalidPath', () => {
    const body = patch({ op: 'replace', path: 'name[givenName eq "Ann"]', value: {} });
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('invalidPath');
  });

  it('refuses a sub-attribute of a simple attribute with invalidPath', () => {
    const body = patch({ op: 'replace', path: 'userName.value', value: 'x' });
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('invalidPath');
  });

  it('refuses a userName that is not a string with invalidValue', () => {
    const body = patch({ op: 'replace', path: 'userName', value: 42 });
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('invalidValue');
  });

  it('refuses an empty userName with invalidValue', () => {
    const body = patch({ op: 'replace', value: { userName: '' } });
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('invalidValue');
  });

  it('refuses emails that are not a list of objects with invalidValue', () => {
    const body = patch({ op: 'replace', path: 'emails', value: 'ann@example.fr' });
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('invalidValue');
  });

  it('refuses a path-less replace whose value is not an object with invalidValue', () => {
    const body = patch({ op: 'replace', value: 'x' });
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('invalidValue');
  });

  it('refuses removing userName with mutability', () => {
    expect(errorOf(() => applyPatch('User', user(), patch({ op: 'remove', path: 'userName' })))).toEqual({
      status: 400,
      scimType: 'mutability',
    });
  });

  it('refuses changing the id with mutability', () => {
    const body = patch({ op: 'replace', path: 'id', value: randomUUID() });
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('mutability');
  });

  it('refuses changing meta with mutability', () => {
    const body = patch({ op: 'replace', path: 'meta.lastModified', value: '2030-01-01T00:00:00Z' });
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('mutability');
  });

  it('refuses a remove without path with noTarget', () => {
    expect(errorOf(() => applyPatch('User', user(), patch({ op: 'remove' }))).scimType).toBe('noTarget');
  });
});

describe('emails', () => {
  it('replaces the work email by emails[type eq "work"].value (RFC 7644 §3.5.2.3, Entra ID)', () => {
    const body = patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.fr' });
    expect(applyPatch('User', user(), body).document.emails).toEqual([
      { value: 'new@example.fr', type: 'work', primary: true },
    ]);
  });

  it('matches the type filter in any case', () => {
    const body = patch({ op: 'replace', path: 'emails[TYPE eq "WORK"].value', value: 'new@example.fr' });
    expect((applyPatch('User', user(), body).document.emails as unknown[]).length).toBe(1);
  });

  it('adds a work email when a user has none and Entra ID replaces emails[type eq "work"].value', () => {
    const current = user({ emails: [{ value: 'home@example.fr', type: 'home' }] });
    const body = patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'work@example.fr' });
    expect(applyPatch('User', current, body).document.emails).toEqual([
      { value: 'home@example.fr', type: 'home' },
      { type: 'work', value: 'work@example.fr' },
    ]);
  });

  it('refuses a replace whose non-equality filter matches nothing with noTarget', () => {
    const body = patch({ op: 'replace', path: 'emails[value co "@nowhere"].type', value: 'home' });
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('noTarget');
  });

  it('replaces the matching element wholly, keeping what the filter says of it', () => {
    const body = patch({ op: 'replace', path: 'emails[type eq "work"]', value: { value: 'w@example.fr' } });
    expect(applyPatch('User', user(), body).document.emails).toEqual([
      { type: 'work', value: 'w@example.fr' },
    ]);
  });

  it('replaces all emails without a filter', () => {
    const body = patch({
      op: 'replace',
      path: 'emails',
      value: [{ value: 'only@example.fr', type: 'other' }],
    });
    expect(applyPatch('User', user(), body).document.emails).toEqual([
      { value: 'only@example.fr', type: 'other' },
    ]);
  });

  it('adds an email to the list', () => {
    const current = user();
    const body = patch({ op: 'add', path: 'emails', value: [{ value: 'home@example.fr', type: 'home' }] });
    expect(applyPatch('User', current, body).document.emails).toEqual([
      ...(current.emails as unknown[]),
      { value: 'home@example.fr', type: 'home' },
    ]);
  });

  it('does not add an email that is already there', () => {
    const current = user();
    const [first] = current.emails as Record<string, unknown>[];
    const body = patch({
      op: 'add',
      path: 'emails',
      value: [{ value: String(first?.value).toUpperCase(), type: 'work' }],
    });
    expect((applyPatch('User', current, body).document.emails as unknown[]).length).toBe(1);
  });

  it('moves primary to the email that a PATCH makes primary', () => {
    const body = patch({
      op: 'add',
      path: 'emails',
      value: [{ value: 'p@example.fr', type: 'home', primary: 'True' }],
    });
    const emails = applyPatch('User', user(), body).document.emails as Record<string, unknown>[];
    expect(emails.map((email) => email.primary)).toEqual([false, true]);
  });

  it('refuses two primary emails with invalidValue', () => {
    const body = patch({
      op: 'replace',
      path: 'emails',
      value: [
        { value: 'a@example.fr', primary: true },
        { value: 'b@example.fr', primary: true },
      ],
    });
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('invalidValue');
  });

  it('removes the emails a filter matches', () => {
    const current = user({
      emails: [
        { value: 'h@example.fr', type: 'home' },
        { value: 'w@example.fr', type: 'work' },
      ],
    });
    const body = patch({ op: 'remove', path: 'emails[type eq "home"]' });
    expect(applyPatch('User', current, body).document.emails).toEqual([
      { value: 'w@example.fr', type: 'work' },
    ]);
  });

  it('refuses a remove whose filter matches nothing with noTarget', () => {
    const body = patch({ op: 'remove', path: 'emails[type eq "home"]' });
    expect(errorOf(() => applyPatch('User', user(), body)).scimType).toBe('noTarget');
  });

  it('removes all emails without a filter', () => {
    const { document } = applyPatch('User', user(), patch({ op: 'remove', path: 'emails' }));
    expect(document).not.toHaveProperty('emails');
  });
});

describe('groups', () => {
  it('renames with a replace of displayName', () => {
    const body = patch({ op: 'replace', path: 'displayName', value: 'Renamed' });
    const plan = applyPatch('Group', group(), body);
    expect(plan).toEqual({ document: expect.objectContaining({ displayName: 'Renamed' }) });
  });

  it("renames with Okta's path-less replace carrying the same id", () => {
    const current = group();
    const body = patch({ op: 'replace', value: { id: current.id, displayName: 'Okta name' } });
    expect(applyPatch('Group', current, body).document).toEqual({ ...current, displayName: 'Okta name' });
  });

  it('refuses a path-less replace with another id with mutability', () => {
    const body = patch({ op: 'replace', value: { id: randomUUID(), displayName: 'x' } });
    expect(errorOf(() => applyPatch('Group', group(), body)).scimType).toBe('mutability');
  });

  it('refuses removing displayName with mutability', () => {
    expect(
      errorOf(() => applyPatch('Group', group(), patch({ op: 'remove', path: 'displayName' }))).scimType,
    ).toBe('mutability');
  });

  it('adds members (RFC 7644 §3.5.2.1, Entra ID) without touching the document', () => {
    const current = group();
    const [a, b] = [randomUUID(), randomUUID()];
    const body = patch({ op: 'Add', path: 'members', value: [{ value: a }, { value: b, display: 'B' }] });
    expect(applyPatch('Group', current, body)).toEqual({
      document: current,
      members: { add: [a, b], remove: [] },
    });
  });

  it('keeps member ids in order without duplicates', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const body = patch(
      { op: 'add', path: 'members', value: [{ value: a }, { value: b }, { value: a }] },
      { op: 'add', path: 'members', value: [{ value: b }] },
    );
    expect(applyPatch('Group', group(), body).members).toEqual({ add: [a, b], remove: [] });
  });

  it('removes a member by members[value eq "…"] (RFC 7644 §3.5.2.2, Okta)', () => {
    const id = randomUUID();
    const body = patch({ op: 'remove', path: `members[value eq "${id}"]` });
    expect(applyPatch('Group', group(), body).members).toEqual({ add: [], remove: [id] });
  });

  it('removes members by members[value eq … or value eq …]', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const body = patch({ op: 'remove', path: `members[value eq "${a}" or value eq "${b}"]` });
    expect(applyPatch('Group', group(), body).members).toEqual({ add: [], remove: [a, b] });
  });

  it('refuses a member filter on anything but value with invalidFilter', () => {
    const body = patch({ op: 'remove', path: 'members[display eq "Ann"]' });
    expect(errorOf(() => applyPatch('Group', group(), body)).scimType).toBe('invalidFilter');
  });

  it("removes the members listed in a remove's value (Entra ID)", () => {
    const id = randomUUID();
    const body = patch({ op: 'Remove', path: 'members', value: [{ value: id }] });
    expect(applyPatch('Group', group(), body).members).toEqual({ add: [], remove: [id] });
  });

  it('removes all members with a remove of members without value (RFC 7644 §3.5.2.2)', () => {
    const body = patch({ op: 'remove', path: 'members' });
    expect(applyPatch('Group', group(), body).members).toEqual({ add: [], remove: [], removeAll: true });
  });

  it('adds after removing all', () => {
    const id = randomUUID();
    const body = patch(
      { op: 'remove', path: 'members' },
      { op: 'add', path: 'members', value: [{ value: id }] },
    );
    expect(applyPatch('Group', group(), body).members).toEqual({ add: [id], remove: [], removeAll: true });
  });

  it('replaces members with a list (RFC 7644 §3.5.2.3)', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const body = patch({ op: 'replace', path: 'members', value: [{ value: a }, { value: b }] });
    expect(applyPatch('Group', group(), body).members).toEqual({ replace: [a, b], add: [], remove: [] });
  });

  it('replaces members with a path-less replace', () => {
    const id = randomUUID();
    const body = patch({ op: 'replace', value: { members: [{ value: id }] } });
    expect(applyPatch('Group', group(), body).members).toEqual({ replace: [id], add: [], remove: [] });
  });

  it('cancels the addition of a member removed later in the same PATCH', () => {
    const id = randomUUID();
    const body = patch(
      { op: 'add', path: 'members', value: [{ value: id }] },
      { op: 'remove', path: `members[value eq "${id}"]` },
    );
    expect(applyPatch('Group', group(), body).members).toEqual({ add: [], remove: [id] });
  });

  it('refuses members that are not a list of {value} with invalidValue', () => {
    const body = patch({ op: 'add', path: 'members', value: [{ display: 'no value' }] });
    expect(errorOf(() => applyPatch('Group', group(), body)).scimType).toBe('invalidValue');
  });

  it('refuses a nested group as a member with invalidValue', () => {
    const body = patch({ op: 'add', path: 'members', value: [{ value: randomUUID(), type: 'Group' }] });
    expect(errorOf(() => applyPatch('Group', group(), body)).scimType).toBe('invalidValue');
  });
});

describe('value filters on elements', () => {
  const email = { value: 'Ann@Example.fr', type: 'work', primary: true };

  it('compares strings case-insensitively', () => {
    expect(matchesElement(parseFilter('value eq "ann@example.fr"'), email)).toBe(true);
  });

  it('compares case-exact attributes exactly', () => {
    const members = findAttribute('Group', 'members');
    expect(matchesElement(parseFilter('value eq "abc"'), { value: 'AbC' }, members)).toBe(false);
  });

  it.each([
    ['value co "example"', true],
    ['value sw "ann@"', true],
    ['value ew ".FR"', true],
    ['value ne "x@example.fr"', true],
    ['value gt "a"', true],
    ['value ge "ann@example.fr"', true],
    ['value lt "b"', true],
    ['value le "a"', false],
    ['primary eq true', true],
    ['display pr', false],
    ['type pr', true],
    ['not (type eq "home")', true],
    ['type eq "home" or primary eq true', true],
    ['type eq "work" and primary eq false', false],
  ])('evaluates %s', (filter, expected) => {
    expect(matchesElement(parseFilter(filter), email)).toBe(expected);
  });

  it('refuses ordering a boolean with invalidFilter', () => {
    expect(errorOf(() => matchesElement(parseFilter('primary gt true'), email)).scimType).toBe(
      'invalidFilter',
    );
  });

  it('evaluates a value path on a whole document', () => {
    expect(
      matchesElement(parseFilter('emails[type eq "work" and value co "ann"]'), { emails: [email] }),
    ).toBe(true);
  });
});
