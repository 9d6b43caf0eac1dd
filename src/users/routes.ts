// HTTP routes of the users slice: who am I, and updating my own language and timezone.
import { z } from 'zod';
import type { Config } from '../platform/config.ts';
import { LANGUAGES } from '../platform/config.ts';
import type { Database } from '../platform/database.ts';
import { NotFound, PermissionDenied } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import type { KeyValueStore } from '../platform/kv.ts';
import { consume } from '../platform/throttle.ts';
import { updateProfile } from './queries.ts';
import { requireUser } from './request-user.ts';
import type { User } from './schema.ts';

const TIMEZONES = new Set<string>([...Intl.supportedValuesOf('timeZone'), 'UTC']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const abilitySchema = z.object({ can_view: z.boolean(), can_create: z.boolean() });
export const meSchema = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  name: z.string(),
  language: z.string(),
  timezone: z.string(),
  is_staff: z.boolean(),
  abilities: z.object({ teams: abilitySchema, contacts: abilitySchema }),
});

export function serializeMe(user: User, config: Config): z.infer<typeof meSchema> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    language: user.language,
    timezone: user.timezone,
    is_staff: user.isStaff,
    abilities: {
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

export interface UsersDeps {
  config: Config;
  database: Database;
  kv: KeyValueStore;
}

export function userRoutes(app: App, { config, database, kv }: UsersDeps): void {
  // DESIGN.md §2: per-user rates, counted in the shared store so pods share the count.
  const throttle = async (request: import('fastify').FastifyRequest) => {
    if (request.user)
      await consume(kv, `user:${request.user.id}`, [
        config.BURST_THROTTLE_RATES,
        config.SUSTAINED_THROTTLE_RATES,
      ]);
  };

  app.get(
    '/api/v1.0/users/me/',
    {
      schema: { tags: ['users'], summary: 'The signed-in user', response: { 200: meSchema } },
      preHandler: throttle,
    },
    async (request) => serializeMe(requireUser(request), config),
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/v1.0/users/:id/',
      schema: {
        tags: ['users'],
        summary: 'Update my language and timezone',
        params: z.object({ id: z.string() }),
        body: profileSchema,
        response: { 200: meSchema },
      },
      preHandler: throttle,
      handler: async (request) => {
        const me = requireUser(request);
        if (!UUID.test(request.params.id)) throw new NotFound();
        if (request.params.id !== me.id) throw new PermissionDenied('You can only update your own account.');
        const updated = await updateProfile(database.db, me.id, request.body);
        return serializeMe(updated, config);
      },
    });
  }
}
