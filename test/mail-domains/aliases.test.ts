// Aliases of a mail domain (DESIGN.md §11, people's mailbox_manager aliases API): a local part forwarded to one or
// more destinations, made and removed at dimail, by administrators (and by the agent an alias forwards to, to remove).
import { afterAll, describe, expect, it } from 'vitest';
import { useDesk } from '../support/desk.ts';
import { startFakeDimail } from '../support/fake-dimail.ts';
import { MAIL_DOMAINS_API as api, mailDomainsKit, type TestDomain } from '../support/mail-domains.ts';

const dimail = await startFakeDimail();
afterAll(() => dimail.close());
const clock = { now: Date.now() };
const t = useDesk(
  {
    MAIL_PROVISIONING_API_URL: dimail.url,
    MAIL_PROVISIONING_API_CREDENTIALS: dimail.credentials,
    MAIL_PROVISIONING_API_TIMEOUT: '2',
  },
  { now: () => clock.now },
);
const kit = mailDomainsKit(t, clock);

interface AliasJson {
  id: string;
  local_part: string;
  destination: string;
  domain: Record<string, unknown>;
  status: string;
}

async function createAlias(d: TestDomain, localPart: string, destination: string): Promise<AliasJson> {
  const res = await d.b.post(`${api}/${d.slug}/aliases/`, { local_part: localPart, destination });
  expect(res.status, res.text).toBe(201);
  return res.json as AliasJson;
}

const atDimail = (d: TestDomain, localPart: string) =>
  dimail.platform.aliases
    .filter((a) => a.domain === d.name && a.username === localPart)
    .map((a) => a.destination)
    .sort();

describe('listing aliases', () => {
  it('pages them by local part, each with its whole domain', async () => {
    const d = await kit.domain();
    for (const localPart of ['zulu', 'alpha', 'mike'])
      await createAlias(d, localPart, `${localPart}@elsewhere.example`);
    const { b } = await kit.member(d, 'viewer');
    const domain = (await b.get(`${api}/${d.slug}/`)).json;

    const first = await b.get(`${api}/${d.slug}/aliases/?page_size=2`);
    expect(first.status).toBe(200);
    const page = first.json as { count: number; next: string | null; results: AliasJson[] };
    expect(page.count).toBe(3);
    expect(page.next).toBeTruthy();
    expect(page.results.map((a) => a.local_part)).toEqual(['alpha', 'mike']);
    expect(page.results[0]).toEqual({
      id: expect.any(String),
      local_part: 'alpha',
      destination: 'alpha@elsewhere.example',
      domain,
      status: 'enabled',
    });
    const second = (await b.get(`${api}/${d.slug}/aliases/?page_size=2&page=2`)).json as {
      results: AliasJson[];
    };
    expect(second.results.map((a) => a.local_part)).toEqual(['zulu']);
  });

  it('answers 404 to a user without a role on the domain', async () => {
    const d = await kit.domain();
    const stranger = await t.browserFor(await t.createUser());
    expect((await stranger.get(`${api}/${d.slug}/aliases/`)).status).toBe(404);
  });
});

describe('creating an alias', () => {
  it('is refused to a viewer', async () => {
    const d = await kit.domain();
    const { b } = await kit.member(d, 'viewer');
    const res = await b.post(`${api}/${d.slug}/aliases/`, {
      local_part: 'contact',
      destination: 'someone@elsewhere.example',
    });
    expect(res.status).toBe(403);
    expect(atDimail(d, 'contact')).toEqual([]);
  });

  it('by an administrator makes it at dimail', async () => {
    const d = await kit.domain();
    const { b } = await kit.member(d, 'administrator');
    const res = await b.post(`${api}/${d.slug}/aliases/`, {
      local_part: 'contact',
      destination: 'someone@elsewhere.example',
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ local_part: 'contact', destination: 'someone@elsewhere.example' });
    expect(atDimail(d, 'contact')).toEqual(['someone@elsewhere.example']);
  });

  it('refuses the same local part to the same destination twice', async () => {
    const d = await kit.domain();
    await createAlias(d, 'contact', 'someone@elsewhere.example');
    const res = await d.b.post(`${api}/${d.slug}/aliases/`, {
      local_part: 'contact',
      destination: 'someone@elsewhere.example',
    });
    expect(res.status).toBe(400);
    expect(atDimail(d, 'contact')).toEqual(['someone@elsewhere.example']);
  });

  it('forwards one local part to several destinations', async () => {
    const d = await kit.domain();
    await createAlias(d, 'team', 'one@elsewhere.example');
    await createAlias(d, 'team', 'two@elsewhere.example');
    expect(atDimail(d, 'team')).toEqual(['one@elsewhere.example', 'two@elsewhere.example']);
  });

  it('accepts dimail’s black hole "…@devnull" as destination', async () => {
    const d = await kit.domain();
    const alias = await createAlias(d, 'noreply', 'someone@devnull');
    expect(alias.destination).toBe('someone@devnull');
    expect(atDimail(d, 'noreply')).toEqual(['someone@devnull']);
  });

  it('is refused while the domain is not enabled', async () => {
    const d = await kit.domain('action-required.');
    expect(d.status).toBe('action_required');
    const res = await d.b.post(`${api}/${d.slug}/aliases/`, {
      local_part: 'contact',
      destination: 'someone@elsewhere.example',
    });
    expect(res.status).toBe(400);
    expect(dimail.requests.some((r) => r.path.startsWith(`/domains/${d.name}/aliases`))).toBe(false);
  });
});

