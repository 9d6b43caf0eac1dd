// The French company registry (recherche-entreprises.api.gouv.fr, public, no key), as people's la_suite plugin asks
// it: the name of an organization known only by its SIRET, found by a background job after the organization is made.
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import type { Config } from '../platform/config.ts';
import type { Db } from '../platform/database.ts';
import type { JobHandler } from '../platform/job-queue.ts';
import { enqueueJob } from '../platform/jobs.ts';
import { queueForEveryUnnamed } from './queries.ts';
import type { OrganizationService } from './service.ts';

export const ORGANIZATION_NAME_JOB = 'organization.name_from_registry';

/** people's plugin switches: INSTALLED_PLUGINS today, ORGANIZATION_PLUGINS before 2025. Off unless one says so. */
export function namesFromRegistry(config: Config): boolean {
  return config.INSTALLED_PLUGINS.includes('plugins.la_suite') || config.ORGANIZATION_PLUGINS.length > 0;
}

/** What the registry tells of a SIRET; metadata as people's plugin keeps it (its fr/organization_metadata.json). */
export interface RegistryEntry {
  name: string;
  metadata: { is_public_service: boolean; is_commune: boolean };
}

/** A call that may succeed later (network, timeout, 429, 5xx): the job fails and the queue retries it. */
export class RegistryUnavailable extends Error {}

// Only the fields read; the registry sends many more.
const searchAnswer = z.object({
  results: z
    .array(
      z.object({
        nom_raison_sociale: z.string().nullish(),
        nature_juridique: z.union([z.string(), z.number()]).nullish(),
        siege: z.object({ libelle_commune: z.string().nullish() }).nullish(),
        complements: z.object({ est_service_public: z.boolean().nullish() }).nullish(),
        matching_etablissements: z
          .array(z.object({ siret: z.string().nullish(), liste_enseignes: z.array(z.string()).nullish() }))
          .nullish(),
      }),
    )
    .nullish(),
});

/** French words a title keeps in lower case, unless it starts with them ("Ministère de l'Intérieur"). */
const PARTICLES = new Set([
  'à',
  'au',
  'aux',
  'd',
  'de',
  'des',
  'du',
  'en',
  'et',
  'l',
  'la',
  'le',
  'les',
  'sur',
]);

/** The registry writes names in capitals ("COMMUNE DE SAINT-DENIS"): each word capitalised, particles not. */
export function readableName(raw: string): string {
  let first = true;
  return raw
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/\p{L}+/gu, (word) => {
      const lower = word.toLocaleLowerCase('fr');
      const keepLower = !first && PARTICLES.has(lower);
      first = false;
      return keepLower ? lower : lower.charAt(0).toLocaleUpperCase('fr') + lower.slice(1);
    });
}

/**
 * people's rule: the result holding an establishment of exactly this SIRET; a commune (legal category 7210) is named by
 * its town, anything else by the establishment's first sign, else the legal name. undefined when none is found.
 */
export function entryFromSearch(body: unknown, siret: string): RegistryEntry | undefined {
  const parsed = searchAnswer.safeParse(body);
  if (!parsed.success) return undefined;
  for (const result of parsed.data.results ?? []) {
    const establishment = (result.matching_etablissements ?? []).find((e) => e.siret === siret);
    if (!establishment) continue;
    const isCommune = String(result.nature_juridique ?? '') === '7210';
    const name =
      (isCommune ? result.siege?.libelle_commune : undefined) ||
      establishment.liste_enseignes?.find((sign) => sign.trim()) ||
      result.nom_raison_sociale;
    if (!name?.trim()) return undefined;
    return {
      name: readableName(name).slice(0, 255),
      metadata: { is_public_service: result.complements?.est_service_public ?? false, is_commune: isCommune },
    };
  }
  return undefined;
}

/** GET /search?q=<SIRET>, bounded by ORGANIZATION_REGISTRY_API_TIMEOUT. undefined when the registry knows no name. */
export async function lookUpSiret(config: Config, siret: string): Promise<RegistryEntry | undefined> {
  const url = `${config.ORGANIZATION_REGISTRY_API_URL.replace(/\/+$/, '')}/search?q=${encodeURIComponent(siret)}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(config.ORGANIZATION_REGISTRY_API_TIMEOUT * 1000),
    });
  } catch (err) {
    throw new RegistryUnavailable(`the company registry did not answer: ${(err as Error).name}`);
  }
  // 429: the registry allows about 7 calls a second per client; the queue's back-off spaces the next attempt.
  if (response.status === 429 || response.status >= 500)
    throw new RegistryUnavailable(`the company registry answered ${response.status}`);
  if (!response.ok) return undefined;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new RegistryUnavailable('the company registry answered something other than JSON');
  }
  return entryFromSearch(body, siret);
}

/** Queues the look-up of an organization just made under its registration id; in the transaction that made it. */
export async function queueNameLookup(tx: Db, organizationId: string): Promise<void> {
  await enqueueJob(tx, ORGANIZATION_NAME_JOB, { organizationId });
}

/** Calls started by the start-up sweep are spaced so, whatever the number of pods, the registry sees about 4 a second. */
const SWEEP_SPACING_MS = 250;

/**
 * Organizations made before the plugin was on (or before Desk named them) are looked up once too: at start, every
 * organization still named by a registration id that never had a look-up is queued. Returns how many.
 */
export function queueUnnamedOrganizations(db: Db, now: Date): Promise<number> {
  return queueForEveryUnnamed(db, ORGANIZATION_NAME_JOB, now, SWEEP_SPACING_MS);
}

/**
 * The job: the organization, if still named by a registration id (staff may have named it meanwhile), is given the
 * registry's name. A registry that cannot answer fails the job, which the queue retries with back-off.
 */
export function organizationNameJobHandler(
  organizations: OrganizationService,
  config: Config,
  log?: FastifyBaseLogger,
): JobHandler {
  return async (payload) => {
    const id = typeof payload.organizationId === 'string' ? payload.organizationId : undefined;
    const siret = id ? await organizations.registrationIdNamingIt(id) : undefined;
    if (!id || !siret) return;
    const entry = await lookUpSiret(config, siret);
    if (!entry) {
      log?.info({ organization: id }, 'the company registry has no name for this organization');
      return;
    }
    await organizations.nameAfterRegistry(id, siret, entry);
  };
}
