// dimail's HTTP API (the subset people's client and Desk call) over the in-memory mail platform, answered as FastAPI.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { type Domain, type Mailbox, MailPlatform, randomSecret } from './mail-platform.ts';

export interface DimailApiOptions {
  /** The API user's credentials as MAIL_PROVISIONING_API_CREDENTIALS holds them: base64 of `user:password`. */
  credentials: string;
  /** Signs the bearer tokens (HS256). */
  tokenKey: Uint8Array;
  /** Seconds a token from /token/ lasts; 3600 by default, 0 for tokens expired at once. */
  tokenLifetime?: number;
  /** Domains and mailboxes asked for but unknown are made on the spot instead of answering 404. */
  lenient?: boolean;
  /** The clock, in milliseconds (tests move it). */
  now?: () => number;
}

export interface DimailApi {
  platform: MailPlatform;
  /** Every token issued so far is refused (401) from now on. */
  revokeTokens(): void;
}

/** An answer other than success, with FastAPI's `{"detail": …}` body. */
class DimailError extends Error {
  constructor(
    readonly statusCode: number,
    readonly detail: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === 'string' ? detail : 'Unprocessable Entity');
  }
}

type Auth = 'basic' | 'bearer';

// FastAPI's validation error items (pydantic): {type, loc, msg, input}.
interface ValidationItem {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let value = root;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | null | undefined)?.[key];
  return value;
}

function validationItems(body: unknown, error: z.ZodError): ValidationItem[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const value = valueAt(body, issue.path);
    if (issue.code === 'invalid_type' && value === undefined)
      return {
        type: 'missing',
        loc: ['body', ...path],
        msg: 'Field required',
        input: valueAt(body, issue.path.slice(0, -1)),
      };
    if (issue.code === 'invalid_type')
      return {
        type: `${issue.expected}_type`,
        loc: ['body', ...path],
        msg: `Input should be a valid ${issue.expected}`,
        input: value,
      };
    if (issue.code === 'invalid_value')
      return {
        type: 'enum',
        loc: ['body', ...path],
        msg: `Input should be ${issue.values.map((v) => `'${String(v)}'`).join(', ')}`,
        input: value,
      };
    return { type: 'value_error', loc: ['body', ...path], msg: issue.message, input: value };
  });
}

