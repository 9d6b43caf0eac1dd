// Matrix team webhooks (DESIGN.md §12): invite to, or kick from, the room named by the webhook URL, through the
// Matrix client-server API, as people's MatrixAPIClient does (Tchap's bot token, MATRIX_BASE_HOME_SERVER's directory).

import type { OutboundResponse, Send } from './outbound.ts';
import {
  DELIVERY_TIMEOUT_MS,
  DeliveryFailed,
  type Member,
  type MembershipChange,
  receiverSaid,
  type WebhookTarget,
} from './protocol.ts';

export interface MatrixSettings {
  /** MATRIX_BASE_HOME_SERVER: the homeserver whose user directory finds members, and which serves its own rooms. */
  baseHomeServer: string | null;
  /** MATRIX_BOT_ACCESS_TOKEN: Desk's bot account on Tchap, used for rooms on Tchap servers. */
  botToken: string | null;
}

/** Where a webhook's room is and where its requests go. */
export interface MatrixRoom {
  /** Decoded, e.g. `!abc:agent.tchap.gouv.fr`. */
  roomId: string;
  /** The room's homeserver: what follows the first ':' of the room id (a host, maybe with a port). */
  serverName: string;
  /** The base URL of the client-server API serving the room, without a trailing slash. */
  api: string;
}

const TCHAP = 'tchap.gouv.fr';
/** Tchap's homeserver for external users answers on its own name, without the "matrix." of the others. */
const TCHAP_EXTERNAL = 'i.tchap.gouv.fr';
/** Matrix spec, appendix "Server Name": an IPv4 or DNS name or bracketed IPv6, and an optional port. */
const SERVER_NAME = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;
/** people's false negatives: the change Desk asks for is already true in the room (Synapse's error texts). */
const ALREADY_IN_ROOM = 'is already in the room';
const NOT_IN_ROOM = 'The target user is not in the room';

const isUnder = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

function hostOf(serverName: string): string {
  const host = serverName.startsWith('[')
    ? serverName.slice(0, serverName.indexOf(']') + 1)
    : serverName.split(':')[0];
  return (host ?? '').toLowerCase();
}

const noRoom = () =>
  new DeliveryFailed('The webhook URL names no Matrix room: it should end with /#/room/!<room id>:<server>.');

function baseOf(baseHomeServer: string): URL {
  try {
    return new URL(baseHomeServer);
  } catch {
    throw new DeliveryFailed('MATRIX_BASE_HOME_SERVER is not a URL.');
  }
}

const trimmed = (url: string) => url.replace(/\/+$/, '');

/**
 * The room a webhook URL names (what follows "/room/", e.g. https://www.tchap.gouv.fr/#/room/!abc:agent.tchap.gouv.fr)
 * and the API serving it: https://<server>, or https://matrix.<server> on Tchap (but i.tchap.gouv.fr), as people
 * computes it; or MATRIX_BASE_HOME_SERVER itself when the room is on that server.
 */
export function matrixRoomOf(url: string, baseHomeServer: string | null): MatrixRoom {
  const at = url.indexOf('/room/');
  if (at < 0) throw noRoom();
  // A room link may go on with a query (?via=) or an event (/$event): the room id stops there.
  const raw = url.slice(at + '/room/'.length).split(/[?/]/)[0] ?? '';
  let roomId: string;
  try {
    roomId = decodeURIComponent(raw);
  } catch {
    throw noRoom();
  }
  const colon = roomId.indexOf(':');
  const serverName = colon > 0 ? roomId.slice(colon + 1) : '';
  // The server name becomes the host of requests carrying a token: nothing else may slip into that URL.
  if (!SERVER_NAME.test(serverName)) throw noRoom();
  const host = hostOf(serverName);
  const server = isUnder(host, TCHAP) && !isUnder(host, TCHAP_EXTERNAL) ? `matrix.${serverName}` : serverName;
  if (baseHomeServer) {
    const base = baseOf(baseHomeServer);
    const baseHost = base.host.toLowerCase();
    if (baseHost === serverName.toLowerCase() || baseHost === server.toLowerCase())
      return { roomId, serverName, api: trimmed(baseHomeServer) };
  }
  return { roomId, serverName, api: `https://${server}` };
}

