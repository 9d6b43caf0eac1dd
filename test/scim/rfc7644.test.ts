// RFC 7644's examples played over HTTP, on the attributes Desk declares: create, read, filters, paging, projection,
// search, PUT, PATCH, DELETE, the error format, discovery — and a client that PATCHes every declared attribute.
import { describe, expect, it } from 'vitest';
import { useDesk } from '../support/desk.ts';
import { scimClientOf, type TestScimClient } from '../support/scim.ts';

const t = useDesk();

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

const q = (filter: string) => encodeURIComponent(filter);
const tag = () => crypto.randomUUID().slice(0, 8);
const email = (domain = 'example.com') => `${crypto.randomUUID()}@${domain}`;

/** RFC 7644 §3.3's example user, with a unique address. */
function bjensen(userName = 'bjensen', address = email()) {
  return {
    schemas: [USER],
    userName,
    externalId: userName,
    name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
    emails: [{ value: address, type: 'work', primary: true }],
  };
}

async function createUser(client: TestScimClient, body: Record<string, unknown>) {
  const res = await client.call('POST', '/Users', body);
  expect(res.status).toBe(201);
  return res.body as { id: string; userName: string; meta: { location: string } };
}

async function createGroup(
  client: TestScimClient,
  members: string[] = [],
  displayName = `Tour Guides ${tag()}`,
) {
  const res = await client.call('POST', '/Groups', {
    schemas: [GROUP],
    displayName,
    members: members.map((value) => ({ value })),
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; displayName: string };
}

const patch = (client: TestScimClient, path: string, ...Operations: unknown[]) =>
  client.call('PATCH', path, { schemas: [PATCH_OP], Operations });

const ids = (list: { Resources: { id: string }[] }) => list.Resources.map((r) => r.id).sort();
const memberIds = (group: { members?: { value: string }[] }) =>
  (group.members ?? []).map((m) => m.value).sort();

function expectError(res: { status: number; body: unknown }, status: number, scimType?: string) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({
    schemas: [ERROR],
    status: String(status),
    ...(scimType ? { scimType } : {}),
  });
  expect(typeof (res.body as { detail?: unknown }).detail).toBe('string');
}

describe('RFC 7644 §3.3 creating resources', () => {
  it('answers 201 with a Location equal to meta.location', async () => {
    const client = await scimClientOf(t);
    const res = await client.call('POST', '/Users', bjensen());
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(res.headers.get('location')).toBe(res.body.meta.location);
    expect(res.body.meta).toMatchObject({ resourceType: 'User' });
    expect(res.body.meta.created).toBe(res.body.meta.lastModified);
    // An ETag is optional (etag is not supported in ServiceProviderConfig); when sent it is the version.
    const etag = res.headers.get('etag');
    if (etag) expect(etag).toBe(res.body.meta.version);
  });

  it('accepts a body sent as application/json', async () => {
    const client = await scimClientOf(t);
    const res = await client.call('POST', '/Users', bjensen(), { 'content-type': 'application/json' });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  });
});

