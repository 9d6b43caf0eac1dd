// Graceful shutdown: on SIGTERM/SIGINT stop accepting, finish in-flight requests, close DB and Redis, exit.
import type { FastifyBaseLogger } from 'fastify';

/** How long in-flight requests may take to finish after SIGTERM; deploy/kubernetes sizes its grace period on it. */
export const SHUTDOWN_GRACE_MS = 25_000;

export function closeOnSignals(
  close: () => Promise<void>,
  log: FastifyBaseLogger,
  graceMs = SHUTDOWN_GRACE_MS,
): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      log.error('in-flight requests did not finish in time; exiting');
      process.exit(1);
    }, graceMs);
    force.unref();
    close().then(
      () => {
        log.info('shut down cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
