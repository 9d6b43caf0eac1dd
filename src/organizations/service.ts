// The rules of organizations: which one a signing-in agent belongs to, and what staff may do with them.

import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { type AuditContext, type AuditEvent, recordAudit } from '../audit/index.ts';
import type { SessionStore } from '../auth/sessions.ts';
import type { Config } from '../platform/config.ts';
import type { Database, Db } from '../platform/database.ts';
import { isUniqueViolation, NotFound, PermissionDenied, ValidationFailed } from '../platform/errors.ts';
import { unstorable } from '../platform/input.ts';
import {
  changesStaffAccounts,
  hasStaffMember,
  leavesNoSuperuser,
  lockSuperusersWhoMayAct,
  type User,
  userIdsOfOrganization,
} from '../users/index.ts';
import {
  findOrCreateOrganization,
  type HeldOrganization,
  holdOrganizationOfUser,
  insertOrganization,
  listOrganizations,
  lockedMetadata,
  lockOrganizations,
  mergeOrganizations,
  type OrganizationView,
  organizationById,
  organizationNamedBy,
  registrationIdNaming,
  renameUnnamed,
  scimUserNamesInBoth,
  setKeys,
  updateOrganization,
} from './queries.ts';
import { namesFromRegistry, queueNameLookup, type RegistryEntry } from './registry.ts';

/** The lower-cased domain of an address, or undefined. */
export function domainOf(email: string | null | undefined): string | undefined {
  const at = email?.lastIndexOf('@') ?? -1;
  const domain =
    at > 0
      ? email
          ?.slice(at + 1)
          .trim()
          .toLowerCase()
      : undefined;
  return domain && /^[a-z0-9.-]+\.[a-z]{2,}$/.test(domain) ? domain : undefined;
}

/** The registration id the provider gave, when it passes every validator; an invalid one is ignored, not trusted. */
export function registrationIdFrom(claims: Record<string, unknown>, config: Config): string | undefined {
  const field = config.OIDC_ORGANIZATION_REGISTRATION_ID_FIELD;
  const value = field ? claims[field] : undefined;
  if (typeof value !== 'string' || !value.trim() || value.length > 128) return undefined;
  const id = value.trim();
  return config.ORGANIZATION_REGISTRATION_ID_VALIDATORS.every((pattern) => new RegExp(pattern).test(id))
    ? id
    : undefined;
}

/**
 * The organization's name the provider gave, in the claim OIDC_ORGANIZATION_NAME_FIELD names: text on one line, at
 * most 255 characters; anything else is ignored.
 */
export function organizationNameFrom(claims: Record<string, unknown>, config: Config): string | undefined {
  const field = config.OIDC_ORGANIZATION_NAME_FIELD;
  const value = field ? claims[field] : undefined;
  if (typeof value !== 'string') return undefined;
  const name = value.replace(/\s+/g, ' ').trim();
  return name && name.length <= 255 && !unstorable(name) && !/\p{Cc}/u.test(name) ? name : undefined;
}

/**
 * The organization an agent signing in belongs to, held until the transaction ends (a merge cannot remove it under
 * the sign-in): named by a valid registration id, else by the domain of `email` (one the login proved, DESIGN.md
 * §5), else the one returning user `userId` already belongs to. 'unnamed' when none of these says, 'merged' when
 * merges kept removing it.
 *
 * Its name: the provider's (OIDC_ORGANIZATION_NAME_FIELD), also for one still named by this registration id; else,
 * when made here, the registration id (the company registry's name follows, when a plugin asks for it) or the domain.
 *
 * A user a directory provisioned (DESIGN.md §9, `provisioned`) is never moved by a sign-in: they stay in the
 * organization whose directory made them, none is created for them, and claims naming another existing organization
 * give 'elsewhere' (the sign-in is refused, never linked across organizations).
 */
export async function organizationAtSignIn(
  tx: Db,
  claims: Record<string, unknown>,
  email: string | undefined,
  config: Config,
  userId?: string,
  provisioned = false,
): Promise<HeldOrganization | 'unnamed' | 'merged' | 'elsewhere'> {
  const registrationId = registrationIdFrom(claims, config);
  const domain = domainOf(email);
  if (provisioned && userId) {
    const named = await organizationNamedBy(tx, { registrationId, domain });
    const own = await holdOrganizationOfUser(tx, userId);
    if (own === null) return 'unnamed';
    if (own === undefined) return 'merged';
    return named !== undefined && named !== own.id ? 'elsewhere' : own;
  }
  if (!registrationId && !domain) {
    const own = userId ? await holdOrganizationOfUser(tx, userId) : null;
    return own === null ? 'unnamed' : (own ?? 'merged');
  }
  const name = organizationNameFrom(claims, config);
  const found = await findOrCreateOrganization(tx, { registrationId, domain, name });
  if (!found) return 'merged';
  if (found.created && registrationId && !name && namesFromRegistry(config))
    await queueNameLookup(tx, found.id);
  if (!found.created && registrationId && name) await renameUnnamed(tx, found.id, registrationId, { name });
  return found;
}

