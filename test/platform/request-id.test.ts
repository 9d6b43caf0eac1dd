// Every request gets an id: the X-Request-Id of a trusted proxy (TRUSTED_PROXIES) that sets it itself
// (REQUEST_ID_HEADER_TRUSTED), else a generated one, with a client's own value kept apart. It comes back in the
// response header and files every log line and audit event of that request.
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildDesk, type Desk } from '../../src/app.ts';
import { auditEvents } from '../../src/audit/schema.ts';
import { configFrom } from '../../src/platform/config.ts';
import { type App, createHttpServer } from '../../src/platform/http.ts';
import { users } from '../../src/users/index.ts';
import { Browser } from '../support/browser.ts';
import { BASE_SETTINGS } from '../support/desk.ts';
import { type IntrospectionForge, startIntrospectionForge } from '../support/introspection-forge.ts';
import { type TestDatabase, type TestStore, testDatabase, testStore, uniqueEmail } from '../support/parts.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the request id', () => {
  const apps: App[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  /** The id a request got, sent with `given` as X-Request-Id from `remoteAddress`. */
  async function idOf(
    trusted: string | undefined,
    remoteAddress: string,
    given: string,
    headerTrusted = 'true',
  ): Promise<string> {
    const app = await createHttpServer(
      configFrom({
        LOG_LEVEL: 'silent',
        ...(trusted === undefined ? {} : { TRUSTED_PROXIES: trusted }),
        ...(trusted && trusted !== '0' ? { REQUEST_ID_HEADER_TRUSTED: headerTrusted } : {}),
      }),
    );
    apps.push(app);
    app.get('/id', async (request) => ({ id: request.id }));
    const res = await app.inject({ url: '/id', remoteAddress, headers: { 'x-request-id': given } });
    expect(res.headers['x-request-id']).toBe((res.json() as { id: string }).id);
    return (res.json() as { id: string }).id;
  }

  it('is generated when a client sends its own X-Request-Id without a trusted proxy', async () => {
    for (const trusted of [undefined, '0', '10.0.0.0/8']) {
      const id = await idOf(trusted, '203.0.113.9', 'spoofed-request-id');
      expect(id).toMatch(UUID);
    }
  });

  it("is generated when a trusted proxy may have passed a client's X-Request-Id through (the default)", async () => {
    expect(await idOf('1', '10.0.0.2', 'client-chosen-id', 'false')).toMatch(UUID);
    expect(await idOf('10.0.0.0/8', '10.1.2.3', 'client-chosen-id', 'false')).toMatch(UUID);
  });

  it('is the X-Request-Id of the nearest proxy with a hop count', async () => {
    expect(await idOf('1', '10.0.0.2', 'proxy-request-0001')).toBe('proxy-request-0001');
  });

  it('is the X-Request-Id of a listed proxy, by address or range, IPv4 or IPv6', async () => {
    expect(await idOf('127.0.0.1', '127.0.0.1', 'proxy-request-0002')).toBe('proxy-request-0002');
    expect(await idOf('10.0.0.0/8', '10.1.2.3', 'proxy-request-0003')).toBe('proxy-request-0003');
    expect(await idOf('2001:db8::/32', '2001:db8::1', 'proxy-request-0004')).toBe('proxy-request-0004');
    expect(await idOf('10.0.0.0/8', '::ffff:10.1.2.3', 'proxy-request-0005')).toBe('proxy-request-0005');
  });

  it('is generated when a trusted proxy sends an ill-formed X-Request-Id', async () => {
    for (const bad of ['short', 'with spaces in it', 'quote"and\\slash', 'x'.repeat(129), 'a,b,c,d,e,f,g,h'])
      expect(await idOf('1', '10.0.0.2', bad)).toMatch(UUID);
  });
});

describe('REQUEST_ID_HEADER_TRUSTED', () => {
  it('is refused without TRUSTED_PROXIES: a client talking to Desk directly would choose its id', () => {
    expect(() => configFrom({ REQUEST_ID_HEADER_TRUSTED: 'true' })).toThrow(
      '- REQUEST_ID_HEADER_TRUSTED: only with TRUSTED_PROXIES',
    );
    expect(
      configFrom({ REQUEST_ID_HEADER_TRUSTED: 'true', TRUSTED_PROXIES: '1' }).REQUEST_ID_HEADER_TRUSTED,
    ).toBe(true);
  });
});

