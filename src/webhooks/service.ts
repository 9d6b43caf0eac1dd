// The rules of team webhooks (DESIGN.md §12): the team's owners and administrators — and staff in the back office —
// see, add and remove them; the URL is checked before it is kept (a server-side request an agent chooses), and the
// secret is kept encrypted.
import { eq } from 'drizzle-orm';
import { type AuditContext, recordAudit, userParty } from '../audit/index.ts';
import type { Database } from '../platform/database.ts';
import { BadRequest, NotFound, PermissionDenied, ValidationFailed } from '../platform/errors.ts';
import { teamOf, teams } from '../teams/index.ts';
import type { User } from '../users/index.ts';
import { countWebhooksLocked, deleteWebhook, insertWebhook, webhookOf, webhooksOf } from './queries.ts';
import type { Protocol, TeamWebhook } from './schema.ts';
import type { WebhookSecrets } from './secrets.ts';

/** What is wrong with a URL for this protocol (plain words for the agent), or null when Desk may send to it. */
export type UrlCheck = (url: string, protocol: Protocol) => Promise<string | null>;

export interface NewWebhook {
  url: string;
  protocol: Protocol;
  secret: string | null;
}

type TeamRef = { id: string; name: string };

export const MAX_WEBHOOKS_PER_TEAM = 10;

export class WebhookService {
  constructor(
    private readonly database: Database,
    private readonly secrets: WebhookSecrets,
    private readonly checkUrl: UrlCheck,
  ) {}

  /** Only the team's owners and administrators: 404 to whoever is not in the team (existence is not revealed). */
  private async managedBy(user: User, teamId: string): Promise<TeamRef> {
    const found = await teamOf(this.database.db, teamId, user.id);
    if (!found) throw new NotFound();
    if (found.role === 'member')
      throw new PermissionDenied('Only administrators and owners can manage webhooks.');
    return found.team;
  }

  /** Staff reach every team's webhooks (DESIGN.md §8); an unknown team is 404. */
  private async anyTeam(teamId: string): Promise<TeamRef> {
    const [found] = await this.database.db
      .select({ id: teams.id, name: teams.name })
      .from(teams)
      .where(eq(teams.id, teamId))
      .limit(1);
    if (!found) throw new NotFound();
    return found;
  }

  private teamFor(user: User, teamId: string, asStaff: boolean): Promise<TeamRef> {
    return asStaff ? this.anyTeam(teamId) : this.managedBy(user, teamId);
  }

  async list(user: User, teamId: string, asStaff = false): Promise<TeamWebhook[]> {
    const team = await this.teamFor(user, teamId, asStaff);
    return webhooksOf(this.database.db, team.id);
  }

  async get(user: User, teamId: string, id: string, asStaff = false): Promise<TeamWebhook> {
    const team = await this.teamFor(user, teamId, asStaff);
    const found = await webhookOf(this.database.db, team.id, id);
    if (!found) throw new NotFound();
    return found;
  }

  async create(
    user: User,
    teamId: string,
    input: NewWebhook,
    audit?: AuditContext,
    asStaff = false,
  ): Promise<TeamWebhook> {
    const team = await this.teamFor(user, teamId, asStaff);
    const problem = await this.checkUrl(input.url, input.protocol);
    if (problem) throw new ValidationFailed({ url: [problem] });
    const id = crypto.randomUUID();
    return this.database.db.transaction(async (tx) => {
      // Each webhook costs every membership change a delivery through the shared job queue: a few per team.
      if ((await countWebhooksLocked(tx, team.id)) >= MAX_WEBHOOKS_PER_TEAM)
        throw new BadRequest(`A team has at most ${MAX_WEBHOOKS_PER_TEAM} webhooks: remove one first.`);
      const created = await insertWebhook(tx, {
        id,
        teamId: team.id,
        url: input.url,
        protocol: input.protocol,
        secret: input.secret === null ? null : this.secrets.encrypt(input.secret, id),
      });
      await recordAudit(tx, {
        ...(audit ?? { actor: userParty(user) }),
        event: 'webhook.created',
        target: { type: 'team', id: team.id, label: team.name },
        // The URL says where membership changes go; the secret never reaches the log.
        details: { webhook: id, url: input.url, protocol: input.protocol },
      });
      return created;
    });
  }

  async remove(user: User, teamId: string, id: string, audit?: AuditContext, asStaff = false): Promise<void> {
    const team = await this.teamFor(user, teamId, asStaff);
    await this.database.db.transaction(async (tx) => {
      if (!(await deleteWebhook(tx, team.id, id))) throw new NotFound();
      await recordAudit(tx, {
        ...(audit ?? { actor: userParty(user) }),
        event: 'webhook.deleted',
        target: { type: 'team', id: team.id, label: team.name },
        details: { webhook: id },
      });
    });
  }
}
