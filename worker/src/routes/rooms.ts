import { createRoute } from '@hono/zod-openapi';
import { monotonicFactory } from 'ulidx';
import { findGift, GiftRequest, GiftResponse, giftCommand, RoomResponse } from '@giftstream/shared';
import { isAdult } from '../auth';
import { now } from '../clock';
import { creatorByHandle } from '../directory/creators';
import { background, fail, idempotency, send } from '../http';
import { access, HandleParams, IdempotencyHeader, json, replies, routes, webSocket } from '../openapi';
import { currentRateCard } from '../rates';
import { getLiveRoom, getWallet } from '../stubs';

const ulid = monotonicFactory();

const sendGift = createRoute({
  method: 'post',
  path: '/{handle}/gifts',
  summary: 'Send a gift to a live creator',
  ...access('adult'),
  request: { params: HandleParams, headers: IdempotencyHeader, body: json(GiftRequest) },
  responses: replies(GiftResponse, 201),
});

const room = createRoute({
  method: 'get',
  path: '/{handle}',
  summary: 'Live state, goal, leaderboard, recent gifts',
  ...access('public'),
  request: { params: HandleParams },
  responses: replies(RoomResponse),
});

const events = createRoute({
  method: 'get',
  path: '/{handle}/events',
  summary: 'The room event stream (WebSocket; overlays add token)',
  ...access('public'),
  request: { params: HandleParams },
  responses: webSocket(),
});

export const roomRoutes = routes()
  .openapi(sendGift, async (c) => {
    const body = c.req.valid('json');
    const keyed = idempotency(c, body);
    const handle = c.req.valid('param').handle;
    const creator = await creatorByHandle(c.env, handle, background(c));
    if (!creator) return fail(c, 'not_found', `No creator @${handle}.`);
    const gift = findGift(body.giftId);
    if (!gift) return fail(c, 'not_found', `There is no gift "${body.giftId}"; see GET /v1/gifts.`, 'giftId');
    const user = c.get('user');
    if (creator.user_id === user.id) return fail(c, 'self_gift', 'You cannot send gifts to yourself.');
    const card = await currentRateCard(c.env, background(c));
    const command = giftCommand({
      transferId: ulid(),
      room: handle,
      creatorUserId: creator.user_id,
      from: { userId: user.id, name: user.display_name },
      anonymous: body.anonymous,
      gift,
      count: body.count,
      message: body.message || undefined,
      card,
      sessionId: creator.live_session,
    });
    const r = await getWallet(c.env, user.id).debitGift({
      ...keyed,
      command,
      adult: isAdult(user.birthdate, now()),
      live: creator.live === 1,
    });
    return send(r);
  })
  .openapi(room, async (c) => {
    const creator = await creatorByHandle(c.env, c.req.valid('param').handle, background(c));
    if (!creator) return fail(c, 'not_found', 'No such room.');
    const snapshot = await getLiveRoom(c.env, creator.handle).snapshot();
    return c.json({ room: { handle: creator.handle, displayName: creator.display_name, ...snapshot } });
  })
  .openapi(events, async (c) => {
    const creator = await creatorByHandle(c.env, c.req.valid('param').handle, background(c));
    if (!creator) return fail(c, 'not_found', 'No such room.');
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
      return fail(c, 'invalid_request', 'This route is a WebSocket: send Upgrade: websocket.');
    return getLiveRoom(c.env, creator.handle).fetch(c.req.raw);
  });
