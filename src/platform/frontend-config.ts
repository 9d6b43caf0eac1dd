// GET /api/v1.0/config/: what a front end needs before login (languages, features, version, chat).
import { z } from 'zod';
import { type Config, LANGUAGES } from './config.ts';
import type { App } from './http.ts';
import { readRelease } from './release.ts';

export const frontendConfigSchema = z.object({
  RELEASE: z.string(),
  COMMIT: z.string(),
  CRISP_WEBSITE_ID: z.string().nullable(),
  LOGIN_PROVIDER: z.enum(['development', 'external']),
  LANGUAGES: z.array(z.tuple([z.string(), z.string()])),
  LANGUAGE_CODE: z.string(),
  FEATURES: z.record(z.string(), z.boolean()),
  // The web app's header and footer (issue 20).
  FRONTEND_STATE_IDENTITY: z.boolean(),
  FRONTEND_GAUFRE_URL: z.string().nullable(),
  FRONTEND_ACCESSIBILITY_URL: z.string().nullable(),
  FRONTEND_LEGAL_NOTICE_URL: z.string().nullable(),
  FRONTEND_PERSONAL_DATA_URL: z.string().nullable(),
});

export function frontendConfigRoute(app: App, config: Config): void {
  const release = readRelease();
  const body = {
    // people's front end shows these in its footer, and loads Crisp when an id is set.
    RELEASE: release.version,
    COMMIT: release.commit,
    CRISP_WEBSITE_ID: config.CRISP_WEBSITE_ID ?? null,
    // Desk's web app: "Log in" for the built-in development provider, ProConnect's button otherwise.
    LOGIN_PROVIDER: config.DESK_DEV_IDP ? ('development' as const) : ('external' as const),
    LANGUAGES: LANGUAGES.map((l) => [l.code, l.name] as [string, string]),
    LANGUAGE_CODE: 'en-us',
    FEATURES: {
      TEAMS_DISPLAY: config.FEATURE_TEAMS_DISPLAY,
      TEAMS_CREATE: config.FEATURE_TEAMS_DISPLAY && config.FEATURE_TEAMS_CREATE,
      CONTACTS_DISPLAY: config.FEATURE_CONTACTS_DISPLAY,
      CONTACTS_CREATE: config.FEATURE_CONTACTS_DISPLAY && config.FEATURE_CONTACTS_CREATE,
      MAILBOXES_CREATE: config.FEATURE_MAILBOXES_CREATE,
    },
    FRONTEND_STATE_IDENTITY: config.FRONTEND_STATE_IDENTITY,
    FRONTEND_GAUFRE_URL: config.FRONTEND_GAUFRE_URL ?? null,
    FRONTEND_ACCESSIBILITY_URL: config.FRONTEND_ACCESSIBILITY_URL ?? null,
    FRONTEND_LEGAL_NOTICE_URL: config.FRONTEND_LEGAL_NOTICE_URL ?? null,
    FRONTEND_PERSONAL_DATA_URL: config.FRONTEND_PERSONAL_DATA_URL ?? null,
  };
  app.get(
    '/api/v1.0/config/',
    {
      schema: {
        tags: ['config'],
        summary: 'Languages and features of this Desk',
        response: {
          200: frontendConfigSchema,
        },
      },
    },
    async () => body,
  );
}
