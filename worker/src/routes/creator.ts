import { Hono } from 'hono';
import { monotonicFactory } from 'ulidx';
import {
  diamondsValue,
  EmptyRequest,
  GoalRequest,
  LiveRequest,
  ModerationRequest,
  money,
  PAYOUT_PENDING,
  PayoutRequest,
  payoutView,
  type ConnectAccount,
  type PayoutRecord,
} from '@giftstream/shared';
import { isAdult, requireUser } from '../auth';
import { now } from '../clock';
import type { AppEnv, Env } from '../env';
import { fail, idempotency, send, valid } from '../http';
import { accountState, payoutAccountOf, rememberPayoutAccount } from '../directory/payout-accounts';
import { createAccountLink, createPayoutAccount, isSandbox } from '../payments/stripe';
import { currentRateCard } from '../rates';
import { getLiveRoom, getWallet } from '../stubs';
import { forgetCreators, requireCreator } from './creators';

const ulid = monotonicFactory();

/** Stripe mode's auto-approval limit in cents; anything but a whole number turns it off. */
function autoApproveCents(env: Env): number {
  const n = Number(env.PAYOUT_AUTO_APPROVE_CENTS ?? '0');
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/** Stripe mode: where the creator's payouts go and whether Stripe lets them; sandbox: none. */
async function connectOf(env: Env, userId: string): Promise<ConnectAccount | undefined> {
  if (isSandbox(env)) return undefined;
  const row = await payoutAccountOf(env, userId);
  return {
    account: row?.account_id ?? null,
    payoutsEnabled: row?.payouts_enabled === 1,
    autoApproveCents: autoApproveCents(env),
  };
}

function overlayUrl(env: Env, handle: string, token: string): string {
  return `${env.PUBLIC_URL}/overlay/?room=${encodeURIComponent(handle)}&token=${encodeURIComponent(token)}`;
}

/** The signed-in creator's own room: going live, the goal, the overlay, earnings. */
export const ownCreatorRoutes = new Hono<AppEnv>()
  .use(requireUser, requireCreator)
  .post('/live', valid('json', LiveRequest), async (c) => {
    const { live, title } = c.req.valid('json');
    const { handle, user_id } = c.get('creator');
    const state = await getLiveRoom(c.env, handle).setLive(live, title || null);
    await c.env.DB.prepare('UPDATE creators SET live = ? WHERE user_id = ?')
      .bind(state.live ? 1 : 0, user_id)
      .run();
    forgetCreators();
    return c.json({ live: state });
  })
  .put('/goal', valid('json', GoalRequest), async (c) =>
    c.json({ goal: await getLiveRoom(c.env, c.get('creator').handle).setGoal(c.req.valid('json')) }),
  )
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
    const blockedWords = await getLiveRoom(c.env, c.get('creator').handle).setBlockedWords(
      c.req.valid('json').blockedWords,
    );
    return c.json({ blockedWords });
  })
  .get('/moderation', async (c) => c.json(await getLiveRoom(c.env, c.get('creator').handle).moderation()))
  .get('/earnings', async (c) => {
    const { user, creator } = { user: c.get('user'), creator: c.get('creator') };
    const card = await currentRateCard(c.env);
    const wallet = getWallet(c.env, user.id);
    const [summary, payouts, room] = await Promise.all([
      wallet.summary(card),
      wallet.payouts(),
      getLiveRoom(c.env, creator.handle).earnings(),
    ]);
    const pending = payouts.filter((p) => PAYOUT_PENDING.includes(p.status));
    return c.json({
      diamonds: summary.diamonds,
      value: money(diamondsValue(card, summary.diamonds).amount, card),
      pendingPayouts: {
        diamonds: summary.diamondsPending,
        amount: money(
          pending.reduce((s, p) => s + p.amount, 0),
          card,
        ),
        payouts: pending.map((p) => payoutView(p)),
      },
      sessions: room.sessions.map((s) => ({ ...s, value: money(diamondsValue(card, s.diamonds).amount, card) })),
      topSupporters: room.topSupporters,
    });
  })
  .post('/payouts', valid('json', PayoutRequest), async (c) => {
    const body = c.req.valid('json');
    const keyed = idempotency(c, body);
    if (keyed instanceof Response) return keyed;
    const { user, creator } = { user: c.get('user'), creator: c.get('creator') };
    const connect = await connectOf(c.env, user.id);
    // Sandbox payouts are sent by hand, so the operator needs to know where to.
    if (!connect && !body.destination)
      return fail(c, 'invalid_request', 'Say where the operator should send the money.', 'destination');
    const r = await getWallet(c.env, user.id).requestPayout({
      ...keyed,
      payoutId: ulid(),
      diamonds: body.diamonds,
      destination: body.destination ?? '',
      connect,
      adult: isAdult(user.birthdate, now()),
      card: await currentRateCard(c.env),
      // The wallet indexes the payout for the operator through its outbox.
      owner: { userId: user.id, handle: creator.handle },
    });
    return send(r);
  })
  .get('/payout-account', async (c) => {
    const sandbox = isSandbox(c.env);
    const row = sandbox ? null : await payoutAccountOf(c.env, c.get('user').id);
    return c.json({
      account: {
        mode: sandbox ? 'sandbox' : 'stripe',
        state: accountState(row),
        detailsSubmitted: row?.details_submitted === 1,
        chargesEnabled: row?.charges_enabled === 1,
        payoutsEnabled: row?.payouts_enabled === 1,
        autoApprove: money(sandbox ? 0 : autoApproveCents(c.env)),
      },
    });
  })
  .post('/payout-account', valid('json', EmptyRequest), async (c) => {
    const user = c.get('user');
    if (isSandbox(c.env))
      return fail(
        c,
        'conflict',
        'This instance pays creators by hand (sandbox mode): no payout account is needed; request a payout with where to send it.',
      );
    if (!isAdult(user.birthdate, now()))
      return fail(c, 'age_restricted', 'You must be 18 or older to receive payouts.');
    let row = await payoutAccountOf(c.env, user.id);
    try {
      // Stripe answers the same account to the same Idempotency-Key, so a retry never makes a second one.
      if (!row)
        row = await rememberPayoutAccount(
          c.env,
          user.id,
          await createPayoutAccount(c.env, { userId: user.id, email: user.email }),
          now(),
        );
      return c.json({ url: await createAccountLink(c.env, row.account_id) });
    } catch (e) {
      console.error('stripe connect onboarding failed', e);
      return fail(c, 'payment_provider_error', 'Stripe did not answer; try again in a moment.');
    }
  })
  .get('/payouts', async (c) => {
    const payouts: PayoutRecord[] = await getWallet(c.env, c.get('user').id).payouts();
    return c.json({ payouts: payouts.map((p) => payoutView(p)) });
  });
