// Organizations are named by name, not by SIRET: the provider's claim when it gives one, else the French company
// registry's name found by a background job (people's la_suite plugin), against a stand-in for that registry's API.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEvents } from '../../src/audit/index.ts';
import {
  ORGANIZATION_NAME_JOB,
  organizations,
  queueUnnamedOrganizations,
} from '../../src/organizations/index.ts';
import { entryFromSearch, readableName } from '../../src/organizations/registry.ts';
import { organizationRegistrationIds } from '../../src/organizations/schema.ts';
import { ConfigError, configFrom } from '../../src/platform/config.ts';
import { jobs } from '../../src/platform/schema.ts';
import { type User, users } from '../../src/users/index.ts';
import type { Browser } from '../support/browser.ts';
import { type RunningDesk, startDeskOn } from '../support/desk.ts';
import {
  company,
  type FakeCompanyRegistry,
  startFakeCompanyRegistry,
} from '../support/fake-company-registry.ts';
import { loginThroughForge, newSub } from '../support/forge-login.ts';
import { type TestDatabase, type TestStore, testDatabase, testStore } from '../support/parts.ts';
import { type Forge, startForge } from '../support/token-forge.ts';

let forge: Forge;
let registry: FakeCompanyRegistry;
let testDb: TestDatabase;
let store: TestStore;
let desk: RunningDesk;
let settings: Record<string, string>;
// people's fr/organization_metadata.json, with a code every organization of this deployment must carry.
const schemaFile = join(mkdtempSync(join(tmpdir(), 'desk-registry-')), 'metadata.json');
writeFileSync(
  schemaFile,
  JSON.stringify({
    type: 'object',
    required: ['code_insee'],
    properties: {
      code_insee: { type: 'string', pattern: '^[0-9]{5}$' },
      is_public_service: { type: 'boolean' },
      is_commune: { type: 'boolean' },
    },
  }),
);

beforeAll(async () => {
  forge = await startForge();
  registry = await startFakeCompanyRegistry();
  testDb = await testDatabase();
  store = testStore();
  settings = {
    ...forge.settings,
    OIDC_ORGANIZATION_REGISTRATION_ID_FIELD: 'siret',
    ORGANIZATION_REGISTRATION_ID_VALIDATORS: '["^[0-9]{14}$"]',
    OIDC_ORGANIZATION_NAME_FIELD: 'organization_name',
    ORGANIZATION_METADATA_SCHEMA: schemaFile,
    INSTALLED_PLUGINS: 'plugins.la_suite',
    ORGANIZATION_REGISTRY_API_URL: registry.url,
    ORGANIZATION_REGISTRY_API_TIMEOUT: '1',
  };
  desk = await startDeskOn(testDb, store.kv, settings);
});
afterAll(async () => {
  await desk?.stop();
  await store?.kv.close();
  await registry?.close();
  await forge?.close();
  await testDb?.drop();
});

const newSiret = () => String(Math.floor(Math.random() * 1e14)).padStart(14, '0');
const random = () => crypto.randomUUID().slice(0, 8);

interface MyOrganization {
  id: string;
  name: string;
}

async function signIn(userinfo: Record<string, unknown>, sub = newSub()) {
  const { browser } = await loginThroughForge(desk, forge, {
    sub,
    userinfo: { email: `agent.${random()}@${random()}.gouv.fr`, ...userinfo },
  });
  const me = (await browser.get('/api/v1.0/users/me/')).json as { organization: MyOrganization };
  return { browser, organization: me.organization };
}

async function organization(id: string) {
  const [row] = await testDb.database.db.select().from(organizations).where(eq(organizations.id, id));
  return row;
}

async function lookups(organizationId: string) {
  return testDb.database.db
    .select({ status: jobs.status, lastError: jobs.lastError })
    .from(jobs)
    .where(
      and(eq(jobs.kind, ORGANIZATION_NAME_JOB), sql`${jobs.payload}->>'organizationId' = ${organizationId}`),
    );
}

/** Waits for the queue (running in the background, as in production) to settle the look-up of this organization. */
async function lookedUp(organizationId: string) {
  await vi.waitUntil(async () => (await lookups(organizationId))[0]?.status === 'done', { timeout: 15_000 });
  return organization(organizationId);
}

async function staffBrowser(): Promise<Browser> {
  const [staff] = await testDb.database.db
    .insert(users)
    .values({ email: `staff.${random()}@example.org`, name: 'Staff', isStaff: true })
    .returning();
  const session = await desk.desk.sessions.create((staff as User).id);
  const browser = desk.browser();
  browser.cookies.set('desk_sessionid', session.id);
  browser.cookies.set('csrftoken', 'csrf-for-tests');
  return browser;
}

