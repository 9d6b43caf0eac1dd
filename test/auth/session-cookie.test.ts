// The session cookie's attributes, also on the header that clears it (a logout in production stays Secure).
import { describe, expect, it } from 'vitest';
import { clearSessionCookie, setSessionCookie } from '../../src/auth/session-auth.ts';
import { configFrom } from '../../src/platform/config.ts';
import { createHttpServer } from '../../src/platform/http.ts';
import { PRODUCTION_SETTINGS } from '../support/desk.ts';

async function cookieHeaders(settings: Record<string, string>) {
  const config = configFrom({ ...settings, LOG_LEVEL: 'silent' });
  const app = await createHttpServer(config);
  app.get('/set', async (_request, reply) => {
    setSessionCookie(reply, config, { id: 'session-id', data: { userId: 'u', createdAt: 0, lastSeenAt: 0 } });
    return {};
  });
  app.get('/clear', async (_request, reply) => {
    clearSessionCookie(reply, config);
    return {};
  });
  const set = (await app.inject({ url: '/set' })).headers['set-cookie'];
  const cleared = (await app.inject({ url: '/clear' })).headers['set-cookie'];
  await app.close();
  return { set: String(set), cleared: String(cleared) };
}

describe('the session cookie in production', () => {
  it('is HttpOnly, Secure and SameSite=Lax when set', async () => {
    const { set } = await cookieHeaders(PRODUCTION_SETTINGS);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/Secure/);
    expect(set).toMatch(/SameSite=Lax/);
  });

  it('keeps Secure and HttpOnly on the header that clears it', async () => {
    const { cleared } = await cookieHeaders(PRODUCTION_SETTINGS);
    expect(cleared).toMatch(/desk_sessionid=;/);
    expect(cleared).toMatch(/HttpOnly/);
    expect(cleared).toMatch(/Secure/);
    expect(cleared).toMatch(/SameSite=Lax/);
  });
});