describe('RFC 7644 §3.4.1 retrieving a known resource', () => {
  it('returns the user by id', async () => {
    const client = await scimClientOf(t);
    const created = await createUser(client, bjensen());
    const res = await client.call('GET', `/Users/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ schemas: [USER], id: created.id, userName: 'bjensen' });
    expect(res.body.meta.location).toBe(created.meta.location);
  });
});

describe('RFC 7644 §3.4.2.2 filtering', () => {
  it('finds a userName with an operator in any case (userName Eq "john")', async () => {
    const client = await scimClientOf(t);
    const john = await createUser(client, bjensen('john'));
    await createUser(client, bjensen('johnny'));
    const res = await client.call('GET', `/Users?filter=${q('userName Eq "john"')}`);
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([john.id]);
  });

  it('refuses a presence test on an attribute Desk does not declare (title pr) as invalidFilter', async () => {
    // RFC 7644 §3.12: invalidFilter covers "the specified attribute and filter comparison combination is not
    // supported"; Desk stores no title, so it says so rather than silently answering nothing.
    const client = await scimClientOf(t);
    expectError(await client.call('GET', `/Users?filter=${q('title pr')}`), 400, 'invalidFilter');
  });

  it('finds users modified after a date (meta.lastModified gt)', async () => {
    const client = await scimClientOf(t);
    const user = await createUser(client, bjensen());
    const after = await client.call(
      'GET',
      `/Users?filter=${q('meta.lastModified gt "2011-05-13T04:42:34Z"')}`,
    );
    expect(ids(after.body)).toEqual([user.id]);
    const future = await client.call(
      'GET',
      `/Users?filter=${q('meta.lastModified gt "2999-01-01T00:00:00Z"')}`,
    );
    expect(future.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('finds users by a value filter on emails (type eq "work" and value co)', async () => {
    const client = await scimClientOf(t);
    const domain = `${tag()}.example.com`;
    const work = await createUser(client, bjensen('work', email(domain)));
    await createUser(client, {
      ...bjensen('home'),
      emails: [{ value: email(domain), type: 'home' }],
    });
    const res = await client.call(
      'GET',
      `/Users?filter=${q(`emails[type eq "work" and value co "@${domain}"]`)}`,
    );
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([work.id]);
  });

  it('combines and, or, not and parentheses', async () => {
    const client = await scimClientOf(t);
    const a = await createUser(client, bjensen('alice'));
    await createUser(client, { ...bjensen('bob'), active: false });
    await createUser(client, bjensen('carol'));
    const res = await client.call(
      'GET',
      `/Users?filter=${q('(userName eq "alice" or userName eq "bob") and not (active eq false)')}`,
    );
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([a.id]);
  });

  it('compares externalId case-exactly and userName case-insensitively (RFC 7643 §3.1, §4.1.1)', async () => {
    const client = await scimClientOf(t);
    const user = await createUser(client, { ...bjensen('MixedCase'), externalId: 'Ext-1' });
    const found = (filter: string) =>
      client.call('GET', `/Users?filter=${q(filter)}`).then((r) => ids(r.body));
    expect(await found('externalId eq "Ext-1"')).toEqual([user.id]);
    expect(await found('externalId eq "ext-1"')).toEqual([]);
    expect(await found('userName eq "mixedcase"')).toEqual([user.id]);
  });

  it('refuses a filter that does not parse as invalidFilter', async () => {
    const client = await scimClientOf(t);
    expectError(await client.call('GET', `/Users?filter=${q('userName zz "x"')}`), 400, 'invalidFilter');
  });
});

describe('RFC 7644 §3.4.2.4 paging', () => {
  it('pages with a 1-based startIndex and count, and count=0 gives only the total', async () => {
    const client = await scimClientOf(t);
    for (const name of ['p1', 'p2', 'p3']) await createUser(client, bjensen(name));
    const page = await client.call('GET', '/Users?startIndex=2&count=1');
    expect(page.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(page.body.Resources).toHaveLength(1);
    const none = await client.call('GET', '/Users?count=0');
    expect(none.body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
    const past = await client.call('GET', '/Users?startIndex=10');
    expect(past.body).toMatchObject({ totalResults: 3, startIndex: 10, itemsPerPage: 0, Resources: [] });
  });
});

describe('RFC 7644 §3.4.2.5 attributes', () => {
  it('returns only the attributes asked for, and always id', async () => {
    const client = await scimClientOf(t);
    const user = await createUser(client, bjensen());
    const res = await client.call('GET', `/Users/${user.id}?attributes=userName,name.givenName`);
    expect(res.body).toMatchObject({ id: user.id, userName: 'bjensen', name: { givenName: 'Barbara' } });
    expect(res.body).not.toHaveProperty('emails');
    expect(res.body.name).not.toHaveProperty('familyName');
  });

  it('leaves out excludedAttributes', async () => {
    const client = await scimClientOf(t);
    const user = await createUser(client, bjensen());
    const res = await client.call('GET', `/Users?excludedAttributes=emails,name`);
    expect(res.body.Resources[0]).toMatchObject({ id: user.id, userName: 'bjensen' });
    expect(res.body.Resources[0]).not.toHaveProperty('emails');
    expect(res.body.Resources[0]).not.toHaveProperty('name');
  });
});

describe('RFC 7644 §3.4.3 querying with POST', () => {
  it('searches users with a SearchRequest', async () => {
    const client = await scimClientOf(t);
    const user = await createUser(client, bjensen('searched'));
    await createUser(client, bjensen('other'));
    const res = await client.call('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      attributes: ['userName', 'displayName'],
      filter: 'userName sw "sea"',
      startIndex: 1,
      count: 10,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(res.body.Resources[0]).toEqual(expect.objectContaining({ id: user.id, userName: 'searched' }));
    expect(res.body.Resources[0]).not.toHaveProperty('emails');
  });

  it('searches groups with a SearchRequest', async () => {
    const client = await scimClientOf(t);
    const group = await createGroup(client);
    const res = await client.call('POST', '/Groups/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: `displayName eq "${group.displayName}"`,
    });
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([group.id]);
  });
});

describe('RFC 7644 §3.5.1 replacing with PUT', () => {
  it('replaces the user, clearing what is left out', async () => {
    const client = await scimClientOf(t);
    const user = await createUser(client, { ...bjensen(), displayName: 'Babs' });
    const address = email();
    const res = await client.call('PUT', `/Users/${user.id}`, {
      schemas: [USER],
      id: user.id,
      userName: 'bjensen',
      externalId: 'bjensen',
      name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
      emails: [{ value: address, type: 'work', primary: true }],
    });
    expect(res.status).toBe(200);
    expect(res.body.emails).toEqual([{ value: address, type: 'work', primary: true }]);
    expect(res.body).not.toHaveProperty('displayName');
  });

  it('replaces a group with its new member list', async () => {
    const client = await scimClientOf(t);
    const [a, b] = [await createUser(client, bjensen('a')), await createUser(client, bjensen('b'))];
    const group = await createGroup(client, [a.id]);
    const res = await client.call('PUT', `/Groups/${group.id}`, {
      schemas: [GROUP],
      displayName: 'Tour Guides',
      members: [{ value: b.id }],
    });
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe('Tour Guides');
    expect(memberIds(res.body)).toEqual([b.id]);
  });
});

describe('RFC 7644 §3.5.2 modifying with PATCH', () => {
  it('adds a member (§3.5.2.1)', async () => {
    const client = await scimClientOf(t);
    const user = await createUser(client, bjensen());
    const group = await createGroup(client);
    const res = await patch(client, `/Groups/${group.id}`, {
      op: 'add',
      path: 'members',
      value: [{ display: 'Babs Jensen', $ref: user.meta.location, value: user.id }],
    });
    expect(res.status).toBe(200);
    expect(memberIds(res.body)).toEqual([user.id]);
  });

  it('removes one member by a value filter (§3.5.2.2)', async () => {
    const client = await scimClientOf(t);
    const [a, b] = [await createUser(client, bjensen('a')), await createUser(client, bjensen('b'))];
    const group = await createGroup(client, [a.id, b.id]);
    const res = await patch(client, `/Groups/${group.id}`, {
      op: 'remove',
      path: `members[value eq "${a.id}"]`,
    });
    expect(res.status).toBe(200);
    expect(memberIds(res.body)).toEqual([b.id]);
  });

  it('removes all members (§3.5.2.2)', async () => {
    const client = await scimClientOf(t);
    const [a, b] = [await createUser(client, bjensen('a')), await createUser(client, bjensen('b'))];
    const group = await createGroup(client, [a.id, b.id]);
    const res = await patch(client, `/Groups/${group.id}`, { op: 'remove', path: 'members' });
    expect(res.status).toBe(200);
    expect(memberIds(res.body)).toEqual([]);
  });

  it('replaces all members (§3.5.2.3)', async () => {
    const client = await scimClientOf(t);
    const [a, b] = [await createUser(client, bjensen('a')), await createUser(client, bjensen('b'))];
    const group = await createGroup(client, [a.id]);
    const res = await patch(client, `/Groups/${group.id}`, {
      op: 'replace',
      path: 'members',
      value: [{ display: 'b', $ref: b.meta.location, value: b.id }],
    });
    expect(res.status).toBe(200);
    expect(memberIds(res.body)).toEqual([b.id]);
  });

  it('replaces the work email through a value filter (§3.5.2.3)', async () => {
    const client = await scimClientOf(t);
    const user = await createUser(client, bjensen());
    const address = email();
    const res = await patch(client, `/Users/${user.id}`, {
      op: 'replace',
      path: 'emails[type eq "work"]',
      value: { type: 'work', value: address, primary: true },
    });
    expect(res.status).toBe(200);
    expect(res.body.emails).toEqual([{ type: 'work', value: address, primary: true }]);
  });

  it('answers noTarget when a value filter matches nothing (§3.5.2.2)', async () => {
    const client = await scimClientOf(t);
    const user = await createUser(client, bjensen());
    const res = await patch(client, `/Users/${user.id}`, { op: 'remove', path: 'emails[type eq "home"]' });
    expectError(res, 400, 'noTarget');
  });

  it('answers mutability when a PATCH changes the id (§3.5.2)', async () => {
    const client = await scimClientOf(t);
    const user = await createUser(client, bjensen());
    const res = await patch(client, `/Users/${user.id}`, {
      op: 'replace',
      path: 'id',
      value: crypto.randomUUID(),
    });
    expectError(res, 400, 'mutability');
  });

  it('accepts a PatchOp sent as application/json', async () => {
    const client = await scimClientOf(t);
    const user = await createUser(client, bjensen());
    const res = await client.call(
      'PATCH',
      `/Users/${user.id}`,
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Babs' }] },
      { 'content-type': 'application/json' },
    );
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe('Babs');
  });
});

describe('RFC 7644 §3.6 deleting', () => {
  it('deletes a user: 204, then 404 on every read', async () => {
    const client = await scimClientOf(t);
    const user = await createUser(client, bjensen());
    const res = await client.call('DELETE', `/Users/${user.id}`);
    expect(res.status).toBe(204);
    expectError(await client.call('GET', `/Users/${user.id}`), 404);
    expectError(await client.call('DELETE', `/Users/${user.id}`), 404);
    expect((await client.call('GET', '/Users')).body.totalResults).toBe(0);
  });
});

describe('RFC 7644 §3.12 errors', () => {
  it('answers invalidSyntax to a body that is not JSON', async () => {
    const client = await scimClientOf(t);
    expectError(await client.call('POST', '/Users', '{"schemas": [', {}), 400, 'invalidSyntax');
  });

  it('answers invalidValue to a user without userName', async () => {
    const client = await scimClientOf(t);
    const { userName: _, ...body } = bjensen();
    expectError(await client.call('POST', '/Users', body), 400, 'invalidValue');
  });

  it('answers uniqueness to a second POST of the same userName', async () => {
    const client = await scimClientOf(t);
    await createUser(client, bjensen('twice'));
    expectError(await client.call('POST', '/Users', bjensen('twice')), 409, 'uniqueness');
  });

  it('answers uniqueness to a userName differing only in case', async () => {
    const client = await scimClientOf(t);
    await createUser(client, bjensen('CaseUser'));
    expectError(await client.call('POST', '/Users', bjensen('caseuser')), 409, 'uniqueness');
  });
});

describe('RFC 7644 §4 discovery', () => {
  it('says PATCH and filters are supported and bulk is not', async () => {
    const client = await scimClientOf(t);
    const res = await client.call('GET', '/ServiceProviderConfig');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true },
    });
    expect(Number.isInteger(res.body.filter.maxResults)).toBe(true);
  });

  it('answers 501 Not Implemented to a Bulk request (RFC 7644 §3.7)', async () => {
    const client = await scimClientOf(t);
    const res = await client.call('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [],
    });
    expect(res.status).toBe(501);
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '501',
    });
  });

  it('lists the User and Group resource types', async () => {
    const client = await scimClientOf(t);
    const res = await client.call('GET', '/ResourceTypes');
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(2);
    expect(res.body.Resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'User', endpoint: '/Users', schema: USER }),
        expect.objectContaining({ id: 'Group', endpoint: '/Groups', schema: GROUP }),
      ]),
    );
  });

  it('lists the schemas and serves each by its URN', async () => {
    const client = await scimClientOf(t);
    const res = await client.call('GET', '/Schemas');
    expect(res.status).toBe(200);
    expect(res.body.Resources.map((s: { id: string }) => s.id).sort()).toEqual([GROUP, USER]);
    const user = await client.call('GET', `/Schemas/${USER}`);
    expect(user.status).toBe(200);
    expect(user.body.id).toBe(USER);
    expect(user.body.attributes.map((a: { name: string }) => a.name)).toContain('userName');
    expectError(await client.call('GET', '/Schemas/urn:example:unknown'), 404);
  });
});

interface SchemaAttribute {
  name: string;
  type: string;
  multiValued: boolean;
  mutability: string;
  subAttributes?: SchemaAttribute[];
}

const writable = (a: SchemaAttribute) => a.mutability === 'readWrite' || a.mutability === 'writeOnly';

describe('a client that PATCHes every declared attribute', () => {
  it('succeeds for every writable attribute and sub-attribute of User and Group', async () => {
    const client = await scimClientOf(t);
    const schemas = (await client.call('GET', '/Schemas')).body.Resources as {
      id: string;
      attributes: SchemaAttribute[];
    }[];
    const user = await createUser(client, bjensen());
    const member = await createUser(client, bjensen('member'));
    const group = await createGroup(client);
    const targets = { [USER]: `/Users/${user.id}`, [GROUP]: `/Groups/${group.id}` };

    /** A sensible value for an attribute, by what it is. */
    const sensibleValue = (attribute: SchemaAttribute, parent?: SchemaAttribute): unknown => {
      const name = parent ? `${parent.name}.${attribute.name}` : attribute.name;
      if (name === 'userName') return `renamed-${tag()}`;
      if (name === 'emails.value') return email();
      if (name === 'emails.type') return 'work';
      if (name === 'members.value') return member.id;
      if (name === 'members.type') return 'User';
      if (name === 'members.$ref') return member.meta.location;
      if (attribute.type === 'boolean') return true;
      if (attribute.type === 'complex') {
        const item: Record<string, unknown> = {};
        for (const sub of attribute.subAttributes ?? [])
          if (sub.mutability !== 'readOnly') item[sub.name] = sensibleValue(sub, attribute);
        return attribute.multiValued ? [item] : item;
      }
      return `${attribute.name} ${tag()}`;
    };

    const failures: string[] = [];
    for (const schema of schemas) {
      const path = targets[schema.id as keyof typeof targets];
      if (!path) continue;
      for (const attribute of schema.attributes.filter(writable)) {
        const operations: { op: string; path: string; value: unknown }[] = [
          { op: 'replace', path: attribute.name, value: sensibleValue(attribute) },
        ];
        // Sub-attributes: of the one value (name.givenName), or of the values a filter selects (emails[…].value).
        const selector = attribute.name === 'members' ? `[value eq "${member.id}"]` : '[type eq "work"]';
        if (attribute.type === 'complex')
          for (const sub of (attribute.subAttributes ?? []).filter(writable))
            operations.push({
              op: 'replace',
              path: `${attribute.name}${attribute.multiValued ? selector : ''}.${sub.name}`,
              value: sensibleValue(sub, attribute),
            });
        for (const operation of operations) {
          const res = await patch(client, path, operation);
          if (res.status !== 200)
            failures.push(`${schema.id} ${operation.path}: ${res.status} ${res.body?.detail}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
