// A webhook sender for tests of the protocols, on global fetch: no address checks (receivers are on loopback), no
// redirects, the request's time bound; hosts can be pointed at a local server as curl's --resolve does.
import type { OutboundRequest, OutboundResponse, Send } from '../../src/webhooks/outbound.ts';

export interface PlainSendOptions {
  /** Origins (e.g. https://matrix.agent.tchap.gouv.fr) to reach at another one (e.g. a fake's http://127.0.0.1:port). */
  resolve?: Record<string, string>;
  /** Caps every request's time bound, for tests of receivers that never answer. */
  maxTimeoutMs?: number;
}

export function plainSend(options: PlainSendOptions = {}): Send & { requests: OutboundRequest[] } {
  const requests: OutboundRequest[] = [];
  const send = async (request: OutboundRequest): Promise<OutboundResponse> => {
    requests.push(request);
    const url = new URL(request.url);
    const to = options.resolve?.[url.origin];
    const target = to ? `${to}${url.pathname}${url.search}` : request.url;
    const timeoutMs = Math.min(request.timeoutMs ?? 10_000, options.maxTimeoutMs ?? Number.POSITIVE_INFINITY);
    const response = await fetch(target, {
      method: request.method,
      headers: request.headers ?? {},
      body: request.body ?? null,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: await response.text(),
    };
  };
  return Object.assign(send, { requests });
}
