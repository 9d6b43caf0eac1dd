// SCIM errors (RFC 7644 §3.12, DESIGN.md §9): whatever a client or an attacker sends under /scim/v2/, the answer is a
// SCIM error document in application/scim+json with the status as a string — never a 500, never Fastify's own JSON.
import { request as httpRequest } from 'node:http';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { scimUsers } from '../../src/scim/index.ts';
import { users } from '../../src/users/index.ts';
import { useDesk } from '../support/desk.ts';
import { uniqueEmail } from '../support/parts.ts';
import { type ScimAnswer, scimCall, scimClientOf, type TestScimClient } from '../support/scim.ts';

const t = useDesk();

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const tag = () => crypto.randomUUID().slice(0, 8);

function expectScimError(res: ScimAnswer, status: number, scimType?: string) {
  expect({ status: res.status, type: res.headers.get('content-type'), schemas: res.body?.schemas }).toEqual({
    status,
    type: 'application/scim+json; charset=utf-8',
    schemas: [ERROR],
  });
  expect(res.body.status).toBe(String(status));
  expect(typeof res.body.detail).toBe('string');
  if (scimType) expect(res.body.scimType).toBe(scimType);
}

/** A request sent with its path exactly as written: fetch() would resolve `..` and `%2e%2e` before sending. */
function rawCall(
  path: string,
  token: string,
  method = 'GET',
  body?: string,
  contentType = 'application/scim+json',
): Promise<ScimAnswer> {
  const url = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': contentType } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve({ status: res.statusCode ?? 0, headers, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function provision(client: TestScimClient, userName = `ann.${tag()}`) {
  const res = await client.call('POST', '/Users', {
    schemas: [USER],
    userName,
    emails: [{ value: uniqueEmail('err'), primary: true }],
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; userName: string };
}

describe('authentication failures are SCIM 401s', () => {
  it('without Authorization', async () => {
    const res = await scimCall(t.url, null, 'GET', '/Users');
    expectScimError(res, 401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="scim"');
  });

  it('with a well-formed token Desk never issued', async () => {
    expectScimError(await scimCall(t.url, `desk_scim_${'A'.repeat(43)}`, 'GET', '/Users'), 401);
  });

  it('with a garbage bearer token', async () => {
    expectScimError(await scimCall(t.url, 'garbage!"%', 'GET', '/Users'), 401);
  });

  it('with a very long bearer token (8 KB)', async () => {
    expectScimError(await scimCall(t.url, 'x'.repeat(8192), 'GET', '/Users'), 401);
  });

  it('with Basic authentication', async () => {
    const res = await scimCall(t.url, null, 'GET', '/Users', undefined, {
      authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}`,
    });
    expectScimError(res, 401);
  });

  it('with a valid token under another scheme name', async () => {
    const client = await scimClientOf(t);
    const res = await scimCall(t.url, null, 'GET', '/Users', undefined, {
      authorization: `Token ${client.token}`,
    });
    expectScimError(res, 401);
  });

  it('before the body is read: a bad body without a token is 401, not 400', async () => {
    expectScimError(await scimCall(t.url, null, 'POST', '/Users', '{not json'), 401);
  });
});

describe('bodies Desk cannot read', () => {
  it('invalid JSON is 400 invalidSyntax', async () => {
    const client = await scimClientOf(t);
    expectScimError(await client.call('POST', '/Users', '{"userName": '), 400, 'invalidSyntax');
  });

  it('invalid JSON sent as application/json is 400 invalidSyntax', async () => {
    const client = await scimClientOf(t);
    const res = await client.call('POST', '/Users', '{"userName": ', { 'content-type': 'application/json' });
    expectScimError(res, 400, 'invalidSyntax');
  });

  it('a JSON array is 400 invalidSyntax', async () => {
    const client = await scimClientOf(t);
    expectScimError(await client.call('POST', '/Users', [{ userName: 'ann' }]), 400, 'invalidSyntax');
  });

  it('a JSON string is 400 invalidSyntax', async () => {
    const client = await scimClientOf(t);
    expectScimError(await client.call('POST', '/Users', '"ann"'), 400, 'invalidSyntax');
  });

  it('a PATCH body that is an array is 400 invalidSyntax', async () => {
    const client = await scimClientOf(t);
    const user = await provision(client);
    expectScimError(await client.call('PATCH', `/Users/${user.id}`, []), 400, 'invalidSyntax');
  });

  // Desk reads text/plain as a string (app-wide parser), which is no SCIM message.
  it('a body in text/plain is 400 invalidSyntax', async () => {
    const client = await scimClientOf(t);
    const res = await client.call('POST', '/Users', 'userName=ann', { 'content-type': 'text/plain' });
    expectScimError(res, 400, 'invalidSyntax');
  });
});

describe('strings Desk refuses or keeps apart', () => {
  it('a NUL byte in userName is 400 invalidValue and nothing is stored', async () => {
    const client = await scimClientOf(t);
    const userName = `ann${tag()}\u0000admin`;
    const res = await client.call('POST', '/Users', { schemas: [USER], userName });
    expectScimError(res, 400, 'invalidValue');
    const stored = await t.testDb.database.db
      .select()
      .from(scimUsers)
      .where(eq(scimUsers.organizationId, client.organizationId));
    expect(stored).toEqual([]);
  });

  it('a NUL byte in a filter is 400 invalidFilter, not a database error', async () => {
    const client = await scimClientOf(t);
    const res = await client.call('GET', `/Users?filter=${encodeURIComponent('userName eq "ann\u0000"')}`);
    expectScimError(res, 400, 'invalidFilter');
  });

  it('an unpaired surrogate in userName is 400 invalidValue', async () => {
    const client = await scimClientOf(t);
    // Written by hand: JSON.stringify would escape it, and a lone \ud800 is valid JSON but not valid Unicode.
    const res = await client.call(
      'POST',
      '/Users',
      `{"schemas":["${USER}"],"userName":"ann\\ud800${tag()}"}`,
    );
    expectScimError(res, 400, 'invalidValue');
  });

  it('an unpaired surrogate in a filter is 400 invalidFilter, not a database error', async () => {
    const client = await scimClientOf(t);
    const res = await client.call('GET', '/Users?filter=userName%20eq%20%22ann%ED%A0%80%22');
    expect(res.status).not.toBe(500);
    const searched = await client.call(
      'POST',
      '/Users/.search',
      `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \\"a\\udc00\\""}`,
    );
    expectScimError(searched, 400, 'invalidFilter');
  });

  it('a Cyrillic look-alike userName is another user, not a duplicate of the Latin one', async () => {
    const client = await scimClientOf(t);
    const suffix = tag();
    const latin = await provision(client, `ann${suffix}`);
    const cyrillic = await provision(client, `\u0430nn${suffix}`);
    expect(cyrillic.id).not.toBe(latin.id);
    const found = await client.call(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "ann${suffix}"`)}`,
    );
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([latin.id]);
  });
});

describe('paths', () => {
  // RFC 3986 §6.2.2.1: a path is case-sensitive, and RFC 7644 §3.2 names the endpoints /Users and /Groups. Desk
  // serves them as written; a lower-case path is an unknown endpoint, in SCIM.
  it('/scim/v2/users in lower case is a SCIM 404', async () => {
    const client = await scimClientOf(t);
    expectScimError(await client.call('GET', '/users'), 404);
  });

  it('/scim/v2/serviceproviderconfig in lower case is a SCIM 404, like /users', async () => {
    const client = await scimClientOf(t);
    expectScimError(await client.call('GET', '/serviceproviderconfig'), 404);
  });

  it('/Users/%2e%2e/Groups is no path to the groups', async () => {
    const client = await scimClientOf(t);
    expectScimError(await rawCall('/scim/v2/Users/%2e%2e/Groups', client.token), 404);
  });

  it('/Users/..%2fGroups is no path to the groups', async () => {
    const client = await scimClientOf(t);
    expectScimError(await rawCall('/scim/v2/Users/..%2fGroups', client.token), 404);
  });

  it('/Users/../Groups sent verbatim is no path to the groups', async () => {
    const client = await scimClientOf(t);
    expectScimError(await rawCall('/scim/v2/Users/../Groups', client.token), 404);
  });

  it('a double slash before an id is a SCIM 404', async () => {
    const client = await scimClientOf(t);
    const user = await provision(client);
    expectScimError(await rawCall(`/scim/v2/Users//${user.id}`, client.token), 404);
  });

  it('an unknown endpoint is a SCIM 404', async () => {
    const client = await scimClientOf(t);
    expectScimError(await client.call('GET', '/Widgets'), 404);
  });

  it('an unknown endpoint without a token is a SCIM 401', async () => {
    expectScimError(await scimCall(t.url, null, 'GET', '/Nothing'), 401);
  });

  it('a wrong method is a SCIM 405 naming the allowed ones', async () => {
    const client = await scimClientOf(t);
    const res = await client.call('DELETE', '/Users');
    expectScimError(res, 405);
    expect(res.headers.get('allow')).toBe('GET, POST');
  });

  it('PUT on ServiceProviderConfig is a SCIM 405 allowing GET', async () => {
    const client = await scimClientOf(t);
    const res = await client.call('PUT', '/ServiceProviderConfig', {});
    expectScimError(res, 405);
    expect(res.headers.get('allow')).toBe('GET');
  });

  it('a user id that is not a UUID is a SCIM 404', async () => {
    const client = await scimClientOf(t);
    expectScimError(await client.call('GET', `/Users/${encodeURIComponent("1' or '1'='1")}`), 404);
  });
});

describe('list parameters', () => {
  it('a filter longer than 4096 characters is 400 invalidFilter', async () => {
    const client = await scimClientOf(t);
    const filter = `userName eq "${'a'.repeat(4100)}"`;
    expectScimError(await client.call('GET', `/Users?filter=${filter}`), 400, 'invalidFilter');
  });

  it('deeply nested parentheses are 400 invalidFilter', async () => {
    const client = await scimClientOf(t);
    const filter = `${'('.repeat(1000)}userName eq "a"${')'.repeat(1000)}`;
    expectScimError(
      await client.call('GET', `/Users?filter=${encodeURIComponent(filter)}`),
      400,
      'invalidFilter',
    );
  });

  it('deeply nested not() is 400 invalidFilter', async () => {
    const client = await scimClientOf(t);
    const filter = `${'not ('.repeat(500)}userName eq "a"${')'.repeat(500)}`;
    expectScimError(
      await client.call('GET', `/Users?filter=${encodeURIComponent(filter)}`),
      400,
      'invalidFilter',
    );
  });

  it('startIndex=abc is 400 invalidValue', async () => {
    const client = await scimClientOf(t);
    expectScimError(await client.call('GET', '/Users?startIndex=abc'), 400, 'invalidValue');
  });

  it('count=-5 answers no resources but the total (RFC 7644 §3.4.2.4)', async () => {
    const client = await scimClientOf(t);
    await provision(client);
    await provision(client);
    const res = await client.call('GET', '/Users?count=-5');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ totalResults: 2, itemsPerPage: 0, Resources: [] });
  });

  it('count=100000 is capped at the 1,000 ServiceProviderConfig announces', async () => {
    const client = await scimClientOf(t);
    const db = t.testDb.database.db;
    const made = await db
      .insert(users)
      .values(
        Array.from({ length: 1001 }, (_, i) => ({
          email: uniqueEmail(`cap${i}`),
          name: `Cap ${i}`,
          organizationId: client.organizationId,
        })),
      )
      .returning({ id: users.id });
    await db.insert(scimUsers).values(
      made.map((u, i) => ({
        userId: u.id,
        organizationId: client.organizationId,
        clientId: client.id,
        userName: `cap-${String(i).padStart(4, '0')}`,
      })),
    );
    const config = await client.call('GET', '/ServiceProviderConfig');
    expect(config.body.filter.maxResults).toBe(1000);
    const res = await client.call('GET', '/Users?count=100000&attributes=userName');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ totalResults: 1001, itemsPerPage: 1000 });
    expect(res.body.Resources).toHaveLength(1000);
  });
});

