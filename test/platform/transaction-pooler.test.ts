// Desk behind PgBouncer in transaction mode (what most Kubernetes PostgreSQL set-ups put in front of the database):
// with DATABASE_TRANSACTION_POOLER=true agents keep their sessions under concurrent reads and writes, and the search
// finds what it finds on a direct connection. The worst case: PgBouncer tracks no prepared statement and keeps few
// server connections, so consecutive statements of one client land on different ones.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/users/index.ts';
import { searchUsers } from '../../src/users/search.ts';
import { freePort } from '../support/desk.ts';
import { expectEverySessionValid, logIn, staffAgents } from '../support/load.ts';
import { DATABASE_URL, REDIS_URL, type TestDatabase, testDatabase, uniqueEmail } from '../support/parts.ts';
import { type DeskProcess, startDeskProcess } from '../support/processes.ts';

const AGENTS = 14;

interface Bouncer {
  port: number;
  stop(): Promise<void>;
}

function pgbouncerVersion(): [number, number] {
  try {
    const out = execFileSync('pgbouncer', ['--version'], { encoding: 'utf8' });
    const [, major = '0', minor = '0'] = /PgBouncer (\d+)\.(\d+)/.exec(out) ?? [];
    return [Number(major), Number(minor)];
  } catch {
    throw new Error(
      "pgbouncer is not installed: install Debian's pgbouncer (.ci/run does) to run this test.",
    );
  }
}

/**
 * PgBouncer in front of `server` (in transaction mode unless told), on a free port, from a generated ini in a temporary
 * folder; `ignored`: start-up parameters it drops instead of refusing them.
 */
async function startPgBouncer(
  server: URL,
  { mode = 'transaction', ignored = [] }: { mode?: 'transaction' | 'session'; ignored?: string[] } = {},
): Promise<Bouncer> {
  const [major, minor] = pgbouncerVersion();
  const dir = mkdtempSync(join(tmpdir(), 'desk-pgbouncer-'));
  // PgBouncer refuses to run as root: as root it runs as the postgres user, which must read these files.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const user = decodeURIComponent(server.username || 'postgres');
  writeFileSync(join(dir, 'users.txt'), `"${user}" "${decodeURIComponent(server.password)}"\n`, {
    mode: 0o644,
  });
  const ini = [
    '[databases]',
    `* = host=${server.hostname} port=${server.port || 5432}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    `auth_type = ${server.password ? 'plain' : 'trust'}`,
    `auth_file = ${join(dir, 'users.txt')}`,
    `pool_mode = ${mode}`,
    ...(ignored.length ? [`ignore_startup_parameters = ${ignored.join(',')}`] : []),
    // Few server connections for many clients: consecutive statements of a client hop between them.
    'default_pool_size = 3',
    'max_client_conn = 500',
    // No prepared statement tracked (PgBouncer before 1.21 tracks none at all).
    ...(major > 1 || minor >= 21 ? ['max_prepared_statements = 0'] : []),
  ];
  writeFileSync(join(dir, 'pgbouncer.ini'), `${ini.join('\n')}\n`, { mode: 0o644 });
  const asRoot = process.getuid?.() === 0;
  const command = asRoot ? 'runuser' : 'pgbouncer';
  const args = asRoot
    ? ['-u', 'postgres', '--', 'pgbouncer', join(dir, 'pgbouncer.ini')]
    : [join(dir, 'pgbouncer.ini')];
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const url = new URL(server);
  url.host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited with ${child.exitCode}: ${output}`);
    const probe = postgres(url.toString(), {
      max: 1,
      prepare: false,
      connect_timeout: 1,
      onnotice: () => {},
    });
    const ready = await probe`select 1`.then(
      () => true,
      () => false,
    );
    await probe.end({ timeout: 1 });
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    stop: () =>
      new Promise<void>((done) => {
        const finish = () => {
          rmSync(dir, { recursive: true, force: true });
          done();
        };
        if (child.exitCode !== null) return finish();
        child.once('exit', finish);
        child.kill('SIGTERM');
      }),
  };
}

function viaBouncer(url: string, bouncer: Bouncer): string {
  const through = new URL(url);
  through.host = `127.0.0.1:${bouncer.port}`;
  return through.toString();
}

