// SCIM deactivation across pods (issue 23): a user signed in on one Desk process loses their session there the moment
// a SCIM client deactivates or deletes them through another process sharing PostgreSQL and Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/audit/index.ts';
import { organizations } from '../../src/organizations/index.ts';
import { ScimClientService } from '../../src/scim/index.ts';
import { users } from '../../src/users/index.ts';
import { Browser } from '../support/browser.ts';
import { answer, beginLogin, callback, newSub } from '../support/forge-login.ts';
import { DATABASE_URL, REDIS_URL, type TestDatabase, testDatabase } from '../support/parts.ts';
import { type DeskProcess, startDeskProcess } from '../support/processes.ts';
import { scimCall } from '../support/scim.ts';
import { type Forge, startForge } from '../support/token-forge.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe.runIf(DATABASE_URL && REDIS_URL)('SCIM on one Desk process, a session on another', () => {
  let forge: Forge;
  let testDb: TestDatabase;
  let first: DeskProcess;
  let second: DeskProcess;

  beforeAll(async () => {
    forge = await startForge();
    testDb = await testDatabase();
    const shared = {
      ...forge.settings,
      DATABASE_URL: testDb.url,
      REDIS_URL: REDIS_URL ?? '',
      SECRET_KEY: 'a-secret-shared-by-every-pod-of-this-test-0123456789',
    };
    [first, second] = await Promise.all([startDeskProcess(shared), startDeskProcess(shared)]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await forge?.close();
    await testDb?.drop();
  });

  /**
   * A user of a new organization who signed in before the directory was connected (known sub and email), adopted by
   * a POST /Users on the first process, then signed in again on the second process: their SCIM id, the client's
   * token and the browser holding the session.
   */
  async function signedInProvisionedUser() {
    const db = testDb.database.db;
    const [organization] = await db
      .insert(organizations)
      .values({ name: `Org ${crypto.randomUUID().slice(0, 8)}` })
      .returning();
    const organizationId = organization?.id ?? '';
    const sub = newSub();
    // A domain of its own: a sign-in may register the domain for the organization, and no other test's user shares it.
    const email = `jeanne.martin@${crypto.randomUUID().slice(0, 8)}.pods.example.fr`;
    const [user] = await db
      .insert(users)
      .values({ sub, email, name: 'Jeanne Martin', organizationId })
      .returning();
    const { token } = await new ScimClientService(testDb.database).create(organizationId, 'Entra ID', {
      actor: SYSTEM,
    });
    const adopted = await scimCall(first.url, token, 'POST', '/Users', {
      schemas: [USER],
      userName: email,
      emails: [{ value: email, type: 'work', primary: true }],
    });
    expect(adopted.status).toBe(201);
    expect(adopted.body.id).toBe(user?.id);

    const browser = new Browser(second.url);
    const attempt = await beginLogin({ browser: () => browser }, '', browser);
    await answer(forge, attempt, sub, { userinfo: { email, email_verified: true } });
    expect((await callback(attempt)).location).toBe('/');
    const me = await browser.get(`${second.url}/api/v1.0/users/me/`);
    expect(me.status).toBe(200);
    return { id: adopted.body.id as string, token, browser };
  }

  it('PATCH active false on the first process ends the session on the second at once', async () => {
    const { id, token, browser } = await signedInProvisionedUser();
    const res = await scimCall(first.url, token, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    expect(res.status).toBe(200);
    expect((await browser.get(`${second.url}/api/v1.0/users/me/`)).status).toBe(401);
  });

  it('DELETE on the first process ends the session on the second at once', async () => {
    const { id, token, browser } = await signedInProvisionedUser();
    expect((await scimCall(first.url, token, 'DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await browser.get(`${second.url}/api/v1.0/users/me/`)).status).toBe(401);
  });

  it('Entra’s "active": "False" string on the first process ends the session on the second at once', async () => {
    const { id, token, browser } = await signedInProvisionedUser();
    const res = await scimCall(first.url, token, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(res.status).toBe(200);
    expect((await browser.get(`${second.url}/api/v1.0/users/me/`)).status).toBe(401);
  });
});
