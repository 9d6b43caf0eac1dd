// Logs (pino) with secrets kept out: no cookies, no Authorization, no query strings (they carry codes and states),
// and errors logged by kind and code, never with the values they carried (request bodies, search terms, SQL params).
// JSON lines for machines; readable lines for a person at a terminal.
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { DestinationStream, LoggerOptions } from 'pino';
import { clientRequestId } from './request-id.ts';

export type LogFormat = 'pretty' | 'json';

/**
 * Readable lines when the logs go to a terminal (`npm start`), JSON lines otherwise: a file, a pipe, a container's
 * log collector. `desk start | cat` gives JSON on a terminal; `… | npx pino-pretty` makes JSON readable.
 */
export function logFormat(destination: NodeJS.WritableStream): LogFormat {
  return (destination as { isTTY?: unknown }).isTTY === true ? 'pretty' : 'json';
}

/**
 * The pretty form, one line per entry (time, level, message, other fields inline), written synchronously like
 * pino's own destination, so the last lines before an exit are not lost. pino-pretty loads only for a terminal.
 */
export async function prettyDestination(destination: NodeJS.WritableStream): Promise<DestinationStream> {
  const { prettyFactory } = await import('pino-pretty');
  const prettify = prettyFactory({
    colorize: (destination as { hasColors?: () => boolean }).hasColors?.() ?? false,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,reqId',
    singleLine: true,
  });
  return { write: (line: string) => void destination.write(prettify(line)) };
}

/** Paths a browser or a probe asks for all the time: hashed assets, heartbeats. */
function isBackground(path: string): boolean {
  return path.startsWith('/assets/') || path === '/__lbheartbeat__' || path === '/__heartbeat__';
}

/**
 * For a terminal, in place of Fastify's two lines per request ("incoming request", "request completed"): one line
 * when the answer leaves, `GET /api/v1.0/users/me/ 200 4 ms`, and none at info for assets and heartbeats (debug), so
 * the start lines (where Desk runs, its data folder) stay on screen while the app loads.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const path = request.url.split('?')[0] ?? '';
    const line = `${request.method} ${path} ${reply.statusCode} ${Math.round(reply.elapsedTime)} ms`;
    if (error) reply.log.error({ err: error }, line);
    else if (isBackground(path)) reply.log.debug(line);
    else reply.log.info(line);
  }
}

const MAX_FRAMES = 12;

/** The first line of a message without what it quotes: PostgreSQL and Drizzle quote the values they refused. */
function scrubbed(message: string): string {
  const first = message.split('\n', 1)[0] ?? '';
  return first
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*'/g, "'…'")
    .slice(0, 200);
}

interface LoggedError {
  type: string;
  message: string;
  code?: string;
  frames: string[];
  cause?: LoggedError;
}

/** An error as the log keeps it: its class, code, a scrubbed first line and its frames; the same for its cause. */
export function serializeError(err: unknown, depth = 0): LoggedError {
  if (!(err instanceof Error)) return { type: typeof err, message: '', frames: [] };
  const code = (err as { code?: unknown }).code;
  // Drizzle's "Failed query: … params: …" repeats the values; its cause (the driver's error) says what went wrong.
  const isQueryError = err.constructor.name === 'DrizzleQueryError';
  return {
    type: err.constructor.name,
    message: isQueryError ? 'Failed query' : scrubbed(err.message),
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
    frames: (err.stack ?? '')
      .split('\n')
      .filter((line) => line.startsWith('    at '))
      .slice(0, MAX_FRAMES)
      .map((line) => line.trim()),
    ...(err.cause !== undefined && depth < 3 ? { cause: serializeError(err.cause, depth + 1) } : {}),
  };
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-csrftoken"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.token',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: FastifyRequest) => {
        const client = clientRequestId(req);
        return {
          method: req.method,
          path: req.url.split('?')[0],
          id: req.id,
          ...(client ? { client_request_id: client } : {}),
        };
      },
      res: (res: FastifyReply) => ({ statusCode: res.statusCode }),
      err: (err: unknown) => serializeError(err),
    },
  };
}
