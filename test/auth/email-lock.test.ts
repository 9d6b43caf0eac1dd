// Who has an email is decided one transaction at a time (DESIGN.md §4, §9): a sign-in or a directory's POST that meets
// another transaction deciding the same address waits for it, then sees its user, and never makes a second one.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/audit/index.ts';
import { ScimClientService } from '../../src/scim/index.ts';
import { lockUserEmail, users } from '../../src/users/index.ts';
import type { RunningDesk } from '../support/desk.ts';
import { type ForgeDesks, startForgeDesks } from '../support/forge-desks.ts';
import { answer, beginLogin, callback, newSub } from '../support/forge-login.ts';
import { DATABASE_URL } from '../support/parts.ts';
import { organizationRow, scimCall } from '../support/scim.ts';

// PGlite has one connection: a transaction held open here would stop Desk itself, so this runs on PostgreSQL.
describe.runIf(DATABASE_URL)('an email decided by another transaction', () => {
  let provider: ForgeDesks;
  let desk: RunningDesk;

  beforeAll(async () => {
    provider = await startForgeDesks();
    desk = await provider.deskWith();
  });
  afterAll(() => provider?.close());

  const newEmail = () =>
    `agent-${crypto.randomUUID().slice(0, 8)}@${crypto.randomUUID().slice(0, 8)}.gouv.fr`;

  /** Holds the email's lock in a transaction of its own while `during` runs, makes the user, then commits. */
  async function whileDeciding(email: string, organizationId: string | null, during: () => Promise<unknown>) {
    let made = '';
    let settled = false;
    await provider.testDb.database.db.transaction(async (tx) => {
      await lockUserEmail(tx, email);
      const waiting = during().finally(() => {
        settled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(settled).toBe(false);
      const [user] = await tx.insert(users).values({ email, name: 'First', organizationId }).returning();
      made = user?.id ?? '';
      // Committed when this callback returns; the waiting request goes on after.
      void waiting;
    });
    return made;
  }

  async function usersWith(email: string) {
    return provider.testDb.database.db
      .select({ id: users.id })
      .from(users)
      .where(sql`lower(${users.email}) = lower(${email})`);
  }

  it('a first sign-in waits, then signs in as the user the other transaction made', async () => {
    const email = newEmail();
    const attempt = await beginLogin(desk);
    await answer(provider.forge, attempt, newSub(), { userinfo: { email, email_verified: true } });
    let signedIn: Promise<{ status: number }> | undefined;
    const made = await whileDeciding(email, null, async () => {
      signedIn = callback(attempt);
      return signedIn;
    });
    expect((await signedIn)?.status).toBe(302);
    const me = await attempt.browser.get('/api/v1.0/users/me/');
    expect((me.json as { id: string }).id).toBe(made);
    expect(await usersWith(email)).toHaveLength(1);
  });

  it("a directory's POST waits, then answers uniqueness instead of making a second user", async () => {
    const email = newEmail();
    const organizationId = await organizationRow(provider.testDb.database.db);
    const client = await new ScimClientService(provider.testDb.database).create(organizationId, 'Okta', {
      actor: SYSTEM,
    });
    let posted: Promise<{ status: number }> | undefined;
    await whileDeciding(email, null, async () => {
      posted = scimCall(desk.url, client.token, 'POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: email,
        emails: [{ value: email, primary: true }],
      });
      return posted;
    });
    expect((await posted)?.status).toBe(409);
    expect(await usersWith(email)).toHaveLength(1);
  });
});
