// The test suite's dimail (test/support/fake-dimail.ts) records what it is sent and fails to order: an error status,
// a hang, a dropped connection, refused connections while stopped, and back with its state after a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeDimail, startFakeDimail } from '../support/fake-dimail.ts';

const fakes: FakeDimail[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function fake(): Promise<FakeDimail> {
  const started = await startFakeDimail();
  fakes.push(started);
  return started;
}

const basic = (dimail: FakeDimail) => ({ authorization: `Basic ${dimail.credentials}` });
const getToken = (dimail: FakeDimail, init: RequestInit = {}) =>
  fetch(`${dimail.url}/token/`, { headers: basic(dimail), ...init });

/** The error code under fetch's "fetch failed". */
async function failureOf(request: Promise<Response>): Promise<string> {
  try {
    await request;
  } catch (err) {
    return String((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name);
  }
  throw new Error('expected the request to fail');
}

describe('the fake dimail', () => {
  it('records each request: method, path, the scheme of its credentials, its body, and its answer', async () => {
    const dimail = await fake();
    const { access_token } = (await (await getToken(dimail)).json()) as { access_token: string };
    await fetch(`${dimail.url}/domains/mairie.example.fr/aliases/?page=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_name: 'contact', destination: 'a@elsewhere.fr' }),
    });
    await fetch(`${dimail.url}/domains/mairie.example.fr/check`);
    expect(dimail.requests.map(({ response: _, ...request }) => request)).toEqual([
      { method: 'GET', path: '/token/', authorization: 'basic', body: undefined },
      {
        method: 'POST',
        path: '/domains/mairie.example.fr/aliases/',
        authorization: 'bearer',
        body: { user_name: 'contact', destination: 'a@elsewhere.fr' },
      },
      { method: 'GET', path: '/domains/mairie.example.fr/check', authorization: 'none', body: undefined },
    ]);
    expect(dimail.requests.map((r) => r.response)).toEqual([
      { access_token, token_type: 'bearer' },
      { detail: 'Domain not found' },
      expect.objectContaining({ detail: expect.any(String) }),
    ]);
  });

  it('answers an injected status once, then as usual', async () => {
    const dimail = await fake();
    dimail.failNext('GET /token/', 500);
    const failed = await getToken(dimail);
    expect(failed.status).toBe(500);
    expect((await getToken(dimail)).status).toBe(200);
  });

  it('fails as many matching requests as asked, matched by a pattern, and no others', async () => {
    const dimail = await fake();
    dimail.failNext(/^GET \/domains\/[^/]+\/check$/, 503, 2);
    const check = () => fetch(`${dimail.url}/domains/x.example.fr/check`, { headers: basic(dimail) });
    expect((await getToken(dimail)).status).toBe(200);
    expect((await check()).status).toBe(503);
    expect((await check()).status).toBe(503);
    expect((await check()).status).toBe(404);
  });

  it('leaves a hanging request unanswered until the client gives up', async () => {
    const dimail = await fake();
    dimail.failNext('GET /token', 'hang');
    expect(await failureOf(getToken(dimail, { signal: AbortSignal.timeout(200) }))).toBe('TimeoutError');
    expect((await getToken(dimail)).status).toBe(200);
  });

  it('drops the connection of a reset request', async () => {
    const dimail = await fake();
    dimail.failNext('GET /token/', 'reset');
    expect(await failureOf(getToken(dimail))).toBe('UND_ERR_SOCKET');
    expect((await getToken(dimail)).status).toBe(200);
  });

  it('refuses connections while stopped, and answers with its state kept once restarted', async () => {
    const dimail = await fake();
    const domain = { name: 'mairie.example.fr', context_name: 'mairie.example.fr', features: ['webmail'] };
    await fetch(`${dimail.url}/domains/`, {
      method: 'POST',
      headers: { ...basic(dimail), 'content-type': 'application/json' },
      body: JSON.stringify(domain),
    });
    await dimail.stop();
    expect(await failureOf(getToken(dimail))).toBe('ECONNREFUSED');
    await dimail.restart();
    const check = await fetch(`${dimail.url}/domains/mairie.example.fr/check`, { headers: basic(dimail) });
    expect(check.status).toBe(200);
    expect(await check.json()).toMatchObject({ name: 'mairie.example.fr', state: 'ok' });
  });

  it('closes with a request still hanging', async () => {
    const dimail = await startFakeDimail();
    dimail.failNext('GET /token/', 'hang');
    const hanging = failureOf(getToken(dimail));
    await expect.poll(() => dimail.requests.length).toBe(1);
    await dimail.close();
    expect(await hanging).toBe('UND_ERR_SOCKET');
  });
});