describe('PATCH and PUT against the rules of the schema', () => {
  it('PATCH without Operations is 400 invalidSyntax', async () => {
    const client = await scimClientOf(t);
    const user = await provision(client);
    expectScimError(
      await client.call('PATCH', `/Users/${user.id}`, { schemas: [PATCH] }),
      400,
      'invalidSyntax',
    );
  });

  // RFC 7644 §3.5.2: "op" is one of add, remove, replace; any other makes the message not a PatchOp (invalidSyntax).
  it('PATCH op "move" is 400 invalidSyntax and changes nothing', async () => {
    const client = await scimClientOf(t);
    const user = await provision(client);
    const res = await client.call('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'move', path: 'userName', value: 'other' }],
    });
    expectScimError(res, 400, 'invalidSyntax');
    expect((await client.call('GET', `/Users/${user.id}`)).body.userName).toBe(user.userName);
  });

  // RFC 7644 §3.5.1: values of readOnly attributes (id) in a PUT are ignored.
  it('PUT with another id is applied to the resource of the URL, whose id stays', async () => {
    const client = await scimClientOf(t);
    const user = await provision(client);
    const other = crypto.randomUUID();
    const res = await client.call('PUT', `/Users/${user.id}`, {
      schemas: [USER],
      id: other,
      userName: user.userName,
      displayName: 'Renamed',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, displayName: 'Renamed' });
    expectScimError(await client.call('GET', `/Users/${other}`), 404);
  });

  // RFC 7644 §3.5.2: an operation incompatible with the attribute's mutability (id is readOnly) is mutability.
  it('PATCH replacing id is 400 mutability', async () => {
    const client = await scimClientOf(t);
    const user = await provision(client);
    const res = await client.call('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'id', value: crypto.randomUUID() }],
    });
    expectScimError(res, 400, 'mutability');
  });

  it('PATCH removing userName (required) is 400 mutability', async () => {
    const client = await scimClientOf(t);
    const user = await provision(client);
    const res = await client.call('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: 'userName' }],
    });
    expectScimError(res, 400, 'mutability');
    expect((await client.call('GET', `/Users/${user.id}`)).body.userName).toBe(user.userName);
  });

  it('PATCH of meta.created is 400 mutability', async () => {
    const client = await scimClientOf(t);
    const user = await provision(client);
    const res = await client.call('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'meta.created', value: '2000-01-01T00:00:00Z' }],
    });
    expectScimError(res, 400, 'mutability');
  });
});

