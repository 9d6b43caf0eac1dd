// Matrix team webhooks (DESIGN.md §12, people's Matrix client tests): Desk joins the webhook's room, then invites an
// added member or kicks a removed one, found in MATRIX_BASE_HOME_SERVER's directory or named after their email; a
// member already as asked counts as delivered; anything else fails with what the homeserver said.
import { afterAll, describe, expect, it } from 'vitest';
import {
  deliverMatrix,
  type MatrixSettings,
  matrixAccessToken,
  matrixRoomOf,
} from '../../src/webhooks/matrix-protocol.ts';
import { DELIVERY_TIMEOUT_MS, DeliveryFailed, type WebhookTarget } from '../../src/webhooks/protocol.ts';
import { startFakeMatrix } from '../support/fake-matrix.ts';
import { plainSend } from '../support/plain-send.ts';

const homeserver = await startFakeMatrix();
afterAll(() => homeserver.close());

const bot = `@desk-bot:${homeserver.serverName}`;
const secret = homeserver.addAccount(bot);
const tchapBot = '@desk-bot:agent.tchap.gouv.fr';
const botToken = homeserver.addAccount(tchapBot);
/** The fake stands in for the server named in the room id when that is not itself. */
const send = plainSend({
  resolve: {
    [`https://${homeserver.serverName}`]: homeserver.url,
    'https://matrix.agent.tchap.gouv.fr': homeserver.url,
  },
});
const withDirectory: MatrixSettings = { baseHomeServer: homeserver.url, botToken: null };
const withoutDirectory: MatrixSettings = { baseHomeServer: null, botToken: null };

let people = 0;
/** A member with a fresh email, and the Matrix id named after it on the fake's server. */
function newMember() {
  people += 1;
  const email = `camille.durand${people}@example.gouv.fr`;
  return {
    member: { sub: `sub-${people}`, email },
    namedId: `@camille.durand${people}-example.gouv.fr:${homeserver.serverName}`,
  };
}

/** A room the bot is invited to (so it may join), with the memberships given. */
function roomWith(members: Record<string, 'join' | 'invite' | 'leave'> = {}, admins: string[] = []) {
  return homeserver.createRoom({ members: { [bot]: 'invite', ...members }, admins });
}

const webhookFor = (roomId: string, webhookSecret: string | null = secret): WebhookTarget => ({
  url: `https://app.element.io/#/room/${roomId}`,
  protocol: 'matrix',
  secret: webhookSecret,
  teamName: 'Équipe Résilience',
});

const requestsTo = (roomId: string) => homeserver.requests.filter((r) => r.roomId === roomId);

async function failure(promise: Promise<unknown>): Promise<DeliveryFailed> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryFailed);
  return error as DeliveryFailed;
}

