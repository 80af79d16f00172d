import { createRoute } from '@hono/zod-openapi';
import { monotonicFactory } from 'ulidx';
import {
  BlockedWordsResponse,
  type ConnectAccount,
  diamondsValue,
  EarningsResponse,
  EmptyRequest,
  GoalRequest,
  GoalResponse,
  LiveRequest,
  LiveResponse,
  ModerationRequest,
  ModerationResponse,
  money,
  OverlayTokenResponse,
  PAYOUT_PENDING,
  PayoutAccountLinkResponse,
  PayoutAccountResponse,
  PayoutListResponse,
  type PayoutRecord,
  PayoutRequest,
  PayoutResponse,
  payoutView,
  TestAlertResponse,
} from '@giftstream/shared';
import { isAdult } from '../auth';
import { now } from '../clock';
import type { Env } from '../env';
import { fail, idempotency, send } from '../http';
import { access, IdempotencyHeader, json, replies, routes } from '../openapi';
import { accountState, payoutAccountOf, rememberPayoutAccount } from '../directory/payout-accounts';
import { createAccountLink, createPayoutAccount, isSandbox } from '../payments/stripe';
import { currentRateCard } from '../rates';
import { getLiveRoom, getWallet } from '../stubs';
import { setCreatorLive } from '../directory/creators';

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

const goLive = createRoute({
  method: 'post',
  path: '/live',
  summary: 'Start or end a live session',
  ...access('creator'),
  request: { body: json(LiveRequest) },
  responses: replies(LiveResponse),
});

const setGoal = createRoute({
  method: 'put',
  path: '/goal',
  summary: 'Set the stream goal',
  ...access('creator'),
  request: { body: json(GoalRequest) },
  responses: replies(GoalResponse),
});

const clearGoal = createRoute({
  method: 'delete',
  path: '/goal',
  summary: 'Clear the stream goal',
  ...access('creator'),
  responses: replies(GoalResponse),
});

const overlayToken = createRoute({
  method: 'get',
  path: '/overlay-token',
  summary: 'The overlay token and URL (created on first use)',
  ...access('creator'),
  responses: replies(OverlayTokenResponse),
});

const rotateOverlayToken = createRoute({
  method: 'post',
  path: '/overlay-token',
  summary: 'Rotate the overlay token; old overlays disconnect',
  ...access('creator'),
  responses: replies(OverlayTokenResponse),
});

const testAlert = createRoute({
  method: 'post',
  path: '/test-alert',
  summary: 'A test gift on overlay connections; no money moves',
  ...access('creator'),
  responses: replies(TestAlertResponse),
});

const setModeration = createRoute({
  method: 'put',
  path: '/moderation',
  summary: 'Set the blocked words',
  ...access('creator'),
  request: { body: json(ModerationRequest) },
  responses: replies(BlockedWordsResponse),
});

const moderation = createRoute({
  method: 'get',
  path: '/moderation',
  summary: 'Blocked words and the messages they hid',
  ...access('creator'),
  responses: replies(ModerationResponse),
});

const earnings = createRoute({
  method: 'get',
  path: '/earnings',
  summary: 'Diamonds, value, pending payouts, sessions, top supporters',
  ...access('creator'),
  responses: replies(EarningsResponse),
});

const requestPayout = createRoute({
  method: 'post',
  path: '/payouts',
  summary: 'Request a cash-out',
  ...access('creator'),
  request: { headers: IdempotencyHeader, body: json(PayoutRequest) },
  responses: replies(PayoutResponse, 201),
});

const payoutAccount = createRoute({
  method: 'get',
  path: '/payout-account',
  summary: 'Stripe mode: your payout account, in words-ready states',
  ...access('creator'),
  responses: replies(PayoutAccountResponse),
});

const startPayoutAccount = createRoute({
  method: 'post',
  path: '/payout-account',
  summary: 'Stripe mode: create your Connect account once and get a fresh onboarding link',
  ...access('creator'),
  request: { body: json(EmptyRequest) },
  responses: replies(PayoutAccountLinkResponse),
});

const payoutList = createRoute({
  method: 'get',
  path: '/payouts',
  summary: 'Your payouts',
  ...access('creator'),
  responses: replies(PayoutListResponse),
});

/** The signed-in creator's own room: going live, the goal, the overlay, earnings. */
export const ownCreatorRoutes = routes()
  .openapi(goLive, async (c) => {
    const { live, title } = c.req.valid('json');
    const { handle, user_id } = c.get('creator');
    const state = await getLiveRoom(c.env, handle).setLive(live, title || null);
    await setCreatorLive(c.env, user_id, state.live ? state.sessionId : null);
    return c.json({ live: state });
  })
  .openapi(setGoal, async (c) =>
    c.json({ goal: await getLiveRoom(c.env, c.get('creator').handle).setGoal(c.req.valid('json')) }),
  )
  .openapi(clearGoal, async (c) => c.json({ goal: await getLiveRoom(c.env, c.get('creator').handle).setGoal(null) }))
  .openapi(overlayToken, async (c) => {
    const { handle } = c.get('creator');
    const token = await getLiveRoom(c.env, handle).overlayToken(false);
    return c.json({ token, overlayUrl: overlayUrl(c.env, handle, token) });
  })
  .openapi(rotateOverlayToken, async (c) => {
    const { handle } = c.get('creator');
    const token = await getLiveRoom(c.env, handle).overlayToken(true);
    return c.json({ token, overlayUrl: overlayUrl(c.env, handle, token) });
  })
  .openapi(testAlert, async (c) => {
    await getLiveRoom(c.env, c.get('creator').handle).testAlert(c.get('creator').display_name);
    return c.json({ sent: true });
  })
  .openapi(setModeration, async (c) => {
    const blockedWords = await getLiveRoom(c.env, c.get('creator').handle).setBlockedWords(
      c.req.valid('json').blockedWords,
    );
    return c.json({ blockedWords });
  })
  .openapi(moderation, async (c) => c.json(await getLiveRoom(c.env, c.get('creator').handle).moderation()))
  .openapi(earnings, async (c) => {
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
  .openapi(requestPayout, async (c) => {
    const body = c.req.valid('json');
    const keyed = idempotency(c, body);
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
  .openapi(payoutAccount, async (c) => {
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
  .openapi(startPayoutAccount, async (c) => {
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
  .openapi(payoutList, async (c) => {
    const payouts: PayoutRecord[] = await getWallet(c.env, c.get('user').id).payouts();
    return c.json({ payouts: payouts.map((p) => payoutView(p)) });
  });
