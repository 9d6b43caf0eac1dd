// `attributes` and `excludedAttributes` on SCIM reads (RFC 7644 §3.4.2.5, §3.9).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseAttributeList, project, wants } from '../../src/scim/projection.ts';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

function user() {
  const id = randomUUID();
  return {
    schemas: [USER_SCHEMA],
    id,
    externalId: randomUUID(),
    userName: `ann-${id}@example.fr`,
    name: { givenName: 'Ann', familyName: 'Lee' },
    displayName: 'Ann Lee',
    emails: [
      { value: `ann-${id}@example.fr`, type: 'work', primary: true },
      { value: `home-${id}@example.fr`, type: 'home' },
    ],
    active: true,
    meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z', lastModified: '2024-01-02T00:00:00Z' },
  };
}

function group() {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    id: randomUUID(),
    displayName: 'Team',
    members: [{ value: randomUUID(), display: 'Ann', type: 'User' }],
    meta: { resourceType: 'Group' },
  };
}

describe('project', () => {
  it('returns the whole document without parameters', () => {
    const document = user();
    expect(project(document, {}, 'User')).toEqual(document);
  });

  it('returns id, schemas and the listed attributes only', () => {
    const document = user();
    expect(project(document, { attributes: 'userName' }, 'User')).toEqual({
      schemas: document.schemas,
      id: document.id,
      userName: document.userName,
    });
  });

  it('reads listed names in any case and with spaces', () => {
    const document = user();
    expect(Object.keys(project(document, { attributes: ' USERNAME , Active' }, 'User'))).toEqual([
      'schemas',
      'id',
      'userName',
      'active',
    ]);
  });

  it('returns only the listed sub-attributes of a complex attribute', () => {
    expect(project(user(), { attributes: 'name.givenName' }, 'User').name).toEqual({ givenName: 'Ann' });
  });

  it('returns only the listed sub-attributes of each email', () => {
    const document = user();
    expect(project(document, { attributes: 'emails.value' }, 'User').emails).toEqual(
      document.emails.map((email) => ({ value: email.value })),
    );
  });

  it('reads URN-prefixed names of the core schema', () => {
    const document = user();
    expect(project(document, { attributes: `${USER_SCHEMA}:name.familyName` }, 'User').name).toEqual({
      familyName: 'Lee',
    });
  });

  it('drops meta unless it is listed', () => {
    expect(project(user(), { attributes: 'userName' }, 'User')).not.toHaveProperty('meta');
  });

  it('returns meta.resourceType when listed', () => {
    expect(project(user(), { attributes: 'meta.resourceType' }, 'User').meta).toEqual({
      resourceType: 'User',
    });
  });

  it('ignores names Desk does not declare', () => {
    const document = user();
    expect(
      project(
        document,
        { attributes: 'title,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department' },
        'User',
      ),
    ).toEqual({
      schemas: document.schemas,
      id: document.id,
    });
  });

  it('returns everything for the bare core schema URN', () => {
    const document = user();
    expect(project(document, { attributes: USER_SCHEMA }, 'User')).toEqual(document);
  });

  it('drops excluded attributes', () => {
    const document = group();
    const { members: _members, ...rest } = document;
    expect(project(document, { excludedAttributes: 'members' }, 'Group')).toEqual(rest);
  });

  it('never excludes id or schemas', () => {
    const document = user();
    const projected = project(document, { excludedAttributes: 'id,schemas' }, 'User');
    expect([projected.id, projected.schemas]).toEqual([document.id, document.schemas]);
  });

  it('drops an excluded sub-attribute of each element', () => {
    const document = group();
    expect(project(document, { excludedAttributes: 'members.display' }, 'Group').members).toEqual(
      document.members.map(({ value, type }) => ({ value, type })),
    );
  });

  it('applies excludedAttributes after attributes', () => {
    const document = user();
    expect(
      project(document, { attributes: 'userName,active', excludedAttributes: 'active' }, 'User'),
    ).toEqual({
      schemas: document.schemas,
      id: document.id,
      userName: document.userName,
    });
  });

  it('does not change the document it projects', () => {
    const document = group();
    project(document, { excludedAttributes: 'members' }, 'Group');
    expect(document).toHaveProperty('members');
  });
});

describe('wants', () => {
  it('skips members when Entra ID excludes them', () => {
    expect(wants({ excludedAttributes: 'members' }, 'Group', 'members')).toBe(false);
  });

  it('wants members by default', () => {
    expect(wants({}, 'Group', 'members')).toBe(true);
  });

  it('skips members when other attributes are listed', () => {
    expect(wants({ attributes: 'displayName' }, 'Group', 'members')).toBe(false);
  });

  it('wants members when one of their sub-attributes is listed', () => {
    expect(wants({ attributes: 'members.value' }, 'Group', 'members')).toBe(true);
  });

  it('wants id whatever is excluded', () => {
    expect(wants({ excludedAttributes: 'id' }, 'Group', 'id')).toBe(true);
  });
});

describe('parseAttributeList', () => {
  it('gives declared names in their declared spelling', () => {
    expect(parseAttributeList('USERNAME,name.GIVENNAME,,emails[type eq "work"],nope', 'User')).toEqual([
      { attribute: 'userName' },
      { attribute: 'name', subAttribute: 'givenName' },
    ]);
  });
});