describe('deleting one alias', () => {
  it('by an administrator removes it at dimail', async () => {
    const d = await kit.domain();
    const alias = await createAlias(d, 'contact', 'someone@elsewhere.example');
    const { b } = await kit.member(d, 'administrator');
    const res = await b.delete(`${api}/${d.slug}/aliases/${alias.id}/`);
    expect(res.status, res.text).toBe(204);
    expect(atDimail(d, 'contact')).toEqual([]);
    expect((await d.b.get(`${api}/${d.slug}/aliases/`)).json).toMatchObject({ count: 0 });
  });

  it('is allowed to the viewer it forwards to', async () => {
    const d = await kit.domain();
    const { user, b } = await kit.member(d, 'viewer');
    const alias = await createAlias(d, 'contact', user.email ?? '');
    const res = await b.delete(`${api}/${d.slug}/aliases/${alias.id}/`);
    expect(res.status, res.text).toBe(204);
    expect(atDimail(d, 'contact')).toEqual([]);
  });

  it('is refused to another viewer', async () => {
    const d = await kit.domain();
    const alias = await createAlias(d, 'contact', 'someone@elsewhere.example');
    const { b } = await kit.member(d, 'viewer');
    expect((await b.delete(`${api}/${d.slug}/aliases/${alias.id}/`)).status).toBe(403);
    expect(atDimail(d, 'contact')).toEqual(['someone@elsewhere.example']);
  });

  it('succeeds when dimail had already lost it', async () => {
    const d = await kit.domain();
    const alias = await createAlias(d, 'contact', 'someone@elsewhere.example');
    const at = dimail.platform.aliases.findIndex((a) => a.domain === d.name && a.username === 'contact');
    dimail.platform.aliases.splice(at, 1);
    const res = await d.b.delete(`${api}/${d.slug}/aliases/${alias.id}/`);
    expect(res.status, res.text).toBe(204);
    expect((await d.b.get(`${api}/${d.slug}/aliases/`)).json).toMatchObject({ count: 0 });
  });
});

describe('deleting every destination of a local part', () => {
  it('removes them all, here and at dimail', async () => {
    const d = await kit.domain();
    await createAlias(d, 'team', 'one@elsewhere.example');
    await createAlias(d, 'team', 'two@elsewhere.example');
    const kept = await createAlias(d, 'other', 'one@elsewhere.example');
    const res = await d.b.delete(`${api}/${d.slug}/aliases/?local_part=team`);
    expect(res.status, res.text).toBe(204);
    expect(atDimail(d, 'team')).toEqual([]);
    const left = (await d.b.get(`${api}/${d.slug}/aliases/`)).json as { results: AliasJson[] };
    expect(left.results.map((a) => a.id)).toEqual([kept.id]);
  });

  it('requires local_part', async () => {
    const d = await kit.domain();
    const res = await d.b.delete(`${api}/${d.slug}/aliases/`);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ local_part: [expect.any(String)] });
  });

  it('answers 404 for a local part without aliases', async () => {
    const d = await kit.domain();
    expect((await d.b.delete(`${api}/${d.slug}/aliases/?local_part=nobody`)).status).toBe(404);
  });
});
