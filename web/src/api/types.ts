// The API's shapes, inferred from the zod schemas that also write Desk's OpenAPI document: a changed route
// breaks this build (npm run typecheck), not the agent's page. Type-only imports: nothing of the server ships.
import type { z } from 'zod';
import type { auditEventSchema } from '../../../src/audit/routes.ts';
import type { contactSchema } from '../../../src/contacts/routes.ts';
import type { invitationSchema } from '../../../src/invitations/routes.ts';
import type { adminMailDomainSchema } from '../../../src/mail-domains/admin-routes.ts';
import type {
  aliasSchema,
  domainAccessSchema,
  domainInvitationSchema,
  mailboxSchema,
  mailDomainSchema,
} from '../../../src/mail-domains/routes.ts';
import type { organizationSchema } from '../../../src/organizations/routes.ts';
import type { frontendConfigSchema } from '../../../src/platform/frontend-config.ts';
import type {
  createdScimClientSchema,
  scimClientDetailSchema,
  scimClientSchema,
} from '../../../src/scim/admin-routes.ts';
import type { Role as ServerRole } from '../../../src/teams/index.ts';
import type { accessSchema, teamSchema } from '../../../src/teams/routes.ts';
import type { meSchema } from '../../../src/users/routes.ts';
import type { userItem } from '../../../src/users/search.ts';
import type { webhookSchema } from '../../../src/webhooks/routes.ts';

export type Role = ServerRole;
export type Team = z.infer<typeof teamSchema>;
export type Access = z.infer<typeof accessSchema>;
export type Invitation = z.infer<typeof invitationSchema>;
export type Me = z.infer<typeof meSchema>;
export type FoundUser = z.infer<typeof userItem>;
export type Contact = z.infer<typeof contactSchema>;
export type FrontendConfig = z.infer<typeof frontendConfigSchema>;

// Mail domains (DESIGN.md §11), people's shapes.
export type MailDomain = z.infer<typeof mailDomainSchema>;
export type MailDomainStatus = MailDomain['status'];
export type DomainRole = z.infer<typeof domainAccessSchema>['role'];
export type DomainAccess = z.infer<typeof domainAccessSchema>;
export type Mailbox = z.infer<typeof mailboxSchema>;
export type MailAlias = z.infer<typeof aliasSchema>;
export type DomainInvitation = z.infer<typeof domainInvitationSchema>;
export type AdminMailDomain = z.infer<typeof adminMailDomainSchema>;

// SCIM clients of an organization (DESIGN.md §9), in the back office.
export type ScimClient = z.infer<typeof scimClientSchema>;
export type ScimClientDetail = z.infer<typeof scimClientDetailSchema>;
export type CreatedScimClient = z.infer<typeof createdScimClientSchema>;

// A team's webhooks (DESIGN.md §12), on the team's page and in the back office.
export type Webhook = z.infer<typeof webhookSchema>;
export type WebhookProtocol = Webhook['protocol'];

// The staff back office (DESIGN.md §8). src/admin/routes.ts cannot be read from here: through its service it
// reaches src/auth, whose fetch does not type-check against the browser's DOM library. So these shapes are
// written out, and test/e2e/back-office.test.ts (checked by the server's tsc) asserts they equal what its zod
// schemas infer: a changed admin route still breaks `npm run typecheck`.
type OrganizationRef = { id: string; name: string } | null;
export interface AdminUser {
  id: string;
  email: string | null;
  name: string;
  sub: string | null;
  is_active: boolean;
  is_staff: boolean;
  is_superuser: boolean;
  organization: OrganizationRef;
  last_login: string | null;
  created_at: string;
  abilities: { set_active: boolean; set_staff: boolean };
}
export interface AdminUserDetail extends AdminUser {
  teams: { id: string; name: string; role: Role }[];
}
export interface AdminTeam {
  id: string;
  name: string;
  organization: OrganizationRef;
  member_count: number;
  created_at: string;
}
export interface AdminTeamDetail extends AdminTeam {
  members: { id: string; role: Role; user: { id: string; name: string; email: string | null } }[];
  service_providers: { id: string; name: string; audience_id: string }[];
}
export interface AdminInvitation {
  id: string;
  email: string;
  role: Role;
  team: { id: string; name: string };
  issuer: string | null;
  created_at: string;
  is_expired: boolean;
}
export interface ServiceProvider {
  id: string;
  name: string;
  audience_id: string;
  team_count: number;
  created_at: string;
}
export interface Job {
  id: string;
  kind: string;
  status: string;
  attempts: number;
  run_at: string;
  last_error: string | null;
  created_at: string;
  done_at: string | null;
}
export type Organization = z.infer<typeof organizationSchema>;
export type AuditEvent = z.infer<typeof auditEventSchema>;

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export const ROLES: readonly Role[] = ['member', 'administrator', 'owner'];