describe.runIf(DATABASE_URL)('Desk behind PgBouncer in transaction mode', () => {
  let testDb: TestDatabase;
  let bouncer: Bouncer;
  let desk: DeskProcess;
  let emails: string[];

  beforeAll(async () => {
    testDb = await testDatabase();
    bouncer = await startPgBouncer(new URL(testDb.url));
    emails = (await staffAgents(testDb, AGENTS)).map((a) => a.email);
    await testDb.database.db.insert(users).values([
      // Found by a word typed with a letter missing only at Desk's threshold (0.5), not at pg_trgm's default (0.6).
      { email: uniqueEmail('colleague'), name: 'Bernadette Dupontel' },
      { email: uniqueEmail('colleague'), name: 'Jean Dupont' },
      { email: uniqueEmail('colleague'), name: 'Marguerite Duponchel' },
    ]);
    desk = await startDeskProcess({
      DATABASE_URL: viaBouncer(testDb.url, bouncer),
      DATABASE_TRANSACTION_POOLER: 'true',
      ...(REDIS_URL ? { REDIS_URL } : {}),
      SECRET_KEY: 'a-secret-for-the-pooler-test-0123456789abcdef',
    });
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
    await bouncer?.stop();
    await testDb?.drop();
  });

  it('keeps every session under concurrent reads and writes: no 401, no 5xx', async () => {
    const agents = await Promise.all(emails.map((email) => logIn(desk.url, email)));
    const statuses: number[] = [];
    await Promise.all(
      agents.map(async (agent, i) => {
        for (let round = 0; round < 6; round += 1) {
          const answers = await Promise.all([
            agent.get('/api/v1.0/users/me/'),
            agent.get('/api/v1.0/teams/'),
            agent.post('/api/v1.0/teams/', { name: `Team ${i}.${round}` }),
            agent.get('/api/v1.0/users/?q=dupnt'),
          ]);
          statuses.push(...answers.map((a) => a.status));
        }
      }),
    );
    expect(statuses.filter((s) => s === 401 || s >= 500)).toEqual([]);
    expect(new Set(statuses)).toEqual(new Set([200, 201]));
    await expectEverySessionValid(agents);
    const teams = await Promise.all(agents.map(async (a) => (await a.get('/api/v1.0/teams/')).json));
    expect(teams.map((t) => (t as unknown[]).length)).toEqual(agents.map(() => 6));
  });

  it('finds in the search what a direct connection finds (the trigram threshold set per transaction)', async () => {
    const agent = await logIn(desk.url, emails[0] ?? '');
    for (const q of ['dupnt', 'margerite', 'bernadete dupontel', 'jean']) {
      const found = (await agent.get(`/api/v1.0/users/?q=${encodeURIComponent(q)}`)).json as {
        results: { id: string }[];
      };
      const direct = await searchUsers(testDb.database.db, { q, organizationId: null, limit: 20, offset: 0 });
      expect(found.results.map((u) => u.id)).toEqual(direct.map((u) => u.id));
    }
    const direct = await searchUsers(testDb.database.db, {
      q: 'dupnt',
      organizationId: null,
      limit: 20,
      offset: 0,
    });
    expect(direct.length).toBeGreaterThan(0);
  });

  it('still reads the trigram index with the threshold set in the transaction', async () => {
    const sql = postgres(viaBouncer(testDb.url, bouncer), { max: 1, prepare: false, onnotice: () => {} });
    try {
      const plan = await sql.begin(async (tx) => {
        await tx`select set_config('pg_trgm.word_similarity_threshold', '0.5', true)`;
        await tx`set local enable_seqscan = off`;
        return tx.unsafe(`explain select id from users where 'dupnt' <% desk_unaccent(lower(name))`);
      });
      expect(JSON.stringify(plan)).toMatch(/users_search_(org_)?name_trgm_idx/);
    } finally {
      await sql.end();
    }
  });

  it('refuses `desk migrate` through the pooler, naming the direct connection it needs', () => {
    let failure = '';
    try {
      execFileSync(process.execPath, [join(import.meta.dirname, '../../bin/desk.js'), 'migrate'], {
        env: {
          ...process.env,
          DATABASE_URL: viaBouncer(testDb.url, bouncer),
          DATABASE_TRANSACTION_POOLER: 'true',
        },
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (err) {
      failure = String((err as { stderr?: string }).stderr);
    }
    expect(failure).toContain('desk migrate needs a direct connection to PostgreSQL');
  });

  it('without DATABASE_TRANSACTION_POOLER, the same Desk cannot work through PgBouncer (the fault it answers)', async () => {
    // PgBouncer refuses the start-up parameters (statement_timeout, the search threshold) of every connection.
    await expect(
      startDeskProcess({
        DATABASE_URL: viaBouncer(testDb.url, bouncer),
        SECRET_KEY: 'a-secret-for-the-pooler-test-0123456789abcdef',
      }),
    ).rejects.toThrow(/unsupported startup parameter: statement_timeout/);
  }, 30_000);
});

describe.runIf(DATABASE_URL)(
  'Desk behind a session-mode PgBouncer that drops some start-up parameters',
  () => {
    let testDb: TestDatabase;
    let bouncer: Bouncer;

    beforeAll(async () => {
      testDb = await testDatabase();
      // It drops the settings of Desk's main connections, and refuses the one of the search's connections.
      bouncer = await startPgBouncer(new URL(testDb.url), {
        mode: 'session',
        ignored: [
          'statement_timeout',
          'idle_in_transaction_session_timeout',
          'pg_trgm.word_similarity_threshold',
        ],
      });
    }, 60_000);

    afterAll(async () => {
      await bouncer?.stop();
      await testDb?.drop();
    });

    it('refuses to start, naming the parameter refused, instead of answering 503 to every search', async () => {
      await expect(
        startDeskProcess({
          DATABASE_URL: viaBouncer(testDb.url, bouncer),
          SECRET_KEY: 'a-secret-for-the-pooler-test-0123456789abcdef',
        }),
      ).rejects.toThrow(
        /refused or did not answer a connection Desk opens \(unsupported startup parameter: plan_cache_mode\)/,
      );
    }, 30_000);
  },
);
