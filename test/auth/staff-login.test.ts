import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildDesk } from '../../src/app.ts';
import { hashPassword } from '../../src/auth/index.ts';
import { configFrom } from '../../src/platform/config.ts';
import { rowsOf } from '../../src/platform/database.ts';
import { BASE_SETTINGS, PASSWORD, useDesk } from '../support/desk.ts';
import { DATABASE_URL, uniqueEmail } from '../support/parts.ts';

describe('staff login', () => {
  const t = useDesk();

  it('opens a session that users/me recognises', async () => {
    const { browser, user } = await t.loginAsStaff();
    const me = await browser.get('/api/v1.0/users/me/');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ id: user.id, email: user.email, is_staff: true });
  });

  it('refuses a wrong password with the same answer as an unknown email', async () => {
    // A real password, so "wrong password" is checked against it and not taken for an unknown account.
    const user = await t.createUser({ isStaff: true, password: await hashPassword(PASSWORD) });
    const browser = t.browser();
    await browser.primeCsrf();
    const wrong = await browser.post('/api/v1.0/login/', {
      email: user.email,
      password: 'not the password at all',
    });
    const unknown = await browser.post('/api/v1.0/login/', {
      email: 'nobody@example.gouv.fr',
      password: PASSWORD,
    });
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(400);
    expect(wrong.json).toEqual(unknown.json);
    expect(browser.cookies.has('desk_sessionid')).toBe(false);
  });

  it('refuses a disabled account with the same answer', async () => {
    const user = await t.createUser({
      isStaff: true,
      isActive: false,
      password: await hashPassword(PASSWORD),
    });
    const browser = t.browser();
    await browser.primeCsrf();
    const res = await browser.post('/api/v1.0/login/', { email: user.email, password: PASSWORD });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ detail: 'Invalid email or password.' });
  });

  it('pauses an email after 5 failures, with 429 and Retry-After, even with the right password', async () => {
    const user = await t.createUser({ isStaff: true, password: await hashPassword(PASSWORD) });
    const browser = t.browser();
    await browser.primeCsrf();
    for (let i = 0; i < 5; i++)
      expect(
        (await browser.post('/api/v1.0/login/', { email: user.email, password: 'wrong password!' })).status,
      ).toBe(400);
    const paused = await browser.post('/api/v1.0/login/', {
      email: user.email?.toUpperCase(),
      password: PASSWORD,
    });
    expect(paused.status).toBe(429);
    expect(Number(paused.headers.get('retry-after'))).toBeGreaterThan(200);
  });

  it('rotates the session id at login: the session the browser had before stops working', async () => {
    const { browser } = await t.loginAsStaff();
    const before = browser.cookies.get('desk_sessionid');
    const other = await t.createUser({ isStaff: true, password: await hashPassword(PASSWORD) });
    expect((await browser.post('/api/v1.0/login/', { email: other.email, password: PASSWORD })).status).toBe(
      200,
    );
    const after = browser.cookies.get('desk_sessionid');
    expect(after).not.toBe(before);
    const stale = t.browser();
    stale.cookies.set('desk_sessionid', before ?? '');
    expect((await stale.get('/api/v1.0/users/me/')).status).toBe(401);
  });

  it('sets an HttpOnly, SameSite=Lax session cookie, not Secure outside production', async () => {
    const user = await t.createUser({ isStaff: true, password: await hashPassword(PASSWORD) });
    const browser = t.browser();
    await browser.primeCsrf();
    const res = await browser.post('/api/v1.0/login/', { email: user.email, password: PASSWORD });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('desk_sessionid=')) ?? '';
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Max-Age=43200');
    expect(cookie).not.toContain('Secure');
  });

  it('ends with a POST to logout/, which redirects', async () => {
    const { browser } = await t.loginAsStaff();
    const res = await browser.post('/api/v1.0/logout/');
    expect(res.status).toBe(302);
    expect(res.location).toBe('/');
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(401);
  });

  it("ends with a GET on logout/ too, by default (people's front end navigates there)", async () => {
    const { browser } = await t.loginAsStaff();
    expect((await browser.get('/api/v1.0/logout/')).status).toBe(302);
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(401);
  });
});