/** Who names an organization after the company registry, in the audit log. */
const COMPANY_REGISTRY: AuditEvent['actor'] = { type: 'system', id: null, label: 'company registry' };

export interface OrganizationInput {
  name?: string;
  is_active?: boolean;
  metadata?: Record<string, unknown>;
  registration_id_list?: string[];
  domain_list?: string[];
}

function metadataValidator(config: Config): ValidateFunction | undefined {
  if (!config.ORGANIZATION_METADATA_SCHEMA) return undefined;
  const schema = JSON.parse(readFileSync(config.ORGANIZATION_METADATA_SCHEMA, 'utf8')) as object;
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

/**
 * DESIGN.md §8, as /admin/users/ applies it: shutting an organization's members out (deactivating it, or merging it
 * into a deactivated one) disables them in effect. Only superusers may do that to staff and superusers, and no one
 * when it would leave no superuser able to act. Decided on locked rows: the superusers first (in the order
 * /admin/users/ takes them, so the two wait for each other), then the organization's staff.
 */
async function mayShutOut(
  tx: Db,
  me: User,
  organizationId: string,
  refusals: { field: string; denied: string; last: string },
): Promise<void> {
  const superusers = await lockSuperusersWhoMayAct(tx);
  if (!changesStaffAccounts(me) && (await hasStaffMember(tx, organizationId)))
    throw new PermissionDenied(refusals.denied);
  if (leavesNoSuperuser(superusers, (s) => s.organizationId === organizationId))
    throw new ValidationFailed({ [refusals.field]: [refusals.last] });
}

export class OrganizationService {
  private readonly validateMetadata: ValidateFunction | undefined;

  constructor(
    private readonly database: Database,
    private readonly config: Config,
    private readonly sessions: SessionStore,
  ) {
    this.validateMetadata = metadataValidator(config);
  }

  private checkMetadata(metadata: Record<string, unknown> | undefined): void {
    if (!metadata || !this.validateMetadata || this.validateMetadata(metadata)) return;
    const errors = this.validateMetadata.errors ?? [];
    throw new ValidationFailed({
      metadata: errors.map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`),
    });
  }

  async get(id: string): Promise<OrganizationView> {
    const found = await organizationById(this.database.db, id);
    if (!found) throw new NotFound();
    return found;
  }

  list(options: { q?: string; limit: number; offset: number }) {
    return listOrganizations(this.database.db, options);
  }

  private async keysTaken<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      // A unique key (registration id, domain) another organization holds.
      if (isUniqueViolation(err))
        throw new ValidationFailed({
          non_field_errors: ['A registration id or a domain already belongs to another organization.'],
        });
      throw err;
    }
  }

  async create(input: OrganizationInput & { name: string }, party: AuditContext): Promise<OrganizationView> {
    this.checkMetadata(input.metadata);
    const id = await this.keysTaken(() =>
      this.database.db.transaction(async (tx) => {
        const created = await insertOrganization(tx, {
          name: input.name,
          metadata: input.metadata ?? {},
          registrationIds: input.registration_id_list ?? [],
          domains: (input.domain_list ?? []).map((d) => d.toLowerCase()),
        });
        await recordAudit(tx, {
          ...party,
          event: 'organization.created',
          target: { type: 'organization', id: created, label: input.name },
        });
        // As people's hook after any creation: named by its registration id, it waits for the registry's name.
        if (namesFromRegistry(this.config) && input.registration_id_list?.includes(input.name))
          await queueNameLookup(tx, created);
        return created;
      }),
    );
    return this.get(id);
  }

  /** The registration id organization `id` is still named by (people's "no name yet"), or undefined. */
  registrationIdNamingIt(id: string): Promise<string | undefined> {
    return registrationIdNaming(this.database.db, id);
  }

  /**
   * Gives organization `id`, still named by registration id `from`, the company registry's name, and adds the
   * registry's metadata unless ORGANIZATION_METADATA_SCHEMA refuses the result; written in the audit log as a change
   * by the registry. A name given meanwhile (by staff, or a sign-in's claim) wins. True when renamed.
   */
  async nameAfterRegistry(id: string, from: string, entry: RegistryEntry): Promise<boolean> {
    return this.database.db.transaction(async (tx) => {
      const metadata = await lockedMetadata(tx, id);
      if (!metadata) return false;
      const merged = { ...metadata, ...entry.metadata };
      const withMetadata = !this.validateMetadata || this.validateMetadata(merged);
      const renamed = await renameUnnamed(tx, id, from, {
        name: entry.name,
        ...(withMetadata ? { metadata: merged } : {}),
      });
      if (renamed)
        await recordAudit(tx, {
          actor: COMPANY_REGISTRY,
          event: 'organization.changed',
          target: { type: 'organization', id, label: entry.name },
          details: { fields: withMetadata ? ['metadata', 'name'] : ['name'], from_name: from },
        });
      return renamed;
    });
  }

  /**
   * Changes an organization. Deactivating it signs its members out everywhere at once, as disabling a user does: their
   * sessions end on every pod (the index lives in the shared store), and every session or bearer token of theirs is
   * refused from then on (the user is read with their organization at each request).
   */
  async update(
    me: User,
    id: string,
    input: OrganizationInput,
    party: AuditContext,
  ): Promise<OrganizationView> {
    const before = await this.get(id);
    this.checkMetadata(input.metadata);
    const members = await this.keysTaken(() =>
      this.database.db.transaction(async (tx) => {
        if (input.is_active === false) {
          const [now] = await lockOrganizations(tx, [id]);
          if (!now) throw new NotFound();
          if (now.isActive)
            await mayShutOut(tx, me, id, {
              field: 'is_active',
              denied: 'Only superusers deactivate an organization with staff or superuser members.',
              last: 'Deactivating this organization would leave no active superuser able to act.',
            });
        }
        const found = await updateOrganization(tx, id, {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.is_active !== undefined ? { isActive: input.is_active } : {}),
          ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
        });
        // Merged into another since it was read: nothing to change, nothing to audit.
        if (!found) throw new NotFound();
        await setKeys(tx, id, {
          ...(input.registration_id_list ? { registrationIds: input.registration_id_list } : {}),
          ...(input.domain_list ? { domains: input.domain_list.map((d) => d.toLowerCase()) } : {}),
        });
        await recordAudit(tx, {
          ...party,
          event: 'organization.changed',
          target: { type: 'organization', id, label: input.name ?? before.name },
          // What changed, by field name (values stay out: metadata may be large).
          details: { fields: Object.keys(input).sort() },
        });
        // Read under the row's lock: who signs in from now on finds the organization deactivated.
        return input.is_active === false ? userIdsOfOrganization(tx, id) : [];
      }),
    );
    await this.sessions.destroyAllForUsers(members);
    return this.get(id);
  }

  /**
   * Everything of `from` moves into `into`, in one transaction; `from` is gone after. Both are locked in one order and
   * read again under the lock, so of two opposite merges racing (A into B, B into A) one wins and the other is
   * answered as if it came after: its organization no longer exists. Users moved into a deactivated organization are
   * signed out, as its members were. SCIM clients and the users they provision move too; a userName both provision
   * refuses the merge (400 naming them), as it would no longer be unique in the organization kept.
   */
  async merge(
    me: User,
    from: string,
    into: string,
    party: AuditContext,
  ): Promise<{ organization: OrganizationView; users: number; teams: number }> {
    if (from.toLowerCase() === into.toLowerCase())
      throw new ValidationFailed({ into: ['An organization cannot be merged into itself.'] });
    const { counts, signedOut } = await this.database.db.transaction(async (tx) => {
      const locked = await lockOrganizations(tx, [from, into]);
      const merged = locked.find((o) => o.id === from.toLowerCase());
      if (!merged) throw new NotFound();
      const target = locked.find((o) => o.id === into.toLowerCase());
      if (!target) throw new ValidationFailed({ into: ['No organization has this id.'] });
      if (!target.isActive && merged.isActive)
        await mayShutOut(tx, me, merged.id, {
          field: 'into',
          denied:
            'Only superusers merge an organization with staff or superuser members into a deactivated one.',
          last: 'Merging into a deactivated organization would leave no active superuser able to act.',
        });
      const shared = await scimUserNamesInBoth(tx, merged.id, target.id);
      if (shared.length)
        throw new ValidationFailed({
          into: [
            `Both organizations provision these SCIM userNames, which must stay unique in the organization: ${shared.join(', ')}.`,
          ],
        });
      const moving = target.isActive ? [] : await userIdsOfOrganization(tx, from);
      const counts = await mergeOrganizations(tx, from, into);
      await recordAudit(tx, {
        ...party,
        event: 'organization.merged',
        target: { type: 'organization', id: into, label: target.name },
        details: { from, from_name: merged.name, ...counts },
      });
      return { counts, signedOut: moving };
    });
    await this.sessions.destroyAllForUsers(signedOut);
    return { organization: await this.get(into), ...counts };
  }
}
