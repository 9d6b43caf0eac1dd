// A Matrix homeserver for the test suite, on loopback: the client-server API routes team webhooks use (join, invite,
// kick, user directory search) with access tokens, real room membership and Synapse's error answers, every request
// recorded, and outages to order (an error status, or no answer at all).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Membership = 'join' | 'invite' | 'leave' | 'ban';
export type MatrixAction = 'join' | 'invite' | 'kick' | 'search';

export interface MatrixRequest {
  method: string;
  /** As sent, percent-encoding kept. */
  path: string;
  action: MatrixAction | null;
  /** Decoded from the path; null for the directory search. */
  roomId: string | null;
  /** The Bearer token, null without one. */
  token: string | null;
  body: unknown;
  /** The status answered; undefined while unanswered (or hung). */
  status?: number;
}

/** A status to answer with (500, 502…) or `hang`: no answer until the client gives up or the fake closes. */
export type MatrixFault = number | 'hang';

export interface RoomOptions {
  /** `public` rooms let any account join; `invite` rooms (the default) only the invited. */
  joinRule?: 'public' | 'invite';
  /** Memberships from the start, by user id. */
  members?: Record<string, Membership>;
  /** Users with a higher power level than anyone here: kicking them is refused. */
  admins?: string[];
  /** The server named in the room id, this fake's by default (another name: the fake stands in for that server). */
  serverName?: string;
}

export interface FakeMatrix {
  /** The homeserver's client-server API base URL, http://127.0.0.1:<port>. */
  url: string;
  /** Its server name, 127.0.0.1:<port>, the part after ':' of its room and user ids. */
  serverName: string;
  requests: MatrixRequest[];
  /** An account and its access token; returns the token (random unless given). */
  addAccount(userId: string, token?: string): string;
  /** A room; returns its id, `!<random>:<serverName>`. */
  createRoom(options?: RoomOptions): string;
  membership(roomId: string, userId: string): Membership | undefined;
  /** A user the directory search finds (by id or display name, ignoring case). */
  addToDirectory(userId: string, displayName?: string): void;
  /** The next `times` requests (of `action` only, when given) fail as `how`. */
  failNext(how: MatrixFault, times?: number, action?: MatrixAction): void;
  close(): Promise<void>;
}

interface Room {
  joinRule: 'public' | 'invite';
  members: Map<string, Membership>;
  admins: Set<string>;
}

const API = '/_matrix/client/v3';
const ROOM_ROUTE = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/(join|invite|kick)$/;
const USER_ID = /^@[^:]+:.+$/;

