import { createRoute } from '@hono/zod-openapi';
import {
  AdminAuditQuery,
  AdminChannelsQuery,
  AdminChannelsResponse,
  AdminPayoutDecision,
  AdminPayoutsQuery,
  AdminPayoutsResponse,
  AdminVerifyRequest,
  AdminVerifyResponse,
  AuditResponse,
  type Balances,
  FlaggedPurchasesResponse,
  maskDestination,
  parseChannelUrl,
  PayoutResponse,
  RateCardRequest,
  RateCardResponse,
  reconcile,
  scheduleRateCard,
  sumByUnit,
} from '@giftstream/shared';
import { now, pause } from '../clock';
import { fail, idempotency, send } from '../http';
import { access, IdempotencyHeader, IdParams, json, replies, routes } from '../openapi';
import { forgetRateCards, rateCards } from '../rates';
import { deletedAmong } from '../directory/accounts';
import { listClaims, verifyClaim } from '../directory/claims';
import { handleExists } from '../directory/creators';
import { bindOperatorKey } from '../directory/operator-keys';
import { listPayouts, payoutOwner, payoutsOf } from '../directory/payouts';
import { flaggedOf, flaggedPurchases } from '../directory/purchases';
import { publishRateCard } from '../directory/rate-cards';
import { listedWalletsAfter } from '../directory/users';
import { getWallet } from '../stubs';
import type { Env } from '../env';

const AUDIT_PAGE = 100;
/**
 * Wallets one audit page asks at a time, with a timer between groups. Under `wrangler dev` every object shares the
 * worker's one thread: a page that woke 80 idle wallets at once held every other request, gifts too, for the whole
 * 160 ms it took, and so did groups of four asked back to back; only the timer between groups lets the runtime take
 * in what arrived meanwhile (then `/v1/health` waited 28 ms at most, the page took 177 ms). On Cloudflare each
 * wallet is its own object and the page only takes a little longer.
 */
const AUDIT_AT_ONCE = 4;

async function auditWallets(env: Env, ids: readonly string[]) {
  const audits = [];
  for (let i = 0; i < ids.length; i += AUDIT_AT_ONCE) {
    const group = ids.slice(i, i + AUDIT_AT_ONCE);
    audits.push(...(await Promise.all(group.map(async (id) => ({ id, ...(await getWallet(env, id).audit()) })))));
    await pause(0);
  }
  return audits;
}

const payouts = createRoute({
  method: 'get',
  path: '/payouts',
  summary: 'Payouts, by status',
  ...access('admin'),
  request: { query: AdminPayoutsQuery },
  responses: replies(AdminPayoutsResponse),
});

const decidePayout = createRoute({
  method: 'post',
  path: '/payouts/{id}',
  summary: 'Decide a payout: sandbox paid or rejected; Stripe Connect approved (transferred) or rejected',
  ...access('admin'),
  request: { params: IdParams, headers: IdempotencyHeader, body: json(AdminPayoutDecision) },
  responses: replies(PayoutResponse),
});

const flagged = createRoute({
  method: 'get',
  path: '/purchases/flagged',
  summary: 'Payments whose amount or currency did not match their purchase (nothing credited)',
  ...access('admin'),
  responses: replies(FlaggedPurchasesResponse),
});

const channels = createRoute({
  method: 'get',
  path: '/channels',
  summary: 'Channel claims',
  ...access('admin'),
  request: { query: AdminChannelsQuery },
  responses: replies(AdminChannelsResponse),
});

const verifyChannel = createRoute({
  method: 'post',
  path: '/channels/verify',
  summary: 'Verify a claim; other claims on the channel are removed',
  ...access('admin'),
  request: { body: json(AdminVerifyRequest) },
  responses: replies(AdminVerifyResponse),
});

const nextRates = createRoute({
  method: 'put',
  path: '/rates/next',
  summary: 'Schedule the next rate-card version',
  ...access('admin'),
  request: { body: json(RateCardRequest) },
  responses: replies(RateCardResponse),
});

const audit = createRoute({
  method: 'get',
  path: '/audit',
  summary: 'Ledger totals per unit and invariant violations',
  ...access('admin'),
  request: { query: AdminAuditQuery },
  responses: replies(AuditResponse),
});

