// Requests to URLs an agent chose (team webhooks, DESIGN.md §12): only to public addresses unless allowed, checked
// after DNS resolution on the address actually connected to, never following redirects, bounded in time and size.
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, isIPv4, isIPv6, type LookupFunction } from 'node:net';

export interface OutboundRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Bound on the whole exchange (connect, send, receive); the sender's default when absent. */
  timeoutMs?: number;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as text, at most 64 KiB (the rest is dropped). */
  body: string;
}

/** Sends one request; throws OutboundRefused (the address or URL is not allowed) or OutboundFailed (network). */
export type Send = (request: OutboundRequest) => Promise<OutboundResponse>;

/** The URL or the address it reaches is not allowed: sending it again would be refused again. */
export class OutboundRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The request could not be completed (no answer in time, network, TLS, DNS): the same request may succeed later. */
export class OutboundFailed extends Error {
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
  }
}

export interface OutboundOptions {
  /** WEBHOOK_ALLOW_PRIVATE_ADDRESSES: loopback, private and link-local addresses are reached too (development). */
  allowPrivateAddresses: boolean;
  /** Bound on a whole exchange, DNS resolution included, when the request gives none. */
  timeoutMs?: number;
  /** What is kept of a response body; the rest is not read. */
  maxBodyBytes?: number;
  /** The addresses of a host name; tests inject theirs. */
  resolve?: (hostname: string) => Promise<string[]>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BODY_BYTES = 65_536;
/** Longest URL a webhook may have (it is stored and shown to agents). */
const MAX_URL_LENGTH = 1000;

type AddressKind =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'metadata'
  | 'documentation'
  | 'multicast'
  | 'reserved'
  | 'unparsable';

/** How a refusal names what is wrong with an address: "The address of example.test (10.0.0.5) is private." */
const KIND_WORDS: Record<Exclude<AddressKind, 'public'>, string> = {
  unspecified: 'unspecified',
  loopback: 'a loopback address',
  private: 'private',
  'link-local': 'link-local',
  metadata: 'a cloud metadata service',
  documentation: 'reserved for documentation',
  multicast: 'multicast',
  reserved: 'reserved',
  unparsable: 'not an IP address',
};

// IANA IPv4 special-purpose registry (RFC 6890 and updates): none of these is a webhook receiver on the internet.
const IPV4_RANGES: [string, number, AddressKind][] = [
  ['0.0.0.0', 8, 'unspecified'], // "this network": 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // RFC 6598 shared address space (carrier-grade NAT)
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.169.254', 32, 'metadata'], // AWS, Azure, Google Cloud, OpenStack…
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'], // RFC 2544 benchmarking
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // includes 255.255.255.255
];

const IPV6_RANGES: [string, number, AddressKind][] = [
  ['fd00:ec2::254', 128, 'metadata'], // AWS over IPv6
  ['fc00::', 7, 'private'], // unique local
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
  ['64:ff9b:1::', 48, 'private'], // RFC 8215 local-use NAT64
  ['2001:db8::', 32, 'documentation'],
  ['2001::', 32, 'reserved'], // Teredo: the IPv4 end is obfuscated, so it cannot be checked
];

function ipv4Number(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function ipv4Text(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** The 128 bits of an IPv6 address (zone index dropped), or null when it is not one. */
function ipv6Number(text: string): bigint | null {
  const address = text.replace(/%.*$/, '');
  if (!isIPv6(address)) return null;
  const hextets = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [Number.parseInt(group, 16)];
          const value = ipv4Number(group);
          return [value >>> 16, value & 0xffff];
        });
  const [head = '', tail] = address.split('::');
  const first = hextets(head);
  const last = tail === undefined ? [] : hextets(tail);
  const zeros = 8 - first.length - last.length;
  if (zeros < 0 || (tail === undefined && zeros !== 0)) return null;
  return [...first, ...new Array<number>(zeros).fill(0), ...last].reduce(
    (value, hextet) => (value << 16n) | BigInt(hextet),
    0n,
  );
}

function inIPv6Range(value: bigint, base: string, length: number): boolean {
  const shift = BigInt(128 - length);
  return value >> shift === (ipv6Number(base) ?? -1n) >> shift;
}

function ipv4Kind(address: string): AddressKind {
  const value = ipv4Number(address);
  for (const [base, length, kind] of IPV4_RANGES) {
    if (Math.floor(value / 2 ** (32 - length)) === Math.floor(ipv4Number(base) / 2 ** (32 - length)))
      return kind;
  }
  return 'public';
}

function addressKind(ip: string): AddressKind {
  if (isIPv4(ip)) return ipv4Kind(ip);
  const value = ipv6Number(ip);
  if (value === null) return 'unparsable';
  if (value === 0n) return 'unspecified';
  if (value === 1n) return 'loopback';
  const low32 = ipv4Text(Number(value & 0xffffffffn));
  // Forms that carry an IPv4 address reach that address: IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96),
  // NAT64 (64:ff9b::/96, RFC 6052) and 6to4 (2002::/16, the IPv4 address in bits 16–47).
  if (value >> 32n === 0xffffn || value >> 32n === 0n || inIPv6Range(value, '64:ff9b::', 96))
    return ipv4Kind(low32);
  if (inIPv6Range(value, '2002::', 16)) return ipv4Kind(ipv4Text(Number((value >> 80n) & 0xffffffffn)));
  for (const [base, length, kind] of IPV6_RANGES) {
    if (inIPv6Range(value, base, length)) return kind;
  }
  // Only global unicast (2000::/3) is routed on the internet; the rest is reserved.
  return inIPv6Range(value, '2000::', 3) ? 'public' : 'reserved';
}

/** Whether an IP address (as text) is a public internet address; false for anything else, unparsable text included. */
export function isPublicAddress(ip: string): boolean {
  return addressKind(ip) === 'public';
}

interface Target {
  url: URL;
  /** The host without IPv6 brackets: what DNS resolves, TLS names (SNI) and the Host header carries. */
  hostname: string;
}

const NOT_A_URL = 'This is not a URL.';

/** The URL parsed the WHATWG way (as browsers do: http://2130706433/ and http://0x7f.1/ are 127.0.0.1), or why not. */
function targetOf(text: string): Target {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OutboundRefused(NOT_A_URL);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundRefused('Only http and https URLs are allowed.');
  }
  if (url.username !== '' || url.password !== '') {
    throw new OutboundRefused(
      'The URL must not hold a user name or password (the webhook secret is sent in the Authorization header).',
    );
  }
  return { url, hostname: url.hostname.replace(/^\[(.*)\]$/, '$1') };
}

