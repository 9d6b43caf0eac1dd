// Readiness and Redis outages: 503 naming the part that failed, never a hang or a 500, and recovery by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/platform/kv.ts';
import { PASSWORD, type RunningDesk, startDeskOn, useDesk } from '../support/desk.ts';
import { REDIS_URL, type TestDatabase, testDatabase } from '../support/parts.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

describe('the readiness probe', () => {
  const t = useDesk();
  it('answers 200 naming each part when the database and the store answer', async () => {
    const res = await t.browser().get('/__heartbeat__');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ database: 'ok', redis: REDIS_URL ? 'ok' : 'memory' });
  });
});

describe.runIf(REDIS_URL)('with Redis unreachable', () => {
  let proxy: TcpProxy;
  let testDb: TestDatabase;
  let desk: RunningDesk;
  let store: RedisStore;

  beforeAll(async () => {
    const target = new URL(REDIS_URL ?? '');
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    testDb = await testDatabase();
    store = new RedisStore(`redis://127.0.0.1:${proxy.port}`, {
      prefix: `desk_test_outage_${crypto.randomUUID()}:`,
      commandTimeoutMs: 1_000,
    });
    desk = await startDeskOn(testDb, store);
  });

  afterAll(async () => {
    await desk?.stop();
    await store?.close();
    await proxy?.close();
    await testDb?.drop();
  });

  it('answers 503 on the probe and the API, then recovers by itself when Redis is back', async () => {
    const { hashPassword } = await import('../../src/auth/index.ts');
    const { users } = await import('../../src/users/index.ts');
    const email = `outage.${crypto.randomUUID().slice(0, 8)}@example.gouv.fr`;
    await testDb.database.db
      .insert(users)
      .values({ email, password: await hashPassword(PASSWORD), isStaff: true });
    const browser = desk.browser();
    await browser.primeCsrf();
    expect((await browser.post('/api/v1.0/login/', { email, password: PASSWORD })).status).toBe(200);

    await proxy.cut();
    const started = Date.now();
    const probe = await desk.browser().get('/__heartbeat__');
    expect(probe.status).toBe(503);
    expect(probe.json).toEqual({
      detail: 'Not ready: redis unreachable.',
      database: 'ok',
      redis: 'unreachable',
    });
    const api = await browser.get('/api/v1.0/users/me/');
    expect(api.status).toBe(503);
    expect(api.json).toEqual({
      detail: 'The session and cache store (Redis) is unavailable; try again shortly.',
    });
    expect(Date.now() - started).toBeLessThan(10_000);

    await proxy.restore();
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await desk.browser().get('/__heartbeat__')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(200);
  });
});