/** The bot's token for rooms on Tchap (when configured), else the webhook's secret. */
export function matrixAccessToken(room: MatrixRoom, secret: string | null, settings: MatrixSettings): string {
  // On the room's own server, not anywhere in the URL as people looks: the bot token must reach Tchap only.
  if (isUnder(hostOf(room.serverName), TCHAP) && settings.botToken) return settings.botToken;
  if (secret) return secret;
  throw new DeliveryFailed(
    isUnder(hostOf(room.serverName), TCHAP)
      ? 'No Matrix bot token is configured for Tchap and this webhook has no secret.'
      : 'This webhook has no secret: set the access token of the Matrix account that manages the room.',
  );
}

const ok = (response: OutboundResponse) => response.status >= 200 && response.status < 300;

function matrixError(response: OutboundResponse): string {
  try {
    const parsed = JSON.parse(response.body) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as { error?: unknown }).error === 'string')
      return (parsed as { error: string }).error;
  } catch {
    // Not a Matrix error body.
  }
  return '';
}

/** Invites the member to, or kicks them from, the webhook's room; resolves when the room is as asked. */
export async function deliverMatrix(
  send: Send,
  target: WebhookTarget,
  action: MembershipChange,
  member: Member,
  settings: MatrixSettings,
): Promise<void> {
  // A Matrix account is found, or named, from the email: without one there is nobody to invite.
  const email = member.email;
  if (!email) throw new DeliveryFailed('This user has no email address: no Matrix account to find.');
  const room = matrixRoomOf(target.url, settings.baseHomeServer);
  const token = matrixAccessToken(room, target.secret, settings);
  const secrets = [token, target.secret, settings.botToken];
  const post = (url: string, body: object) =>
    send({
      method: 'POST',
      url,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      timeoutMs: DELIVERY_TIMEOUT_MS,
    });
  const failed = (what: string, response: OutboundResponse) => {
    const said = receiverSaid(response.body, secrets);
    return new DeliveryFailed(`${what} (${response.status})${said ? `: ${said}` : '.'}`, response.status);
  };
  const roomApi = `${room.api}/_matrix/client/v3/rooms/${encodeURIComponent(room.roomId)}`;

  // people: joining first is mandatory for the account to invite or kick (accepting its invitation; a no-op once in).
  const joined = await post(`${roomApi}/join`, {});
  if (!ok(joined)) throw failed('Matrix refused to join the room', joined);

  const userId = await matrixUserId(post, room, email, settings, token, failed);
  const reason = `${action === 'add' ? 'Added to' : 'Removed from'} team ${target.teamName} on Desk`;
  if (action === 'add') {
    const invited = await post(`${roomApi}/invite`, { user_id: userId, reason });
    if (ok(invited) || matrixError(invited).includes(ALREADY_IN_ROOM)) return;
    throw failed(`Matrix refused to invite ${userId}`, invited);
  }
  const kicked = await post(`${roomApi}/kick`, { user_id: userId, reason });
  if (ok(kicked) || matrixError(kicked).includes(NOT_IN_ROOM)) return;
  throw failed(`Matrix refused to remove ${userId} from the room`, kicked);
}

async function matrixUserId(
  post: (url: string, body: object) => Promise<OutboundResponse>,
  room: MatrixRoom,
  email: string,
  settings: MatrixSettings,
  token: string,
  failed: (what: string, response: OutboundResponse) => DeliveryFailed,
): Promise<string> {
  // Tchap's convention, which people relies on: the localpart is the email with its '@' made a '-'.
  const localpart = email.replaceAll('@', '-');
  const base = settings.baseHomeServer ? trimmed(settings.baseHomeServer) : null;
  // people asks the base server's directory with whatever token the room uses; Desk only with a token meant for
  // that server (the bot's, or the room's when the room is there): an agent's secret is not sent to a third server.
  if (base && (token === settings.botToken || room.api === base)) {
    const found = await post(`${base}/_matrix/client/v3/user_directory/search`, {
      search_term: `@${localpart}`,
    });
    if (!ok(found)) throw failed('The Matrix user directory answered', found);
    const first = firstUserId(found.body);
    if (first) return first;
  }
  // Not found (or no directory): the account the member would have on the room's server. Matrix user ids are
  // lowercase (spec, "User Identifiers"), emails often are not.
  return `@${localpart.toLowerCase()}:${room.serverName}`;
}

function firstUserId(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { results?: { user_id?: unknown }[] };
    const first = Array.isArray(parsed.results) ? parsed.results[0]?.user_id : undefined;
    return typeof first === 'string' && first ? first : null;
  } catch {
    return null;
  }
}