async function defaultResolve(hostname: string): Promise<string[]> {
  const entries = await dnsLookup(hostname, { all: true, verbatim: true });
  return entries.map((entry) => entry.address);
}

/** The addresses to connect to, resolved once and each checked, or why not. */
async function checkedAddresses(target: Target, options: OutboundOptions): Promise<string[]> {
  const { hostname } = target;
  let addresses: string[];
  if (isIP(hostname)) {
    addresses = [hostname];
  } else {
    try {
      addresses = await (options.resolve ?? defaultResolve)(hostname);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== undefined && code !== 'ENOTFOUND' && code !== 'ENODATA') {
        throw new OutboundFailed(`${hostname} could not be resolved (${code}).`, { cause: error });
      }
      addresses = [];
    }
    if (addresses.length === 0) throw new OutboundFailed(`${hostname} does not resolve.`);
  }
  if (!options.allowPrivateAddresses) {
    for (const address of addresses) {
      const kind = addressKind(address);
      if (kind === 'public') continue;
      const words = KIND_WORDS[kind];
      throw new OutboundRefused(
        address === hostname
          ? `The address ${address} is ${words}.`
          : `The address of ${hostname} (${address}) is ${words}.`,
      );
    }
  }
  return addresses;
}

/** Node's connect asks this instead of DNS: it answers the addresses already checked, so a rebind cannot slip in. */
function pinnedLookup(addresses: string[]): LookupFunction {
  const entries = addresses.map((address) => ({ address, family: isIP(address) }));
  return (_hostname, options, callback) => {
    const [first] = entries;
    if (options.all) callback(null, entries);
    else if (first) callback(null, first.address, first.family);
    else callback(Object.assign(new Error('no checked address'), { code: 'ENOTFOUND' }), '');
  };
}

