// The development dimail speaks dimail's API as people's client expects it: Basic for tokens and domains, Bearer for
// mailboxes and aliases, FastAPI's error shapes, and a domain's check outcome chosen by the first label of its name.
import { randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDimail, startFakeDimail } from '../support/fake-dimail.ts';

let dimail: FakeDimail;

beforeAll(async () => {
  dimail = await startFakeDimail();
});

afterAll(async () => {
  await dimail?.close();
});

type Auth = 'basic' | 'none' | { bearer: string } | { header: string };

interface Answer {
  status: number;
  json: unknown;
  headers: Headers;
}

async function call(
  server: FakeDimail,
  method: string,
  path: string,
  auth: Auth,
  body?: unknown,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (auth === 'basic') headers.authorization = `Basic ${server.credentials}`;
  else if (auth !== 'none') headers.authorization = 'bearer' in auth ? `Bearer ${auth.bearer}` : auth.header;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function tokenOf(server: FakeDimail): Promise<{ bearer: string }> {
  const res = await call(server, 'GET', '/token/', 'basic');
  expect(res.status).toBe(200);
  return { bearer: (res.json as { access_token: string }).access_token };
}

/** A domain name of its own for each test; `first` is the label choosing the checks' outcome. */
function domainName(first?: string): string {
  const unique = `d${randomBytes(5).toString('hex')}.example.fr`;
  return first ? `${first}.${unique}` : unique;
}

async function createDomain(server: FakeDimail, name = domainName()): Promise<string> {
  const res = await call(server, 'POST', '/domains/', 'basic', {
    name,
    context_name: name,
    features: ['webmail', 'mailbox', 'alias'],
    delivery: 'virtual',
  });
  expect(res.status).toBe(201);
  return name;
}

const NAMES = { givenName: 'Jeanne', surName: 'Martin', displayName: 'Jeanne Martin' };

describe('tokens', () => {
  it('are given for the API user’s Basic credentials: a bearer JWT (HS256) for that user, valid an hour', async () => {
    const res = await call(dimail, 'GET', '/token/', 'basic');
    expect(res.status).toBe(200);
    const { access_token, token_type } = res.json as { access_token: string; token_type: string };
    expect(token_type).toBe('bearer');
    expect(decodeProtectedHeader(access_token).alg).toBe('HS256');
    const claims = decodeJwt(access_token);
    expect(claims.sub).toBe(Buffer.from(dimail.credentials, 'base64').toString().split(':')[0]);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
  });

  it('are refused (403) for wrong or missing Basic credentials', async () => {
    const wrong = Buffer.from('desk-test:not-the-password').toString('base64');
    for (const auth of ['none', { header: `Basic ${wrong}` }, { header: 'Basic %%%' }] as Auth[]) {
      const res = await call(dimail, 'GET', '/token/', auth);
      expect(res.status).toBe(403);
      expect(res.json).toEqual({ detail: 'Permission denied' });
    }
  });

  it('are needed by mailbox and alias routes: none, Basic or a forged token get 401', async () => {
    const domain = await createDomain(dimail);
    const forged = await new SignJWT({ gen: 0 })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('desk-test')
      .setExpirationTime('1h')
      .sign(randomBytes(32));
    for (const auth of ['none', 'basic', { bearer: forged }] as Auth[]) {
      const res = await call(dimail, 'GET', `/domains/${domain}/aliases/`, auth);
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ detail: expect.any(String) });
    }
  });

  it('stop working once revoked (401); a new one works', async () => {
    const server = await startFakeDimail();
    try {
      const domain = await createDomain(server);
      const old = await tokenOf(server);
      server.revokeTokens();
      expect((await call(server, 'GET', `/domains/${domain}/aliases/`, old)).status).toBe(401);
      const fresh = await tokenOf(server);
      expect((await call(server, 'GET', `/domains/${domain}/aliases/`, fresh)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('stop working once expired (401)', async () => {
    let now = Date.now();
    const server = await startFakeDimail({ now: () => now });
    try {
      const domain = await createDomain(server);
      const token = await tokenOf(server);
      expect((await call(server, 'GET', `/domains/${domain}/aliases/`, token)).status).toBe(200);
      now += 3601_000;
      const res = await call(server, 'GET', `/domains/${domain}/aliases/`, token);
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ detail: 'Could not validate credentials' });
    } finally {
      await server.close();
    }
  });

  it('can be made to expire at once (tokenLifetime 0)', async () => {
    const server = await startFakeDimail({ tokenLifetime: 0 });
    try {
      const domain = await createDomain(server);
      const token = await tokenOf(server);
      expect((await call(server, 'GET', `/domains/${domain}/aliases/`, token)).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});

describe('domains', () => {
  it('are created once (201); the same name again is 409', async () => {
    const name = domainName();
    const body = { name, context_name: name, features: ['webmail', 'mailbox', 'alias'], delivery: 'virtual' };
    const first = await call(dimail, 'POST', '/domains/', 'basic', body);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      name,
      context_name: name,
      features: ['webmail', 'mailbox', 'alias'],
      delivery: 'virtual',
      state: 'ok',
      valid: true,
    });
    const again = await call(dimail, 'POST', '/domains/', 'basic', body);
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ detail: 'Domain already exists' });
  });

  it('take Basic credentials, not a bearer token (403)', async () => {
    const name = domainName();
    const res = await call(dimail, 'POST', '/domains/', await tokenOf(dimail), {
      name,
      context_name: name,
      features: ['mailbox'],
      delivery: 'virtual',
    });
    expect(res.status).toBe(403);
  });

  it('pass every check with an ordinary name: state ok, external and internal checks as dimail reports them', async () => {
    const name = await createDomain(dimail);
    const res = await call(dimail, 'GET', `/domains/${name}/check`, 'basic');
    expect(res.status).toBe(200);
    const ok = (internal: boolean) => ({ ok: true, internal, errors: [] });
    expect(res.json).toEqual({
      name,
      state: 'ok',
      valid: true,
      delivery: 'virtual',
      features: ['webmail', 'mailbox', 'alias'],
      context_name: name,
      webmail_domain: null,
      imap_domain: null,
      smtp_domain: null,
      transport: null,
      domain_exist: ok(false),
      mx: ok(false),
      cname_imap: ok(false),
      cname_smtp: ok(false),
      cname_webmail: ok(false),
      spf: ok(false),
      dkim: ok(false),
      postfix: ok(true),
      ox: ok(true),
      cert: ok(true),
    });
  });

  it('named action-required.… fail the mx and spf checks, each naming the record to set; fix changes nothing', async () => {
    const name = await createDomain(dimail, domainName('action-required'));
    const report = (await call(dimail, 'GET', `/domains/${name}/check`, 'basic')).json as Record<
      string,
      unknown
    >;
    expect(report.state).toBe('broken');
    expect(report.mx).toEqual({
      ok: false,
      internal: false,
      errors: [{ code: 'wrong_mx', detail: expect.stringContaining('MX record') }],
    });
    expect(report.spf).toEqual({
      ok: false,
      internal: false,
      errors: [{ code: 'wrong_spf', detail: expect.stringContaining('include:_spf.dev-dimail.invalid') }],
    });
    for (const check of [
      'domain_exist',
      'cname_imap',
      'cname_smtp',
      'cname_webmail',
      'dkim',
      'postfix',
      'ox',
      'cert',
    ])
      expect(report[check]).toMatchObject({ ok: true, errors: [] });
    const fixed = await call(dimail, 'GET', `/domains/${name}/fix/`, 'basic');
    expect(fixed.status).toBe(200);
    expect(fixed.json).toEqual(report);
  });

  it('named failed.… fail the internal cert check, which fix cannot mend', async () => {
    const name = await createDomain(dimail, domainName('failed'));
    const report = (await call(dimail, 'GET', `/domains/${name}/check`, 'basic')).json as Record<
      string,
      unknown
    >;
    expect(report).toMatchObject({
      state: 'broken',
      mx: { ok: true },
      spf: { ok: true },
      cert: { ok: false, internal: true, errors: [{ code: 'no_cert', detail: expect.any(String) }] },
    });
    const fixed = (await call(dimail, 'GET', `/domains/${name}/fix/`, 'basic')).json;
    expect(fixed).toMatchObject({ state: 'broken', cert: { ok: false } });
    expect((await call(dimail, 'GET', `/domains/${name}/check`, 'basic')).json).toMatchObject({
      state: 'broken',
    });
  });

  it('named fixable.… fail the cert check until fix mends it', async () => {
    const name = await createDomain(dimail, domainName('fixable'));
    expect((await call(dimail, 'GET', `/domains/${name}/check`, 'basic')).json).toMatchObject({
      state: 'broken',
      cert: { ok: false, internal: true },
    });
    const fixed = await call(dimail, 'GET', `/domains/${name}/fix/`, 'basic');
    expect(fixed.status).toBe(200);
    expect(fixed.json).toMatchObject({ state: 'ok', valid: true, cert: { ok: true, errors: [] } });
    expect((await call(dimail, 'GET', `/domains/${name}/check`, 'basic')).json).toMatchObject({
      state: 'ok',
    });
  });

  it('unknown are 404 to check, fix and spec', async () => {
    const name = domainName();
    for (const path of [`/domains/${name}/check`, `/domains/${name}/fix/`, `/domains/${name}/spec/`]) {
      const res = await call(dimail, 'GET', path, 'basic');
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ detail: 'Domain not found' });
    }
  });

  it('come with the DNS records to set, pointing at the made-up platform', async () => {
    const name = await createDomain(dimail);
    const res = await call(dimail, 'GET', `/domains/${name}/spec/`, 'basic');
    expect(res.status).toBe(200);
    expect(res.json).toEqual([
      { target: '', type: 'mx', value: 'mx.dev-dimail.invalid.' },
      {
        target: 'dimail._domainkey',
        type: 'txt',
        value: expect.stringMatching(/^v=DKIM1; h=sha256; k=rsa; p=\S+$/),
      },
      { target: 'imap', type: 'cname', value: 'imap.dev-dimail.invalid.' },
      { target: 'smtp', type: 'cname', value: 'smtp.dev-dimail.invalid.' },
      { target: '', type: 'txt', value: 'v=spf1 include:_spf.dev-dimail.invalid -all' },
      { target: 'webmail', type: 'cname', value: 'webmail.dev-dimail.invalid.' },
    ]);
  });
});

