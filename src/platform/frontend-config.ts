// GET /api/v1.0/config/: what the web app needs before login (languages, features).
import { z } from 'zod';
import { type Config, LANGUAGES } from './config.ts';
import type { App } from './http.ts';

export function frontendConfigRoute(app: App, config: Config): void {
  const body = {
    LANGUAGES: LANGUAGES.map((l) => [l.code, l.name] as [string, string]),
    LANGUAGE_CODE: 'en-us',
    FEATURES: {
      TEAMS_DISPLAY: config.FEATURE_TEAMS_DISPLAY,
      TEAMS_CREATE: config.FEATURE_TEAMS_DISPLAY && config.FEATURE_TEAMS_CREATE,
      CONTACTS_DISPLAY: config.FEATURE_CONTACTS_DISPLAY,
      CONTACTS_CREATE: config.FEATURE_CONTACTS_DISPLAY && config.FEATURE_CONTACTS_CREATE,
    },
  };
  app.get(
    '/api/v1.0/config/',
    {
      schema: {
        tags: ['config'],
        summary: 'Languages and features of this Desk',
        response: {
          200: z.object({
            LANGUAGES: z.array(z.tuple([z.string(), z.string()])),
            LANGUAGE_CODE: z.string(),
            FEATURES: z.record(z.string(), z.boolean()),
          }),
        },
      },
    },
    async () => body,
  );
}
