// The dimail provisioning API's client (DESIGN.md §11), calling it as people's DimailAPIClient does: Basic with
// MAIL_PROVISIONING_API_CREDENTIALS for /token/ and the platform-wide routes, a Bearer token (cached until it
// expires, fetched again once on a 401) for a domain's mailboxes and aliases; every call bounded by
// MAIL_PROVISIONING_API_TIMEOUT. Failures are two kinds: dimail refused what was asked (DimailRefused: the agent's
// input, answered 4xx) or could not answer (DimailUnavailable: network, timeout, 5xx; the caller queues the work).
import { decodeJwt } from 'jose';
import type { CheckReport, DnsRecord } from './schema.ts';

/** dimail refused the request itself (a conflict, a duplicate, invalid data): retrying would not help. */
export class DimailRefused extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** dimail did not answer in time, could not be reached, or failed (5xx): the same request may succeed later. */
export class DimailUnavailable extends Error {}

export interface DimailSettings {
  /** Base URL without a trailing slash. */
  url: string;
  /** people's MAIL_PROVISIONING_API_CREDENTIALS: base64 of user:password. */
  credentials: string;
  timeoutMs: number;
  now?: () => number;
}

export interface CreatedMailbox {
  email: string;
  /** Absent when the mailbox already existed at dimail (a retry of a creation that had succeeded). */
  password?: string;
}

interface Answer {
  status: number;
  body: unknown;
}

type Auth = 'basic' | 'bearer';

/** A token is used until this long before its expiry (clock skew, request time). */
const TOKEN_MARGIN_MS = 30_000;
/** A token without a readable expiry is kept this long. */
const OPAQUE_TOKEN_MS = 300_000;

const part = (value: string) => encodeURIComponent(value);

function detailOf(body: unknown): string {
  if (body && typeof body === 'object' && 'detail' in body) {
    const detail = (body as { detail: unknown }).detail;
    if (typeof detail === 'string') return detail;
    if (Array.isArray(detail))
      return detail
        .map((d) =>
          d && typeof d === 'object' && 'msg' in d ? String((d as { msg: unknown }).msg) : String(d),
        )
        .join('; ');
  }
  return typeof body === 'string' && body ? body.slice(0, 200) : 'no detail';
}

export class DimailClient {
  private token: { value: string; until: number } | undefined;
  private fetchingToken: Promise<string> | undefined;
  private readonly now: () => number;

  constructor(private readonly settings: DimailSettings) {
    this.now = settings.now ?? Date.now;
  }