/** The JSON body checked against a schema; 422 with FastAPI's items otherwise. */
function bodyOf<T>(request: FastifyRequest, schema: z.ZodType<T>): T {
  const raw = typeof request.body === 'string' ? request.body : '';
  if (raw.trim() === '')
    throw new DimailError(422, [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (err) {
    throw new DimailError(422, [
      {
        type: 'json_invalid',
        loc: ['body', 0],
        msg: 'JSON decode error',
        input: {},
        ctx: { error: (err as Error).message },
      },
    ]);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new DimailError(422, validationItems(body, parsed.error));
  return parsed.data;
}

// pydantic's lax bool: people's client sends "false" as a string.
const laxBool = z.union([
  z.boolean(),
  z.enum(['true', 'false', 'yes', 'no']).transform((v) => v === 'true' || v === 'yes'),
]);
const FEATURES = ['webmail', 'mailbox', 'alias'] as const;

const schemas = {
  domain: z.object({
    name: z.string().min(1),
    context_name: z.string().min(1).nullable(),
    features: z.array(z.enum(FEATURES)),
    delivery: z.enum(['virtual', 'relay', 'alias']).default('virtual'),
  }),
  mailbox: z.object({ givenName: z.string(), surName: z.string(), displayName: z.string() }),
  mailboxChanges: z.object({
    active: z.enum(['yes', 'no']).optional(),
    givenName: z.string().optional(),
    surName: z.string().optional(),
    displayName: z.string().optional(),
  }),
  code: z.object({ expires_in: z.number().int().positive(), maxuse: z.number().int().positive() }),
  alias: z.object({ user_name: z.string().min(1), destination: z.string().min(1) }),
  user: z.object({
    name: z.string().min(1),
    password: z.string(),
    is_admin: laxBool,
    perms: z.array(z.string()).default([]),
  }),
  allow: z.object({ user: z.string().min(1), domain: z.string().min(1) }),
};

const digest = (text: string) => createHash('sha256').update(text).digest();

function mailboxView(mailbox: Mailbox) {
  return {
    type: 'mailbox',
    status: 'ok',
    email: mailbox.email,
    givenName: mailbox.givenName,
    surName: mailbox.surName,
    displayName: mailbox.displayName,
    active: mailbox.active ? 'yes' : 'no',
    uuid: mailbox.uuid,
  };
}

/** The v2 listing people's import reads: OX users carry the "ox" feature and their names under extras.ox. */
function listedMailbox(mailbox: Mailbox) {
  return {
    type: 'mailbox',
    active: mailbox.active ? 'yes' : 'no',
    email: mailbox.email,
    features: ['ox'],
    extras: {
      ox: { given_name: mailbox.givenName, sur_name: mailbox.surName, display_name: mailbox.displayName },
      schedule: null,
    },
    dirty_quirks: { 'ox-config': {} },
    additionalSenders: [],
    rate_limit: null,
    quota: null,
  };
}

/**
 * Registers dimail's routes on a Fastify instance (under its prefix, if any), with its own body parsing, errors and
 * 404: FastAPI's shapes, whatever the host server answers elsewhere.
 */
export function registerDimailApi(scope: FastifyInstance, options: DimailApiOptions): DimailApi {
  const platform = new MailPlatform(options.lenient ?? false);
  const now = options.now ?? Date.now;
  const lifetime = options.tokenLifetime ?? 3600;
  const expected = Buffer.from(options.credentials, 'base64').toString('utf8');
  const apiUser = expected.slice(0, expected.indexOf(':'));
  // Tokens carry the generation they were issued in; revoking moves to the next one.
  let generation = 0;

  const basicUser = (request: FastifyRequest): string => {
    const match = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const given = match ? Buffer.from(match[1] as string, 'base64').toString('utf8') : '';
    if (!match || !timingSafeEqual(digest(given), digest(expected)))
      throw new DimailError(403, 'Permission denied');
    return apiUser;
  };

  const bearerUser = async (request: FastifyRequest): Promise<string> => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const challenge = { 'www-authenticate': 'Bearer' };
    if (!match) throw new DimailError(401, 'Not authenticated', challenge);
    try {
      const { payload } = await jwtVerify(match[1] as string, options.tokenKey, {
        algorithms: ['HS256'],
        currentDate: new Date(now()),
        requiredClaims: ['sub', 'exp'],
      });
      if (payload.gen !== generation || payload.sub !== apiUser) throw new Error('revoked');
      return payload.sub;
    } catch {
      throw new DimailError(401, 'Could not validate credentials', challenge);
    }
  };

  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  scope.addHook('onRequest', async (request) => {
    const auth = (request.routeOptions.config as { dimailAuth?: Auth }).dimailAuth;
    if (auth === 'basic') basicUser(request);
    if (auth === 'bearer') await bearerUser(request);
  });
  scope.setErrorHandler(async (error, request, reply) => {
    if (error instanceof DimailError)
      return reply.code(error.statusCode).headers(error.headers).send({ detail: error.detail });
    const { statusCode, message } = error as { statusCode?: number; message?: string };
    if (statusCode && statusCode >= 400 && statusCode < 500)
      return reply.code(statusCode).send({ detail: message ?? 'Bad Request' });
    request.log.error({ err: error }, 'development dimail failed');
    return reply.code(500).send({ detail: 'Internal Server Error' });
  });
  scope.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ detail: 'Not Found' }));

  const basic = { config: { dimailAuth: 'basic' as const }, schema: { hide: true } };
  const bearer = { config: { dimailAuth: 'bearer' as const }, schema: { hide: true } };
  type Params = { domain: string; local_part: string; user_name: string; destination: string };
  const params = (request: FastifyRequest) => request.params as Params;
  const domainOf = (request: FastifyRequest): Domain => {
    const domain = platform.domain(params(request).domain);
    if (!domain) throw new DimailError(404, 'Domain not found');
    return domain;
  };
  const mailboxOf = (request: FastifyRequest, names?: Parameters<MailPlatform['mailbox']>[2]): Mailbox => {
    const mailbox = platform.mailbox(domainOf(request), params(request).local_part, names);
    if (!mailbox) throw new DimailError(404, 'Mailbox not found');
    return mailbox;
  };
  const created = <T>(reply: FastifyReply, body: T) => reply.code(201).send(body);

  scope.get('/token/', basic, async () => {
    const seconds = Math.floor(now() / 1000);
    const token = await new SignJWT({ gen: generation })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(apiUser)
      .setJti(randomSecret(12))
      .setIssuedAt(seconds)
      .setExpirationTime(seconds + lifetime)
      .sign(options.tokenKey);
    return { access_token: token, token_type: 'bearer' };
  });

  scope.post('/domains/', basic, async (request, reply) => {
    const body = bodyOf(request, schemas.domain);
    if (body.features.includes('webmail') && !body.context_name)
      throw new DimailError(409, 'OX context name is mandatory for mailbox feature');
    const domain = platform.addDomain({
      name: body.name,
      context_name: body.context_name ?? body.name.toLowerCase(),
      features: body.features,
      delivery: body.delivery,
    });
    if (!domain) throw new DimailError(409, 'Domain already exists');
    return created(reply, platform.describe(domain));
  });
  scope.get('/domains/:domain/check', basic, async (request) => platform.check(domainOf(request)));
  scope.get('/domains/:domain/fix/', basic, async (request) => platform.fix(domainOf(request)));
  scope.get('/domains/:domain/spec/', basic, async (request) => platform.spec(domainOf(request)));

  scope.post('/domains/:domain/mailboxes/:local_part', bearer, async (request, reply) => {
    const domain = domainOf(request);
    const body = bodyOf(request, schemas.mailbox);
    const result = platform.createMailbox(domain, params(request).local_part, body);
    if ('addressTaken' in result) throw new DimailError(409, 'Mailbox already exists');
    // What dimail really answers when OX refuses a display name already used in the context.
    if ('displayNameHeldBy' in result) throw new DimailError(500, 'Internal Server Error');
    return created(reply, {
      email: result.created.email,
      password: result.password,
      uuid: result.created.uuid,
    });
  });
  scope.patch('/domains/:domain/mailboxes/:local_part', bearer, async (request) => {
    const body = bodyOf(request, schemas.mailboxChanges);
    const { active, ...names } = body;
    const mailbox = mailboxOf(request, names);
    const changes = { ...names, ...(active ? { active: active === 'yes' } : {}) };
    if (!platform.updateMailbox(mailbox, changes)) throw new DimailError(500, 'Internal Server Error');
    return mailboxView(mailbox);
  });
  scope.post('/domains/:domain/mailboxes/:local_part/code', bearer, async (request) => {
    const body = bodyOf(request, schemas.code);
    const mailbox = mailboxOf(request);
    return {
      email: mailbox.email,
      code: randomSecret(),
      expires_at: Math.floor(now() / 1000) + body.expires_in,
      expires_in: body.expires_in,
      maxuse: body.maxuse,
      nbuse: 0,
    };
  });
  scope.post('/domains/:domain/mailboxes/:local_part/reset_password/', bearer, async (request) => {
    const mailbox = mailboxOf(request);
    return { email: mailbox.email, password: randomSecret() };
  });
  scope.get('/domains/:domain/address/:local_part/', bearer, async (request) => {
    const address = platform.address(domainOf(request), params(request).local_part);
    if (!address) throw new DimailError(404, 'Address not found');
    return address;
  });
  scope.get('/v2/domains/:domain/mailboxes/', bearer, async (request) =>
    platform.mailboxesOf(domainOf(request)).map(listedMailbox),
  );

  scope.post('/domains/:domain/aliases/', bearer, async (request, reply) => {
    const domain = domainOf(request);
    const body = bodyOf(request, schemas.alias);
    const alias = platform.addAlias(domain, body.user_name, body.destination);
    if (!alias) throw new DimailError(409, 'Alias already exists');
    return created(reply, alias);
  });
  scope.get('/domains/:domain/aliases/', bearer, async (request) => platform.aliasesOf(domainOf(request)));
  scope.delete('/domains/:domain/aliases/:user_name/:destination', bearer, async (request, reply) => {
    const { user_name, destination } = params(request);
    const removed = platform.removeAliases(
      domainOf(request),
      user_name,
      destination === 'all' ? undefined : destination,
    );
    if (!removed) throw new DimailError(404, 'Alias not found');
    return reply.code(204).send();
  });

  scope.post('/users/', basic, async (request, reply) => {
    const body = bodyOf(request, schemas.user);
    if (platform.users.has(body.name)) throw new DimailError(409, 'User already exists');
    const user = { name: body.name, is_admin: body.is_admin, uuid: randomUUID(), perms: body.perms };
    platform.users.set(user.name, user);
    return created(reply, user);
  });
  scope.post('/allows/', basic, async (request, reply) => {
    const body = bodyOf(request, schemas.allow);
    const key = `${body.user}\n${body.domain.toLowerCase()}`;
    if (platform.allows.has(key)) throw new DimailError(409, 'Permission already exists');
    platform.allows.add(key);
    return created(reply, { user: body.user, domain: body.domain.toLowerCase() });
  });

  return {
    platform,
    revokeTokens() {
      generation += 1;
    },
  };
}
