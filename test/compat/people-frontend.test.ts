// Plays people's own front end (suitenumerique/people, src/frontend/apps/desk/src at commit
// 9bb1758f15736035f2684a6ec52f70daa6003eeb): the calls it makes, with its headers, and every field it reads.
import { describe, expect, it } from 'vitest';
import type { User } from '../../src/users/index.ts';
import type { Answer, Browser } from '../support/browser.ts';
import { useDesk } from '../support/desk.ts';
import { uniqueEmail } from '../support/parts.ts';

const FRONT_END = 'http://localhost:3000';
const t = useDesk({
  CORS_ALLOWED_ORIGINS: FRONT_END,
  CORS_ALLOWED_ORIGIN_REGEXES: String.raw`https://[a-z0-9-]+\.review\.example\.gouv\.fr`,
  CSRF_TRUSTED_ORIGINS: FRONT_END,
});
const getOnlyLogout = useDesk({ ALLOW_LOGOUT_GET_METHOD: 'false' });

/** people's api/fetchApi.ts: credentials, a JSON content type on every request, X-CSRFToken when the cookie is readable. */
class PeopleFrontEnd {
  constructor(readonly browser: Browser) {}

  call(method: string, path: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = { 'content-type': 'application/json', origin: FRONT_END };
    const csrf = this.browser.cookies.get('csrftoken');
    if (csrf) headers['x-csrftoken'] = csrf;
    return this.browser.request(method, `/api/v1.0/${path}`, {
      headers,
      csrf: false,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
}

async function signedIn(user?: User): Promise<{ app: PeopleFrontEnd; me: User }> {
  const me = user ?? (await t.createUser({ name: 'Agathe Front' }));
  return { app: new PeopleFrontEnd(await t.browserFor(me)), me };
}

interface Team {
  id: string;
  name: string;
  accesses: string[];
  created_at: string;
  updated_at: string;
  abilities: { delete: boolean; manage_accesses: boolean };
}

describe("people's front end before login", () => {
  it('reads config/ anonymously: version, commit, chat id and features', async () => {
    const res = await new PeopleFrontEnd(t.browser()).call('GET', 'config/');
    expect(res.status).toBe(200);
    const config = res.json as Record<string, unknown>;
    expect(config.RELEASE).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof config.COMMIT).toBe('string');
    expect(config.CRISP_WEBSITE_ID).toBeNull();
    expect(config.FEATURES).toMatchObject({ TEAMS_DISPLAY: true });
  });

  it('gets a JSON 401 from users/me/ (it then navigates to authenticate/)', async () => {
    const res = await new PeopleFrontEnd(t.browser()).call('GET', 'users/me/');
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ detail: 'Authentication credentials were not provided.' });
  });
});

