// A Desk with one slow route, run as its own process by the graceful-shutdown test; prints its port when listening.
import { buildDesk } from '../../src/app.ts';
import { configFrom } from '../../src/platform/config.ts';
import { closeOnSignals } from '../../src/platform/lifecycle.ts';

const desk = await buildDesk(
  configFrom({ LOG_LEVEL: 'silent', DATABASE_URL: 'pglite://memory', DESK_DEV_IDP: 'false' }),
);
await desk.database.migrate();
desk.app.get('/slow', async () => {
  await new Promise((r) => setTimeout(r, 1_500));
  return { done: true };
});
closeOnSignals(() => desk.close(), desk.app.log);
await desk.app.listen({ port: 0, host: '127.0.0.1' });
const address = desk.app.server.address();
process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
