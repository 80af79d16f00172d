import { Hono } from 'hono';
import { monotonicFactory } from 'ulidx';
import { diamondsValue, GoalRequest, LiveRequest, ModerationRequest, money, PayoutRequest, payoutView, type PayoutRecord } from '@giftstream/shared';
import { isAdult, requireUser } from '../auth';
import { now } from '../clock';
import type { AppEnv, Env } from '../env';
import { idempotency, send, valid } from '../http';
import { currentRateCard } from '../rates';
import { getLiveRoom, getWallet } from '../stubs';
import { forgetCreators, requireCreator } from './creators';

const ulid = monotonicFactory();

function overlayUrl(env: Env, handle: string, token: string): string {
  return `${env.PUBLIC_URL}/overlay/?room=${encodeURIComponent(handle)}&token=${encodeURIComponent(token)}`;
}

/** The signed-in creator's own room: going live, the goal, the overlay, earnings. */
export const creatorRoutes = new Hono<AppEnv>()
  .use(requireUser, requireCreator)
  .post('/live', valid('json', LiveRequest), async (c) => {
    const { live, title } = c.req.valid('json');
    const { handle, user_id } = c.get('creator');
    const state = await getLiveRoom(c.env, handle).setLive(live, title || null);
    await c.env.DB.prepare('UPDATE creators SET live = ? WHERE user_id = ?').bind(state.live ? 1 : 0, user_id).run();
    forgetCreators();
    return c.json({ live: state });
  })
  .put('/goal', valid('json', GoalRequest), async (c) => c.json({ goal: await getLiveRoom(c.env, c.get('creator').handle).setGoal(c.req.valid('json')) }))
  .delete('/goal', async (c) => c.json({ goal: await getLiveRoom(c.env, c.get('creator').handle).setGoal(null) }))
  .get('/overlay-token', async (c) => {
    const { handle } = c.get('creator');
    const token = await getLiveRoom(c.env, handle).overlayToken(false);
    return c.json({ token, overlayUrl: overlayUrl(c.env, handle, token) });
  })
  .post('/overlay-token', async (c) => {
    const { handle } = c.get('creator');
    const token = await getLiveRoom(c.env, handle).overlayToken(true);
    return c.json({ token, overlayUrl: overlayUrl(c.env, handle, token) });
  })
  .post('/test-alert', async (c) => {
    await getLiveRoom(c.env, c.get('creator').handle).testAlert(c.get('creator').display_name);
    return c.json({ sent: true });
  })
  .put('/moderation', valid('json', ModerationRequest), async (c) => {
    const blockedWords = await getLiveRoom(c.env, c.get('creator').handle).setBlockedWords(c.req.valid('json').blockedWords);
    return c.json({ blockedWords });
  })
  .get('/moderation', async (c) => c.json(await getLiveRoom(c.env, c.get('creator').handle).moderation()))
  .get('/earnings', async (c) => {
    const { user, creator } = { user: c.get('user'), creator: c.get('creator') };
    const card = await currentRateCard(c.env);
    const wallet = getWallet(c.env, user.id);
    const [summary, payouts, room] = await Promise.all([wallet.summary(card), wallet.payouts(), getLiveRoom(c.env, creator.handle).earnings()]);
    const pending = payouts.filter((p) => p.status === 'requested');
    return c.json({
      diamonds: summary.diamonds,
      value: money(diamondsValue(card, summary.diamonds).amount, card),
      pendingPayouts: { diamonds: summary.diamondsPending, amount: money(pending.reduce((s, p) => s + p.amount, 0), card), payouts: pending.map((p) => payoutView(p)) },
      sessions: room.sessions.map((s) => ({ ...s, value: money(diamondsValue(card, s.diamonds).amount, card) })),
      topSupporters: room.topSupporters,
    });
  })
  .post('/payouts', valid('json', PayoutRequest), async (c) => {
    const body = c.req.valid('json');
    const keyed = idempotency(c, body);
    if (keyed instanceof Response) return keyed;
    const { user, creator } = { user: c.get('user'), creator: c.get('creator') };
    const r = await getWallet(c.env, user.id).requestPayout({
      ...keyed,
      payoutId: ulid(),
      diamonds: body.diamonds,
      destination: body.destination,
      adult: isAdult(user.birthdate, now()),
      card: await currentRateCard(c.env),
      // The wallet indexes the payout for the operator through its outbox.
      owner: { userId: user.id, handle: creator.handle },
    });
    return send(r);
  })
  .get('/payouts', async (c) => {
    const payouts: PayoutRecord[] = await getWallet(c.env, c.get('user').id).payouts();
    return c.json({ payouts: payouts.map((p) => payoutView(p)) });
  });
