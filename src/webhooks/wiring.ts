// How Desk's settings choose a webhook's URL check and its delivery by protocol (DESIGN.md §12).
import type { Config } from '../platform/config.ts';
import type { Deliver } from './delivery.ts';
import { deliverMatrix, matrixRoomOf } from './matrix-protocol.ts';
import { checkWebhookUrl, createSend, type OutboundOptions, OutboundRefused, type Send } from './outbound.ts';
import { DeliveryFailed } from './protocol.ts';
import { deliverScim } from './scim-protocol.ts';
import type { UrlCheck } from './service.ts';

function outboundOptions(config: Config): OutboundOptions {
  return {
    allowPrivateAddresses: config.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
    timeoutMs: config.WEBHOOK_TIMEOUT * 1000,
  };
}

const matrixSettings = (config: Config) => ({
  baseHomeServer: config.MATRIX_BASE_HOME_SERVER ?? null,
  botToken: config.MATRIX_BOT_ACCESS_TOKEN ?? null,
});

/** Said for any host Desk will not call: never which address a name has (that would map an internal network). */
const NOT_PUBLIC = 'The host of this URL does not resolve to a public address.';

function withoutAddresses(problem: string | null): string | null {
  if (problem === null) return null;
  return /^The address of |does not resolve|could not be resolved/.test(problem) ? NOT_PUBLIC : problem;
}

/**
 * The check of a URL an agent gives, before it is kept: for SCIM the URL itself, for Matrix the room it names and
 * the homeserver Desk would then call (a Matrix link's host is a web client, not where requests go).
 */
export function webhookUrlCheck(config: Config): UrlCheck {
  const options = outboundOptions(config);
  return async (url, protocol) => {
    if (protocol === 'scim') return withoutAddresses(await checkWebhookUrl(url, options));
    // The link's own host is a web client Desk never calls: only its form matters.
    const shape = linkProblem(url);
    if (shape) return shape;
    try {
      const room = matrixRoomOf(url, matrixSettings(config).baseHomeServer);
      return withoutAddresses(await checkWebhookUrl(`${room.api}/_matrix/client/v3/rooms/`, options));
    } catch (err) {
      return err instanceof DeliveryFailed ? err.message : 'This is not a Matrix room link.';
    }
  };
}

/**
 * Sends a delivery by its webhook's protocol, through the sender that refuses non-public addresses at each delivery
 * (after DNS resolution, on the address it connects to) unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES.
 */
export function deliverTo(config: Config): Deliver {
  const checked = createSend(outboundOptions(config));
  // WEBHOOK_TIMEOUT bounds every request of a delivery (the protocols' own default is 10 s): the job's bound and the
  // webhook's lease are counted from it.
  const send: Send = async (request) => {
    try {
      return await checked({ ...request, timeoutMs: config.WEBHOOK_TIMEOUT * 1000 });
    } catch (err) {
      // The webhook's last_error is shown to the team's administrators: no internal address in it.
      if (err instanceof OutboundRefused && /^The address of /.test(err.reason))
        throw new OutboundRefused(NOT_PUBLIC);
      throw err;
    }
  };
  const settings = matrixSettings(config);
  return async ({ url, protocol, secret, teamName, action, member }) => {
    const target = { url, protocol, secret, teamName };
    if (protocol === 'scim') await deliverScim(send, target, action, member);
    else await deliverMatrix(send, target, action, member, settings);
  };
}

function linkProblem(url: string): string | null {
  if (url.length > 1000) return 'The URL is longer than 1000 characters.';
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:' ? null : 'Only http and https URLs are allowed.';
  } catch {
    return 'This is not a URL.';
  }
}
