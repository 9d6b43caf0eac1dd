// Several Desk processes sharing PostgreSQL and Redis: a session made on one works on all; a logout on one ends it on all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.ts';
import { answer, beginLogin, callback, newSub } from '../support/forge-login.ts';
import { DATABASE_URL, REDIS_URL, type TestDatabase, testDatabase } from '../support/parts.ts';
import { type DeskProcess, startDeskProcess } from '../support/processes.ts';
import { type Forge, startForge } from '../support/token-forge.ts';

describe.runIf(DATABASE_URL && REDIS_URL)('three Desk processes on PostgreSQL and Redis', () => {
  let forge: Forge;
  let testDb: TestDatabase;
  let pods: DeskProcess[] = [];

  beforeAll(async () => {
    forge = await startForge();
    testDb = await testDatabase();
    const shared = {
      ...forge.settings,
      DATABASE_URL: testDb.url,
      REDIS_URL: REDIS_URL ?? '',
      SECRET_KEY: 'a-secret-shared-by-every-pod-of-this-test-0123456789',
    };
    pods = await Promise.all([startDeskProcess(shared), startDeskProcess(shared), startDeskProcess(shared)]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(pods.map((p) => p.stop()));
    await forge?.close();
    await testDb?.drop();
  });

  it('recognise a session made on the first, and all end it after a logout on the third', async () => {
    const [first, second, third] = pods as [DeskProcess, DeskProcess, DeskProcess];
    const browser = new Browser(first.url);
    const attempt = await beginLogin({ browser: () => browser }, '', browser);
    await answer(forge, attempt, newSub());
    expect((await callback(attempt)).location).toBe('/');

    for (const pod of [first, second, third])
      expect((await browser.get(`${pod.url}/api/v1.0/users/me/`)).status).toBe(200);

    const out = await browser.post(`${third.url}/api/v1.0/logout/`);
    expect(out.status).toBe(302);
    expect(out.location?.startsWith(`${forge.issuer}/logout`)).toBe(true);
    for (const pod of [first, second, third])
      expect((await browser.get(`${pod.url}/api/v1.0/users/me/`)).status).toBe(401);
  });
});