describe('adding a member to a team with a Matrix webhook', () => {
  it('joins the room, then invites the member, with the reason naming the team', async () => {
    const { member, namedId } = newMember();
    const room = roomWith();
    const before = homeserver.requests.length;

    await deliverMatrix(send, webhookFor(room), 'add', member, withoutDirectory);

    const made = homeserver.requests.slice(before);
    expect(made.map((r) => r.action)).toEqual(['join', 'invite']);
    expect(made[0]?.path).toBe(`/_matrix/client/v3/rooms/${encodeURIComponent(room)}/join`);
    expect(made[0]?.body).toEqual({});
    expect(made[1]?.body).toEqual({ user_id: namedId, reason: 'Added to team Équipe Résilience on Desk' });
    expect(made.every((r) => r.token === secret)).toBe(true);
    expect(homeserver.membership(room, bot)).toBe('join');
    expect(homeserver.membership(room, namedId)).toBe('invite');
  });

  it('invites the first account the base homeserver directory finds for the email', async () => {
    const { member } = newMember();
    const localpart = member.email.replace('@', '-');
    homeserver.addToDirectory(`@${localpart}:agent.tchap.gouv.fr`, 'Camille Durand [Agent]');
    homeserver.addToDirectory(`@${localpart}:other.tchap.gouv.fr`, 'Camille Durand [Other]');
    const room = roomWith();
    const before = homeserver.requests.length;

    await deliverMatrix(send, webhookFor(room), 'add', member, withDirectory);

    const made = homeserver.requests.slice(before);
    expect(made.map((r) => r.action)).toEqual(['join', 'search', 'invite']);
    expect(made[1]?.path).toBe('/_matrix/client/v3/user_directory/search');
    expect(made[1]?.body).toEqual({ search_term: `@${localpart}` });
    expect(made[2]?.body).toMatchObject({ user_id: `@${localpart}:agent.tchap.gouv.fr` });
    expect(homeserver.membership(room, `@${localpart}:agent.tchap.gouv.fr`)).toBe('invite');
  });

  it('invites the account named after the email on the room server when the directory knows nobody', async () => {
    const { member, namedId } = newMember();
    const room = roomWith();

    await deliverMatrix(send, webhookFor(room), 'add', member, withDirectory);

    expect(homeserver.membership(room, namedId)).toBe('invite');
  });

  it('names the account in lowercase, as Matrix user ids are', async () => {
    const { member, namedId } = newMember();
    const room = roomWith();

    await deliverMatrix(
      send,
      webhookFor(room),
      'add',
      { ...member, email: member.email.toUpperCase() },
      withoutDirectory,
    );

    expect(homeserver.membership(room, namedId)).toBe('invite');
  });

  it('counts a member already in the room as delivered', async () => {
    const { member, namedId } = newMember();
    const room = roomWith({ [namedId]: 'join' });

    await deliverMatrix(send, webhookFor(room), 'add', member, withoutDirectory);

    const invite = requestsTo(room).at(-1);
    expect(invite).toMatchObject({ action: 'invite', status: 403 });
    expect(homeserver.membership(room, namedId)).toBe('join');
  });

  it('counts a member already invited as delivered (a retry after a lost answer)', async () => {
    const { member, namedId } = newMember();
    const room = roomWith();

    await deliverMatrix(send, webhookFor(room), 'add', member, withoutDirectory);
    await deliverMatrix(send, webhookFor(room), 'add', member, withoutDirectory);

    expect(requestsTo(room).at(-1)).toMatchObject({ action: 'invite', status: 403 });
    expect(homeserver.membership(room, namedId)).toBe('invite');
  });

  it('asks the sender to bound every exchange in time', async () => {
    const { member } = newMember();
    const room = roomWith();
    const recording = plainSend({ resolve: { [`https://${homeserver.serverName}`]: homeserver.url } });

    await deliverMatrix(recording, webhookFor(room), 'add', member, withDirectory);

    expect(recording.requests.map((r) => r.timeoutMs)).toEqual([
      DELIVERY_TIMEOUT_MS,
      DELIVERY_TIMEOUT_MS,
      DELIVERY_TIMEOUT_MS,
    ]);
  });
});

describe('removing a member from a team with a Matrix webhook', () => {
  it('joins the room, then kicks the member, with the reason naming the team', async () => {
    const { member, namedId } = newMember();
    const room = roomWith({ [namedId]: 'join' });
    const before = homeserver.requests.length;

    await deliverMatrix(send, webhookFor(room), 'remove', member, withoutDirectory);

    const made = homeserver.requests.slice(before);
    expect(made.map((r) => r.action)).toEqual(['join', 'kick']);
    expect(made[1]?.body).toEqual({
      user_id: namedId,
      reason: 'Removed from team Équipe Résilience on Desk',
    });
    expect(homeserver.membership(room, namedId)).toBe('leave');
  });

  it('withdraws the invitation of a member who had not joined yet', async () => {
    const { member, namedId } = newMember();
    const room = roomWith({ [namedId]: 'invite' });

    await deliverMatrix(send, webhookFor(room), 'remove', member, withoutDirectory);

    expect(homeserver.membership(room, namedId)).toBe('leave');
  });

  it('counts a member no longer in the room as delivered', async () => {
    const { member, namedId } = newMember();
    const room = roomWith({ [namedId]: 'leave' });

    await deliverMatrix(send, webhookFor(room), 'remove', member, withoutDirectory);

    expect(requestsTo(room).at(-1)).toMatchObject({ action: 'kick', status: 403 });
  });

  it('fails when the homeserver refuses the kick (a room administrator), quoting it', async () => {
    const { member, namedId } = newMember();
    const room = roomWith({ [namedId]: 'join' }, [namedId]);

    const error = await failure(deliverMatrix(send, webhookFor(room), 'remove', member, withoutDirectory));

    expect(error.message).toBe(
      `Matrix refused to remove ${namedId} from the room (403): M_FORBIDDEN You cannot kick user ${namedId}.`,
    );
    expect(error.status).toBe(403);
    expect(homeserver.membership(room, namedId)).toBe('join');
  });
});

