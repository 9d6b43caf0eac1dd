// The authenticated user as a request decorator (set by auth's one hook), and the guard routes call.
import type { FastifyRequest } from 'fastify';
import { NotAuthenticated } from '../platform/errors.ts';
import type { User } from './schema.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
  }
}

export function requireUser(request: FastifyRequest): User {
  if (!request.user) throw new NotAuthenticated();
  return request.user;
}