const TLS_ERROR = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;

function networkFailure(error: NodeJS.ErrnoException, target: Target): OutboundFailed {
  const place = target.url.host;
  const code = error.code ?? '';
  const failed = (reason: string) => new OutboundFailed(reason, { cause: error });
  // First: a handshake the server cuts short is also an ECONNRESET, but the agent needs to hear it is about TLS.
  if (TLS_ERROR.test(code) || /\bTLS\b/.test(error.message)) {
    return failed(`The TLS connection to ${place} failed: ${error.message.replace(/\.$/, '')}.`);
  }
  if (code === 'ECONNREFUSED') return failed(`${place} refused the connection.`);
  if (code === 'ECONNRESET' || code === 'EPIPE')
    return failed(`${place} closed the connection before answering.`);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return failed(`${place} cannot be reached.`);
  return failed(`The request to ${place} failed: ${error.message.replace(/\.$/, '')}.`);
}

function exchange(
  target: Target,
  addresses: string[],
  request: OutboundRequest,
  maxBodyBytes: number,
  signal: AbortSignal,
): Promise<OutboundResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...request.headers };
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'user-agent')) {
      headers['User-Agent'] = 'Desk webhooks';
    }
    if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));
    const { url } = target;
    const req = (url.protocol === 'https:' ? https : http).request({
      method: request.method,
      protocol: url.protocol,
      hostname: target.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers,
      lookup: pinnedLookup(addresses),
      // A connection of its own: nothing pooled from an earlier request (to an address checked back then) is reused.
      agent: false,
    });
    const onAbort = () => req.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => signal.removeEventListener('abort', onAbort));
    req.on('error', (error) => reject(networkFailure(error, target)));
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      response.on('data', (chunk: Buffer) => {
        if (size + chunk.length < maxBodyBytes) {
          chunks.push(chunk);
          size += chunk.length;
          return;
        }
        // Enough kept: the rest is neither read nor waited for.
        chunks.push(chunk.subarray(0, maxBodyBytes - size));
        size = maxBodyBytes;
        done();
        req.destroy();
      });
      response.on('end', done);
      response.on('error', (error) => reject(networkFailure(error, target)));
      response.on('close', () => {
        if (!response.complete)
          reject(new OutboundFailed(`${url.host} closed the connection before answering.`));
      });
    });
    req.end(request.body);
  });
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

/** Rejects with OutboundFailed(reason) when the signal aborts first (a DNS lookup cannot be cancelled, only left). */
function beforeAbort<T>(promise: Promise<T>, signal: AbortSignal, reason: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new OutboundFailed(reason));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The sender of webhook deliveries: one request, one DNS resolution, one checked connection, no redirect followed. */
export function createSend(options: OutboundOptions): Send {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (request) => {
    const target = targetOf(request.url);
    const timeoutMs = request.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    try {
      const addresses = await beforeAbort(
        checkedAddresses(target, options),
        timeout.signal,
        `${target.hostname} could not be resolved within ${seconds(timeoutMs)}.`,
      );
      return await beforeAbort(
        exchange(target, addresses, request, maxBodyBytes, timeout.signal),
        timeout.signal,
        `No answer within ${seconds(timeoutMs)}.`,
      );
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Whether a URL may be saved as a webhook: null when it may, else what is wrong in words an agent can act on. */
export async function checkWebhookUrl(url: string, options: OutboundOptions): Promise<string | null> {
  if (url.length > MAX_URL_LENGTH) return `The URL is longer than ${MAX_URL_LENGTH} characters.`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  try {
    const target = targetOf(url);
    await beforeAbort(
      checkedAddresses(target, options),
      timeout.signal,
      `${target.hostname} could not be resolved within ${seconds(timeoutMs)}.`,
    );
    return null;
  } catch (error) {
    if (error instanceof OutboundRefused || error instanceof OutboundFailed) return error.reason;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