describe('a Matrix delivery that cannot be made', () => {
  it('fails, inviting nobody, when the bot may not join the room', async () => {
    const { member } = newMember();
    const room = homeserver.createRoom();
    const before = homeserver.requests.length;

    const error = await failure(deliverMatrix(send, webhookFor(room), 'add', member, withoutDirectory));

    expect(error.message).toBe(
      'Matrix refused to join the room (403): M_FORBIDDEN You are not invited to this room.',
    );
    expect(homeserver.requests.slice(before).map((r) => r.action)).toEqual(['join']);
  });

  it('fails with the homeserver status when it errs (500) on join, search or invite', async () => {
    const { member, namedId } = newMember();
    const room = roomWith();

    homeserver.failNext(500, 1, 'join');
    const onJoin = await failure(deliverMatrix(send, webhookFor(room), 'add', member, withDirectory));
    expect(onJoin.message).toBe('Matrix refused to join the room (500): M_UNKNOWN Internal server error');
    expect(onJoin.status).toBe(500);

    homeserver.failNext(500, 1, 'search');
    const onSearch = await failure(deliverMatrix(send, webhookFor(room), 'add', member, withDirectory));
    expect(onSearch.message).toBe(
      'The Matrix user directory answered (500): M_UNKNOWN Internal server error',
    );

    homeserver.failNext(500, 1, 'invite');
    const onInvite = await failure(deliverMatrix(send, webhookFor(room), 'add', member, withDirectory));
    expect(onInvite.message).toBe(
      `Matrix refused to invite ${namedId} (500): M_UNKNOWN Internal server error`,
    );
    expect(homeserver.membership(room, namedId)).toBeUndefined();
  });

  it('leaves a homeserver that does not answer to the sender, which gives up at the time bound', async () => {
    const { member } = newMember();
    const room = roomWith();
    homeserver.failNext('hang', 1, 'join');
    const impatient = plainSend({
      resolve: { [`https://${homeserver.serverName}`]: homeserver.url },
      maxTimeoutMs: 200,
    });

    await expect(
      deliverMatrix(impatient, webhookFor(room), 'add', member, withoutDirectory),
    ).rejects.toThrow();
    expect(impatient.requests.map((r) => r.timeoutMs)).toEqual([DELIVERY_TIMEOUT_MS]);
  });

  it('fails when the homeserver does not know the token, without showing it', async () => {
    const { member } = newMember();
    const room = roomWith();

    const error = await failure(
      deliverMatrix(send, webhookFor(room, 'revoked-token-1234'), 'add', member, withoutDirectory),
    );

    expect(error.message).toBe(
      'Matrix refused to join the room (401): M_UNKNOWN_TOKEN Unrecognised access token.',
    );
    expect(error.message).not.toContain('revoked-token-1234');
  });

  it('fails, sending nothing, for a member without an email', async () => {
    const room = roomWith();
    const before = homeserver.requests.length;

    const error = await failure(
      deliverMatrix(send, webhookFor(room), 'add', { sub: 'sub-x', email: null }, withDirectory),
    );

    expect(error.message).toBe('This user has no email address: no Matrix account to find.');
    expect(homeserver.requests.length).toBe(before);
  });

  it('fails, sending nothing, for a webhook without a secret outside Tchap', async () => {
    const { member } = newMember();
    const room = roomWith();
    const before = homeserver.requests.length;

    const error = await failure(
      deliverMatrix(send, webhookFor(room, null), 'add', member, { baseHomeServer: null, botToken }),
    );

    expect(error.message).toBe(
      'This webhook has no secret: set the access token of the Matrix account that manages the room.',
    );
    expect(homeserver.requests.length).toBe(before);
  });
});

describe('a Tchap room', () => {
  it('is reached at matrix.<server> with the bot token, whatever the webhook secret', async () => {
    const { member } = newMember();
    const room = homeserver.createRoom({
      serverName: 'agent.tchap.gouv.fr',
      members: { [tchapBot]: 'invite' },
    });
    const target = {
      ...webhookFor(room, 'agent-own-token'),
      url: `https://www.tchap.gouv.fr/#/room/${room}`,
    };
    const before = homeserver.requests.length;
    const sent = send.requests.length;

    await deliverMatrix(send, target, 'add', member, {
      baseHomeServer: 'https://matrix.agent.tchap.gouv.fr',
      botToken,
    });

    const made = homeserver.requests.slice(before);
    expect(made.map((r) => r.action)).toEqual(['join', 'search', 'invite']);
    expect(made.every((r) => r.token === botToken)).toBe(true);
    expect(send.requests.slice(sent).map((r) => new URL(r.url).origin)).toEqual([
      'https://matrix.agent.tchap.gouv.fr',
      'https://matrix.agent.tchap.gouv.fr',
      'https://matrix.agent.tchap.gouv.fr',
    ]);
    const localpart = member.email.replace('@', '-');
    expect(homeserver.membership(room, `@${localpart}:agent.tchap.gouv.fr`)).toBe('invite');
  });
});