describe('one request', () => {
  let testDb: TestDatabase;
  let store: TestStore;
  let introspection: IntrospectionForge;
  /** Behind a proxy that sets X-Request-Id itself (REQUEST_ID_HEADER_TRUSTED). */
  let desk: Desk;
  let base: string;
  /** The same pods behind a proxy that passes a client's X-Request-Id through (the default). */
  let passing: Desk;
  let passingBase: string;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    testDb = await testDatabase();
    store = testStore();
    introspection = await startIntrospectionForge();
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const settings = {
      ...BASE_SETTINGS,
      LOG_LEVEL: 'info',
      TRUSTED_PROXIES: '127.0.0.1',
      // The resource server, answered by a forge: its changes are audited too.
      OIDC_OP_URL: introspection.issuer,
      OIDC_OP_INTROSPECTION_ENDPOINT: `${introspection.issuer}/introspect`,
      OIDC_RS_CLIENT_ID: 'desk-rs',
      OIDC_RS_CLIENT_SECRET: 'desk-rs-secret',
      OIDC_RS_BACKEND: 'json',
    };
    const start = async (extra: Record<string, string>): Promise<[Desk, string]> => {
      const started = await buildDesk(configFrom({ ...settings, ...extra }), {
        database: testDb.database,
        kv: store.kv,
        runJobs: false,
        logStream,
      });
      await started.app.listen({ port: 0, host: '127.0.0.1' });
      const address = started.app.server.address();
      return [started, `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`];
    };
    [desk, base] = await start({ REQUEST_ID_HEADER_TRUSTED: 'true' });
    [passing, passingBase] = await start({});
  });

  afterAll(async () => {
    await desk?.close();
    await passing?.close();
    await store?.kv.close();
    await introspection?.close();
    await testDb?.drop();
  });

  /** A failed staff login (a log line of its own and an audit event), sent through the proxy with this id. */
  async function failedLogin(
    headers: Record<string, string>,
    at = base,
  ): Promise<{ id: string; logged: typeof lines }> {
    const browser = new Browser(at);
    await browser.primeCsrf();
    const from = lines.length;
    const res = await browser.post(
      '/api/v1.0/login/',
      { email: uniqueEmail('nobody'), password: 'not a password' },
      { headers },
    );
    expect(res.status).toBe(400);
    const id = res.headers.get('x-request-id') ?? '';
    // Fastify writes "request completed" once the response has gone out.
    await expect.poll(() => lines.slice(from).some((l) => l.msg === 'request completed')).toBe(true);
    return { id, logged: lines.slice(from) };
  }

  it("files every log line and the audit event under the proxy's id, the one returned", async () => {
    const given = `proxy-${crypto.randomUUID()}`;
    const { id, logged } = await failedLogin({ 'x-request-id': given });
    expect(id).toBe(given);
    expect(logged.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['incoming request', 'staff login refused', 'request completed']),
    );
    for (const line of logged) expect(line.reqId).toBe(id);
    const audit = await testDb.database.db.select().from(auditEvents).where(eq(auditEvents.requestId, id));
    expect(audit.map((e) => e.event)).toEqual(['login.failed']);
  });

  it("files them under Desk's own id when the proxy passes a client's id through, keeping the client's apart", async () => {
    const given = `client-${crypto.randomUUID()}`;
    const { id, logged } = await failedLogin({ 'x-request-id': given }, passingBase);
    expect(id).toMatch(UUID);
    for (const line of logged) expect(line.reqId).toBe(id);
    const incoming = logged.find((l) => l.msg === 'incoming request');
    expect(incoming?.req).toMatchObject({ id, client_request_id: given });
    expect(
      await testDb.database.db.select().from(auditEvents).where(eq(auditEvents.requestId, given)),
    ).toEqual([]);
    const audit = await testDb.database.db.select().from(auditEvents).where(eq(auditEvents.requestId, id));
    expect(audit.map((e) => [e.event, e.details.client_request_id])).toEqual([['login.failed', given]]);
  });

  it('files them under a generated id, the one returned, when the client sent none', async () => {
    const { id, logged } = await failedLogin({});
    expect(id).toMatch(UUID);
    expect(logged.length).toBeGreaterThanOrEqual(3);
    for (const line of logged) expect(line.reqId).toBe(id);
    const audit = await testDb.database.db.select().from(auditEvents).where(eq(auditEvents.requestId, id));
    expect(audit.map((e) => e.event)).toEqual(['login.failed']);
  });

  it('files the audit event of a change made through the resource server under its id', async () => {
    const sub = `sub-${crypto.randomUUID()}`;
    await testDb.database.db.insert(users).values({ sub, email: uniqueEmail('agent'), name: 'Agent' });
    const exp = Math.floor(Date.now() / 1000) + 600;
    introspection.answer = introspection.json({
      active: true,
      sub,
      scope: 'groups',
      client_id: 'app-a',
      exp,
    });
    const res = await new Browser(base).post(
      '/resource-server/v1.0/teams/',
      { name: 'Filed by request' },
      { headers: { authorization: `Bearer tok-${crypto.randomUUID()}` } },
    );
    expect(res.status).toBe(201);
    const id = res.headers.get('x-request-id') ?? '';
    expect(id).toMatch(UUID);
    const audit = await testDb.database.db.select().from(auditEvents).where(eq(auditEvents.requestId, id));
    expect(audit.map((e) => [e.event, e.ip])).toEqual([['team.created', '127.0.0.1']]);
  });
});
