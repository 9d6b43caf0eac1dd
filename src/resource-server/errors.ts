// Resource-server answers (RFC 6750 §3): each error carries its WWW-Authenticate challenge.
import { HttpError, ServiceUnavailable } from '../platform/errors.ts';

const REALM = 'realm="desk"';

export class BearerMissing extends HttpError {
  readonly statusCode = 401;
  constructor() {
    super('Authentication credentials were not provided.');
    this.headers['www-authenticate'] = `Bearer ${REALM}`;
  }
}

export class BearerMalformed extends HttpError {
  readonly statusCode = 401;
  constructor(message = 'Invalid Authorization header: expected "Bearer <token>".') {
    super(message);
    this.headers['www-authenticate'] = `Bearer ${REALM}, error="invalid_request"`;
  }
}

export class InvalidToken extends HttpError {
  readonly statusCode = 401;
  constructor(readonly reason: string) {
    super('Invalid or inactive access token.');
    this.headers['www-authenticate'] = `Bearer ${REALM}, error="invalid_token"`;
  }
}

export class InsufficientScope extends HttpError {
  readonly statusCode = 403;
  constructor(message: string) {
    super(message);
    this.headers['www-authenticate'] = `Bearer ${REALM}, error="insufficient_scope"`;
  }
}

export class ResourceServerNotConfigured extends HttpError {
  readonly statusCode = 401;
  constructor(readonly reason: string) {
    super('Resource Server is improperly configured');
    this.headers['www-authenticate'] = `Bearer ${REALM}`;
  }
}

export class IntrospectionUnavailable extends ServiceUnavailable {
  constructor(cause: unknown) {
    super('The identity provider could not check the access token; try again shortly.');
    this.cause = cause;
  }
}
