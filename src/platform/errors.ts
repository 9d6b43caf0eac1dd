// Error classes that carry their HTTP status; the one error handler in http.ts turns them into responses.

export abstract class HttpError extends Error {
  abstract readonly statusCode: number;
  readonly headers: Record<string, string> = {};
  /** The JSON body sent to the client. */
  body(): Record<string, unknown> {
    return { detail: this.message };
  }
}

export class BadRequest extends HttpError {
  readonly statusCode = 400;
}

/** Validation errors in the shape Django REST Framework clients expect: {"field": ["message"]}. */
export class ValidationFailed extends HttpError {
  readonly statusCode = 400;
  constructor(readonly fields: Record<string, string[]>) {
    super(
      Object.entries(fields)
        .map(([k, v]) => `${k}: ${v.join(' ')}`)
        .join('; '),
    );
  }
  override body(): Record<string, unknown> {
    return this.fields;
  }
}

export class NotAuthenticated extends HttpError {
  readonly statusCode = 401;
  constructor(message = 'Authentication credentials were not provided.') {
    super(message);
  }
}

export class PermissionDenied extends HttpError {
  readonly statusCode = 403;
  constructor(message = 'You do not have permission to perform this action.') {
    super(message);
  }
}

export class NotFound extends HttpError {
  readonly statusCode = 404;
  constructor(message = 'Not found.') {
    super(message);
  }
}

/** The request is sound but the resource's state refuses it now (a running job retried): {"detail"}. */
export class Conflict extends HttpError {
  readonly statusCode = 409;
}

export class MethodNotAllowed extends HttpError {
  readonly statusCode = 405;
  constructor(method: string, allowed: string[]) {
    super(`Method "${method}" not allowed.`);
    this.headers.allow = allowed.join(', ');
  }
}

export class Throttled extends HttpError {
  readonly statusCode = 429;
  constructor(readonly retryAfterSeconds: number) {
    super(
      `Request was throttled. Expected available in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`,
    );
    this.headers['retry-after'] = String(retryAfterSeconds);
  }
}

/** A dependency (database, Redis, OpenID provider, SMTP) failed or was too slow; DESIGN.md §5: with Retry-After. */
export class ServiceUnavailable extends HttpError {
  readonly statusCode = 503;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.headers['retry-after'] = '5';
  }
}

/** PostgreSQL's 23505, unique_violation (through drizzle's wrapper or not): a key another row already holds. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null | undefined;
  return e?.code === '23505' || e?.cause?.code === '23505';
}
