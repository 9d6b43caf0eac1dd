// A Desk for an HTTP benchmark: on a PostgreSQL database of its own (dropped by close) when DATABASE_URL names a
// server, else PGlite in memory; migrated, listening on a free local port, throttles off.
import { buildDesk, type Desk, type DeskParts } from '../../src/app.ts';
import { configFrom } from '../../src/platform/config.ts';
import { ownDatabase, postgresServer, uniqueName } from './isolation.ts';

export interface ListeningDesk {
  desk: Desk;
  /** http://127.0.0.1:<port> */
  base: string;
  close(): Promise<void>;
}

export async function listeningDesk(
  what: string,
  settings: Record<string, string> = {},
  parts: DeskParts = { runJobs: false },
): Promise<ListeningDesk> {
  const server = postgresServer();
  const own = server ? await ownDatabase(server, uniqueName(what)) : undefined;
  const desk = await buildDesk(
    configFrom({
      LOG_LEVEL: 'silent',
      DATABASE_URL: own?.url ?? 'pglite://memory',
      DESK_DEV_IDP: 'false',
      BURST_THROTTLE_RATES: 'off',
      SUSTAINED_THROTTLE_RATES: 'off',
      ...settings,
    }),
    parts,
  );
  await desk.database.migrate();
  await desk.app.listen({ port: 0, host: '127.0.0.1' });
  const address = desk.app.server.address();
  return {
    desk,
    base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    async close() {
      await desk.close();
      await own?.drop();
    },
  };
}