describe("the company registry's answer, read as people's plugin reads it", () => {
  it('names a commune by its town, anything else by its sign, else by its legal name', () => {
    const siret = newSiret();
    const commune = {
      results: [
        company(siret, { legalName: 'COMMUNE DE SAINT-DENIS', town: 'SAINT-DENIS', category: '7210' }),
      ],
    };
    const signed = {
      results: [company(siret, { legalName: 'DIRECTION X', signs: ['MAISON FRANCE SERVICES'] })],
    };
    const legal = { results: [company(siret, { legalName: "MINISTERE DE L'INTERIEUR ET DES OUTRE-MER" })] };
    expect(entryFromSearch(commune, siret)).toEqual({
      name: 'Saint-Denis',
      metadata: { is_public_service: true, is_commune: true },
    });
    expect(entryFromSearch(signed, siret)?.name).toBe('Maison France Services');
    expect(entryFromSearch(legal, siret)?.name).toBe("Ministere de l'Interieur et des Outre-Mer");
  });

  it('finds no name without an establishment of exactly that SIRET, or without any name in it', () => {
    const siret = newSiret();
    expect(entryFromSearch({ results: [] }, siret)).toBeUndefined();
    expect(
      entryFromSearch({ results: [company(newSiret(), { legalName: 'AUTRE' })] }, siret),
    ).toBeUndefined();
    expect(entryFromSearch({ results: [company(siret, { signs: [] })] }, siret)).toBeUndefined();
    expect(entryFromSearch({ unexpected: true }, siret)).toBeUndefined();
  });

  it('writes capitals as a title, French particles in lower case', () => {
    expect(readableName('DIRECTION INTERMINISTERIELLE DU NUMERIQUE')).toBe(
      'Direction Interministerielle du Numerique',
    );
    expect(readableName('LE HAVRE')).toBe('Le Havre');
    expect(readableName('  BOULOGNE-SUR-MER ')).toBe('Boulogne-sur-Mer');
  });
});

describe('an organization made at sign-in from a SIRET', () => {
  it("gets the registry's name in the background", async () => {
    const siret = newSiret();
    registry.companies.set(siret, company(siret, { legalName: 'DIRECTION INTERMINISTERIELLE DU NUMERIQUE' }));
    const { browser, organization: made } = await signIn({ siret });
    expect((await lookedUp(made.id))?.name).toBe('Direction Interministerielle du Numerique');
    const me = (await browser.get('/api/v1.0/users/me/')).json as { organization: MyOrganization };
    expect(me.organization.name).toBe('Direction Interministerielle du Numerique');
    expect(registry.searches.filter((q) => q === siret)).toEqual([siret]);
  });

  it('is written in the audit log as changed by the company registry', async () => {
    const siret = newSiret();
    registry.companies.set(siret, company(siret, { legalName: 'PREFECTURE DU RHONE' }));
    const { organization: made } = await signIn({ siret });
    await lookedUp(made.id);
    const [event] = await testDb.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.event, 'organization.changed'), eq(auditEvents.targetId, made.id)));
    expect(event).toMatchObject({
      actorType: 'system',
      actorLabel: 'company registry',
      targetLabel: 'Prefecture du Rhone',
    });
    expect(event?.details).toMatchObject({ from_name: siret });
  });

  it("keeps its metadata when ORGANIZATION_METADATA_SCHEMA refuses the registry's, and still takes the name", async () => {
    const siret = newSiret();
    registry.companies.set(
      siret,
      company(siret, { legalName: 'MAIRIE DE LYON', category: '7210', town: 'LYON' }),
    );
    const { organization: made } = await signIn({ siret });
    // Made at sign-in, it has no code_insee, which this deployment's schema requires.
    expect(await lookedUp(made.id)).toMatchObject({ name: 'Lyon', metadata: {} });
  });

  it('keeps its SIRET as its name when the registry knows none (the web app shows it as "Organization 123 …")', async () => {
    const siret = newSiret();
    const { organization: made } = await signIn({ siret });
    expect((await lookedUp(made.id))?.name).toBe(siret);
  });

  it('is named later when the registry turns callers away (429), or does not answer within the timeout', async () => {
    const busy = newSiret();
    const silent = newSiret();
    for (const siret of [busy, silent])
      registry.companies.set(siret, company(siret, { legalName: `MAIRIE ${siret}` }));
    registry.trouble.set(busy, 429);
    registry.trouble.set(silent, 'silence');
    const first = await signIn({ siret: busy });
    const second = await signIn({ siret: silent });
    await vi.waitUntil(async () => (await lookups(first.organization.id))[0]?.lastError, { timeout: 15_000 });
    await vi.waitUntil(async () => (await lookups(second.organization.id))[0]?.lastError, {
      timeout: 15_000,
    });
    expect(await lookups(first.organization.id)).toEqual([
      { status: 'pending', lastError: 'the company registry answered 429' },
    ]);
    expect(await lookups(second.organization.id)).toEqual([
      { status: 'pending', lastError: 'the company registry did not answer: TimeoutError' },
    ]);
    registry.trouble.delete(busy);
    registry.trouble.delete(silent);
    // The retries wait for their back-off; bring them forward.
    await testDb.database.db
      .update(jobs)
      .set({ runAt: sql`now()` })
      .where(and(eq(jobs.kind, ORGANIZATION_NAME_JOB), eq(jobs.status, 'pending')));
    expect((await lookedUp(first.organization.id))?.name).toBe(`Mairie ${busy}`);
    expect((await lookedUp(second.organization.id))?.name).toBe(`Mairie ${silent}`);
  });

  it('keeps the name staff gave it before the look-up ran', async () => {
    const siret = newSiret();
    registry.companies.set(siret, company(siret, { legalName: 'NOM DU REGISTRE' }));
    registry.trouble.set(siret, 503);
    const { organization: made } = await signIn({ siret });
    await vi.waitUntil(async () => (await lookups(made.id))[0]?.lastError, { timeout: 15_000 });
    const staff = await staffBrowser();
    expect(
      (await staff.patch(`/api/v1.0/admin/organizations/${made.id}/`, { name: 'Nom choisi' })).status,
    ).toBe(200);
    registry.trouble.delete(siret);
    await testDb.database.db
      .update(jobs)
      .set({ runAt: sql`now()` })
      .where(and(eq(jobs.kind, ORGANIZATION_NAME_JOB), eq(jobs.status, 'pending')));
    expect((await lookedUp(made.id))?.name).toBe('Nom choisi');
  });
});

