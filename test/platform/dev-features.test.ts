// Development features (password-less provider, /__debug__ pages) only when asked for, or with no settings at all.
import { afterAll, describe, expect, it } from 'vitest';
import { buildDesk } from '../../src/app.ts';
import { ConfigError, configFrom, startWarnings } from '../../src/platform/config.ts';
import { BASE_SETTINGS, PRODUCTION_SETTINGS, type RunningDesk, startDeskOn } from '../support/desk.ts';
import { testDatabase, testStore } from '../support/parts.ts';

const PRODUCTION = PRODUCTION_SETTINGS;

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A running Desk whose config is built from exactly these settings (plus the test baseline). */
async function deskWith(settings: Record<string, string>): Promise<RunningDesk> {
  const testDb = await testDatabase();
  const { kv } = testStore();
  const running = await startDeskOn(testDb, kv, settings);
  cleanups.push(async () => {
    await running.stop();
    await kv.close();
    await testDb.drop();
  });
  return running;
}

describe('the debug routes', () => {
  it('are off (404) for a deployment that names its database, unless DEBUG is set', async () => {
    const desk = await deskWith({ DATABASE_URL: 'postgres://desk@db.invalid/desk' });
    expect(desk.desk.config.DEBUG).toBe(false);
    expect((await desk.browser().get('/__debug__/outbox')).status).toBe(404);
    expect((await desk.browser().get('/__debug__/mail/team_invitation_html')).status).toBe(404);
  });

  it('are on (200) with DEBUG=true', async () => {
    const desk = await deskWith({ DATABASE_URL: 'postgres://desk@db.invalid/desk', DEBUG: 'true' });
    expect((await desk.browser().get('/__debug__/outbox')).status).toBe(200);
    expect((await desk.browser().get('/__debug__/mail/team_invitation_html')).status).toBe(200);
  });

  it('are off when a provider is configured', () => {
    expect(configFrom({ ...BASE_SETTINGS, OIDC_OP_URL: 'https://idp.example.gouv.fr' }).DEBUG).toBe(false);
  });

  it('can be turned off in the embedded default', () => {
    expect(configFrom({}).DEBUG).toBe(true);
    expect(configFrom({ DEBUG: 'false' }).DEBUG).toBe(false);
  });
});

describe('the development provider', () => {
  it('is off when OIDC_OP_URL is set, or DATABASE_URL', () => {
    expect(configFrom({ OIDC_OP_URL: 'https://idp.example.gouv.fr' }).DESK_DEV_IDP).toBe(false);
    expect(configFrom({ DATABASE_URL: 'postgres://desk@db/desk' }).DESK_DEV_IDP).toBe(false);
    expect(configFrom({ DATABASE_URL: 'pglite://memory' }).DESK_DEV_IDP).toBe(false);
  });

  it('is on with no settings, or when asked for', () => {
    expect(configFrom({}).DESK_DEV_IDP).toBe(true);
    expect(configFrom({ DATABASE_URL: 'postgres://desk@db/desk', DESK_DEV_IDP: 'true' }).DESK_DEV_IDP).toBe(
      true,
    );
  });

  it('is not mounted for a deployment that names its provider', async () => {
    const desk = await deskWith({ OIDC_OP_URL: 'https://idp.example.gouv.fr', DESK_DEV_IDP: '' });
    expect(desk.desk.config.DESK_DEV_IDP).toBe(false);
    expect((await desk.browser().get('/dev-idp/.well-known/openid-configuration')).status).toBe(404);
  });
});

describe('production', () => {
  it('refuses DEBUG=true in the one message', () => {
    let error: unknown;
    try {
      configFrom({ ...PRODUCTION, DEBUG: 'true', DESK_DEV_IDP: 'true' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/^Desk cannot start: 2 settings/);
    expect(message).toContain('- DEBUG: never on in production');
    expect(message).toContain('- DESK_DEV_IDP: never on in production');
  });

  it('refuses the parts only tests hand to buildDesk (clock, mailer, onboarding backend, job switch, log stream)', async () => {
    // Refused before anything is opened: PRODUCTION's database and Redis do not exist here.
    await expect(buildDesk(configFrom(PRODUCTION), { now: () => 0, runJobs: false })).rejects.toThrow(
      'buildDesk refuses parts meant for tests with NODE_ENV=production: now, runJobs',
    );
    await expect(buildDesk(configFrom(PRODUCTION), { mailer: null })).rejects.toThrow(
      'NODE_ENV=production: mailer',
    );
  });

  it('never turns development features on by itself', () => {
    const c = configFrom(PRODUCTION);
    expect(c).toMatchObject({ DEBUG: false, DESK_DEV_IDP: false, embeddedDefault: false });
  });

  it('warns at start, naming EMAIL_DISABLED, that invitation mail is not sent when mail is off on purpose', () => {
    const { EMAIL_HOST: _, ...withoutMail } = PRODUCTION;
    expect(startWarnings(configFrom({ ...withoutMail, EMAIL_DISABLED: 'true' }))).toEqual([
      expect.stringMatching(/^EMAIL_DISABLED is on: invitation .* not sent/),
    ]);
    expect(startWarnings(configFrom(PRODUCTION))).toEqual([]);
    // Outside production the outbox is the expected place for mail.
    expect(startWarnings(configFrom({ SECRET_KEY: 'x'.repeat(40) }))).toEqual([]);
  });
});
