import Stripe from 'stripe';
import { now } from '../clock';
import type { Env } from '../env';

/** Stripe only when a secret key is configured; without one the instance runs in sandbox mode. */
export function isSandbox(env: Env): boolean {
  return !env.STRIPE_SECRET_KEY;
}

/** `retries`: the SDK's own; a call from a wallet's outbox takes none, since the outbox retries it with backoff. */
export function stripeClient(env: Env, retries = 2): Stripe {
  return new Stripe(env.STRIPE_SECRET_KEY ?? 'sk_unconfigured', {
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries: retries,
  });
}

const cryptoProvider = Stripe.createSubtleCryptoProvider();
/** Stripe's default: a signature older than five minutes is refused. */
export const WEBHOOK_TOLERANCE_S = 300;

/**
 * Stripe signs events about connected accounts (Connect webhooks) from an endpoint of their own, with its
 * own secret; both endpoints may point at the same URL, so an event is accepted under either secret.
 */
export async function verifyWebhook(env: Env, rawBody: string, signature: string): Promise<Stripe.Event> {
  const verify = (secret: string) =>
    stripeClient(env).webhooks.constructEventAsync(
      rawBody,
      signature,
      secret,
      WEBHOOK_TOLERANCE_S,
      cryptoProvider,
      now(),
    );
  try {
    return await verify(env.STRIPE_WEBHOOK_SECRET!);
  } catch (e) {
    if (!env.STRIPE_CONNECT_WEBHOOK_SECRET) throw e;
    return verify(env.STRIPE_CONNECT_WEBHOOK_SECRET);
  }
}

export async function createCheckout(
  env: Env,
  p: { purchaseId: string; userId: string; coins: number; price: number; currency: string },
): Promise<{ id: string; url: string }> {
  const metadata = { purchaseId: p.purchaseId, userId: p.userId };
  const session = await stripeClient(env).checkout.sessions.create(
    {
      mode: 'payment',
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: p.currency.toLowerCase(),
            unit_amount: p.price,
            product_data: { name: `${p.coins.toLocaleString('en-US')} Giftstream coins` },
          },
        },
      ],
      client_reference_id: p.userId,
      metadata,
      payment_intent_data: { metadata },
      success_url: `${env.PUBLIC_URL}/v1/checkout/done?purchase=${p.purchaseId}&status=success`,
      cancel_url: `${env.PUBLIC_URL}/v1/checkout/done?purchase=${p.purchaseId}&status=cancelled`,
    },
    { idempotencyKey: `checkout-${p.purchaseId}` },
  );
  return { id: session.id, url: session.url! };
}

export async function refundPayment(
  env: Env,
  r: { paymentIntent: string; amount: number; refundId: string; purchaseId: string },
): Promise<void> {
  await stripeClient(env, 0).refunds.create(
    { payment_intent: r.paymentIntent, amount: r.amount, metadata: { purchaseId: r.purchaseId, refundId: r.refundId } },
    { idempotencyKey: `refund-${r.refundId}` },
  );
}

/** A Stripe Connect Express account for a creator; one per creator, however often this is asked. */
export async function createPayoutAccount(env: Env, a: { userId: string; email: string }): Promise<string> {
  const account = await stripeClient(env).accounts.create(
    {
      type: 'express',
      email: a.email,
      capabilities: { transfers: { requested: true } },
      metadata: { userId: a.userId },
    },
    { idempotencyKey: `account-${a.userId}` },
  );
  return account.id;
}

/** A fresh onboarding link (they expire within minutes, so one is made per click). */
export async function createAccountLink(env: Env, accountId: string): Promise<string> {
  const link = await stripeClient(env).accountLinks.create({
    account: accountId,
    type: 'account_onboarding',
    refresh_url: `${env.PUBLIC_URL}/v1/payout-account/done?status=expired`,
    return_url: `${env.PUBLIC_URL}/v1/payout-account/done?status=returned`,
  });
  return link.url;
}

/** Pays an approved payout to the creator's connected account; keyed by the payout id, so it happens once. */
export async function transferPayout(
  env: Env,
  t: { payoutId: string; userId: string; destination: string; amount: number; currency: string },
): Promise<string> {
  const transfer = await stripeClient(env, 0).transfers.create(
    {
      amount: t.amount,
      currency: t.currency.toLowerCase(),
      destination: t.destination,
      metadata: { payoutId: t.payoutId, userId: t.userId },
    },
    { idempotencyKey: `transfer-${t.payoutId}` },
  );
  return transfer.id;
}

/** Takes a payout's money back from the connected account after its bank payout failed. */
export async function reverseTransfer(env: Env, r: { payoutId: string; transferId: string }): Promise<void> {
  await stripeClient(env, 0).transfers.createReversal(
    r.transferId,
    { metadata: { payoutId: r.payoutId } },
    { idempotencyKey: `reversal-${r.payoutId}` },
  );
}

/**
 * Whether Stripe said no to a request for good (the charge was already refunded, is disputed, does not
 * exist): it will say the same to a retry. Outages, rate limits, a bad API key and an Idempotency-Key
 * still in use are worth retrying: the operator can fix a key, and Stripe comes back.
 */
export function refusedForGood(e: unknown): boolean {
  if (!(e instanceof Stripe.errors.StripeError)) return false;
  const status = e.statusCode ?? 0;
  return status === 400 || status === 402 || status === 404;
}