export const adminRoutes = routes()
  .openapi(payouts, async (c) => {
    const results = await listPayouts(c.env, c.req.valid('query').status);
    return c.json({
      payouts: results.map((p) => ({
        id: p.id,
        handle: p.handle,
        diamonds: p.diamonds,
        amount: { amount: p.amount, currency: 'USD' },
        destination: p.destination,
        destinationMasked: maskDestination(p.destination),
        status: p.status,
        // How it is paid: the operator marks a manual payout paid; a Stripe Connect payout is approved and Stripe pays it.
        via: p.via === 'stripe_connect' ? 'stripe_connect' : 'manual',
        transferId: p.transfer_id,
        createdAt: p.created_at,
        decidedAt: p.decided_at,
      })),
    });
  })
  .openapi(decidePayout, async (c) => {
    const body = c.req.valid('json');
    const keyed = idempotency(c, body);
    const payoutId = c.req.valid('param').id;
    const owner = await payoutOwner(c.env, payoutId);
    if (!owner) return fail(c, 'not_found', 'No such payout.');
    // The first use of a key binds it to this request (method, path, body) for every wallet.
    if (!(await bindOperatorKey(c.env, keyed.key, keyed.fingerprint, now())))
      return fail(c, 'idempotency_mismatch', 'This Idempotency-Key was used with a different request.');
    // The operator's keys live in the creator's wallet beside the payout, under their own scope.
    // The wallet updates the operator's index through its outbox.
    const r = await getWallet(c.env, owner.userId).decidePayout({
      key: `operator:${keyed.key}`,
      fingerprint: keyed.fingerprint,
      payoutId,
      status: body.status,
      reference: body.reference ?? null,
      owner,
    });
    return send(r);
  })
  .openapi(flagged, async (c) => {
    const rows = await flaggedPurchases(c.env);
    return c.json({
      purchases: rows.map((p) => ({
        id: p.id,
        userId: p.user_id,
        status: p.status,
        reason: p.flagged_reason,
        paymentRef: p.payment_intent,
        createdAt: p.created_at,
      })),
    });
  })
  .openapi(channels, async (c) => {
    const { verified } = c.req.valid('query');
    return c.json({ channels: await listClaims(c.env, verified === undefined ? undefined : verified === 'true') });
  })
  .openapi(verifyChannel, async (c) => {
    const body = c.req.valid('json');
    const ch = parseChannelUrl(body.url)!;
    if (!(await handleExists(c.env, body.handle))) return fail(c, 'not_found', 'No such creator.', 'handle');
    // Verifying one claim removes every other claim on the same channel.
    await verifyClaim(c.env, ch, body.handle);
    return c.json({ channel: { url: ch.url, site: ch.site, handle: body.handle, verified: true } });
  })
  .openapi(nextRates, async (c) => {
    const cards = await rateCards(c.env);
    const check = scheduleRateCard(cards, c.req.valid('json'), now());
    if (!check.ok) {
      return check.reason === 'not_in_future'
        ? fail(
            c,
            'invalid_request',
            'effectiveAt must be in the future: a rate card never applies retroactively.',
            'effectiveAt',
          )
        : fail(c, 'invalid_request', 'payoutStep diamonds must be worth a whole number of minor units.', 'payoutStep');
    }
    await publishRateCard(c.env, check.card, now());
    forgetRateCards();
    return c.json({ card: check.card });
  })
  .openapi(audit, async (c) => {
    const { cursor } = c.req.valid('query');
    const results = await listedWalletsAfter(c.env, cursor ?? '', AUDIT_PAGE + 1);
    const ids = results.slice(0, AUDIT_PAGE);
    const audits = await auditWallets(c.env, ids);
    // Read the directory after the wallets: each audit first applies what its outbox has due.
    const [indexed, deleted, listed] = await Promise.all([
      payoutsOf(c.env, ids),
      deletedAmong(c.env, ids),
      flaggedOf(c.env, ids),
    ]);
    const totals: Balances = {};
    const violations: string[] = [];
    const pendingRefunds: { userId: string; purchaseId: string; coins: number; asked: boolean }[] = [];
    let pendingEffects = 0;
    for (const a of audits) {
      for (const [account, value] of Object.entries(a.balances))
        totals[account as keyof Balances] = (totals[account as keyof Balances] ?? 0) + (value ?? 0);
      const directory = {
        deleted: deleted.has(a.id),
        payouts: indexed.filter((p) => p.user_id === a.id),
        flagged: listed.filter((p) => p.user_id === a.id).map((p) => p.id),
      };
      violations.push(...[...a.violations, ...reconcile(a, directory)].map((v) => `wallet ${a.id}: ${v}`));
      pendingRefunds.push(
        ...a.pendingRefunds.map(({ purchaseId, coins, asked }) => ({ userId: a.id, purchaseId, coins, asked })),
      );
      pendingEffects += a.pendingEffects.length;
    }
    const sums = sumByUnit(totals);
    for (const [unit, sum] of Object.entries(sums))
      if (sum !== 0) violations.push(`${unit} accounts sum to ${sum} on this page`);
    const more = results.length > AUDIT_PAGE;
    return c.json({
      ok: violations.length === 0,
      totals,
      sums,
      violations,
      wallets: ids.length,
      pendingEffects,
      pendingRefunds,
      ...(more ? { next: ids[ids.length - 1] } : {}),
    });
  });
