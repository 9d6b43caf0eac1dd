// Desk serves the development dimail under /dev-dimail on its own HTTP server, with the credentials withDevDimail
// gives Desk's client; it is lenient there (a restart forgets everything) and logs no token, password nor code.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { mountDevDimail, withDevDimail } from '../../src/dev-dimail/index.ts';
import { type Config, configFrom } from '../../src/platform/config.ts';
import { type App, createHttpServer } from '../../src/platform/http.ts';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const SECRET_KEY = 'a development secret key of at least 32 characters';

/** A Desk HTTP server with the development dimail mounted, as app.ts does when DESK_DEV_DIMAIL is on. */
async function deskWithDevDimail(logs?: string[]): Promise<{ app: App; config: Config }> {
  const config = withDevDimail(configFrom({ SECRET_KEY, LOG_LEVEL: logs ? 'debug' : 'silent' }));
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs?.push(String(chunk));
      done();
    },
  });
  const app = await createHttpServer(config, logs ? { logStream } : {});
  apps.push(app);
  await mountDevDimail(app, config);
  await app.ready();
  return { app, config };
}

async function tokenFrom(app: App, config: Config): Promise<string> {
  const res = await app.inject({
    url: '/dev-dimail/token/',
    headers: { authorization: `Basic ${config.MAIL_PROVISIONING_API_CREDENTIALS}` },
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ access_token: string }>().access_token;
}

describe('the development dimail in Desk', () => {
  it('answers at MAIL_PROVISIONING_API_URL with the MAIL_PROVISIONING_API_CREDENTIALS withDevDimail sets', async () => {
    const { app, config } = await deskWithDevDimail();
    expect(config.MAIL_PROVISIONING_API_URL).toBe(`${config.PUBLIC_URL}/dev-dimail`);
    const res = await app.inject({
      method: 'POST',
      url: '/dev-dimail/domains/',
      headers: { authorization: `Basic ${config.MAIL_PROVISIONING_API_CREDENTIALS}` },
      payload: {
        name: 'mairie.example.fr',
        context_name: 'mairie.example.fr',
        features: ['webmail'],
        delivery: 'virtual',
      },
    });
    expect(res.statusCode).toBe(201);
    const wrong = Buffer.from('desk:guessed').toString('base64');
    const refused = await app.inject({
      url: '/dev-dimail/token/',
      headers: { authorization: `Basic ${wrong}` },
    });
    expect(refused.statusCode).toBe(403);
  });

  it('answers dimail’s shapes, not Desk’s: 422 for a malformed body, a JSON 404 for an unknown route', async () => {
    const { app, config } = await deskWithDevDimail();
    const token = await tokenFrom(app, config);
    const malformed = await app.inject({
      method: 'POST',
      url: '/dev-dimail/domains/mairie.example.fr/aliases/',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: '{"user_name":',
    });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.json()).toMatchObject({ detail: [{ type: 'json_invalid' }] });
    const unknown = await app.inject({ url: '/dev-dimail/nothing-here' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ detail: 'Not Found' });
  });

  it('knows at once a domain or mailbox it forgot when Desk restarted, and still takes the tokens it gave', async () => {
    const before = await deskWithDevDimail();
    const token = await tokenFrom(before.app, before.config);
    const { app } = await deskWithDevDimail();
    const bearer = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const check = await app.inject({
      url: '/dev-dimail/domains/ville.example.fr/check',
      headers: { authorization: `Basic ${before.config.MAIL_PROVISIONING_API_CREDENTIALS}` },
    });
    expect(check.statusCode).toBe(200);
    expect(check.json()).toMatchObject({ name: 'ville.example.fr', state: 'ok' });
    const disabled = await app.inject({
      method: 'PATCH',
      url: '/dev-dimail/domains/ville.example.fr/mailboxes/jeanne',
      headers: bearer,
      payload: { active: 'no' },
    });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toMatchObject({ email: 'jeanne@ville.example.fr', active: 'no' });
    const created = await app.inject({
      method: 'POST',
      url: '/dev-dimail/domains/autre.example.fr/mailboxes/paul',
      headers: bearer,
      payload: { givenName: 'Paul', surName: 'Durand', displayName: 'Paul Durand' },
    });
    expect(created.statusCode).toBe(201);
  });

  it('logs no token, password nor login code', async () => {
    const logs: string[] = [];
    const { app, config } = await deskWithDevDimail(logs);
    const token = await tokenFrom(app, config);
    const bearer = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const base = '/dev-dimail/domains/logs.example.fr/mailboxes/jeanne';
    const created = await app.inject({
      method: 'POST',
      url: base,
      headers: bearer,
      payload: { givenName: 'Jeanne', surName: 'Martin', displayName: 'Jeanne Martin' },
    });
    const reset = await app.inject({ method: 'POST', url: `${base}/reset_password/`, headers: bearer });
    const code = await app.inject({
      method: 'POST',
      url: `${base}/code`,
      headers: bearer,
      payload: { expires_in: 3600, maxuse: 1 },
    });
    const secrets = [
      token,
      config.MAIL_PROVISIONING_API_CREDENTIALS ?? '',
      created.json<{ password: string }>().password,
      reset.json<{ password: string }>().password,
      code.json<{ code: string }>().code,
    ];
    expect(logs.length).toBeGreaterThan(0);
    const text = logs.join('');
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
