// The id every request is filed under (its log lines, its audit events, the X-Request-Id it answers with), and a
// client's own X-Request-Id, kept apart when it is not believed.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** Whether the peer at `hop` is a trusted proxy (TRUSTED_PROXIES compiled as Fastify's trustProxy); false: none. */
export type ProxyTrust = false | ((address: string, hop: number) => boolean);

/**
 * The X-Request-Id of the trusted proxy (hop 0: the socket's peer) when REQUEST_ID_HEADER_TRUSTED says that proxy sets
 * it itself, and it is well-formed; else a new one. A proxy that passes a client's header through (ingress-nginx
 * does) would let the client choose the id its logs and audit events are filed under.
 */
export function requestId(request: IncomingMessage, trust: ProxyTrust, headerTrusted: boolean): string {
  const given = request.headers['x-request-id'];
  const believed =
    headerTrusted &&
    trust !== false &&
    typeof given === 'string' &&
    REQUEST_ID.test(given) &&
    trust(request.socket.remoteAddress ?? '', 0);
  return believed ? given : randomUUID();
}

/**
 * The X-Request-Id a request carried but is not filed under (a client's, or a proxy's not believed), when
 * well-formed: logged and audited as client_request_id, so it can still be followed without being trusted.
 */
export function clientRequestId(request: { id: string; headers: IncomingHttpHeaders }): string | undefined {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && given !== request.id && REQUEST_ID.test(given) ? given : undefined;
}
