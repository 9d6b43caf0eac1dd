// Pending login attempts: one per authorization request, kept server-side, single use, 10 minutes at most.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../platform/config.ts';
import type { KeyValueStore } from '../../platform/kv.ts';

export const TRANSACTION_TTL_MS = 10 * 60_000;
/** Binds a login attempt to the browser that started it (login CSRF: a stolen callback URL is useless elsewhere). */
export const BROWSER_COOKIE = 'desk_oidc_browser';

export interface LoginTransaction {
  nonce: string;
  codeVerifier?: string;
  next?: string;
  browser: string;
  silent: boolean;
}

export function browserBinding(request: FastifyRequest, reply: FastifyReply, config: Config): string {
  const existing = request.cookies[BROWSER_COOKIE];
  // Kept across attempts so several tabs can log in at once; its lifetime restarts with each attempt.
  const value =
    existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : randomBytes(32).toString('base64url');
  reply.setCookie(BROWSER_COOKIE, value, {
    path: '/api/v1.0/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.isProduction,
    maxAge: TRANSACTION_TTL_MS / 1000,
  });
  return value;
}

export async function saveTransaction(kv: KeyValueStore, state: string, tx: LoginTransaction): Promise<void> {
  await kv.set(`oidc-tx:${state}`, JSON.stringify(tx), TRANSACTION_TTL_MS);
}

/** Takes the attempt out of the store: a replayed callback finds nothing. */
export async function takeTransaction(kv: KeyValueStore, state: string): Promise<LoginTransaction | null> {
  if (!/^[A-Za-z0-9_-]{32,128}$/.test(state)) return null;
  const raw = await kv.take(`oidc-tx:${state}`);
  return raw ? (JSON.parse(raw) as LoginTransaction) : null;
}
