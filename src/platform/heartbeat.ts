// Liveness (/__lbheartbeat__) and readiness (/__heartbeat__: database and Redis reachable) probes.
import { z } from 'zod';
import type { Database } from './database.ts';
import type { App } from './http.ts';
import type { KeyValueStore } from './kv.ts';

export interface HeartbeatDeps {
  database: Database;
  kv: KeyValueStore;
}

const TIMEOUT_MS = 2_000;

async function check(probe: () => Promise<void>): Promise<string> {
  try {
    await probe();
    return 'ok';
  } catch {
    return 'unreachable';
  }
}

export function heartbeatRoutes(app: App, { database, kv }: HeartbeatDeps): void {
  app.get('/__lbheartbeat__', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get(
    '/__heartbeat__',
    {
      schema: {
        hide: true,
        response: {
          200: z.object({ database: z.string(), redis: z.string() }),
          503: z.object({ detail: z.string(), database: z.string(), redis: z.string() }),
        },
      },
    },
    async (_request, reply) => {
      const [db, store] = await Promise.all([
        check(() => database.ping(TIMEOUT_MS)),
        kv.kind === 'redis' ? check(() => kv.ping()) : Promise.resolve('memory'),
      ]);
      const failed = [db !== 'ok' && 'database', store === 'unreachable' && 'redis'].filter(Boolean);
      if (failed.length) {
        return reply
          .code(503)
          .send({ detail: `Not ready: ${failed.join(' and ')} unreachable.`, database: db, redis: store });
      }
      return { database: db, redis: store };
    },
  );
}
