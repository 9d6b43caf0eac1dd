// A Desk with one slow route, run as its own process by the graceful-shutdown test; prints its port when listening,
// and a line when the slow request has started.
import { buildDesk } from '../../src/app.ts';
import { configFrom } from '../../src/platform/config.ts';
import { closeOnSignals } from '../../src/platform/lifecycle.ts';

const desk = await buildDesk(
  configFrom({ LOG_LEVEL: 'silent', DATABASE_URL: 'pglite://memory', DESK_DEV_IDP: 'false' }),
);
await desk.database.migrate();
desk.app.get('/slow', async () => {
  // Tells the test the request is in flight, so it sends SIGTERM while it is.
  process.stdout.write('slow request started\n');
  await new Promise((r) => setTimeout(r, 1_500));
  return { done: true };
});
closeOnSignals(() => desk.close(), desk.app.log);
await desk.app.listen({ port: 0, host: '127.0.0.1' });
const address = desk.app.server.address();
process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
