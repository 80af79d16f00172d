import { WebhookResponse } from '@giftstream/shared';
import { createRoute } from '@hono/zod-openapi';
import type Stripe from 'stripe';
import { now } from '../clock';
import type { Env } from '../env';
import { fail } from '../http';
import { access, replies, routes } from '../openapi';
import { verifyWebhook } from '../payments/stripe';
import { getWallet } from '../stubs';
import { payoutAccountById, updatePayoutAccount } from '../directory/payout-accounts';
import { purchaseByPaymentIntent, recordPayment } from '../directory/purchases';
import { eventSeen, rememberEvent } from '../directory/stripe-events';

interface Owner {
  purchaseId: string;
  userId: string;
}

/** Finds the purchase a payment belongs to: from our metadata, else from the index by payment intent. */
async function ownerOf(
  env: Env,
  metadata: Stripe.Metadata | null | undefined,
  paymentIntent: string | Stripe.PaymentIntent | null,
): Promise<Owner | null> {
  if (metadata?.purchaseId && metadata.userId) return { purchaseId: metadata.purchaseId, userId: metadata.userId };
  const pi = typeof paymentIntent === 'string' ? paymentIntent : paymentIntent?.id;
  if (!pi) return null;
  const row = await purchaseByPaymentIntent(env, pi);
  return row ? { purchaseId: row.id, userId: row.user_id } : null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalString = (v: unknown) => v === undefined || v === null || typeof v === 'string';
const optionalBoolean = (v: unknown) => v === undefined || v === null || typeof v === 'boolean';

/**
 * A signature proves who sent a payload, not that it is an event: check the fields `apply` reads have
 * Stripe's types, so a malformed payload is a 400 and never reaches a wallet (or a 500).
 */
function wellFormed(event: unknown): event is Stripe.Event {
  if (!isObject(event) || typeof event.id !== 'string' || !event.id || typeof event.type !== 'string') return false;
  const data = event.data;
  if (!isObject(data) || !isObject(data.object)) return false;
  const o = data.object;
  if (
    o.metadata !== undefined &&
    o.metadata !== null &&
    (!isObject(o.metadata) ||
      !optionalString(o.metadata.purchaseId) ||
      !optionalString(o.metadata.userId) ||
      !optionalString(o.metadata.refundId) ||
      !optionalString(o.metadata.payoutId))
  )
    return false;
  if (!optionalString(o.status)) return false;
  if (!optionalString(o.payment_intent) && !(isObject(o.payment_intent) && typeof o.payment_intent.id === 'string'))
    return false;
  if (
    event.type === 'charge.refunded' &&
    !(Number.isSafeInteger(o.amount_refunded) && (o.amount_refunded as number) >= 0)
  )
    return false;
  if (
    /^checkout\.session\.(completed|async_payment_succeeded)$/.test(event.type) &&
    (!Number.isSafeInteger(o.amount_total) || typeof o.currency !== 'string')
  )
    return false;
  // Connect: events about a connected account name it in `event.account`.
  if (!optionalString(event.account)) return false;
  if (
    event.type === 'account.updated' &&
    (typeof o.id !== 'string' ||
      !optionalBoolean(o.details_submitted) ||
      !optionalBoolean(o.charges_enabled) ||
      !optionalBoolean(o.payouts_enabled))
  )
    return false;
  if (
    event.type === 'transfer.reversed' &&
    (typeof o.id !== 'string' || !Number.isSafeInteger(o.amount) || !Number.isSafeInteger(o.amount_reversed))
  )
    return false;
  if (event.type === 'payout.failed' && (typeof event.account !== 'string' || !Number.isSafeInteger(o.amount)))
    return false;
  return true;
}

/**
 * A refund or dispute of a purchase: the purchase is completed first (the money was evidently paid), then
 * `then` records what happened to it.
 */
async function afterPayment(
  env: Env,
  charge: { metadata: Stripe.Metadata | null; payment_intent: string | Stripe.PaymentIntent | null },
  then: (wallet: ReturnType<typeof getWallet>, purchaseId: string) => Promise<unknown>,
): Promise<'applied' | 'unknown_purchase'> {
  const owner = await ownerOf(env, charge.metadata, charge.payment_intent);
  if (!owner) return 'unknown_purchase';
  const wallet = getWallet(env, owner.userId);
  await wallet.completePurchase(
    owner.purchaseId,
    typeof charge.payment_intent === 'string' ? charge.payment_intent : null,
  );
  return (await then(wallet, owner.purchaseId)) === 'not_found' ? 'unknown_purchase' : 'applied';
}

/**
 * Applies one verified event. Every wallet operation is idempotent by the purchase's state, so
 * duplicates and reorderings converge: a refund or dispute seen before its completion completes the
 * purchase first (the money was evidently paid), and the completion that arrives later changes nothing.
 */
async function apply(env: Env, event: Stripe.Event): Promise<'applied' | 'ignored' | 'unknown_purchase'> {
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const s = event.data.object;
      if (s.payment_status !== 'paid') return 'ignored';
      const owner = await ownerOf(env, s.metadata, null);
      if (!owner) return 'unknown_purchase';
      const pi = typeof s.payment_intent === 'string' ? s.payment_intent : (s.payment_intent?.id ?? null);
      await recordPayment(env, owner.purchaseId, pi, s.id);
      // The wallet credits only what was paid for: another amount or currency flags the purchase instead.
      const r = await getWallet(env, owner.userId).completePurchase(owner.purchaseId, pi, {
        amount: s.amount_total!,
        currency: s.currency!,
        userId: owner.userId,
      });
      return r === 'not_found' ? 'unknown_purchase' : 'applied';
    }
    case 'checkout.session.expired': {
      const s = event.data.object;
      const owner = await ownerOf(env, s.metadata, null);
      if (!owner) return 'ignored';
      await getWallet(env, owner.userId).expirePurchase(owner.purchaseId);
      return 'applied';
    }
    case 'charge.refunded': {
      const charge = event.data.object;
      return afterPayment(env, charge, (wallet, id) => wallet.providerRefunded(id, charge.amount_refunded));
    }
    case 'charge.dispute.created':
      return afterPayment(env, event.data.object, (wallet, id) => wallet.disputed(id));
    case 'refund.failed':
    case 'refund.updated':
    case 'charge.refund.updated': {
      // Our refunds carry the purchase and refund ids; a refund that failed gives the viewer the coins back.
      const refund = event.data.object as Stripe.Refund;
      const { purchaseId, refundId } = refund.metadata ?? {};
      if (refund.status !== 'failed' || !purchaseId || !refundId) return 'ignored';
      const owner = await ownerOf(env, null, refund.payment_intent);
      if (!owner) return 'unknown_purchase';
      const r = await getWallet(env, owner.userId).refundRefused(purchaseId, refundId);
      return r === 'not_found' ? 'unknown_purchase' : 'applied';
    }
    default:
      return applyPayoutEvent(env, event);
  }
}

