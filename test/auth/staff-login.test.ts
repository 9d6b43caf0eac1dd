import { describe, expect, it } from 'vitest';
import { PASSWORD, useDesk } from '../support/desk.ts';

describe('staff login', () => {
  const t = useDesk();

  it('opens a session that users/me recognises', async () => {
    const { browser, user } = await t.loginAsStaff();
    const me = await browser.get('/api/v1.0/users/me/');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ id: user.id, email: user.email, is_staff: true });
  });

  it('refuses a wrong password with the same answer as an unknown email', async () => {
    const user = await t.createUser({ isStaff: true, password: null });
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
});
