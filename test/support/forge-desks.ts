// A token forge and Desks that trust it, all on one database of the test file: the set-up of tests that log in
// through the provider.
import { type RunningDesk, startDeskOn } from './desk.ts';
import { type TestDatabase, testDatabase, testStore } from './parts.ts';
import { type Forge, startForge } from './token-forge.ts';

export interface ForgeDesks {
  forge: Forge;
  testDb: TestDatabase;
  /** A Desk with a store of its own: the forge's endpoints, then the base settings, then these. */
  deskWith(settings?: Record<string, string>): Promise<RunningDesk>;
  /** A Desk with a store of its own and exactly these settings (one finding the forge by discovery, say). */
  deskWithOnly(settings: Record<string, string>): Promise<RunningDesk>;
  /** Stops every Desk started here (stopping one twice is harmless), then closes the stores, forge and database. */
  close(): Promise<void>;
}

/** Starts the forge and the database; call in beforeAll, and close() in afterAll. */
export async function startForgeDesks(base: Record<string, string> = {}): Promise<ForgeDesks> {
  const forge = await startForge();
  let testDb: TestDatabase;
  try {
    testDb = await testDatabase();
  } catch (err) {
    await forge.close();
    throw err;
  }
  const running: { desk: RunningDesk; kv: { close(): Promise<void> } }[] = [];
  const deskWithOnly = async (settings: Record<string, string>) => {
    const { kv } = testStore();
    const desk = await startDeskOn(testDb, kv, settings).catch(async (err: unknown) => {
      await kv.close();
      throw err;
    });
    running.push({ desk, kv });
    return desk;
  };
  return {
    forge,
    testDb,
    deskWith: (settings = {}) => deskWithOnly({ ...forge.settings, ...base, ...settings }),
    deskWithOnly,
    async close() {
      for (const { desk } of running) await desk.stop();
      for (const { kv } of running) await kv.close();
      await forge.close();
      await testDb.drop();
    },
  };
}