describe('the room a webhook URL names', () => {
  it('is what follows /room/, its server what follows the first colon, reached over HTTPS', () => {
    expect(matrixRoomOf('https://app.element.io/#/room/!abc:matrix.org', null)).toEqual({
      roomId: '!abc:matrix.org',
      serverName: 'matrix.org',
      api: 'https://matrix.org',
    });
  });

  it('is URL-decoded, and ends before a query or an event', () => {
    expect(matrixRoomOf('https://app.element.io/#/room/%21abc%3Aexample.org', null).roomId).toBe(
      '!abc:example.org',
    );
    expect(matrixRoomOf('https://app.element.io/#/room/!abc:example.org?via=example.org', null).roomId).toBe(
      '!abc:example.org',
    );
    expect(matrixRoomOf('https://app.element.io/#/room/!abc:example.org/$event1', null).roomId).toBe(
      '!abc:example.org',
    );
  });

  it('keeps the port of its server', () => {
    expect(matrixRoomOf('https://app.element.io/#/room/!abc:example.org:8448', null)).toEqual({
      roomId: '!abc:example.org:8448',
      serverName: 'example.org:8448',
      api: 'https://example.org:8448',
    });
  });

  it('on Tchap, is served at matrix.<server>, except on i.tchap.gouv.fr (people’s rule)', () => {
    expect(matrixRoomOf('https://www.tchap.gouv.fr/#/room/!abc:agent.tchap.gouv.fr', null)).toEqual({
      roomId: '!abc:agent.tchap.gouv.fr',
      serverName: 'agent.tchap.gouv.fr',
      api: 'https://matrix.agent.tchap.gouv.fr',
    });
    expect(matrixRoomOf('https://www.tchap.gouv.fr/#/room/!abc:agent.ssi.tchap.gouv.fr', null).api).toBe(
      'https://matrix.agent.ssi.tchap.gouv.fr',
    );
    expect(matrixRoomOf('https://www.tchap.gouv.fr/#/room/!abc:i.tchap.gouv.fr', null).api).toBe(
      'https://i.tchap.gouv.fr',
    );
  });

  it('is served by MATRIX_BASE_HOME_SERVER itself when on that server', () => {
    expect(
      matrixRoomOf('https://app.element.io/#/room/!abc:127.0.0.1:8008', 'http://127.0.0.1:8008/').api,
    ).toBe('http://127.0.0.1:8008');
    expect(
      matrixRoomOf(
        'https://www.tchap.gouv.fr/#/room/!abc:agent.tchap.gouv.fr',
        'http://matrix.agent.tchap.gouv.fr',
      ).api,
    ).toBe('http://matrix.agent.tchap.gouv.fr');
    expect(matrixRoomOf('https://app.element.io/#/room/!abc:example.org', 'http://127.0.0.1:8008').api).toBe(
      'https://example.org',
    );
  });

  it('must be a room id with a server name, nothing that would change where requests go', () => {
    for (const url of [
      'https://app.element.io/#/home',
      'https://app.element.io/#/room/!abc',
      'https://app.element.io/#/room/!abc%3Aevil.example%23.tchap.gouv.fr',
      'https://app.element.io/#/room/!abc%3Aevil.example%2F.tchap.gouv.fr',
      'https://app.element.io/#/room/!abc%3Auser%40evil.example',
      'https://app.element.io/#/room/%E0%A4%A',
    ])
      expect(() => matrixRoomOf(url, null), url).toThrow(DeliveryFailed);
  });
});

describe('the token a Matrix delivery uses', () => {
  const settings = { baseHomeServer: null, botToken: 'bot-token' };
  const roomAt = (server: string, url = 'https://app.element.io') =>
    matrixRoomOf(`${url}/#/room/!abc:${server}`, null);

  it('is the bot token for a room on a Tchap server, the webhook secret for any other', () => {
    expect(matrixAccessToken(roomAt('agent.tchap.gouv.fr'), 'secret', settings)).toBe('bot-token');
    expect(matrixAccessToken(roomAt('i.tchap.gouv.fr'), 'secret', settings)).toBe('bot-token');
    expect(matrixAccessToken(roomAt('matrix.org'), 'secret', settings)).toBe('secret');
  });

  it('is never the bot token for a room elsewhere, even in a tchap.gouv.fr link', () => {
    expect(() =>
      matrixAccessToken(roomAt('example.org', 'https://www.tchap.gouv.fr'), null, settings),
    ).toThrow(DeliveryFailed);
  });

  it('is the webhook secret on Tchap when no bot token is configured, and is required', () => {
    const noBot = { baseHomeServer: null, botToken: null };
    expect(matrixAccessToken(roomAt('agent.tchap.gouv.fr'), 'secret', noBot)).toBe('secret');
    expect(() => matrixAccessToken(roomAt('agent.tchap.gouv.fr'), null, noBot)).toThrow(
      'No Matrix bot token is configured for Tchap and this webhook has no secret.',
    );
  });
});