describe("the provider's claim naming the organization (OIDC_ORGANIZATION_NAME_FIELD)", () => {
  it('names the organization a sign-in makes, and nothing asks the registry', async () => {
    const siret = newSiret();
    const { organization: made } = await signIn({ siret, organization_name: '  Préfecture   du Rhône ' });
    expect(made.name).toBe('Préfecture du Rhône');
    expect(await lookups(made.id)).toEqual([]);
  });

  it('names, at a later sign-in, an organization still named by its SIRET', async () => {
    const siret = newSiret();
    const { organization: made } = await signIn({ siret });
    await lookedUp(made.id);
    const { organization: later } = await signIn({ siret, organization_name: 'Rectorat de Lyon' });
    expect(later).toMatchObject({ id: made.id, name: 'Rectorat de Lyon' });
  });

  it('never renames an organization that has a name', async () => {
    const siret = newSiret();
    await signIn({ siret, organization_name: 'Rectorat de Lille' });
    const { organization } = await signIn({ siret, organization_name: 'Autre nom' });
    expect(organization.name).toBe('Rectorat de Lille');
  });

  it('is ignored when it is not text on one line', async () => {
    const siret = newSiret();
    const { organization: made } = await signIn({ siret, organization_name: { fr: 'Rectorat' } });
    expect(made.name).toBe(siret);
  });
});

describe('organizations made before the plugin was on', () => {
  it('are looked up once, queued at start', async () => {
    const siret = newSiret();
    registry.companies.set(siret, company(siret, { legalName: 'SOUS-PREFECTURE DE BRIEY' }));
    const [made] = await testDb.database.db.insert(organizations).values({ name: siret }).returning();
    await testDb.database.db
      .insert(organizationRegistrationIds)
      .values({ registrationId: siret, organizationId: made!.id });
    // Another pod starting.
    const pod = await startDeskOn(testDb, store.kv, settings);
    try {
      expect((await lookedUp(made!.id))?.name).toBe('Sous-Prefecture de Briey');
    } finally {
      await pod.stop();
    }
    expect(await queueUnnamedOrganizations(testDb.database.db, new Date())).toBe(0);
    expect(await lookups(made!.id)).toHaveLength(1);
  });

  it('made by staff under their SIRET are looked up too, their metadata completed', async () => {
    const siret = newSiret();
    registry.companies.set(
      siret,
      company(siret, { legalName: 'COMMUNE DE BRON', town: 'BRON', category: '7210' }),
    );
    const staff = await staffBrowser();
    const created = await staff.post('/api/v1.0/admin/organizations/', {
      name: siret,
      registration_id_list: [siret],
      metadata: { code_insee: '69029' },
    });
    expect(created.status).toBe(201);
    expect(await lookedUp((created.json as { id: string }).id)).toMatchObject({
      name: 'Bron',
      metadata: { code_insee: '69029', is_commune: true, is_public_service: true },
    });
  });
});

describe('the settings', () => {
  it("refuse a plugin Desk does not implement, and a registry timeout beyond a job's", () => {
    expect(() => configFrom({ INSTALLED_PLUGINS: 'plugins.la_suite,plugins.other' })).toThrow(ConfigError);
    expect(() => configFrom({ ORGANIZATION_REGISTRY_API_TIMEOUT: '60' })).toThrow(
      /ORGANIZATION_REGISTRY_API_TIMEOUT/,
    );
    expect(
      configFrom({ ORGANIZATION_PLUGINS: 'plugins.organizations.NameFromSiretOrganizationPlugin' })
        .ORGANIZATION_PLUGINS,
    ).toHaveLength(1);
  });
});
