// The development dimail's mail platform, in memory: domains and what their checks find, mailboxes, aliases, API users.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** The made-up platform every DNS record of the specification points at (.invalid: RFC 2606, never resolves). */
export const PLATFORM_HOST = 'dev-dimail.invalid';

export interface Domain {
  name: string;
  context_name: string;
  features: string[];
  delivery: string;
  /** `fixable.*` domains: the certificate fix/ makes. */
  certificateFixed: boolean;
}

export interface Mailbox {
  email: string;
  domain: string;
  localPart: string;
  givenName: string;
  surName: string;
  displayName: string;
  active: boolean;
  uuid: string;
}

export interface Alias {
  domain: string;
  username: string;
  destination: string;
  allow_to_send: boolean;
}

export interface CheckResult {
  ok: boolean;
  internal: boolean;
  errors: { code: string; detail: string }[];
}

/** What the checks of a domain find, decided by the first label of its name (module comment of index.ts). */
export type DomainOutcome = 'ok' | 'action-required' | 'failed' | 'fixable';

export function outcomeOf(domainName: string): DomainOutcome {
  const label = domainName.split('.')[0];
  return label === 'action-required' || label === 'failed' || label === 'fixable' ? label : 'ok';
}

// dimail's checks, in its order: what the domain's owner sets in their DNS, then what the platform does itself.
const EXTERNAL_CHECKS = [
  'domain_exist',
  'mx',
  'cname_imap',
  'cname_smtp',
  'cname_webmail',
  'spf',
  'dkim',
] as const;
const INTERNAL_CHECKS = ['postfix', 'ox', 'cert'] as const;
type CheckName = (typeof EXTERNAL_CHECKS)[number] | (typeof INTERNAL_CHECKS)[number];

export type CheckReport = ReturnType<typeof domainView> & { [check in CheckName]: CheckResult };

export interface DnsRecord {
  target: string;
  type: 'mx' | 'txt' | 'cname';
  value: string;
}

export type MailboxNames = Pick<Mailbox, 'givenName' | 'surName' | 'displayName'>;

export type CreatedMailbox =
  | { created: Mailbox; password: string }
  | { addressTaken: Mailbox }
  /** Another mailbox of the context holds that display name: dimail answers 500 and OX remembers the attempt. */
  | { displayNameHeldBy: Mailbox };

/** A domain as dimail describes it (the check report without its checks). */
function domainView(domain: Domain, state: 'ok' | 'broken') {
  return {
    name: domain.name,
    state,
    valid: state === 'ok',
    delivery: domain.delivery,
    features: domain.features,
    context_name: domain.context_name,
    webmail_domain: null,
    imap_domain: null,
    smtp_domain: null,
    transport: null,
  };
}

/** A password or login code: random, URL-safe, never logged. */
export function randomSecret(bytes = 18): string {
  return randomBytes(bytes).toString('base64url');
}

export class MailPlatform {
  readonly domains = new Map<string, Domain>();
  /** By address, lowercase. */
  readonly mailboxes = new Map<string, Mailbox>();
  readonly aliases: Alias[] = [];
  readonly users = new Map<string, { name: string; is_admin: boolean; uuid: string; perms: string[] }>();
  readonly allows = new Set<string>();
  /** Addresses whose creation failed on a display name another OX user holds, with that user: OX answers with it. */
  private readonly oxAttempts = new Map<string, string>();

  /** lenient: a domain or mailbox asked for and unknown (memory lost when Desk restarted) is made on the spot. */
  constructor(private readonly lenient: boolean) {}

  /** Adds a domain; undefined when one has that name. */
  addDomain(input: Omit<Domain, 'certificateFixed'>): Domain | undefined {
    const name = input.name.toLowerCase();
    if (this.domains.has(name)) return undefined;
    const domain: Domain = { ...input, name, certificateFixed: false };
    this.domains.set(name, domain);
    return domain;
  }

  domain(name: string): Domain | undefined {
    const known = this.domains.get(name.toLowerCase());
    if (known || !this.lenient) return known;
    return this.addDomain({
      name,
      context_name: name.toLowerCase(),
      features: ['webmail', 'mailbox', 'alias'],
      delivery: 'virtual',
    });
  }

  describe(domain: Domain) {
    return domainView(domain, this.check(domain).state);
  }

  check(domain: Domain): CheckReport {
    const outcome = outcomeOf(domain.name);
    const failures: Partial<Record<CheckName, CheckResult['errors']>> = {};
    if (outcome === 'action-required') {
      failures.mx = [
        {
          code: 'wrong_mx',
          detail: `The MX record of ${domain.name} must be mx.${PLATFORM_HOST}. (none found)`,
        },
      ];
      failures.spf = [
        {
          code: 'wrong_spf',
          detail: `The SPF record (TXT) of ${domain.name} must contain include:_spf.${PLATFORM_HOST}`,
        },
      ];
    }
    if (outcome === 'failed' || (outcome === 'fixable' && !domain.certificateFixed))
      failures.cert = [{ code: 'no_cert', detail: `No certificate for ${domain.name} on the mail platform` }];
    const result = (internal: boolean) => (name: CheckName) =>
      [name, { ok: !failures[name], internal, errors: failures[name] ?? [] }] as const;
    const checks = Object.fromEntries([
      ...EXTERNAL_CHECKS.map(result(false)),
      ...INTERNAL_CHECKS.map(result(true)),
    ]) as Record<CheckName, CheckResult>;
    return { ...domainView(domain, Object.keys(failures).length ? 'broken' : 'ok'), ...checks };
  }

  /** dimail's fix: repairs what the platform does itself (internal checks), never the domain owner's DNS. */
  fix(domain: Domain): CheckReport {
    if (outcomeOf(domain.name) === 'fixable') domain.certificateFixed = true;
    return this.check(domain);
  }