/** Events about creators' payouts: their Connect accounts, transfers and bank payouts. */
async function applyPayoutEvent(env: Env, event: Stripe.Event): Promise<'applied' | 'ignored'> {
  switch (event.type) {
    case 'account.updated': {
      const account = event.data.object;
      const known = await updatePayoutAccount(
        env,
        event.account ?? account.id,
        {
          detailsSubmitted: account.details_submitted === true,
          chargesEnabled: account.charges_enabled === true,
          payoutsEnabled: account.payouts_enabled === true,
        },
        now(),
      );
      // Accounts made elsewhere on the same Stripe platform are none of ours.
      return known ? 'applied' : 'ignored';
    }
    case 'transfer.reversed': {
      // Our transfers carry the payout and its creator; a reversal returns the diamonds.
      const transfer = event.data.object;
      const { payoutId, userId } = transfer.metadata ?? {};
      if (!payoutId || !userId) return 'ignored';
      // Only a full reversal takes the whole payout back; a partial one (made by hand in Stripe's dashboard) is the operator's to settle.
      if (transfer.amount_reversed < transfer.amount) return 'ignored';
      const r = await getWallet(env, userId).payoutReturned(payoutId, 'transfer_reversed');
      return r === 'failed' ? 'applied' : 'ignored';
    }
    case 'payout.failed': {
      // The connected account's bank payout failed: the money is back in its Stripe balance. The payout of
      // ours that it paid is the newest paid one of that amount to that account.
      const row = await payoutAccountById(env, event.account!);
      if (!row) return 'ignored';
      const wallet = getWallet(env, row.user_id);
      const payoutId = await wallet.paidPayoutTo(row.account_id, event.data.object.amount);
      if (!payoutId) return 'ignored';
      await wallet.payoutReturned(payoutId, 'payout_failed');
      return 'applied';
    }
    default:
      return 'ignored';
  }
}

const stripeEvent = createRoute({
  method: 'post',
  path: '/stripe',
  summary: 'Stripe events (signature verified)',
  ...access('stripe'),
  // Read raw: the signature covers the exact bytes. Described, not validated (a plain JSON Schema, not zod).
  request: { body: { required: true, content: { 'application/json': { schema: { type: 'object' } } } } },
  responses: replies(WebhookResponse),
});

export const webhookRoutes = routes().openapi(stripeEvent, async (c) => {
  if (!c.env.STRIPE_WEBHOOK_SECRET) return fail(c, 'not_found', 'Stripe webhooks are not configured on this instance.');
  const signature = c.req.header('stripe-signature');
  if (!signature) return fail(c, 'invalid_request', 'Missing Stripe-Signature header.', 'Stripe-Signature');
  const raw = await c.req.text();
  let event: Stripe.Event;
  try {
    event = await verifyWebhook(c.env, raw, signature);
  } catch {
    return fail(
      c,
      'invalid_request',
      'The webhook signature does not verify (wrong secret, altered body or stale timestamp).',
      'Stripe-Signature',
    );
  }
  if (!wellFormed(event)) return fail(c, 'invalid_request', 'The payload is not a well-formed Stripe event.');
  if (await eventSeen(c.env, event.id)) return c.json({ received: true, duplicate: true });
  const outcome = await apply(c.env, event);
  // Stripe retries anything but a 2xx: an event about a purchase we cannot place yet is worth retrying.
  if (outcome === 'unknown_purchase')
    return fail(c, 'conflict', 'This event names a purchase this instance does not know (yet).');
  await rememberEvent(c.env, event.id, event.type, now());
  return c.json({ received: true, outcome });
});
