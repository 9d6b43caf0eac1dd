// The `desk` command: start, migrate, createsuperuser, settings.
import { generateKeyPairSync } from 'node:crypto';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { prepareDevProvider } from './dev-idp/settings.ts';
import {
  type Config,
  ConfigError,
  describeSettings,
  encryptionKeyType,
  keepGeneratedSecretKey,
  loadConfig,
  startWarnings,
} from './platform/config.ts';
import { DataFolderInUse, type DataFolderLock, lockDataFolder } from './platform/data-folder-lock.ts';
import { closeOnSignals } from './platform/lifecycle.ts';
import { compileEmbeddedDatabaseBaselineOnly, initializeDataFolder } from './platform/pglite-setup.ts';

// Each command imports what it uses when it runs: `start` gets its database ready while Desk's modules load, and
// `settings`, `keys` or `--help` load none of them.

const HELP: Record<string, string> = {
  '': `Usage: desk <command> [options]

Commands:
  start             run the Desk server (migrates the database first)
  migrate           apply database migrations and exit
  createsuperuser   create a staff account that can log in with a password
  import people     copy a people (Django) database into Desk's, to switch over
  keys generate     print a new encryption key for the resource server
  settings          list every setting with its meaning

Run "desk <command> --help" for a command's options. Settings come from environment variables.`,
  start: `Usage: desk start

Runs Desk on HOST:PORT (default 127.0.0.1:8071). With no settings it uses embedded PGlite in
DESK_DATA_DIR (.desk/), in-memory sessions and the built-in development provider.`,
  migrate: `Usage: desk migrate

Applies the SQL migrations in drizzle/ to the database named by DATABASE_URL (or embedded PGlite). Needs a
direct connection: refused with DATABASE_TRANSACTION_POOLER set (start then only checks the schema is current).`,
  createsuperuser: `Usage: desk createsuperuser [--email EMAIL] [--password PASSWORD]

Creates a staff superuser (or gives an existing account with that email staff rights and this
password). Refused when an account with that email already logs in with a password (staff emails are
unique). Prompts for what is missing. Passwords need 12+ characters and must not be common.`,
  import: `Usage: desk import people --from postgres://… [--dry-run] [--report FILE] [--batch-size N]

Copies a people v1.26 database (suitenumerique/people@9bb1758f) into Desk's database (DATABASE_URL, or embedded
PGlite): organizations, service providers, users (same id and sub; Django password hashes keep working for staff
login), teams (same id and external_id, the tree from treebeard's path), accesses, invitations still valid,
contacts, mail domains with their accesses, mailboxes, aliases and invitations. people's database is only read, in
one read-only transaction (a consistent snapshot); Desk's is written a batch per transaction.

Run it again with the same source and it writes nothing; a changed source updates what changed, and deletes rows an
earlier import made that people no longer has (never a row Desk made itself). Stopped half-way, run it again.
Rows Desk cannot take as they are (a sub another Desk user has, two staff accounts with one email, a team whose
parent is missing, contact data Desk's schema refuses…) are listed on standard error and in the report file
(CSV: table, id, problem, outcome; default people-import-report.csv), never dropped silently.

  --from URL        people's PostgreSQL database (read only; a read-only role is enough)
  --dry-run         do everything in one transaction rolled back at the end: reports exactly, writes nothing
  --report FILE     where to write the conflict report (default people-import-report.csv)
  --batch-size N    rows per batch and transaction (default 5000)`,
  keys: `Usage: desk keys generate [--type rsa|ec]

Prints a new private key (PEM, PKCS#8) for OIDC_RS_PRIVATE_KEY_STR or OIDC_RS_PRIVATE_KEY_FILE: RSA 2048 bits
(for RSA-OAEP) or EC P-256 (for ECDH-ES); without --type, the type OIDC_RS_ENCRYPTION_KEY_TYPE names (RSA by
default), which every key must have. Several PEM blocks in one setting publish several keys (rotation).`,
  settings: `Usage: desk settings

Prints every setting (environment variable) Desk reads, with its meaning, as a Markdown table.`,
};

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Reads settings through `read`; invalid ones end the command with their message. */
function settingOrFail<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
}

function config(): Config {
  return settingOrFail(() => loadConfig());
}