export async function startFakeMatrix(): Promise<FakeMatrix> {
  const accounts = new Map<string, string>();
  const rooms = new Map<string, Room>();
  const directory: { userId: string; displayName: string }[] = [];
  const faults: { how: MatrixFault; remaining: number; action: MatrixAction | undefined }[] = [];
  const requests: MatrixRequest[] = [];
  let serverName = '';

  const answered = new WeakMap<ServerResponse, MatrixRequest>();
  const answer = (response: ServerResponse, status: number, body: object) => {
    const record = answered.get(response);
    if (record) record.status = status;
    response.writeHead(status, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  const refuse = (response: ServerResponse, status: number, errcode: string, error: string) =>
    answer(response, status, { errcode, error });

  function handle(request: IncomingMessage, response: ServerResponse, text: string) {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const roomRoute = ROOM_ROUTE.exec(path);
    const action: MatrixAction | null = roomRoute
      ? (roomRoute[2] as MatrixAction)
      : path === `${API}/user_directory/search`
        ? 'search'
        : null;
    let roomId: string | null = null;
    try {
      roomId = roomRoute?.[1] ? decodeURIComponent(roomRoute[1]) : null;
    } catch {
      roomId = roomRoute?.[1] ?? null;
    }
    const authorization = request.headers.authorization ?? '';
    const token = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : null;
    let body: unknown;
    try {
      body = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      body = text;
    }
    const record: MatrixRequest = {
      method: request.method ?? '',
      path: request.url ?? '',
      action,
      roomId,
      token,
      body,
    };
    requests.push(record);
    answered.set(response, record);

    const fault = faults.find((f) => f.remaining > 0 && (f.action === undefined || f.action === action));
    if (fault) {
      fault.remaining -= 1;
      if (fault.how === 'hang') return;
      return refuse(response, fault.how, 'M_UNKNOWN', 'Internal server error');
    }
    if (request.method !== 'POST' || action === null)
      return refuse(response, 404, 'M_UNRECOGNIZED', 'Unrecognized request');
    if (token === null) return refuse(response, 401, 'M_MISSING_TOKEN', 'Missing access token.');
    const sender = accounts.get(token);
    if (!sender) return refuse(response, 401, 'M_UNKNOWN_TOKEN', 'Unrecognised access token.');
    if (!body || typeof body !== 'object') return refuse(response, 400, 'M_NOT_JSON', 'Content not JSON.');
    const fields = body as Record<string, unknown>;

    if (action === 'search') {
      if (typeof fields.search_term !== 'string')
        return refuse(response, 400, 'M_BAD_JSON', 'Missing search_term');
      const term = fields.search_term.toLowerCase();
      const limit = typeof fields.limit === 'number' ? fields.limit : 10;
      const found = directory.filter(
        (u) => u.userId.toLowerCase().includes(term) || u.displayName.toLowerCase().includes(term),
      );
      return answer(response, 200, {
        limited: found.length > limit,
        results: found.slice(0, limit).map((u) => ({ user_id: u.userId, display_name: u.displayName })),
      });
    }

    const room = roomId === null ? undefined : rooms.get(roomId);
    if (!room || roomId === null) return refuse(response, 404, 'M_UNKNOWN', 'No known servers');
    const own = room.members.get(sender);
    if (action === 'join') {
      if (own === 'ban') return refuse(response, 403, 'M_FORBIDDEN', 'You are banned from this room');
      if (own !== 'join' && own !== 'invite' && room.joinRule !== 'public')
        return refuse(response, 403, 'M_FORBIDDEN', 'You are not invited to this room.');
      room.members.set(sender, 'join');
      return answer(response, 200, { room_id: roomId });
    }

    if (own !== 'join') return refuse(response, 403, 'M_FORBIDDEN', `User ${sender} not in room ${roomId}`);
    const userId = fields.user_id;
    if (typeof userId !== 'string' || !USER_ID.test(userId))
      return refuse(response, 400, 'M_INVALID_PARAM', 'A valid user_id is required');
    const theirs = room.members.get(userId);
    if (action === 'invite') {
      if (theirs === 'join' || theirs === 'invite')
        return refuse(response, 403, 'M_FORBIDDEN', `${userId} is already in the room.`);
      if (theirs === 'ban') return refuse(response, 403, 'M_FORBIDDEN', `${userId} is banned from the room`);
      room.members.set(userId, 'invite');
      return answer(response, 200, {});
    }
    if (theirs !== 'join' && theirs !== 'invite')
      return refuse(response, 403, 'M_FORBIDDEN', 'The target user is not in the room');
    if (room.admins.has(userId))
      return refuse(response, 403, 'M_FORBIDDEN', `You cannot kick user ${userId}.`);
    room.members.set(userId, 'leave');
    return answer(response, 200, {});
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  serverName = `127.0.0.1:${port}`;

  return {
    url: `http://${serverName}`,
    serverName,
    requests,
    addAccount(userId, token = randomBytes(16).toString('base64url')) {
      accounts.set(token, userId);
      return token;
    },
    createRoom(options = {}) {
      const roomId = `!${randomBytes(9).toString('base64url')}:${options.serverName ?? serverName}`;
      rooms.set(roomId, {
        joinRule: options.joinRule ?? 'invite',
        members: new Map(Object.entries(options.members ?? {})),
        admins: new Set(options.admins ?? []),
      });
      return roomId;
    },
    membership: (roomId, userId) => rooms.get(roomId)?.members.get(userId),
    addToDirectory(userId, displayName = userId) {
      directory.push({ userId, displayName });
    },
    failNext(how, times = 1, action) {
      faults.push({ how, remaining: times, action });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