describe('mailboxes', () => {
  it('are created with a password (201); the same address again is 409', async () => {
    const domain = await createDomain(dimail);
    const token = await tokenOf(dimail);
    const res = await call(dimail, 'POST', `/domains/${domain}/mailboxes/jeanne.martin`, token, NAMES);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ email: `jeanne.martin@${domain}`, password: expect.any(String) });
    expect((res.json as { password: string }).password.length).toBeGreaterThanOrEqual(16);
    const again = await call(dimail, 'POST', `/domains/${domain}/mailboxes/jeanne.martin`, token, {
      ...NAMES,
      displayName: 'Another Name',
    });
    expect(again.status).toBe(409);
  });

  it('with a display name already used in the context answer 500; the address lookup then names its holder', async () => {
    const domain = await createDomain(dimail);
    const token = await tokenOf(dimail);
    await call(dimail, 'POST', `/domains/${domain}/mailboxes/jeanne`, token, NAMES);
    const res = await call(dimail, 'POST', `/domains/${domain}/mailboxes/jeanne.martin`, token, NAMES);
    expect(res.status).toBe(500);
    const lookup = await call(dimail, 'GET', `/domains/${domain}/address/jeanne.martin/`, token);
    expect(lookup.status).toBe(200);
    expect(lookup.json).toMatchObject({
      ox_primary_email: `jeanne@${domain}`,
      is_mailbox: false,
      is_ox: true,
    });
  });

  it('are found by the address lookup; an unknown address is 404', async () => {
    const domain = await createDomain(dimail);
    const token = await tokenOf(dimail);
    await call(dimail, 'POST', `/domains/${domain}/mailboxes/paul`, token, { ...NAMES, displayName: 'Paul' });
    const found = await call(dimail, 'GET', `/domains/${domain}/address/paul/`, token);
    expect(found.json).toMatchObject({ ox_primary_email: `paul@${domain}`, is_mailbox: true });
    expect((await call(dimail, 'GET', `/domains/${domain}/address/nobody/`, token)).status).toBe(404);
  });

  it('are disabled and enabled again (PATCH active); an unknown mailbox is 404', async () => {
    const domain = await createDomain(dimail);
    const token = await tokenOf(dimail);
    await call(dimail, 'POST', `/domains/${domain}/mailboxes/jeanne`, token, NAMES);
    const disabled = await call(dimail, 'PATCH', `/domains/${domain}/mailboxes/jeanne`, token, {
      active: 'no',
    });
    expect(disabled.status).toBe(200);
    expect(disabled.json).toMatchObject({ email: `jeanne@${domain}`, active: 'no' });
    const enabled = await call(dimail, 'PATCH', `/domains/${domain}/mailboxes/jeanne`, token, {
      active: 'yes',
      givenName: 'Jeanne',
      surName: 'Martin-Durand',
      displayName: 'Jeanne Martin-Durand',
    });
    expect(enabled.json).toMatchObject({
      active: 'yes',
      surName: 'Martin-Durand',
      displayName: 'Jeanne Martin-Durand',
    });
    const unknown = await call(dimail, 'PATCH', `/domains/${domain}/mailboxes/nobody`, token, {
      active: 'no',
    });
    expect(unknown.status).toBe(404);
  });

  it('are listed as people’s import reads them: the "ox" feature, names under extras.ox', async () => {
    const domain = await createDomain(dimail);
    const token = await tokenOf(dimail);
    await call(dimail, 'POST', `/domains/${domain}/mailboxes/jeanne`, token, NAMES);
    const res = await call(dimail, 'GET', `/v2/domains/${domain}/mailboxes/`, token);
    expect(res.status).toBe(200);
    expect(res.json).toEqual([
      expect.objectContaining({
        type: 'mailbox',
        active: 'yes',
        email: `jeanne@${domain}`,
        features: ['ox'],
        extras: {
          ox: { given_name: 'Jeanne', sur_name: 'Martin', display_name: 'Jeanne Martin' },
          schedule: null,
        },
      }),
    ]);
  });

  it('get a login code for the webmail', async () => {
    const domain = await createDomain(dimail);
    const token = await tokenOf(dimail);
    await call(dimail, 'POST', `/domains/${domain}/mailboxes/jeanne`, token, NAMES);
    const res = await call(dimail, 'POST', `/domains/${domain}/mailboxes/jeanne/code`, token, {
      expires_in: 3600,
      maxuse: 3,
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      email: `jeanne@${domain}`,
      code: expect.any(String),
      expires_at: expect.any(Number),
      expires_in: 3600,
      maxuse: 3,
      nbuse: 0,
    });
  });

  it('get a new password on reset', async () => {
    const domain = await createDomain(dimail);
    const token = await tokenOf(dimail);
    const created = await call(dimail, 'POST', `/domains/${domain}/mailboxes/jeanne`, token, NAMES);
    const res = await call(dimail, 'POST', `/domains/${domain}/mailboxes/jeanne/reset_password/`, token);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ email: `jeanne@${domain}`, password: expect.any(String) });
    expect((res.json as { password: string }).password).not.toBe(
      (created.json as { password: string }).password,
    );
  });
});

