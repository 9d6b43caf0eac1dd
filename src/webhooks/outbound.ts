// Requests to URLs an agent chose (team webhooks, DESIGN.md §12): only to public addresses unless allowed, checked
// after DNS resolution on the address actually connected to, never following redirects, bounded in time and size.

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
