// Staff emails are unique: one staff account (staff, or logging in with a password) per email, as the staff login
// compares emails, whether made by `desk createsuperuser`, by two of them at once, or by a grant in the back office.
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents } from '../../src/audit/index.ts';
import { hashPassword } from '../../src/auth/index.ts';
import { createSuperuser, StaffEmailTaken, users } from '../../src/users/index.ts';
import { PASSWORD, useDesk } from '../support/desk.ts';
import { databaseAt } from '../support/migrations.ts';
import { uniqueEmail } from '../support/parts.ts';

const t = useDesk();
let hash: Promise<string> | undefined;
const passwordHash = () => {
  hash ??= hashPassword(PASSWORD);
  return hash;
};

async function accountsWith(email: string) {
  return t.testDb.database.db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email})`)
    .orderBy(users.createdAt);
}

describe('createsuperuser', () => {
  it('refuses an email a password account already has, in any case, and changes nothing', async () => {
    const email = uniqueEmail('admin');
    const first = await createSuperuser(t.testDb.database.db, email, await passwordHash());
    const again = createSuperuser(
      t.testDb.database.db,
      email.toUpperCase(),
      await hashPassword('another pass phrase'),
    );
    await expect(again).rejects.toBeInstanceOf(StaffEmailTaken);
    const rows = await accountsWith(email);
    expect(rows.map((r) => [r.id, r.password])).toEqual([[first.user.id, first.user.password]]);
  });

  it('gives a password to the agent with that email, without making a second account', async () => {
    const agent = await t.createUser();
    const { user, created } = await createSuperuser(
      t.testDb.database.db,
      agent.email ?? '',
      await passwordHash(),
    );
    expect({ id: user.id, created, isStaff: user.isStaff }).toEqual({
      id: agent.id,
      created: false,
      isStaff: true,
    });
  });

  it('lets only one of two runs at once make the account', async () => {
    const email = uniqueEmail('admin');
    const runs = await Promise.allSettled([
      createSuperuser(t.testDb.database.db, email, await passwordHash()),
      createSuperuser(t.testDb.database.db, email.toUpperCase(), await passwordHash()),
      createSuperuser(t.testDb.database.db, ` ${email}`.trim(), await passwordHash()),
    ]);
    expect(runs.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected', 'rejected']);
    for (const run of runs) if (run.status === 'rejected') expect(run.reason).toBeInstanceOf(StaffEmailTaken);
    expect(await accountsWith(email)).toHaveLength(1);
  });
});

describe('the database', () => {
  it('refuses a second password account with an email one has, whoever writes it', async () => {
    const email = uniqueEmail('admin');
    await t.createUser({ email, isStaff: true, password: await passwordHash() });
    const second = t.createUser({
      email: email.toUpperCase(),
      isStaff: true,
      password: await passwordHash(),
    });
    await expect(second).rejects.toMatchObject({ cause: { code: '23505' } });
  });
});

describe('granting staff rights in the back office', () => {
  it('answers 409 when a staff account already has the agent’s email, and grants nothing', async () => {
    const email = uniqueEmail('agent');
    await createSuperuser(t.testDb.database.db, email, await passwordHash());
    const agent = await t.createUser({ email: email.toUpperCase() });
    const superuser = await t.browserFor(await t.createUser({ isStaff: true, isSuperuser: true }));
    const res = await superuser.patch(`/api/v1.0/admin/users/${agent.id}/`, { is_staff: true });
    expect(res.status).toBe(409);
    expect(res.json).toEqual({
      detail: 'Another staff account already has this email address: staff emails are unique.',
    });
    const [after] = await t.testDb.database.db.select().from(users).where(eq(users.id, agent.id));
    expect(after?.isStaff).toBe(false);
    const events = await t.testDb.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetId, agent.id));
    expect(events).toEqual([]);
  });

  it('still grants staff rights to an agent whose email no staff account has', async () => {
    const agent = await t.createUser();
    const superuser = await t.browserFor(await t.createUser({ isStaff: true, isSuperuser: true }));
    const res = await superuser.patch(`/api/v1.0/admin/users/${agent.id}/`, { is_staff: true });
    expect(res.json).toMatchObject({ is_staff: true });
  });
});

describe('migration 0011 on a database that already has duplicate staff emails', () => {
  it('keeps the account the staff login used (the oldest) and clears the passwords no login could use', async () => {
    const { database, run, close } = await databaseAt(10);
    try {
      await run(`insert into users (id, email, password, is_staff, created_at) values
        ('00000000-0000-4000-8000-000000000001', 'Admin@example.gouv.fr', 'first', true, now() - interval '2 days'),
        ('00000000-0000-4000-8000-000000000002', 'admin@example.gouv.fr', 'second', true, now() - interval '1 day'),
        ('00000000-0000-4000-8000-000000000003', 'ADMIN@example.gouv.fr', 'third', false, now()),
        ('00000000-0000-4000-8000-000000000004', 'admin@example.gouv.fr', null, false, now()),
        ('00000000-0000-4000-8000-000000000005', 'other@example.gouv.fr', 'other', true, now())`);
      await database.migrate();
      const rows = await run('select id, password, is_staff from users order by id');
      expect(rows).toEqual([
        { id: '00000000-0000-4000-8000-000000000001', password: 'first', is_staff: true },
        { id: '00000000-0000-4000-8000-000000000002', password: null, is_staff: true },
        { id: '00000000-0000-4000-8000-000000000003', password: null, is_staff: false },
        { id: '00000000-0000-4000-8000-000000000004', password: null, is_staff: false },
        { id: '00000000-0000-4000-8000-000000000005', password: 'other', is_staff: true },
      ]);
      await expect(
        run(`insert into users (email, password) values ('aDmIn@example.gouv.fr', 'fourth')`),
      ).rejects.toMatchObject({ cause: { code: '23505' } });
    } finally {
      await close();
    }
  });
});