function ask(question: string, hidden = false): Promise<string> {
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdin.isTTY ?? false,
  });
  return new Promise((resolve) => {
    if (hidden && process.stdin.isTTY) {
      const write = process.stdout.write.bind(process.stdout);
      rl.question(question, (answer) => {
        process.stdout.write = write;
        write('\n');
        rl.close();
        resolve(answer);
      });
      process.stdout.write = ((chunk: string | Uint8Array) =>
        typeof chunk === 'string' && chunk.startsWith(question)
          ? write(chunk)
          : true) as typeof process.stdout.write;
      return;
    }
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer);
    });
  });
}

/**
 * Embedded PGlite in a folder: the folder taken for this process before anything is written there (its secret key
 * included), or the command ends at once saying which process has it (data-folder-lock.ts).
 */
function holdDataFolder(c: Config, command: string): DataFolderLock | undefined {
  if (c.DATABASE_URL) return undefined;
  try {
    return lockDataFolder(c.DESK_DATA_DIR, `desk ${command}`);
  } catch (err) {
    if (err instanceof DataFolderInUse) fail(err.message);
    throw err;
  }
}

/** The database opened and migrated; embedded PGlite compiled lean, a fresh folder made aside (pglite-setup.ts). */
async function readyDatabase(c: Config, dataFolderLock: DataFolderLock | undefined) {
  if (!c.DATABASE_URL) compileEmbeddedDatabaseBaselineOnly();
  await initializeDataFolder(c.DATABASE_URL, c.DESK_DATA_DIR);
  const { databaseSettings, MigrationsNeedDirectConnection, openDatabase } = await import(
    './platform/database.ts'
  );
  const database = openDatabase(c.DATABASE_URL, c.DESK_DATA_DIR, { ...databaseSettings(c), dataFolderLock });
  try {
    for (const warning of await database.migrate()) process.stderr.write(`Warning: ${warning}\n`);
  } catch (err) {
    await database.close();
    if (err instanceof MigrationsNeedDirectConnection) fail(err.message);
    throw err;
  }
  return database;
}

async function start(): Promise<void> {
  const read = config();
  const lock = holdDataFolder(read, 'start');
  const settings = keepGeneratedSecretKey(read);
  // The database, the development provider's key and Desk's modules get ready at once.
  const [database, { buildDesk }, { assignOrganizationsByDomain }] = await Promise.all([
    readyDatabase(settings, lock),
    import('./app.ts'),
    import('./organizations/index.ts'),
    prepareDevProvider(settings),
  ]);
  // Every kind of connection Desk opens answers: user search has its own, whose start-up parameter a pooler may
  // refuse (postgres-client.ts). Said now, not by the first search or a readiness probe.
  await database.ping(5_000).catch(async (err: unknown) => {
    await database.close();
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    fail(
      `The database refused or did not answer a connection Desk opens (${cause}). Behind a pooler: set ` +
        'DATABASE_TRANSACTION_POOLER=true for transaction mode, or let it pass the start-up parameters Desk sends ' +
        '(docs/operations.md).',
    );
  });
  const desk = await buildDesk(settings, { database });
  const assigned = await assignOrganizationsByDomain(desk.database.db);
  if (assigned) desk.app.log.info(`${assigned} users were given the organization of their mail domain.`);
  closeOnSignals(async () => {
    await desk.close();
    await database.close();
  }, desk.app.log);
  await desk.app.listen({ port: desk.config.PORT, host: desk.config.HOST });
  // Discovery warms up in the background; a provider down now only delays logins (503 until it answers). The
  // development provider is in this process and made by its first request: the first login discovers it.
  if (!desk.config.DESK_DEV_IDP) desk.provider.get().catch(() => {});
  const where = desk.config.PUBLIC_URL;
  const databaseIs = desk.config.DATABASE_URL
    ? desk.database.kind
    : `PGlite in ${resolve(desk.config.DESK_DATA_DIR)}`;
  desk.app.log.info(`Desk is running at ${where}/ (database: ${databaseIs}, sessions: ${desk.kv.kind})`);
  if (desk.config.DESK_DEV_IDP)
    desk.app.log.info(
      `Open ${where}/ to log in as a demo agent (built-in development provider at ${where}/dev-idp).`,
    );
  if (desk.config.DEBUG) desk.app.log.info(`Development pages: ${where}/__debug__/outbox (DEBUG).`);
  if (desk.metrics.url) desk.app.log.info(`Prometheus metrics at ${desk.metrics.url} (METRICS_PORT).`);
  for (const warning of startWarnings(desk.config)) desk.app.log.warn(warning);
}

