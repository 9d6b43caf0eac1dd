// The API's shapes, inferred from the zod schemas that also write Desk's OpenAPI document: a changed route
// breaks this build (npm run typecheck), not the agent's page. Type-only imports: nothing of the server ships.
import type { z } from 'zod';
import type { contactSchema } from '../../../src/contacts/routes.ts';
import type { invitationSchema } from '../../../src/invitations/routes.ts';
import type { frontendConfigSchema } from '../../../src/platform/frontend-config.ts';
import type { Role as ServerRole } from '../../../src/teams/index.ts';
import type { accessSchema, teamSchema } from '../../../src/teams/routes.ts';
import type { meSchema } from '../../../src/users/routes.ts';
import type { userItem } from '../../../src/users/search.ts';

export type Role = ServerRole;
export type Team = z.infer<typeof teamSchema>;
export type Access = z.infer<typeof accessSchema>;
export type Invitation = z.infer<typeof invitationSchema>;
export type Me = z.infer<typeof meSchema>;
export type FoundUser = z.infer<typeof userItem>;
export type Contact = z.infer<typeof contactSchema>;
export type FrontendConfig = z.infer<typeof frontendConfigSchema>;

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export const ROLES: readonly Role[] = ['member', 'administrator', 'owner'];
