import { Hono } from 'hono';
import { diamondsValue, GoalRequest, LiveRequest, ModerationRequest, money, payoutView } from '@giftstream/shared';
import { requireUser } from '../auth';
import type { AppEnv, Env } from '../env';
import { valid } from '../http';
import { currentRateCard } from '../rates';
import { getLiveRoom, getWallet } from '../stubs';
import { requireCreator } from './creators';

function overlayUrl(env: Env, handle: string, token: string): string {
  return `${env.PUBLIC_URL}/overlay/?room=${encodeURIComponent(handle)}&token=${encodeURIComponent(token)}`;
}

/** The signed-in creator's own room: going live, the goal, the overlay, earnings. */
export const creatorRoutes = new Hono<AppEnv>()
  .use(requireUser, requireCreator)
  .post('/live', valid('json', LiveRequest), async (c) => {
    const { live, title } = c.req.valid('json');
    return c.json({ live: await getLiveRoom(c.env, c.get('creator').handle).setLive(live, title || null) });
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
  });
