import { createRoute } from '@hono/zod-openapi';
import { monotonicFactory } from 'ulidx';
import {
  coinsPrice,
  EmptyRequest,
  PurchaseRequest,
  PurchaseResponse,
  purchaseView,
  PurchaseViewResponse,
  RefundResponse,
} from '@giftstream/shared';
import { isAdult } from '../auth';
import { now } from '../clock';
import { attachCheckoutSession, indexCheckoutPurchase } from '../directory/purchases';
import { fail, idempotency, send } from '../http';
import { access, IdempotencyHeader, IdParams, json, replies, routes } from '../openapi';
import { createCheckout, isSandbox } from '../payments/stripe';
import { currentRateCard } from '../rates';
import { getWallet } from '../stubs';

const ulid = monotonicFactory();

const buy = createRoute({
  method: 'post',
  path: '/',
  summary: 'Buy coins (sandbox: at once; Stripe: Checkout)',
  ...access('adult'),
  request: { headers: IdempotencyHeader, body: json(PurchaseRequest) },
  responses: replies(PurchaseResponse, 201),
});

const one = createRoute({
  method: 'get',
  path: '/{id}',
  summary: 'One of your purchases',
  ...access('user'),
  request: { params: IdParams },
  responses: replies(PurchaseViewResponse),
});

const refund = createRoute({
  method: 'post',
  path: '/{id}/refund',
  summary: 'Refund unspent coins within 14 days',
  ...access('user'),
  request: { params: IdParams, headers: IdempotencyHeader, body: json(EmptyRequest) },
  responses: replies(RefundResponse),
});

export const purchaseRoutes = routes()
  .openapi(buy, async (c) => {
    const body = c.req.valid('json');
    const keyed = idempotency(c, body);
    const card = await currentRateCard(c.env);
    let coins: number;
    if (body.packId !== undefined) {
      const pack = card.packs.find((p) => p.id === body.packId);
      if (!pack) return fail(c, 'invalid_request', `There is no pack "${body.packId}"; see GET /v1/rates.`, 'packId');
      coins = pack.coins;
    } else {
      coins = body.coins!;
      if (coins < card.custom.min || coins > card.custom.max) {
        return fail(
          c,
          'invalid_request',
          `A custom amount is ${card.custom.min} to ${card.custom.max} coins.`,
          'coins',
        );
      }
    }
    const user = c.get('user');
    const sandbox = isSandbox(c.env);
    const wallet = getWallet(c.env, user.id);
    const price = coinsPrice(card, coins);
    let r = await wallet.buy({
      ...keyed,
      purchaseId: ulid(),
      coins,
      card,
      price,
      adult: isAdult(user.birthdate, now()),
      sandbox,
    });
    const purchase = r.status === 201 ? r.value?.purchase : undefined;
    if (!sandbox && purchase) {
      // The purchase is reserved against the limits; now open (or reopen, on a replay) its Checkout Session.
      if (purchase.status === 'pending' && !purchase.checkoutUrl) {
        await indexCheckoutPurchase(c.env, purchase.id, user.id, now());
        let session: { id: string; url: string };
        try {
          session = await createCheckout(c.env, {
            purchaseId: purchase.id,
            userId: user.id,
            coins,
            price,
            currency: card.currency,
          });
        } catch (e) {
          console.error('stripe checkout failed', e);
          await wallet.abandonCheckout(purchase.id);
          return fail(
            c,
            'payment_provider_error',
            'The payment provider did not answer; nothing was charged. Retry with the same Idempotency-Key.',
          );
        }
        await attachCheckoutSession(c.env, purchase.id, session.id);
        r = await wallet.attachCheckout(keyed.key, purchase.id, session.id, session.url);
      }
    }
    return send(r);
  })
  .openapi(one, async (c) => {
    const p = await getWallet(c.env, c.get('user').id).purchase(c.req.valid('param').id);
    if (!p) return fail(c, 'not_found', 'No such purchase.');
    return c.json({ purchase: purchaseView(p) });
  })
  .openapi(refund, async (c) => {
    const keyed = idempotency(c, {});
    // A Stripe purchase's refund is asked of Stripe by the wallet's outbox until Stripe accepts it; the
    // reply says it is on its way (purchase `refund_pending`) and the refund webhook settles it.
    return send(await getWallet(c.env, c.get('user').id).refund({ ...keyed, purchaseId: c.req.valid('param').id }));
  });
