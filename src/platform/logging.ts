// JSON logs (pino) with secrets kept out: no cookies, no Authorization, no query strings (they carry codes and states).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

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
      req: (req: FastifyRequest) => ({ method: req.method, path: req.url.split('?')[0], id: req.id }),
      res: (res: FastifyReply) => ({ statusCode: res.statusCode }),
    },
  };
}