describe('aliases', () => {
  it('are created once per destination (201, then 409), listed, and deleted (204, then 404)', async () => {
    const domain = await createDomain(dimail);
    const token = await tokenOf(dimail);
    const alias = { user_name: 'contact', destination: 'someone@elsewhere.fr' };
    const created = await call(dimail, 'POST', `/domains/${domain}/aliases/`, token, alias);
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      domain,
      username: 'contact',
      destination: 'someone@elsewhere.fr',
      allow_to_send: false,
    });
    expect((await call(dimail, 'POST', `/domains/${domain}/aliases/`, token, alias)).status).toBe(409);
    await call(dimail, 'POST', `/domains/${domain}/aliases/`, token, {
      ...alias,
      destination: 'other@elsewhere.fr',
    });
    const list = await call(dimail, 'GET', `/domains/${domain}/aliases/`, token);
    expect((list.json as { destination: string }[]).map((a) => a.destination)).toEqual([
      'someone@elsewhere.fr',
      'other@elsewhere.fr',
    ]);
    const path = `/domains/${domain}/aliases/contact/someone@elsewhere.fr`;
    expect((await call(dimail, 'DELETE', path, token, {})).status).toBe(204);
    expect((await call(dimail, 'DELETE', path, token, {})).status).toBe(404);
  });

  it('of one name are all deleted at once (204), then there are none (404)', async () => {
    const domain = await createDomain(dimail);
    const token = await tokenOf(dimail);
    for (const destination of ['a@elsewhere.fr', 'b@elsewhere.fr'])
      await call(dimail, 'POST', `/domains/${domain}/aliases/`, token, { user_name: 'team', destination });
    await call(dimail, 'POST', `/domains/${domain}/aliases/`, token, {
      user_name: 'kept',
      destination: 'a@elsewhere.fr',
    });
    expect((await call(dimail, 'DELETE', `/domains/${domain}/aliases/team/all`, token, {})).status).toBe(204);
    const left = (await call(dimail, 'GET', `/domains/${domain}/aliases/`, token)).json as {
      username: string;
    }[];
    expect(left.map((a) => a.username)).toEqual(['kept']);
    expect((await call(dimail, 'DELETE', `/domains/${domain}/aliases/team/all`, token, {})).status).toBe(404);
  });
});