describe("people's front end once logged in", () => {
  it('reads users/me/ as its layout does on every page', async () => {
    const { app, me } = await signedIn();
    const user = (await app.call('GET', 'users/me/')).json as Record<string, unknown>;
    expect(user).toMatchObject({ id: me.id, email: me.email, name: 'Agathe Front', organization: null });
    expect(user.abilities).toMatchObject({
      teams: { can_view: true, can_create: true },
      mailboxes: { can_view: false, can_create: false },
    });
  });

  it('creates a team and finds it in the list with its member count', async () => {
    const { app } = await signedIn();
    const created = await app.call('POST', 'teams/', { name: 'Groupe Front' });
    expect(created.status).toBe(201);
    const { id } = created.json as Team;
    const list = await app.call('GET', 'teams/?ordering=-created_at');
    expect(Array.isArray(list.json)).toBe(true);
    const team = (list.json as Team[]).find((x) => x.id === id);
    expect(team?.name).toBe('Groupe Front');
    expect(team?.accesses).toHaveLength(1);
  });

  it('retrieves a team without a trailing slash, with what its team page reads', async () => {
    const { app } = await signedIn();
    const { id } = (await app.call('POST', 'teams/', { name: 'Sans barre' })).json as Team;
    const res = await app.call('GET', `teams/${id}`);
    expect(res.status).toBe(200);
    const team = res.json as Team;
    expect(team).toMatchObject({
      id,
      name: 'Sans barre',
      abilities: { delete: true, manage_accesses: true },
    });
    expect(team.accesses).toHaveLength(1);
    expect(new Date(team.created_at).toISOString()).toBe(team.created_at);
    expect(new Date(team.updated_at).toISOString()).toBe(team.updated_at);
  });

  it('gets a JSON 404 for a team it cannot see (it shows its /404 page)', async () => {
    const { app } = await signedIn();
    const res = await app.call('GET', `teams/${crypto.randomUUID()}`);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ detail: 'Not found.' });
  });

  it('adds members through its dialog: search, an access for a user, an invitation for an email', async () => {
    const { app } = await signedIn();
    const { id } = (await app.call('POST', 'teams/', { name: 'Dialogue' })).json as Team;
    const colleague = await t.createUser({ name: 'Bérénice Dialogue' });
    const found = await app.call('GET', `users/?q=dialogue&team_id=${id}`);
    const results = (found.json as { results: { id: string; email: string; name: string }[] }).results;
    expect(results).toContainEqual({ id: colleague.id, email: colleague.email, name: 'Bérénice Dialogue' });
    const [access, invitation] = await Promise.all([
      app.call('POST', `teams/${id}/accesses/`, { user: colleague.id, role: 'administrator' }),
      app.call('POST', `teams/${id}/invitations/`, { email: uniqueEmail('invitee'), role: 'member' }),
    ]);
    expect([access.status, invitation.status]).toEqual([201, 201]);
    const team = (await app.call('GET', `teams/${id}`)).json as Team;
    expect(team.accesses).toHaveLength(2);
  });

  it('reads the member grid: count, and per row id, role, user and set_role_to', async () => {
    const { app, me } = await signedIn();
    const { id } = (await app.call('POST', 'teams/', { name: 'Grille' })).json as Team;
    const colleague = await t.createUser({ name: 'Zoé Grille' });
    await app.call('POST', `teams/${id}/accesses/`, { user: colleague.id, role: 'member' });
    for (const query of ['page=1&ordering=user__name', 'q=zoé&ordering=-role', 'page=1&ordering=role']) {
      const res = await app.call('GET', `teams/${id}/accesses/?${query}`);
      expect(res.status).toBe(200);
      const page = res.json as {
        count: number;
        results: {
          id: string;
          role: string;
          user: { id: string; name: string; email: string };
          abilities: { set_role_to: string[] };
        }[];
      };
      expect(page.count).toBeGreaterThan(0);
      for (const row of page.results) {
        expect(row).toMatchObject({ id: expect.any(String), role: expect.any(String) });
        expect(row.user).toMatchObject({ id: expect.any(String), name: expect.any(String) });
        expect(Array.isArray(row.abilities.set_role_to)).toBe(true);
      }
    }
    const all = (await app.call('GET', `teams/${id}/accesses/?page=1`)).json as {
      results: { user: { id: string }; abilities: { set_role_to: string[] } }[];
    };
    // The last owner, looking at themselves: an empty set_role_to is how it knows.
    expect(all.results.find((r) => r.user.id === me.id)?.abilities.set_role_to).toEqual([]);
  });

  it('changes a role, removes a member and deletes the team, with a JSON content type and no body', async () => {
    const { app } = await signedIn();
    const { id } = (await app.call('POST', 'teams/', { name: 'Suppressions' })).json as Team;
    const colleague = await t.createUser();
    const access = (await app.call('POST', `teams/${id}/accesses/`, { user: colleague.id, role: 'member' }))
      .json as { id: string };
    expect(
      (await app.call('PATCH', `teams/${id}/accesses/${access.id}/`, { role: 'administrator' })).status,
    ).toBe(200);
    expect((await app.call('PATCH', `teams/${id}/`, { name: 'Renommée' })).status).toBe(200);
    expect((await app.call('DELETE', `teams/${id}/accesses/${access.id}/`)).status).toBe(204);
    expect((await app.call('DELETE', `teams/${id}/`)).status).toBe(204);
  });

  it('logs out by navigating to logout/ (a GET)', async () => {
    const { app } = await signedIn();
    const out = await app.browser.get('/api/v1.0/logout/');
    expect(out.status).toBe(302);
    expect((await app.call('GET', 'users/me/')).status).toBe(401);
  });

  it('still gets 405 on a GET logout when ALLOW_LOGOUT_GET_METHOD=false', async () => {
    const browser = await getOnlyLogout.browserFor(await getOnlyLogout.createUser());
    expect((await browser.get('/api/v1.0/logout/')).status).toBe(405);
    expect((await browser.post('/api/v1.0/logout/')).status).toBe(302);
  });
});

describe('a front end served from another origin (CORS)', () => {
  const preflight = (origin: string) =>
    fetch(`${t.url}/api/v1.0/teams/`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-csrftoken',
      },
    });

  it.each([FRONT_END, 'https://pr-42.review.example.gouv.fr'])(
    'lets %s call with credentials',
    async (origin) => {
      const res = await preflight(origin);
      expect(res.status).toBeLessThan(300);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-csrftoken');
      const { app } = await signedIn();
      const get = await app.browser.get('/api/v1.0/users/me/', { origin });
      expect(get.headers.get('access-control-allow-origin')).toBe(origin);
      expect(get.headers.get('vary')?.toLowerCase()).toContain('origin');
    },
  );

  it.each(['https://evil.example', 'https://pr-42.review.example.gouv.fr.evil.example', 'null'])(
    'gives %s no CORS permission',
    async (origin) => {
      expect((await preflight(origin)).headers.get('access-control-allow-origin')).toBeNull();
      const { app } = await signedIn();
      const get = await app.browser.get('/api/v1.0/users/me/', { origin });
      expect(get.headers.get('access-control-allow-origin')).toBeNull();
    },
  );

  it('lets only CSRF_TRUSTED_ORIGINS pass the CSRF check, not every CORS origin', async () => {
    const { app } = await signedIn();
    const trusted = await app.browser.post(
      '/api/v1.0/teams/',
      { name: 'De confiance' },
      { headers: { origin: FRONT_END } },
    );
    expect(trusted.status).toBe(201);
    const corsOnly = await app.browser.post(
      '/api/v1.0/teams/',
      { name: 'CORS seulement' },
      { headers: { origin: 'https://pr-42.review.example.gouv.fr' } },
    );
    expect(corsOnly.status).toBe(403);
  });
});