async function migrate(): Promise<void> {
  const c = config();
  // Through a transaction-mode pooler, the advisory lock that keeps two migrations apart would not hold.
  if (c.DATABASE_TRANSACTION_POOLER)
    fail(
      'desk migrate needs a direct connection to PostgreSQL: DATABASE_TRANSACTION_POOLER is set, so DATABASE_URL points at a transaction-mode pooler. Run it with DATABASE_URL naming PostgreSQL itself and DATABASE_TRANSACTION_POOLER unset (docs/operations.md).',
    );
  const lock = holdDataFolder(c, 'migrate');
  const { assignOrganizationsByDomain } = await import('./organizations/index.ts');
  const database = await readyDatabase(c, lock);
  try {
    // Users from before organizations get the one of their mail domain, in batches (DESIGN.md §7).
    const assigned = await assignOrganizationsByDomain(database.db);
    process.stdout.write(`Migrations applied (${database.kind}); ${assigned} users given an organization.\n`);
  } finally {
    await database.close();
  }
}

async function createSuperuser(args: string[]): Promise<void> {
  // Refused at once, before any question, when a running Desk holds the embedded database.
  const c = config();
  const lock = holdDataFolder(c, 'createsuperuser');
  const { hashPassword, passwordWeaknesses } = await import('./auth/index.ts');
  const { createSuperuser, StaffEmailTaken } = await import('./users/index.ts');
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, password: { type: 'string' } },
  });
  const email = (values.email ?? (await ask('Email: '))).trim();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) fail(`Not an email address: ${JSON.stringify(email)}`);
  let password = values.password;
  if (password === undefined) {
    password = await ask('Password: ', true);
    const again = await ask('Password (again): ', true);
    if (again !== password) fail('The two passwords differ.');
  }
  const weaknesses = passwordWeaknesses(password, email);
  if (weaknesses.length) fail(`This password is too weak: ${weaknesses.join('; ')}.`);
  const database = await readyDatabase(c, lock);
  let refused: InstanceType<typeof StaffEmailTaken> | undefined;
  try {
    const { user, created } = await createSuperuser(database.db, email, await hashPassword(password));
    process.stdout.write(`${created ? 'Created' : 'Updated'} superuser ${user.email} (${user.id}).\n`);
  } catch (err) {
    if (!(err instanceof StaffEmailTaken)) throw err;
    refused = err;
  } finally {
    await database.close();
  }
  if (refused)
    fail(`${refused.message} Nothing was changed: log in with that account, or choose another email.`);
}

