// HTTP routes of the users slice: who am I, and updating my own language and timezone.
import { z } from 'zod';
import { type OrganizationView, organizationById } from '../organizations/index.ts';
import type { Config } from '../platform/config.ts';
import { LANGUAGES } from '../platform/config.ts';
import type { Database } from '../platform/database.ts';
import { PermissionDenied } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { idParams } from '../platform/input.ts';
import { updateProfile } from './queries.ts';
import { requireUser } from './request-user.ts';
import type { User } from './schema.ts';

const TIMEZONES = new Set<string>([...Intl.supportedValuesOf('timeZone'), 'UTC']);

const abilitySchema = z.object({ can_view: z.boolean(), can_create: z.boolean() });
export const meSchema = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  name: z.string(),
  language: z.string(),
  timezone: z.string(),
  is_staff: z.boolean(),
  /** Superusers may grant and revoke staff access (the back office offers it only to them). */
  is_superuser: z.boolean(),
  /** The administration the agent works for (as people); null for staff accounts made by createsuperuser. */
  organization: z
    .object({ id: z.uuid(), name: z.string(), registration_id_list: z.array(z.string()) })
    .nullable(),
  abilities: z.object({ teams: abilitySchema, contacts: abilitySchema, mailboxes: abilitySchema }),
});

export function serializeMe(
  user: User,
  config: Config,
  organization?: OrganizationView,
  mailboxes: { can_view: boolean; can_create: boolean } = { can_view: false, can_create: false },
): z.infer<typeof meSchema> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    language: user.language,
    timezone: user.timezone,
    is_staff: user.isStaff,
    is_superuser: user.isSuperuser,
    organization: organization
      ? { id: organization.id, name: organization.name, registration_id_list: organization.registrationIds }
      : null,
    abilities: {
      // As people: an agent with a role on a mail domain sees the mail pages (people's front end reads this on every page).
      mailboxes,
      teams: {
        can_view: config.FEATURE_TEAMS_DISPLAY,
        can_create: config.FEATURE_TEAMS_DISPLAY && config.FEATURE_TEAMS_CREATE,
      },
      contacts: {
        can_view: config.FEATURE_CONTACTS_DISPLAY,
        can_create: config.FEATURE_CONTACTS_DISPLAY && config.FEATURE_CONTACTS_CREATE,
      },
    },
  };
}

const profileSchema = z.strictObject({
  language: z
    .enum(LANGUAGES.map((l) => l.code) as [string, ...string[]], {
      error: `Must be one of: ${LANGUAGES.map((l) => l.code).join(', ')}.`,
    })
    .optional(),
  timezone: z
    .string()
    .refine((tz) => TIMEZONES.has(tz), { error: 'Must be an IANA time zone, e.g. Europe/Paris.' })
    .optional(),
});

function organizationOf(database: Database, user: User): Promise<OrganizationView | undefined> {
  return user.organizationId
    ? organizationById(database.db, user.organizationId)
    : Promise.resolve(undefined);
}

export interface UsersDeps {
  config: Config;
  database: Database;
  /** `abilities.mailboxes` of an agent (DESIGN.md §11), from the mail domains slice. */
  mailboxAbilities?: (user: User) => Promise<{ can_view: boolean; can_create: boolean }>;
}

export function userRoutes(app: App, { config, database, mailboxAbilities }: UsersDeps): void {
  const profile = async (user: User) => {
    const [organization, mailboxes] = await Promise.all([
      organizationOf(database, user),
      mailboxAbilities?.(user),
    ]);
    return serializeMe(user, config, organization, mailboxes);
  };
  app.get(
    '/api/v1.0/users/me/',
    {
      schema: { tags: ['users'], summary: 'The signed-in user', response: { 200: meSchema } },
    },
    async (request) => {
      return profile(requireUser(request));
    },
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/v1.0/users/:id/',
      schema: {
        tags: ['users'],
        summary: 'Update my language and timezone',
        params: idParams('id'),
        body: profileSchema,
        response: { 200: meSchema },
      },
      handler: async (request) => {
        const me = requireUser(request);
        if (request.params.id !== me.id) throw new PermissionDenied('You can only update your own account.');
        const updated = await updateProfile(database.db, me.id, request.body);
        // The same answer as users/me (people's UserSerializer too): the app keeps it as the agent's profile.
        return profile(updated);
      },
    });
  }
}