describe('what a careless or hostile client sends is a 4xx, never a 500', () => {
  const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
  const newUser = async (client: TestScimClient) => {
    const email = `${tag()}@example.org`;
    const res = await client.call('POST', '/Users', {
      schemas: [USER],
      userName: email,
      emails: [{ value: email }],
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  it('answers invalidFilter to a filter naming a property every JavaScript object has', async () => {
    const client = await scimClientOf(t);
    expectScimError(
      await client.call('GET', `/Users?filter=${encodeURIComponent('constructor eq "x"')}`),
      400,
      'invalidFilter',
    );
    expectScimError(
      await client.call('GET', `/Groups?filter=${encodeURIComponent('toString pr')}`),
      400,
      'invalidFilter',
    );
  });

  it('answers an empty page to a startIndex beyond any integer', async () => {
    const client = await scimClientOf(t);
    const res = await client.call('GET', '/Users?startIndex=99999999999999999999');
    expect(res.status).toBe(200);
    expect(res.body.Resources).toEqual([]);
  });

  it('answers invalidFilter to a date whose offset no clock has', async () => {
    const client = await scimClientOf(t);
    const filter = 'meta.lastModified gt "2020-01-01T00:00:00+16:00"';
    expectScimError(
      await client.call('GET', `/Users?filter=${encodeURIComponent(filter)}`),
      400,
      'invalidFilter',
    );
  });

  it('answers invalidFilter to a NUL written as a JSON escape in a filter value', async () => {
    const client = await scimClientOf(t);
    const filter = 'userName eq "a\\u0000b"';
    expectScimError(
      await client.call('GET', `/Users?filter=${encodeURIComponent(filter)}`),
      400,
      'invalidFilter',
    );
  });

  it('refuses an email with an empty domain label', async () => {
    const client = await scimClientOf(t);
    const res = await client.call('POST', '/Users', {
      schemas: [USER],
      userName: `${tag()}@example.org`,
      emails: [{ value: `${tag()}@example..org` }],
    });
    expectScimError(res, 400, 'invalidValue');
  });

  it('never gives a group back a user SCIM deleted', async () => {
    const client = await scimClientOf(t);
    const id = await newUser(client);
    const group = await client.call('POST', '/Groups', { schemas: [GROUP], displayName: `G ${tag()}` });
    expect((await client.call('DELETE', `/Users/${id}`)).status).toBe(204);
    const res = await client.call('PATCH', `/Groups/${group.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
    });
    expectScimError(res, 400, 'invalidValue');
  });

  it('takes member ids in upper case as the same users', async () => {
    const client = await scimClientOf(t);
    const id = await newUser(client);
    const group = await client.call('POST', '/Groups', {
      schemas: [GROUP],
      displayName: `G ${tag()}`,
      members: [{ value: id.toUpperCase() }],
    });
    expect(group.status).toBe(201);
    expect(group.body.members.map((m: { value: string }) => m.value)).toEqual([id]);
    const res = await client.call('PATCH', `/Groups/${group.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: `members[value eq "${id.toUpperCase()}"]` }],
    });
    expect(res.status).toBe(200);
    expect(res.body.members ?? []).toEqual([]);
  });

  it('answers invalidValue to a member id that is no user id, before any work on the rest', async () => {
    const client = await scimClientOf(t);
    const group = await client.call('POST', '/Groups', { schemas: [GROUP], displayName: `G ${tag()}` });
    const junk = Array.from({ length: 20_000 }, (_, i) => ({ value: `a${i}` }));
    const res = await client.call('PATCH', `/Groups/${group.body.id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'remove', path: 'members', value: junk },
        { op: 'add', path: 'members', value: junk },
      ],
    });
    expectScimError(res, 400, 'invalidValue');
  });
});