  private async send(method: string, path: string, auth: string, body?: unknown): Promise<Answer> {
    const url = `${this.settings.url}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: auth,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        redirect: 'error',
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // dimail's errors are JSON; anything else is kept as text for the message.
      }
      return { status: response.status, body: parsed };
    } catch (err) {
      const reason =
        err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
          ? `no answer within ${this.settings.timeoutMs} ms`
          : `unreachable (${err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err)})`;
      throw new DimailUnavailable(`The mail platform is ${reason}.`);
    }
  }

  private basic(): string {
    return `Basic ${this.settings.credentials}`;
  }

  /** A Bearer token from /token/, shared by concurrent calls, kept until shortly before it expires. */
  private async bearer(): Promise<string> {
    if (this.token && this.token.until > this.now()) return this.token.value;
    this.fetchingToken ??= (async () => {
      try {
        const answer = await this.send('GET', '/token/', this.basic());
        if (answer.status === 403 || answer.status === 401)
          throw new DimailUnavailable(
            'The mail platform refused Desk’s credentials: check MAIL_PROVISIONING_API_CREDENTIALS.',
          );
        const value = (answer.body as { access_token?: unknown } | null)?.access_token;
        if (answer.status !== 200 || typeof value !== 'string' || !value)
          throw new DimailUnavailable(`The mail platform gave no token (${answer.status}).`);
        this.token = { value, until: this.expiryOf(value) };
        return value;
      } finally {
        this.fetchingToken = undefined;
      }
    })();
    return this.fetchingToken;
  }

  private expiryOf(token: string): number {
    try {
      const { exp } = decodeJwt(token);
      if (typeof exp === 'number') return exp * 1000 - TOKEN_MARGIN_MS;
    } catch {
      // Not a JWT: kept a few minutes.
    }
    return this.now() + OPAQUE_TOKEN_MS;
  }

  /** One call; with Bearer, a refused token (expired or revoked early) gets one new token and one more try. */
  private async call(method: string, path: string, auth: Auth, body?: unknown): Promise<Answer> {
    if (auth === 'basic') return this.checked(await this.send(method, path, this.basic(), body));
    let answer = await this.send(method, path, `Bearer ${await this.bearer()}`, body);
    // dimail answers an expired or revoked token 403 (some versions 401): one new token, one more try.
    if (answer.status === 401 || answer.status === 403) {
      this.token = undefined;
      answer = await this.send(method, path, `Bearer ${await this.bearer()}`, body);
    }
    return this.checked(answer);
  }

  /** 5xx and leftover auth failures are outages; the caller handles the other statuses. */
  private checked(answer: Answer): Answer {
    if (answer.status >= 500)
      throw new DimailUnavailable(`The mail platform failed (${answer.status}: ${detailOf(answer.body)}).`);
    if (answer.status === 401 || answer.status === 403)
      throw new DimailUnavailable(
        'The mail platform refused Desk’s credentials: check MAIL_PROVISIONING_API_CREDENTIALS.',
      );
    return answer;
  }

  private refused(what: string, answer: Answer): never {
    throw new DimailRefused(`The mail platform refused ${what}: ${detailOf(answer.body)}`, answer.status);
  }

  /**
   * Declares a domain (people's payload: its own context, webmail + mailbox + alias features, virtual delivery).
   * `existing` says what a 409 means: 'refuse' for an agent's first request, 'accept' when finishing one that may
   * already have reached dimail (a retry after a timeout).
   */
  async createDomain(name: string, existing: 'refuse' | 'accept'): Promise<void> {
    const payload = {
      name,
      context_name: name,
      features: ['webmail', 'mailbox', 'alias'],
      delivery: 'virtual',
    };
    const answer = await this.call('POST', '/domains/', 'basic', payload);
    if (answer.status === 201 || answer.status === 200) return;
    if (answer.status === 409 && existing === 'accept') return;
    if (answer.status === 409)
      throw new DimailRefused('This domain already exists on the mail platform.', answer.status);
    this.refused('the domain', answer);
  }

  /** dimail's check report of a domain's DNS and platform configuration. */
  async checkDomain(name: string): Promise<CheckReport> {
    const answer = await this.call('GET', `/domains/${part(name)}/check`, 'basic');
    if (answer.status !== 200 || !answer.body || typeof answer.body !== 'object')
      this.refused('the check', answer);
    return answer.body as CheckReport;
  }

  /** Asks dimail to fix what it can fix itself (the internal checks); answers a new report. */
  async fixDomain(name: string): Promise<CheckReport> {
    const answer = await this.call('GET', `/domains/${part(name)}/fix/`, 'basic');
    if (answer.status !== 200 || !answer.body || typeof answer.body !== 'object')
      this.refused('the fix', answer);
    return answer.body as CheckReport;
  }

  /** The DNS records the domain must have; only the fields Desk shows are kept. */
  async domainSpec(name: string): Promise<DnsRecord[]> {
    const answer = await this.call('GET', `/domains/${part(name)}/spec/`, 'basic');
    if (answer.status !== 200 || !Array.isArray(answer.body)) this.refused('the DNS specification', answer);
    return (answer.body as Record<string, unknown>[])
      .filter((r) => r && typeof r === 'object')
      .map((r) => ({
        target: String(r.target ?? ''),
        type: String(r.type ?? ''),
        value: String(r.value ?? ''),
      }));
  }

  /**
   * Creates a mailbox. dimail answers a duplicate display name with a 500 (as people's client found): the address
   * lookup then tells a duplicate (someone else has that name: refused) from our own mailbox created by an earlier
   * attempt that timed out (accepted, without a password).
   */
  async createMailbox(
    domain: string,
    localPart: string,
    names: { firstName: string; lastName: string },
  ): Promise<CreatedMailbox> {
    const path = `/domains/${part(domain)}/mailboxes/${part(localPart)}`;
    const payload = {
      givenName: names.firstName,
      surName: names.lastName,
      displayName: `${names.firstName} ${names.lastName}`,
    };
    const email = `${localPart}@${domain}`;
    let answer: Answer;
    try {
      answer = await this.call('POST', path, 'bearer', payload);
    } catch (err) {
      if (!(err instanceof DimailUnavailable)) throw err;
      const address = await this.call(
        'GET',
        `/domains/${part(domain)}/address/${part(localPart)}/`,
        'bearer',
      );
      if (address.status !== 200) throw err;
      const primary = String((address.body as { ox_primary_email?: unknown } | null)?.ox_primary_email ?? '');
      if (primary.toLowerCase() === email) return { email };
      throw new DimailRefused(
        `First name and last name are already used on this domain's mail platform (${primary}).`,
        409,
      );
    }
    if (answer.status === 201 || answer.status === 200) {
      const body = answer.body as { email?: unknown; password?: unknown } | null;
      return {
        email: typeof body?.email === 'string' ? body.email : email,
        ...(typeof body?.password === 'string' ? { password: body.password } : {}),
      };
    }
    if (answer.status === 409) return { email };
    this.refused('the mailbox', answer);
  }

  /** Enables (with its names, as people sends them) or disables a mailbox. */
  async setMailboxActive(
    domain: string,
    localPart: string,
    active: boolean,
    names: { firstName: string; lastName: string },
  ): Promise<void> {
    const body = active
      ? {
          active: 'yes',
          givenName: names.firstName,
          surName: names.lastName,
          displayName: `${names.firstName} ${names.lastName}`,
        }
      : { active: 'no' };
    const answer = await this.call(
      'PATCH',
      `/domains/${part(domain)}/mailboxes/${part(localPart)}`,
      'bearer',
      body,
    );
    if (answer.status !== 200)
      this.refused(active ? 'enabling the mailbox' : 'disabling the mailbox', answer);
  }

  /** A one-time login code (one hour, three uses, as people asks), for the webmail's /code/ page. */
  async loginCode(domain: string, localPart: string): Promise<string> {
    const answer = await this.call(
      'POST',
      `/domains/${part(domain)}/mailboxes/${part(localPart)}/code`,
      'bearer',
      { expires_in: 3600, maxuse: 3 },
    );
    const code = (answer.body as { code?: unknown } | null)?.code;
    if (answer.status !== 200 || typeof code !== 'string' || !code) this.refused('the login code', answer);
    return code;
  }

  /** A new password, made by dimail. */
  async resetPassword(domain: string, localPart: string): Promise<{ email: string; password: string }> {
    const answer = await this.call(
      'POST',
      `/domains/${part(domain)}/mailboxes/${part(localPart)}/reset_password/`,
      'bearer',
    );
    const body = answer.body as { email?: unknown; password?: unknown } | null;
    if (answer.status !== 200 || typeof body?.password !== 'string')
      this.refused('the password reset', answer);
    return { email: String(body.email ?? `${localPart}@${domain}`), password: body.password };
  }

  /** Creates an alias; one that exists already (an earlier attempt that timed out) counts as made. */
  async createAlias(domain: string, localPart: string, destination: string): Promise<void> {
    const answer = await this.call('POST', `/domains/${part(domain)}/aliases/`, 'bearer', {
      user_name: localPart,
      destination,
    });
    if (answer.status === 201 || answer.status === 200 || answer.status === 409) return;
    this.refused('the alias', answer);
  }

  /** Deletes one destination of an alias; an alias dimail does not have is already gone. */
  async deleteAlias(domain: string, localPart: string, destination: string): Promise<void> {
    const answer = await this.call(
      'DELETE',
      `/domains/${part(domain)}/aliases/${part(localPart)}/${part(destination)}`,
      'bearer',
    );
    if (answer.status === 204 || answer.status === 200 || answer.status === 404) return;
    this.refused('deleting the alias', answer);
  }

  /** Deletes every destination of an alias. */
  async deleteAliases(domain: string, localPart: string): Promise<void> {
    const answer = await this.call(
      'DELETE',
      `/domains/${part(domain)}/aliases/${part(localPart)}/all`,
      'bearer',
    );
    if (answer.status === 204 || answer.status === 200 || answer.status === 404) return;
    this.refused('deleting the aliases', answer);
  }
}
