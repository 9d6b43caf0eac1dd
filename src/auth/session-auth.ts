// Session cookies, the session loading the resource policy runs (policy.ts), and the CSRF check that goes with it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/database.ts';
import { PermissionDenied } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { findActiveUserById } from '../users/index.ts';
import type { Session, SessionStore } from './sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The live session, also while logging out (then `user` is null). */
    session: Session | null;
  }
}

export const CSRF_COOKIE = 'csrftoken';

export interface SessionAuthDeps {
  config: Config;
  database: Database;
  sessions: SessionStore;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function originAllowed(origin: string, request: FastifyRequest, config: Config): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.host === request.headers.host) return true;
  if (parsed.origin === new URL(config.PUBLIC_URL).origin) return true;
  return config.CSRF_TRUSTED_ORIGINS.some((trusted) => trusted.replace(/\/+$/, '') === parsed.origin);
}

/** DESIGN.md §3: unsafe methods under session auth need X-CSRFToken equal to the csrftoken cookie. */
export function checkCsrf(request: FastifyRequest, config: Config): void {
  const origin = request.headers.origin;
  if (origin && !originAllowed(origin, request, config)) {
    throw new PermissionDenied(
      `CSRF Failed: Origin checking failed - ${origin} does not match any trusted origins.`,
    );
  }
  const cookie = request.cookies[CSRF_COOKIE];
  // The header for scripts; the form field (Django's name) for plain HTML forms.
  const field = (request.body as Record<string, unknown> | undefined)?.csrfmiddlewaretoken;
  const header = request.headers['x-csrftoken'] ?? (typeof field === 'string' ? field : undefined);
  if (!cookie) throw new PermissionDenied('CSRF Failed: CSRF cookie not set.');
  if (typeof header !== 'string' || !header) throw new PermissionDenied('CSRF Failed: CSRF token missing.');
  if (!sameToken(cookie, header)) throw new PermissionDenied('CSRF Failed: CSRF token incorrect.');
}

export function sessionCookieOptions(config: Config) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.isProduction,
    maxAge: config.SESSION_COOKIE_AGE,
  };
}

export function setSessionCookie(reply: FastifyReply, config: Config, session: Session): void {
  reply.setCookie(config.SESSION_COOKIE_NAME, session.id, sessionCookieOptions(config));
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  // The same attributes as when set, so the clearing header is as protected as the cookie was.
  const { maxAge: _, ...attributes } = sessionCookieOptions(config);
  reply.clearCookie(config.SESSION_COOKIE_NAME, attributes);
}

/** The request decorators the one session hook fills (policy.ts runs it per resource). */
export function installSessionAuth(app: App): void {
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
}

/** DESIGN.md §3: browser-facing answers give a client without one the csrftoken cookie the web app echoes. */
export function issueCsrfCookie(request: FastifyRequest, reply: FastifyReply, config: Config): void {
  if (request.cookies[CSRF_COOKIE]) return;
  // The web app reads it to echo it in X-CSRFToken, so not HttpOnly.
  reply.setCookie(CSRF_COOKIE, randomBytes(32).toString('base64url'), {
    path: '/',
    sameSite: 'lax',
    secure: config.isProduction,
    httpOnly: false,
    maxAge: 31_449_600,
  });
}

/** Reads the session cookie: sets request.session, and request.user while the user is active and not logging out. */
export async function loadSession(
  request: FastifyRequest,
  { config, database, sessions }: SessionAuthDeps,
): Promise<void> {
  const sessionId = request.cookies[config.SESSION_COOKIE_NAME];
  if (!sessionId) return;
  const session = await sessions.get(sessionId);
  if (!session) return;
  request.session = session;
  if (session.data.loggingOut) return;
  const user = await findActiveUserById(database.db, session.data.userId);
  if (user) request.user = user;
  else {
    // A disabled or deleted user: the session dies with them.
    await sessions.destroy(session);
    request.session = null;
  }
}
