// Plays people's own front end (suitenumerique/people, src/frontend/apps/desk/src at commit
// 9bb1758f15736035f2684a6ec52f70daa6003eeb): the calls it makes, with its headers, and every field it reads.
import { afterAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/users/index.ts';
import type { Answer, Browser } from '../support/browser.ts';
import { useDesk } from '../support/desk.ts';
import { startFakeDimail } from '../support/fake-dimail.ts';
import { uniqueEmail } from '../support/parts.ts';

const FRONT_END = 'http://localhost:3000';
const dimail = await startFakeDimail();
afterAll(() => dimail.close());
const t = useDesk({
  MAIL_PROVISIONING_API_URL: dimail.url,
  MAIL_PROVISIONING_API_CREDENTIALS: dimail.credentials,
  MAIL_PROVISIONING_API_TIMEOUT: '2',
  WEBMAIL_URL: 'https://webmail.example.test',
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

describe("people's front end on the mail-domain pages (features/mail-domains)", () => {
  const abilityKeys = ['delete', 'get', 'manage_accesses', 'patch', 'post', 'put'];

  /** useAddMailDomain, then the list and the domain page as it reads them. */
  async function domainPage() {
    const { app, me } = await signedIn();
    const name = `d${crypto.randomUUID().slice(0, 8)}.example.fr`;
    const created = await app.call('POST', 'mail-domains/', { name, support_email: `support@${name}` });
    expect(created.status, created.text).toBe(201);
    const { slug } = created.json as { slug: string };
    return { app, me, name, slug };
  }

  it('adds a domain, finds it in its list (page, ordering) and reads its page and status', async () => {
    const { app, name, slug } = await domainPage();
    const list = (await app.call('GET', 'mail-domains/?page=1&ordering=-created_at')).json as {
      next: string | null;
      results: Record<string, unknown>[];
    };
    expect(list.next).toBeNull();
    const item = list.results.find((d) => d.slug === slug);
    expect(item).toMatchObject({ name, slug, status: 'enabled', support_email: `support@${name}` });
    expect(Object.keys(item?.abilities as object).sort()).toEqual(abilityKeys);
    const page = (await app.call('GET', `mail-domains/${slug}/`)).json as Record<string, unknown>;
    for (const field of ['id', 'created_at', 'updated_at', 'count_mailboxes', 'action_required_details'])
      expect(page).toHaveProperty(field);
    expect(Array.isArray(page.expected_config)).toBe(true);
    for (const record of page.expected_config as Record<string, unknown>[])
      expect(record).toEqual({
        target: expect.any(String),
        type: expect.any(String),
        value: expect.any(String),
      });
    const fetched = await app.call('POST', `mail-domains/${slug}/fetch/`);
    expect(fetched.status, fetched.text).toBe(200);
    expect(fetched.json).toMatchObject({ slug, status: 'enabled' });
  });

  it('creates, lists, edits, disables and enables a mailbox and sends its login link, with no body on actions', async () => {
    const { app, slug } = await domainPage();
    const created = await app.call('POST', `mail-domains/${slug}/mailboxes/`, {
      first_name: 'Jeanne',
      last_name: 'Martin',
      local_part: 'jeanne.martin',
      secondary_email: uniqueEmail('jeanne'),
    });
    expect(created.status, created.text).toBe(201);
    const list = (await app.call('GET', `mail-domains/${slug}/mailboxes/?page=1`)).json as {
      next: string | null;
      results: Record<string, unknown>[];
    };
    const [box] = list.results;
    expect(Object.keys(box ?? {}).sort()).toEqual(
      ['first_name', 'id', 'last_name', 'local_part', 'secondary_email', 'status'].sort(),
    );
    const id = String(box?.id);
    const edited = await app.call('PATCH', `mail-domains/${slug}/mailboxes/${id}/`, {
      first_name: 'Jeanne',
      last_name: 'Martin-Dupont',
      secondary_email: uniqueEmail('jeanne'),
    });
    expect(edited.status, edited.text).toBe(200);
    expect((await app.call('POST', `mail-domains/${slug}/mailboxes/${id}/disable/`)).status).toBe(200);
    expect((await app.call('POST', `mail-domains/${slug}/mailboxes/${id}/enable/`)).status).toBe(200);
    expect((await app.call('POST', `mail-domains/${slug}/mailboxes/${id}/login_link/`)).status).toBe(200);
  });

  it('shows a refused mailbox’s causes field by field', async () => {
    const { app, slug } = await domainPage();
    const res = await app.call('POST', `mail-domains/${slug}/mailboxes/`, {
      first_name: 'Jeanne',
      last_name: 'Martin',
      local_part: 'not valid',
      secondary_email: uniqueEmail(),
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ local_part: [expect.any(String)] });
  });

  it('groups aliases by local part, deletes one destination by id and a whole group through aliases/delete/', async () => {
    const { app, name, slug } = await domainPage();
    for (const destination of ['one@elsewhere.example', 'two@elsewhere.example'])
      expect(
        (await app.call('POST', `mail-domains/${slug}/aliases/`, { local_part: 'team', destination })).status,
      ).toBe(201);
    await app.call('POST', `mail-domains/${slug}/aliases/`, {
      local_part: 'contact',
      destination: 'one@elsewhere.example',
    });
    const list = (await app.call('GET', `mail-domains/${slug}/aliases/?page=1`)).json as {
      next: string | null;
      results: { id: string; local_part: string; destination: string }[];
    };
    expect(list.results.map((a) => [a.local_part, a.destination])).toEqual([
      ['contact', 'one@elsewhere.example'],
      ['team', 'one@elsewhere.example'],
      ['team', 'two@elsewhere.example'],
    ]);
    const contact = list.results[0]?.id;
    expect((await app.call('DELETE', `mail-domains/${slug}/aliases/${contact}/`)).status).toBe(204);
    // useDeleteAlias: people's bulk action is routed at aliases/delete/.
    const bulk = await app.call('DELETE', `mail-domains/${slug}/aliases/delete/?local_part=team`);
    expect(bulk.status, bulk.text).toBe(204);
    expect((await app.call('GET', `mail-domains/${slug}/aliases/?page=1`)).json).toMatchObject({ count: 0 });
    expect(dimail.platform.aliases.some((a) => a.domain === name)).toBe(false);
  });

  it('manages accesses and invitations as its access modal does', async () => {
    const { app, me, slug } = await domainPage();
    const colleague = await t.createUser({ name: 'Paul Collègue' });
    const found = (await app.call('GET', `mail-domains/${slug}/accesses/users/?q=Paul`)).json as {
      id: string;
    }[];
    expect(found.map((u) => u.id)).toContain(colleague.id);
    const granted = await app.call('POST', `mail-domains/${slug}/accesses/`, {
      user: colleague.id,
      role: 'viewer',
    });
    expect(granted.status, granted.text).toBe(201);
    const accesses = (await app.call('GET', `mail-domains/${slug}/accesses/?page=1&ordering=-user__name`))
      .json as {
      results: { id: string; role: string; user: { id: string; name: string }; can_set_role_to: string[] }[];
    };
    const mine = accesses.results.find((a) => a.user.id === me.id);
    expect(mine?.role).toBe('owner');
    expect(mine?.can_set_role_to.sort()).toEqual(['administrator', 'viewer']);
    const theirs = accesses.results.find((a) => a.user.id === colleague.id);
    expect(theirs?.can_set_role_to.sort()).toEqual(['administrator', 'owner']);
    expect(
      (await app.call('PATCH', `mail-domains/${slug}/accesses/${theirs?.id}/`, { role: 'administrator' }))
        .status,
    ).toBe(200);
    expect((await app.call('DELETE', `mail-domains/${slug}/accesses/${theirs?.id}/`)).status).toBe(204);

    const email = uniqueEmail('invited');
    const invited = await app.call('POST', `mail-domains/${slug}/invitations/`, {
      email,
      role: 'administrator',
    });
    expect(invited.status, invited.text).toBe(201);
    const invitations = (await app.call('GET', `mail-domains/${slug}/invitations/`)).json as {
      results: Record<string, unknown>[];
    };
    expect(invitations.results).toEqual([
      expect.objectContaining({
        email,
        role: 'administrator',
        is_expired: false,
        abilities: expect.any(Object),
      }),
    ]);
    const id = String(invitations.results[0]?.id);
    expect((await app.call('DELETE', `mail-domains/${slug}/invitations/${id}/`)).status).toBe(204);
  });

  it('shows the mail pages once users/me/ says so', async () => {
    const { app } = await domainPage();
    const me = (await app.call('GET', 'users/me/')).json as { abilities: { mailboxes: unknown } };
    expect(me.abilities.mailboxes).toEqual({ can_view: true, can_create: true });
  });
});