describe('desk createsuperuser', () => {
  const bin = resolve(import.meta.dirname, '../../bin/desk.js');
  function run(args: string[], dir: string, url?: string) {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', DESK_DATA_DIR: dir };
    if (url) env.DATABASE_URL = url;
    return spawnSync(process.execPath, [bin, 'createsuperuser', ...args], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
      input: '',
    });
  }

  it('makes an account that can log in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'desk-su-'));
    const { testDatabase } = await import('../support/parts.ts');
    const db = DATABASE_URL ? await testDatabase() : undefined;
    try {
      const email = uniqueEmail('admin');
      const result = run(['--email', email, '--password', 'a long staff passphrase'], dir, db?.url);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Created superuser /);
      const desk = await buildDesk(
        configFrom({ ...BASE_SETTINGS, ...(db ? { DATABASE_URL: db.url } : { DESK_DATA_DIR: dir }) }),
        { runJobs: false },
      );
      await desk.app.listen({ port: 0, host: '127.0.0.1' });
      try {
        const address = desk.app.server.address();
        const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
        const { Browser } = await import('../support/browser.ts');
        const browser = new Browser(base);
        await browser.primeCsrf();
        const login = await browser.post('/api/v1.0/login/', { email, password: 'a long staff passphrase' });
        expect(login.status).toBe(200);
        expect(login.json).toMatchObject({ email, is_staff: true });
      } finally {
        await desk.close();
      }
    } finally {
      await db?.drop();
    }
  });

  it('refuses, run again with the email in capitals, saying a staff account has it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'desk-su-'));
    const { testDatabase } = await import('../support/parts.ts');
    const db = DATABASE_URL ? await testDatabase() : undefined;
    try {
      const email = uniqueEmail('admin');
      expect(run(['--email', email, '--password', 'a long staff passphrase'], dir, db?.url).status).toBe(0);
      const again = run(
        ['--email', email.toUpperCase(), '--password', 'another staff passphrase'],
        dir,
        db?.url,
      );
      expect(again.status).toBe(1);
      expect(again.stdout).toBe('');
      expect(again.stderr).toMatch(
        new RegExp(
          `^A staff account already has the email ${email.toUpperCase().replaceAll('.', '\\.')} \\(user [0-9a-f-]{36}\\)\\. Nothing was changed: log in with that account, or choose another email\\.\\n$`,
        ),
      );
    } finally {
      await db?.drop();
    }
  });

  it.runIf(DATABASE_URL)(
    'lets one of two runs at once on PostgreSQL make the account, and refuses the other',
    async () => {
      const { testDatabase } = await import('../support/parts.ts');
      const db = await testDatabase();
      try {
        const email = uniqueEmail('admin');
        const once = () =>
          new Promise<number | null>((done) => {
            const child = spawn(
              process.execPath,
              [bin, 'createsuperuser', '--email', email, '--password', 'a long staff passphrase'],
              { env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url }, stdio: 'ignore' },
            );
            child.once('exit', done);
          });
        const codes = await Promise.all([once(), once()]);
        expect(codes.sort()).toEqual([0, 1]);
        const rows = await db.database.db.execute(
          sql`select count(*)::int as n from users where lower(email) = ${email}`,
        );
        expect(rowsOf<{ n: number }>(rows)).toEqual([{ n: 1 }]);
      } finally {
        await db.drop();
      }
    },
  );

  it('refuses a weak password, saying why, with exit code 1', () => {
    const result = run(
      ['--email', 'someone@example.gouv.fr', '--password', '12345678'],
      mkdtempSync(join(tmpdir(), 'desk-su-')),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'This password is too weak: it must be at least 12 characters long; it must not be only digits',
    );
  });
});