async function importCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      'dry-run': { type: 'boolean' },
      report: { type: 'string' },
      'batch-size': { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals[0] !== 'people' || positionals.length !== 1) fail(HELP.import ?? '');
  if (!values.from)
    fail(`--from is missing: people's database, e.g. --from postgres://people@db/people.\n\n${HELP.import}`);
  if (!/^postgres(ql)?:\/\//.test(values.from))
    fail('--from must be a postgres:// URL (people runs on PostgreSQL).');
  const batchSize = Number(values['batch-size'] ?? 5_000);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000)
    fail('--batch-size must be a whole number from 1 to 100000.');
  const read = config();
  // Its lock (one import at a time) is a session's: through a transaction-mode pooler it would not hold.
  if (read.DATABASE_TRANSACTION_POOLER)
    fail(
      'desk import needs a direct connection to PostgreSQL: DATABASE_TRANSACTION_POOLER is set, so DATABASE_URL points at a transaction-mode pooler. Run it with DATABASE_URL naming PostgreSQL itself and DATABASE_TRANSACTION_POOLER unset.',
    );
  const lock = holdDataFolder(read, 'import');
  // Batches of thousands of rows may take longer than a request's statement is allowed.
  const c = { ...read, DATABASE_QUERY_TIMEOUT: Math.max(read.DATABASE_QUERY_TIMEOUT, 600) };
  const { holdImportLock, ImportRunning, ImportStopped, importPeople, NotPeopleDatabase, SourceUnavailable } =
    await import('./import/index.ts');
  const { openReport } = await import('./import/report.ts');
  const { progressOn, summary } = await import('./import/progress.ts');
  const { WebhookSecrets } = await import('./webhooks/index.ts');
  const database = await readyDatabase(c, lock);
  let release: (() => Promise<void>) | undefined;
  if (c.DATABASE_URL)
    try {
      release = await holdImportLock(c.DATABASE_URL);
    } catch (err) {
      await database.close();
      if (err instanceof ImportRunning) fail(err.message);
      throw err;
    }
  const reportPath = resolve(values.report ?? 'people-import-report.csv');
  const report = openReport(reportPath, process.stderr);
  let failure: unknown;
  try {
    const result = await importPeople({
      from: values.from,
      db: database.db,
      dryRun: values['dry-run'] ?? false,
      batchSize,
      invitationValiditySeconds: c.INVITATION_VALIDITY_DURATION,
      // The running Desk's SECRET_KEY must be the one given here: it decrypts the webhooks' secrets to send them.
      webhookSecrets: new WebhookSecrets(c.SECRET_KEY),
      progress: progressOn(process.stderr),
      onProblem: (p) => report.add(p),
    });
    process.stdout.write(summary(result.tables, result.dryRun));
    for (const { source, rows, why } of result.leftOut)
      process.stdout.write(`Not imported: ${rows} rows of ${source} (${why}).\n`);
    const n = result.problems;
    process.stdout.write(
      n
        ? `${n} ${n === 1 ? 'row' : 'rows'} could not be taken as ${n === 1 ? 'it was' : 'they were'}: listed above and in ${reportPath}.\n`
        : `Every row was taken as it was (report: ${reportPath}).\n`,
    );
    if (result.settleError)
      process.stdout.write(
        `Warning: the import is complete, but the tables it wrote could not be vacuumed and analysed (${result.settleError}); searches may be slow until autovacuum does it, or run VACUUM (ANALYZE) on ${[...new Set(result.tables.map((t) => t.table))].join(', ')}.\n`,
      );
  } catch (err) {
    failure = err;
  } finally {
    const unread = failure instanceof NotPeopleDatabase || failure instanceof SourceUnavailable;
    await (unread ? report.discard() : report.close());
    await release?.();
    await database.close();
  }
  if (failure instanceof NotPeopleDatabase || failure instanceof SourceUnavailable) fail(failure.message);
  if (failure)
    fail(
      `The import stopped${failure instanceof ImportStopped ? ` at ${failure.table}` : ''}: ${failure instanceof Error ? failure.message : String(failure)}\nDesk's database is as it was before the batch that failed${values['dry-run'] ? ' (a dry run writes nothing)' : ''}; run the import again to go on.`,
    );
}

function keys(args: string[]): void {
  const { values, positionals } = parseArgs({
    args,
    options: { type: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals[0] !== 'generate') fail(HELP.keys ?? '');
  // Without --type, the key Desk would accept: OIDC_RS_ENCRYPTION_KEY_TYPE, read alone (no other setting needed).
  const type = values.type ?? settingOrFail(encryptionKeyType).toLowerCase();
  const pair =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : fail(`Unknown key type "${type}": use rsa or ec.`);
  process.stdout.write(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

function settings(): void {
  const rows = describeSettings().map(
    ({ name, description }) => `| ${name} | ${description.replaceAll('|', '\\|')} |`,
  );
  process.stdout.write(`| setting | meaning |\n|---|---|\n${rows.join('\n')}\n`);
}

async function main(argv: string[]): Promise<void> {
  const [command = '', ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help' || command === '') {
    process.stdout.write(`${HELP['']}\n`);
    return;
  }
  if (!(command in HELP)) fail(`Unknown command "${command}".\n\n${HELP['']}`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${HELP[command]}\n`);
    return;
  }
  if (command === 'start') return start();
  if (command === 'migrate') return migrate();
  if (command === 'createsuperuser') return createSuperuser(rest);
  if (command === 'settings') return settings();
  if (command === 'keys') return keys(rest);
  if (command === 'import') return importCommand(rest);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  fail(`desk: ${err instanceof Error ? err.message : String(err)}`);
});
