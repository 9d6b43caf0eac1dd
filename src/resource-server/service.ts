// The rules of the resource-server API: who the bearer is, and what a calling service may see and do with a team.
import type { FastifyRequest } from 'fastify';
import {
  type AuditContext,
  type AuditEvent,
  recordAudit,
  recordCapped,
  requestOrigin,
  userParty,
} from '../audit/index.ts';
import type { Database } from '../platform/database.ts';
import { BadRequest, NotFound, PermissionDenied } from '../platform/errors.ts';
import { type KeyValueStore, MemoryStore } from '../platform/kv.ts';
import { insertTeam, renameTeam, type TeamWithRole, teamAbilities } from '../teams/index.ts';
import { findActiveUserBySub, type User } from '../users/index.ts';
import { BearerMalformed, BearerMissing, InsufficientScope, InvalidToken } from './errors.ts';
import type { Introspector } from './introspection.ts';
import { linkTeam, serviceProviderFor, teamForService, teamsForService } from './queries.ts';

// RFC 6750 §2.1: b64token.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/** The agent a token speaks for, and the service provider (other app of the suite) that presented it. */
export interface Caller {
  user: User;
  serviceProviderId: string;
}

export type VisibleTeam = TeamWithRole & { linked: boolean };

/** Why a presented token was refused, in a few words for the audit log (never the token); null: not a refusal. */
function refusalReason(err: unknown): string | null {
  if (err instanceof BearerMalformed) return 'malformed_authorization_header';
  if (err instanceof InvalidToken) return err.reason.slice(0, 200);
  if (err instanceof InsufficientScope) return `insufficient_scope: ${err.message}`.slice(0, 200);
  // No token (BearerMissing), a provider that does not answer, or a configuration problem: not a token refused.
  return null;
}

export class ResourceServerService {
  /** Counts refused tokens per address for the audit cap; shared by every pod when it is the app's store. */
  private readonly kv: KeyValueStore;

  constructor(
    private readonly database: Database,
    private readonly introspector: Introspector,
    kv?: KeyValueStore,
  ) {
    // Without the shared store the cap holds per process: still bounded, only less tight.
    this.kv = kv ?? new MemoryStore();
  }

  /** Only the Authorization header counts: never a session cookie, never a token in the query. */
  async authenticate(request: FastifyRequest): Promise<Caller> {
    // The calling service, once introspection named it: the actor of a refusal that comes after.
    const known: { serviceProvider?: AuditEvent['actor'] } = {};
    try {
      const header = request.headers.authorization;
      if (header === undefined) throw new BearerMissing();
      const match = BEARER.exec(header);
      if (!match?.[1]) throw new BearerMalformed();
      const token = await this.introspector.check(match[1]);
      const serviceProviderId = await serviceProviderFor(this.database.db, token.audience);
      known.serviceProvider = { type: 'service_provider', id: serviceProviderId, label: token.audience };
      // A disabled user, or a member of a deactivated organization, is refused like an unknown one.
      const user = await findActiveUserBySub(this.database.db, token.sub);
      if (!user) throw new InvalidToken('no active user has this sub');
      return { user, serviceProviderId };
    } catch (err) {
      const reason = refusalReason(err);
      // Anyone can send tokens: capped per address, in its own statement (nothing else is written).
      if (reason)
        await recordCapped(
          this.database.db,
          this.kv,
          {
            event: 'token.refused',
            actor: known.serviceProvider ?? { type: 'system', id: null, label: 'anonymous' },
            details: { reason },
            ...requestOrigin(request),
          },
          { log: request.log },
        );
      throw err;
    }
  }

  teams({ user, serviceProviderId }: Caller): Promise<TeamWithRole[]> {
    return teamsForService(this.database.db, user, serviceProviderId);
  }

  /** A team of the agent this service may see; 404 otherwise, as if absent. */
  async team({ user, serviceProviderId }: Caller, id: string): Promise<VisibleTeam> {
    const found = await teamForService(this.database.db, id, user, serviceProviderId);
    if (!found) throw new NotFound();
    return found;
  }

  /** A new team owned by the agent and linked to the calling service, in one transaction. */
  async createTeam(
    { user, serviceProviderId }: Caller,
    name: string,
    audit: AuditContext = { actor: userParty(user) },
  ): Promise<TeamWithRole> {
    return this.database.db.transaction(async (tx) => {
      const created = await insertTeam(tx, name, user);
      await linkTeam(tx, created.team.id, serviceProviderId);
      await recordAudit(tx, {
        ...audit,
        event: 'team.created',
        target: { type: 'team', id: created.team.id, label: created.team.name },
        details: { service_provider: serviceProviderId },
      });
      return created;
    });
  }

  async renameTeam(caller: Caller, id: string, name: string): Promise<TeamWithRole> {
    const found = await this.team(caller, id);
    if (!teamAbilities(found.role).put)
      throw new PermissionDenied('Only administrators and owners can change a team.');
    return { ...found, team: await renameTeam(this.database.db, found.team.id, name) };
  }

  /** Services invite only to the teams they are linked to. */
  async assertInvitable(caller: Caller, id: string): Promise<void> {
    const found = await this.team(caller, id);
    if (!found.linked) throw new BadRequest('This team is not linked to the calling service.');
  }
}
