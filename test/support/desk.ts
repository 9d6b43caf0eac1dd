// Starts a Desk on a free loopback port with isolated parts, and the helpers tests use to make users and log in.
import { createServer } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { buildDesk, type Desk, type DeskParts } from '../../src/app.ts';
import { hashPassword } from '../../src/auth/index.ts';
import { organizations } from '../../src/organizations/index.ts';
import { configFrom } from '../../src/platform/config.ts';
import { type User, users } from '../../src/users/index.ts';
import { Browser } from './browser.ts';
import { type TestDatabase, type TestStore, testDatabase, testStore, uniqueEmail } from './parts.ts';

export interface RunningDesk {
  desk: Desk;
  url: string;
  browser(): Browser;
  /** Stops the server (the database and store stay for the next start). */
  stop(): Promise<void>;
}

export interface TestDesk extends RunningDesk {
  testDb: TestDatabase;
  /** The shared store and its key prefix: another Desk on `sameStore(store)` is another pod. */
  store: TestStore;
  createUser(values?: Partial<typeof users.$inferInsert>): Promise<User>;
  /** A new organization with a unique name; its id. */
  createOrganization(): Promise<string>;
  /** A browser with a session for this user, made directly in the session store (fast). */
  browserFor(user: User): Promise<Browser>;
  /** A browser logged in as a new staff user (password login). */
  loginAsStaff(
    values?: Partial<typeof users.$inferInsert>,
  ): Promise<{ browser: Browser; user: User; password: string }>;
}

export const BASE_SETTINGS: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  DESK_DEV_IDP: 'false',
  BURST_THROTTLE_RATES: 'off',
  SUSTAINED_THROTTLE_RATES: 'off',
  PORT: '0',
};

/** The fewest settings production starts with (DESIGN.md §1), for tests of production behaviour. */
export const PRODUCTION_SETTINGS: Record<string, string> = {
  NODE_ENV: 'production',
  SECRET_KEY: 'x'.repeat(40),
  DATABASE_URL: 'postgres://desk@db/desk',
  REDIS_URL: 'redis://redis:6379',
  OIDC_OP_URL: 'https://auth.agentconnect.gouv.fr/api/v2',
  OIDC_RP_CLIENT_SECRET: 'secret',
  EMAIL_HOST: 'smtp.example.gouv.fr',
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startDeskOn(
  testDb: TestDatabase,
  kv: Desk['kv'],
  settings: Record<string, string> = {},
  now?: () => number,
  parts: Pick<DeskParts, 'webDist'> = {},
): Promise<RunningDesk> {
  // The port is chosen first so PUBLIC_URL (redirect URIs, origins) names the real address.
  const port = settings.PORT && settings.PORT !== '0' ? Number(settings.PORT) : await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = configFrom({ ...BASE_SETTINGS, PUBLIC_URL: url, ...settings, PORT: String(port) });
  const desk = await buildDesk(config, { ...parts, database: testDb.database, kv, ...(now ? { now } : {}) });
  await desk.app.listen({ port, host: '127.0.0.1' });
  return { desk, url, browser: () => new Browser(url), stop: () => desk.close() };
}

export const PASSWORD = 'correct horse battery staple';
let passwordHash: Promise<string> | undefined;

/** Registers beforeAll/afterAll that start one Desk for the test file; fields are set once it runs. */
export function useDesk(
  settings: Record<string, string> = {},
  options: { now?: () => number } = {},
): TestDesk {
  const t = {} as TestDesk;
  beforeAll(async () => {
    const testDb = await testDatabase();
    const store = testStore(options.now);
    const running = await startDeskOn(testDb, store.kv, settings, options.now);
    Object.assign(t, running, { testDb, store });
    t.createUser = async (values = {}) => {
      const [user] = await testDb.database.db
        .insert(users)
        .values({ email: uniqueEmail(), name: 'Test User', sub: `sub-${crypto.randomUUID()}`, ...values })
        .returning();
      return user!;
    };
    t.createOrganization = async () => {
      const [row] = await testDb.database.db
        .insert(organizations)
        .values({ name: `Org ${crypto.randomUUID().slice(0, 8)}` })
        .returning();
      return row!.id;
    };
    t.browserFor = async (user) => {
      const session = await running.desk.sessions.create(user.id);
      const browser = running.browser();
      browser.cookies.set(running.desk.config.SESSION_COOKIE_NAME, session.id);
      browser.cookies.set('csrftoken', `csrf-${crypto.randomUUID()}`);
      return browser;
    };
    t.loginAsStaff = async (values = {}) => {
      passwordHash ??= hashPassword(PASSWORD);
      const user = await t.createUser({ isStaff: true, password: await passwordHash, ...values });
      const browser = running.browser();
      await browser.primeCsrf();
      const res = await browser.post('/api/v1.0/login/', { email: user.email, password: PASSWORD });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
      return { browser, user, password: PASSWORD };
    };
  });
  afterAll(async () => {
    await t.stop?.();
    await t.desk?.kv.close();
    await t.testDb?.drop();
  });
  return t;
}