  /** The DNS records the domain's owner must set. */
  spec(domain: Domain): DnsRecord[] {
    // A made-up DKIM key, the same for a domain every time.
    const key = createHash('sha512').update(`dkim:${domain.name}`).digest('base64');
    return [
      { target: '', type: 'mx', value: `mx.${PLATFORM_HOST}.` },
      { target: 'dimail._domainkey', type: 'txt', value: `v=DKIM1; h=sha256; k=rsa; p=${key}` },
      { target: 'imap', type: 'cname', value: `imap.${PLATFORM_HOST}.` },
      { target: 'smtp', type: 'cname', value: `smtp.${PLATFORM_HOST}.` },
      { target: '', type: 'txt', value: `v=spf1 include:_spf.${PLATFORM_HOST} -all` },
      { target: 'webmail', type: 'cname', value: `webmail.${PLATFORM_HOST}.` },
    ];
  }

  /** OX (the webmail) wants display names unique in a context, whichever domain of it a mailbox is on. */
  private displayNameHolder(domain: Domain, displayName: string, except?: string): Mailbox | undefined {
    const wanted = displayName.trim().toLowerCase();
    for (const mailbox of this.mailboxes.values()) {
      if (mailbox.email === except) continue;
      if (this.domains.get(mailbox.domain)?.context_name !== domain.context_name) continue;
      if (mailbox.displayName.trim().toLowerCase() === wanted) return mailbox;
    }
    return undefined;
  }

  createMailbox(domain: Domain, localPart: string, names: MailboxNames): CreatedMailbox {
    const email = `${localPart}@${domain.name}`.toLowerCase();
    const existing = this.mailboxes.get(email);
    if (existing) return { addressTaken: existing };
    const holder = this.displayNameHolder(domain, names.displayName);
    if (holder) {
      this.oxAttempts.set(email, holder.email);
      return { displayNameHeldBy: holder };
    }
    this.oxAttempts.delete(email);
    return { created: this.putMailbox(domain, email, names), password: randomSecret() };
  }

  private putMailbox(domain: Domain, email: string, names: MailboxNames): Mailbox {
    const mailbox: Mailbox = {
      email,
      domain: domain.name,
      localPart: email.slice(0, email.lastIndexOf('@')),
      ...names,
      active: true,
      uuid: randomUUID(),
    };
    this.mailboxes.set(email, mailbox);
    return mailbox;
  }

  mailbox(domain: Domain, localPart: string, names?: Partial<MailboxNames>): Mailbox | undefined {
    const email = `${localPart}@${domain.name}`.toLowerCase();
    const known = this.mailboxes.get(email);
    if (known || !this.lenient) return known;
    const givenName = names?.givenName ?? localPart;
    const surName = names?.surName ?? '';
    return this.putMailbox(domain, email, {
      givenName,
      surName,
      displayName: names?.displayName ?? `${givenName} ${surName}`.trim(),
    });
  }

  /** Changes names or state; false when the new display name is another mailbox's in the context. */
  updateMailbox(mailbox: Mailbox, changes: Partial<MailboxNames> & { active?: boolean }): boolean {
    const domain = this.domains.get(mailbox.domain);
    if (changes.displayName !== undefined && domain) {
      if (this.displayNameHolder(domain, changes.displayName, mailbox.email)) return false;
    }
    for (const [key, value] of Object.entries(changes))
      if (value !== undefined) Object.assign(mailbox, { [key]: value });
    return true;
  }

  mailboxesOf(domain: Domain): Mailbox[] {
    return [...this.mailboxes.values()]
      .filter((m) => m.domain === domain.name)
      .sort((a, b) => a.email.localeCompare(b.email));
  }

  /** What dimail knows of an address: a mailbox, an alias, or an OX user it was tried for. */
  address(domain: Domain, localPart: string) {
    const email = `${localPart}@${domain.name}`.toLowerCase();
    const mailbox = this.mailboxes.get(email);
    const aliases = this.aliasesOf(domain).filter((a) => a.username === localPart.toLowerCase());
    const oxUser = mailbox?.email ?? this.oxAttempts.get(email);
    if (!mailbox && !aliases.length && !oxUser) return undefined;
    return {
      domain_name: domain.name,
      user_name: localPart.toLowerCase(),
      is_alias: aliases.length > 0,
      is_mailbox: Boolean(mailbox),
      is_ox: Boolean(oxUser),
      ox_primary_email: oxUser ?? null,
      ox_senders: [],
    };
  }

  aliasesOf(domain: Domain): Alias[] {
    return this.aliases.filter((a) => a.domain === domain.name);
  }

  /** Adds an alias; undefined when that name already sends to that destination. */
  addAlias(domain: Domain, username: string, destination: string): Alias | undefined {
    const alias = {
      domain: domain.name,
      username: username.toLowerCase(),
      destination: destination.toLowerCase(),
      allow_to_send: false,
    };
    if (this.aliases.some((a) => sameAlias(a, alias))) return undefined;
    this.aliases.push(alias);
    return alias;
  }

  /** Removes the aliases of that name (to that destination, or all of them); how many went. */
  removeAliases(domain: Domain, username: string, destination?: string): number {
    const doomed = (a: Alias) =>
      a.domain === domain.name &&
      a.username === username.toLowerCase() &&
      (destination === undefined || a.destination === destination.toLowerCase());
    const before = this.aliases.length;
    const kept = this.aliases.filter((a) => !doomed(a));
    this.aliases.splice(0, this.aliases.length, ...kept);
    return before - kept.length;
  }
}

function sameAlias(a: Alias, b: Alias): boolean {
  return a.domain === b.domain && a.username === b.username && a.destination === b.destination;
}
