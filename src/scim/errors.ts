// SCIM errors (RFC 7644 §3.12): each carries its HTTP status and, on 400s and 409s, its `scimType`; the /scim/v2/
// scope's error handler writes them as `urn:ietf:params:scim:api:messages:2.0:Error` documents.
import { HttpError } from '../platform/errors.ts';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** RFC 7644 Table 9. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export class ScimError extends HttpError {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly scimType?: ScimType,
  ) {
    super(message);
  }
  override body(): Record<string, unknown> {
    return {
      schemas: [SCIM_ERROR_SCHEMA],
      // RFC 7644 §3.12: status is a string.
      status: String(this.statusCode),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.message,
    };
  }
}

/** 400 invalidFilter: the filter cannot be parsed, or names an attribute or operator that cannot be used there. */
export class InvalidFilter extends ScimError {
  constructor(message: string) {
    super(400, message, 'invalidFilter');
  }
}

/** 400 invalidSyntax: the request body is not a SCIM message Desk can read. */
export class InvalidSyntax extends ScimError {
  constructor(message: string) {
    super(400, message, 'invalidSyntax');
  }
}

/** 400 invalidValue: a value has the wrong type, or names something that is not there (an unknown member). */
export class InvalidValue extends ScimError {
  constructor(message: string) {
    super(400, message, 'invalidValue');
  }
}

/** 400 invalidPath: a PATCH path that is not an attribute of the resource. */
export class InvalidPath extends ScimError {
  constructor(message: string) {
    super(400, message, 'invalidPath');
  }
}

/** 400 noTarget: a PATCH path with a filter that matches nothing (RFC 7644 §3.5.2). */
export class NoTarget extends ScimError {
  constructor(message: string) {
    super(400, message, 'noTarget');
  }
}

/** 400 mutability: a change to a read-only or immutable attribute (id, meta, …). */
export class Mutability extends ScimError {
  constructor(message: string) {
    super(400, message, 'mutability');
  }
}

/** 409 uniqueness: a userName (or email Desk keeps unique) another resource has. */
export class Uniqueness extends ScimError {
  constructor(message: string) {
    super(409, message, 'uniqueness');
  }
}

/** 404: unknown here and elsewhere alike (DESIGN.md §5): another organization's id is as absent as a random one. */
export class ScimNotFound extends ScimError {
  constructor(message = 'Resource not found.') {
    super(404, message);
  }
}

/** 401: a missing, wrong or revoked bearer token. */
export class ScimUnauthorized extends ScimError {
  constructor(message = 'A valid SCIM bearer token is required.') {
    super(401, message);
    this.headers['www-authenticate'] = 'Bearer realm="scim"';
  }
}