describe('API users and allows', () => {
  it('are created once (201), then 409, with people’s string booleans accepted', async () => {
    const user = `sub-${randomBytes(4).toString('hex')}`;
    const body = { name: user, password: 'no', is_admin: 'false', perms: [] };
    const created = await call(dimail, 'POST', '/users/', 'basic', body);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: user, is_admin: false });
    expect((await call(dimail, 'POST', '/users/', 'basic', body)).status).toBe(409);
    const domain = await createDomain(dimail);
    const allow = await call(dimail, 'POST', '/allows/', 'basic', { user, domain });
    expect(allow.status).toBe(201);
    expect(allow.json).toEqual({ user, domain });
    expect((await call(dimail, 'POST', '/allows/', 'basic', { user, domain })).status).toBe(409);
  });
});

describe('bad bodies', () => {
  it('get 422 with FastAPI’s items: malformed JSON, no body, missing fields, wrong types', async () => {
    const domain = await createDomain(dimail);
    const token = await tokenOf(dimail);
    const path = `/domains/${domain}/mailboxes/jeanne`;
    const malformed = await call(dimail, 'POST', path, token, '{"givenName": "Jeanne"');
    expect(malformed.status).toBe(422);
    expect(malformed.json).toMatchObject({ detail: [{ type: 'json_invalid', loc: ['body', 0] }] });
    const empty = await call(dimail, 'POST', path, token);
    expect(empty.json).toEqual({
      detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }],
    });
    const missing = await call(dimail, 'POST', path, token, { givenName: 'Jeanne', surName: 3 });
    expect(missing.status).toBe(422);
    expect(missing.json).toEqual({
      detail: [
        { type: 'string_type', loc: ['body', 'surName'], msg: 'Input should be a valid string', input: 3 },
        {
          type: 'missing',
          loc: ['body', 'displayName'],
          msg: 'Field required',
          input: { givenName: 'Jeanne', surName: 3 },
        },
      ],
    });
    const domainBody = await call(dimail, 'POST', '/domains/', 'basic', {
      name: domainName(),
      features: ['ftp'],
    });
    expect(domainBody.status).toBe(422);
    expect((domainBody.json as { detail: { loc: unknown[] }[] }).detail.map((d) => d.loc)).toEqual([
      ['body', 'context_name'],
      ['body', 'features', 0],
    ]);
    const patch = await call(dimail, 'PATCH', path, token, { active: 'maybe' });
    expect(patch.status).toBe(422);
    expect(patch.json).toMatchObject({ detail: [{ type: 'enum', loc: ['body', 'active'] }] });
  });
});

describe('unknown routes', () => {
  it('are 404 with a JSON detail', async () => {
    const res = await call(dimail, 'GET', '/nothing-here', 'basic');
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ detail: 'Not Found' });
  });
});
