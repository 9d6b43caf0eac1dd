// CSRF: unsafe requests made with a session cookie need X-CSRFToken equal to the csrftoken cookie.
import { describe, expect, it } from 'vitest';
import { useDesk } from '../support/desk.ts';

const t = useDesk({ CSRF_TRUSTED_ORIGINS: 'https://app.example.gouv.fr' });

describe('CSRF protection', () => {
  it('sets a csrftoken cookie readable by scripts on the first API response', async () => {
    const res = await t.browser().get('/api/v1.0/config/');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('csrftoken='));
    expect(cookie).toBeDefined();
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).not.toContain('HttpOnly');
  });

  it('refuses an unsafe request with a session but no header', async () => {
    const { browser, user } = await t.loginAsStaff();
    const res = await browser.request('PATCH', `/api/v1.0/users/${user.id}/`, {
      json: { language: 'fr-fr' },
      csrf: false,
    });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ detail: 'CSRF Failed: CSRF token missing.' });
  });

  it('refuses a header that does not match the cookie', async () => {
    const { browser, user } = await t.loginAsStaff();
    const res = await browser.request('PATCH', `/api/v1.0/users/${user.id}/`, {
      json: { language: 'fr-fr' },
      headers: { 'x-csrftoken': 'forged' },
    });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ detail: 'CSRF Failed: CSRF token incorrect.' });
  });

  it('lets the matching header through', async () => {
    const { browser, user } = await t.loginAsStaff();
    expect((await browser.patch(`/api/v1.0/users/${user.id}/`, { language: 'fr-fr' })).status).toBe(200);
  });

  it('needs nothing for safe methods', async () => {
    const { browser } = await t.loginAsStaff();
    expect((await browser.request('GET', '/api/v1.0/users/me/', { csrf: false })).status).toBe(200);
  });

  it('protects the login form too (login CSRF)', async () => {
    const browser = t.browser();
    await browser.primeCsrf();
    const res = await browser.request('POST', '/api/v1.0/login/', {
      json: { email: 'a@b.fr', password: 'x' },
      csrf: false,
    });
    expect(res.status).toBe(403);
  });

  it('refuses a request from a foreign origin', async () => {
    const { browser, user } = await t.loginAsStaff();
    const res = await browser.request('PATCH', `/api/v1.0/users/${user.id}/`, {
      json: { language: 'fr-fr' },
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({
      detail:
        'CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins.',
    });
  });

  it('accepts an origin listed in CSRF_TRUSTED_ORIGINS', async () => {
    const { browser, user } = await t.loginAsStaff();
    const res = await browser.request('PATCH', `/api/v1.0/users/${user.id}/`, {
      json: { language: 'fr-fr' },
      headers: { origin: 'https://app.example.gouv.fr' },
    });
    expect(res.status).toBe(200);
  });
});

describe('each unsafe method with a session and no X-CSRFToken', () => {
  // The path under test and the body sent, for a team of the user's.
  type Request = (teamId: string) => { path: string; json?: unknown };
  const cases: [string, string, Request][] = [
    ['POST', 'creates no team', () => ({ path: '/api/v1.0/teams/', json: { name: 'Forged team' } })],
    ['PUT', 'renames nothing', (id) => ({ path: `/api/v1.0/teams/${id}/`, json: { name: 'Forged name' } })],
    ['PATCH', 'renames nothing', (id) => ({ path: `/api/v1.0/teams/${id}/`, json: { name: 'Forged name' } })],
    ['DELETE', 'deletes nothing', (id) => ({ path: `/api/v1.0/teams/${id}/` })],
  ];

  it.each(cases)('%s is refused with 403 and %s', async (method, _what, request) => {
    const browser = await t.browserFor(await t.createUser());
    const created = await browser.post('/api/v1.0/teams/', { name: 'Équipe intacte' });
    const id = (created.json as { id: string }).id;
    const before = (await browser.get('/api/v1.0/teams/')).json;
    const { path, json } = request(id);
    const res = await browser.request(method, path, { json, csrf: false });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ detail: 'CSRF Failed: CSRF token missing.' });
    expect((await browser.get('/api/v1.0/teams/')).json).toEqual(before);
  });
});

describe('CSRF on percent-encoded paths', () => {
  it('checks a login posted to /%61pi/… as it checks /api/…', async () => {
    passwordFor ??= t.loginAsStaff();
    const { user, password } = await passwordFor;
    const browser = t.browser();
    const res = await browser.request('POST', '/%61pi/v1.0/login/', {
      body: new URLSearchParams({ email: user.email ?? '', password }).toString(),
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(403);
    expect(browser.cookies.has('desk_sessionid')).toBe(false);
  });

  it('checks a logout posted to /%61pi/… as it checks /api/…', async () => {
    const { browser } = await t.loginAsStaff();
    const res = await browser.request('POST', '/%61pi/v1.0/logout/', {
      headers: { origin: 'https://evil.example' },
      csrf: false,
    });
    expect(res.status).toBe(403);
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(200);
  });
});

let passwordFor: ReturnType<typeof t.loginAsStaff> | undefined;
