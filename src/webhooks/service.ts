// The rules of team webhooks (DESIGN.md §12): the team's owners and administrators see, add and remove them; the
// URL is checked before it is kept (a server-side request an agent chooses), and the secret is kept encrypted.
import { type AuditContext, recordAudit, userParty } from '../audit/index.ts';
import type { Database } from '../platform/database.ts';
import { NotFound, PermissionDenied, ValidationFailed } from '../platform/errors.ts';
import { teamOf } from '../teams/index.ts';
import type { User } from '../users/index.ts';
import { deleteWebhook, insertWebhook, webhookOf, webhooksOf } from './queries.ts';
import type { Protocol, TeamWebhook } from './schema.ts';
import type { WebhookSecrets } from './secrets.ts';

/** What is wrong with a URL for this protocol (plain words for the agent), or null when Desk may send to it. */
export type UrlCheck = (url: string, protocol: Protocol) => Promise<string | null>;

export interface NewWebhook {
  url: string;
  protocol: Protocol;
  secret: string | null;
}

export class WebhookService {
  constructor(
    private readonly database: Database,
    private readonly secrets: WebhookSecrets,
    private readonly checkUrl: UrlCheck,
  ) {}

  /** Only the team's owners and administrators: 404 to whoever is not in the team (existence is not revealed). */
  private async mayManage(user: User, teamId: string): Promise<{ id: string; name: string }> {
    const found = await teamOf(this.database.db, teamId, user.id);
    if (!found) throw new NotFound();
    if (found.role === 'member')
      throw new PermissionDenied('Only administrators and owners can manage webhooks.');
    return found.team;
  }

  async list(user: User, teamId: string): Promise<TeamWebhook[]> {
    await this.mayManage(user, teamId);
    return webhooksOf(this.database.db, teamId);
  }

  async get(user: User, teamId: string, id: string): Promise<TeamWebhook> {
    await this.mayManage(user, teamId);
    const found = await webhookOf(this.database.db, teamId, id);
    if (!found) throw new NotFound();
    return found;
  }

  async create(user: User, teamId: string, input: NewWebhook, audit?: AuditContext): Promise<TeamWebhook> {
    const team = await this.mayManage(user, teamId);
    const problem = await this.checkUrl(input.url, input.protocol);
    if (problem) throw new ValidationFailed({ url: [problem] });
    const id = crypto.randomUUID();
    return this.database.db.transaction(async (tx) => {
      const created = await insertWebhook(tx, {
        id,
        teamId,
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

  async remove(user: User, teamId: string, id: string, audit?: AuditContext): Promise<void> {
    const team = await this.mayManage(user, teamId);
    await this.database.db.transaction(async (tx) => {
      if (!(await deleteWebhook(tx, teamId, id))) throw new NotFound();
      await recordAudit(tx, {
        ...(audit ?? { actor: userParty(user) }),
        event: 'webhook.deleted',
        target: { type: 'team', id: team.id, label: team.name },
        details: { webhook: id },
      });
    });
  }
}
