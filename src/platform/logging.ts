// JSON logs (pino) with secrets kept out: no cookies, no Authorization, no query strings (they carry codes and states),
// and errors logged by kind and code, never with the values they carried (request bodies, search terms, SQL params).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';
import { clientRequestId } from './request-id.ts';

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
