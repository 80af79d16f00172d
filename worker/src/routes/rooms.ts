import { Hono } from 'hono';
import { monotonicFactory } from 'ulidx';
import { findGift, GiftRequest, giftCommand } from '@giftstream/shared';
import { isAdult, requireUser } from '../auth';
import { now } from '../clock';
import type { AppEnv } from '../env';
import { background, fail, idempotency, send, valid } from '../http';
import { currentRateCard } from '../rates';
import { getLiveRoom, getWallet } from '../stubs';
import { creatorByHandle } from './creators';

const ulid = monotonicFactory();

export const roomRoutes = new Hono<AppEnv>()
  .post('/:handle/gifts', requireUser, valid('json', GiftRequest), async (c) => {
    const body = c.req.valid('json');
    const keyed = idempotency(c, body);
    if (keyed instanceof Response) return keyed;
    const handle = c.req.param('handle');
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
    });
    const r = await getWallet(c.env, user.id).debitGift({
      ...keyed,
      command,
      adult: isAdult(user.birthdate, now()),
      live: creator.live === 1,
    });
    return send(r);
  })
  .get('/:handle', async (c) => {
    const creator = await creatorByHandle(c.env, c.req.param('handle'), background(c));
    if (!creator) return fail(c, 'not_found', 'No such room.');
    const snapshot = await getLiveRoom(c.env, creator.handle).snapshot();
    return c.json({ room: { handle: creator.handle, displayName: creator.display_name, ...snapshot } });
  })
  .get('/:handle/events', async (c) => {
    const creator = await creatorByHandle(c.env, c.req.param('handle'), background(c));
    if (!creator) return fail(c, 'not_found', 'No such room.');
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
      return fail(c, 'invalid_request', 'This route is a WebSocket: send Upgrade: websocket.');
    return getLiveRoom(c.env, creator.handle).fetch(c.req.raw);
  });
