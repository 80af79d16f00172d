import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { advanceClock, now } from '../src/clock';
import {
  api,
  expectCleanAudit,
  giftToSpendingRoom,
  refundPurchase,
  signup,
  spendCoins,
  STRIPE_ENV,
  type TestUser,
  uniqueKey,
  wallet,
} from './helpers';
import {
  chargeDispute,
  expiredSession,
  makeEvent,
  paidSession,
  refundedCharge,
  sign,
  type StripeSide,
  stripeCall,
  useFakeStripe,
} from './stripe-fake';

/**
 * POST /v1/webhooks/stripe. Pending purchases are made the real way: the app runs with a Stripe secret
 * key and a fake api.stripe.com behind globalThis.fetch (the tests share the worker's isolate); events
 * are signed with Stripe's own SDK and the test secret, and delivered to the worker like Stripe does.
 */

const fakeStripe = useFakeStripe();

interface Pending {
  id: string;
  coins: number;
  price: { amount: number };
  userId: string;
  sessionId: string;
  paymentIntent: string;
}

/** A Stripe-mode purchase waiting for its webhook. */
async function pending(user: TestUser, body: unknown = { packId: 'pack_1000' }): Promise<Pending> {
  const r = await stripeCall('/v1/purchases', { body, token: user.token, key: uniqueKey('buy') });
  expect(r.status, r.text).toBe(201);
  const p = r.json.purchase;
  expect(p).toMatchObject({ status: 'pending', sandbox: false });
  return {
    id: p.id,
    coins: p.coins,
    price: p.price,
    userId: user.id,
    sessionId: p.checkoutUrl.split('/').pop(),
    paymentIntent: `pi_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`,
  };
}

function post(payload: string, signature: string | null) {
  return api('/v1/webhooks/stripe', {
    raw: payload,
    headers: signature === null ? {} : { 'stripe-signature': signature },
  });
}

async function deliver(event: { id: string }) {
  const payload = JSON.stringify(event);
  return post(payload, await sign(payload));
}

function completed(p: Pending, extra: Record<string, unknown> = {}) {
  return { ...paidSession(p, p.userId, p.sessionId, p.paymentIntent), ...extra };
}

/** What Stripe's objects say of `p`; `metadata: false` leaves our metadata off, so the worker must find the purchase by payment intent. */
function side(p: Pending, { metadata = true } = {}): StripeSide {
  return {
    sessionId: p.sessionId,
    paymentIntent: p.paymentIntent,
    amount: p.price.amount,
    metadata: metadata ? { purchaseId: p.id, userId: p.userId } : {},
  };
}

async function complete(p: Pending) {
  const r = await deliver(makeEvent('checkout.session.completed', completed(p)));
  expect(r.status, r.text).toBe(200);
}

// ---- reading state ----

async function purchase(user: TestUser, id: string) {
  const r = await api(`/v1/purchases/${id}`, { token: user.token });
  expect(r.status).toBe(200);
  return r.json.purchase;
}

async function storedEvent(id: string) {
  return env.DB.prepare('SELECT id, type FROM stripe_events WHERE id = ?')
    .bind(id)
    .first<{ id: string; type: string }>();
}

async function historyFor(user: TestUser, purchaseId: string) {
  const r = await api('/v1/wallet/history?limit=100', { token: user.token });
  expect(r.status).toBe(200);
  return (r.json.entries as { kind: string; coins: number; ref: string }[]).filter((e) => e.ref === purchaseId);
}

// ---- the tests ----

describe('signature verification', () => {
  it('refuses a tampered body, a wrong secret, a stale timestamp and a missing or malformed header with 400, writing nothing', async () => {
    const u = await signup();
    const p = await pending(u);
    const event = makeEvent('checkout.session.completed', completed(p));
    const payload = JSON.stringify(event);
    const t = Math.floor(now() / 1000);

    const tampered = JSON.stringify(
      makeEvent('checkout.session.completed', completed(p, { amount_total: 1 }), event.id),
    );
    const attempts: [string, string, string | null][] = [
      ['tampered body', tampered, await sign(payload)],
      ['one byte added', `${payload} `, await sign(payload)],
      ['wrong secret', payload, await sign(payload, { secret: 'whsec_not_the_secret' })],
      ['stale timestamp (301 s)', payload, await sign(payload, { timestamp: t - 301 })],
      ['stale timestamp (1 day)', payload, await sign(payload, { timestamp: t - 86_400 })],
      ['missing header', payload, null],
      ['empty header', payload, ''],
      ['malformed header', payload, 'not a signature'],
      ['unknown scheme', payload, (await sign(payload)).replace('v1=', 'v0=')],
      ['signature of another timestamp', payload, (await sign(payload)).replace(/^t=\d+/, `t=${t - 1}`)],
    ];
    for (const [what, body, header] of attempts) {
      const r = await post(body, header);
      expect(r.status, what).toBe(400);
      expect(r.headers.get('content-type'), what).toMatch(/application\/json/);
      expect(r.json.error.code, what).toBe('invalid_request');
      expect(await storedEvent(event.id), what).toBeNull();
      expect((await wallet(u)).coins, what).toBe(0);
      expect((await purchase(u, p.id)).status, what).toBe('pending');
    }
    const { results } = await env.DB.prepare('SELECT id FROM stripe_events').all();
    expect(results.map((r) => r.id)).not.toContain(event.id);

    // The genuine delivery of the same event still applies.
    const ok = await post(payload, await sign(payload));
    expect(ok.status).toBe(200);
    expect(ok.json.received).toBe(true);
    expect(await storedEvent(event.id)).toEqual({ id: event.id, type: 'checkout.session.completed' });
    expect((await wallet(u)).coins).toBe(1000);
    await expectCleanAudit();
  });

  it('accepts a signature within the 300 s tolerance', async () => {
    const event = makeEvent('customer.created', { id: 'cus_test_1', object: 'customer' });
    const payload = JSON.stringify(event);
    const r = await post(payload, await sign(payload, { timestamp: Math.floor(now() / 1000) - 290 }));
    expect(r.status).toBe(200);
    expect(await storedEvent(event.id)).toEqual({ id: event.id, type: 'customer.created' });
  });
});

describe('checkout.session.completed', () => {
  it('credits the coins exactly once when the same event is delivered 5 times in a row', async () => {
    const u = await signup();
    const p = await pending(u);
    const event = makeEvent('checkout.session.completed', completed(p));
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await deliver(event));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(replies[0]!.json).toMatchObject({ received: true, outcome: 'applied' });
    for (const r of replies.slice(1)) expect(r.json).toMatchObject({ received: true, duplicate: true });
    const w = await wallet(u);
    expect(w).toMatchObject({ coins: 1000, debt: 0, purchased: { day: 1000 } });
    expect(await purchase(u, p.id)).toMatchObject({ status: 'completed', paymentRef: p.paymentIntent });
    expect((await historyFor(u, p.id)).filter((e) => e.kind === 'purchase')).toHaveLength(1);
    const { results } = await env.DB.prepare('SELECT id FROM stripe_events WHERE id = ?').bind(event.id).all();
    expect(results).toHaveLength(1);
    await expectCleanAudit();
  });

  it('credits the coins exactly once when the same event is delivered 5 times concurrently', async () => {
    const u = await signup();
    const p = await pending(u);
    const event = makeEvent('checkout.session.completed', completed(p));
    const replies = await Promise.all(Array.from({ length: 5 }, () => deliver(event)));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await wallet(u)).coins).toBe(1000);
    expect((await historyFor(u, p.id)).filter((e) => e.kind === 'purchase')).toHaveLength(1);
    expect(await storedEvent(event.id)).not.toBeNull();
    await expectCleanAudit();
  });

  it('credits once for different event ids naming the same session, in a row or concurrently', async () => {
    const u = await signup();
    const p = await pending(u, { packId: 'pack_500' });
    const a = await deliver(makeEvent('checkout.session.completed', completed(p)));
    const b = await deliver(makeEvent('checkout.session.completed', completed(p)));
    const c = await deliver(makeEvent('checkout.session.async_payment_succeeded', completed(p)));
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    expect((await wallet(u)).coins).toBe(500);

    const q = await pending(u, { packId: 'pack_2500' });
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => deliver(makeEvent('checkout.session.completed', completed(q)))),
    );
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const w = await wallet(u);
    expect(w.coins).toBe(3000);
    expect((await historyFor(u, q.id)).filter((e) => e.kind === 'purchase')).toHaveLength(1);
    await expectCleanAudit();
  });

  it('credits nothing while the payment is unpaid, and credits when the async payment succeeds', async () => {
    const u = await signup();
    const p = await pending(u);
    const unpaid = await deliver(makeEvent('checkout.session.completed', completed(p, { payment_status: 'unpaid' })));
    expect(unpaid.status).toBe(200);
    expect((await wallet(u)).coins).toBe(0);
    expect((await purchase(u, p.id)).status).toBe('pending');
    const paid = await deliver(makeEvent('checkout.session.async_payment_succeeded', completed(p)));
    expect(paid.status).toBe(200);
    expect((await wallet(u)).coins).toBe(1000);
    await expectCleanAudit();
  });

  it('does not acknowledge an event about a purchase it does not know, so Stripe retries it', async () => {
    const u = await signup();
    const ghost: Pending = {
      id: '01JZZZZZZZZZZZZZZZZZZZZZZZ',
      coins: 1000,
      price: { amount: 1000 },
      userId: u.id,
      sessionId: 'cs_test_ghost',
      paymentIntent: 'pi_ghost',
    };
    const event = makeEvent('checkout.session.completed', completed(ghost));
    const r = await deliver(event);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(await storedEvent(event.id)).toBeNull();
    expect((await wallet(u)).coins).toBe(0);
    await expectCleanAudit();
  });
});

describe('checkout.session.expired', () => {
  it('marks a pending purchase expired, releases its reservation, and a later completed event still credits', async () => {
    const u = await signup();
    const p = await pending(u);
    expect((await wallet(u)).purchased.day).toBe(1000);
    const r = await deliver(makeEvent('checkout.session.expired', expiredSession(side(p))));
    expect(r.status).toBe(200);
    expect(await purchase(u, p.id)).toMatchObject({ status: 'expired', completedAt: null });
    expect(await wallet(u)).toMatchObject({ coins: 0, purchased: { day: 0 } });
    const refund = await refundPurchase(u, p.id, STRIPE_ENV);
    expect(refund.status).toBe(409);

    // The payment went through after all (a late completion): it credits.
    await complete(p);
    expect(await purchase(u, p.id)).toMatchObject({ status: 'completed', paymentRef: p.paymentIntent });
    expect((await wallet(u)).coins).toBe(1000);
    // An expiry that arrives after the completion changes nothing.
    expect((await deliver(makeEvent('checkout.session.expired', expiredSession(side(p))))).status).toBe(200);
    expect((await purchase(u, p.id)).status).toBe('completed');
    expect((await wallet(u)).coins).toBe(1000);
    await expectCleanAudit();
  });
});

describe('charge.refunded', () => {
  it('recognises a refund the user made through POST /v1/purchases/:id/refund and moves nothing again', async () => {
    const u = await signup();
    const p = await pending(u);
    await complete(p);
    await spendCoins(u, 300);
    const r = await refundPurchase(u, p.id, STRIPE_ENV);
    expect(r.status, r.text).toBe(200);
    expect(r.json.refund).toMatchObject({ coins: 700, amount: { amount: 700 } });
    expect(fakeStripe.current.refunds).toHaveLength(1);
    expect(fakeStripe.current.refunds[0]!.get('payment_intent')).toBe(p.paymentIntent);
    expect(fakeStripe.current.refunds[0]!.get('amount')).toBe('700');
    expect((await wallet(u)).coins).toBe(0);

    // Stripe's refund webhook, found by our metadata and (another delivery) by the payment intent alone.
    expect((await deliver(makeEvent('charge.refunded', refundedCharge(side(p), 700)))).status).toBe(200);
    expect(
      (await deliver(makeEvent('charge.refunded', refundedCharge(side(p, { metadata: false }), 700)))).status,
    ).toBe(200);
    expect(await wallet(u)).toMatchObject({ coins: 0, debt: 0 });
    expect(await purchase(u, p.id)).toMatchObject({
      status: 'partially_refunded',
      refundedCoins: 700,
      clawedBackCoins: 0,
    });
    expect((await historyFor(u, p.id)).filter((e) => e.kind === 'clawback')).toEqual([]);

    // A full self-refund, then its webhook.
    const q = await pending(u, { packId: 'pack_500' });
    await complete(q);
    expect((await wallet(u)).coins).toBe(500);
    expect(
      (await stripeCall(`/v1/purchases/${q.id}/refund`, { method: 'POST', token: u.token, key: uniqueKey('refund') }))
        .status,
    ).toBe(200);
    expect((await deliver(makeEvent('charge.refunded', refundedCharge(side(q), 500)))).status).toBe(200);
    expect(await wallet(u)).toMatchObject({ coins: 0, debt: 0 });
    expect(await purchase(u, q.id)).toMatchObject({ status: 'refunded', refundedCoins: 500, clawedBackCoins: 0 });
    await expectCleanAudit();
  });

  it('claws back the coins of a refund made at the provider, not through us', async () => {
    const u = await signup();
    const p = await pending(u);
    await complete(p);
    expect((await wallet(u)).coins).toBe(1000);
    const r = await deliver(makeEvent('charge.refunded', refundedCharge(side(p, { metadata: false }), 1000)));
    expect(r.status).toBe(200);
    expect(await wallet(u)).toMatchObject({ coins: 0, debt: 0 });
    expect(await purchase(u, p.id)).toMatchObject({ status: 'refunded', clawedBackCoins: 1000, refundedCoins: 0 });
    expect((await historyFor(u, p.id)).filter((e) => e.kind === 'clawback').map((e) => e.coins)).toEqual([-1000]);
    expect(fakeStripe.current.refunds).toHaveLength(0);
    const refund = await refundPurchase(u, p.id, STRIPE_ENV);
    expect(refund.status).toBe(409);

    // Partial refunds at the provider: amount_refunded is cumulative, and a late stale event changes nothing.
    const q = await pending(u, { packId: 'pack_500' });
    await complete(q);
    expect((await deliver(makeEvent('charge.refunded', refundedCharge(side(q), 200)))).status).toBe(200);
    expect((await wallet(u)).coins).toBe(300);
    expect(await purchase(u, q.id)).toMatchObject({ status: 'partially_refunded', clawedBackCoins: 200 });
    expect((await deliver(makeEvent('charge.refunded', refundedCharge(side(q), 500)))).status).toBe(200);
    expect((await wallet(u)).coins).toBe(0);
    expect((await deliver(makeEvent('charge.refunded', refundedCharge(side(q), 200)))).status).toBe(200);
    expect(await wallet(u)).toMatchObject({ coins: 0, debt: 0 });
    expect(await purchase(u, q.id)).toMatchObject({ status: 'refunded', clawedBackCoins: 500 });
    await expectCleanAudit();
  });

  // Debt comes only from a chargeback clawback: a refund at the provider takes back what the balance holds
  // and writes off the coins already spent.
  it('a refund at the provider for coins already spent takes back only what the balance holds (debt comes only from chargebacks)', async () => {
    const u = await signup();
    const p = await pending(u);
    await complete(p);
    await spendCoins(u, 600);
    expect((await deliver(makeEvent('charge.refunded', refundedCharge(side(p), 1000)))).status).toBe(200);
    const w = await wallet(u);
    expect(w.debt).toBe(0);
    expect(w.coins).toBe(0);
  });
});

describe('charge.dispute.created', () => {
  it('after the user spent coins leaves them in debt; gifts and refunds are refused; new purchases repay the debt first', async () => {
    const u = await signup();
    const p = await pending(u);
    await complete(p);
    await spendCoins(u, 600);
    expect((await wallet(u)).coins).toBe(400);

    const d = await deliver(makeEvent('charge.dispute.created', chargeDispute(side(p))));
    expect(d.status).toBe(200);
    expect(await wallet(u)).toMatchObject({ coins: 0, debt: 600 });
    expect((await api('/v1/me', { token: u.token })).json.wallet).toMatchObject({ coins: 0, debt: 600 });
    expect(await purchase(u, p.id)).toMatchObject({ status: 'disputed', clawedBackCoins: 1000 });
    // A second dispute event for the same charge takes nothing more.
    expect((await deliver(makeEvent('charge.dispute.created', chargeDispute(side(p))))).status).toBe(200);
    expect((await wallet(u)).debt).toBe(600);

    const blocked = await giftToSpendingRoom(u, 'heart', 1);
    expect(blocked.status).toBe(403);
    expect(blocked.json.error.code).toBe('in_debt');

    // A purchase smaller than the debt goes entirely to it.
    const small = await pending(u, { packId: 'pack_100' });
    await complete(small);
    expect(await wallet(u)).toMatchObject({ coins: 0, debt: 500 });
    const refund = await refundPurchase(u, small.id, STRIPE_ENV);
    expect(refund.status).toBe(403);
    expect(refund.json.error.code).toBe('in_debt');
    expect(fakeStripe.current.refunds).toHaveLength(0);

    // A bigger one repays the rest, and what is left is spendable.
    const big = await pending(u, { packId: 'pack_1000' });
    await complete(big);
    expect(await wallet(u)).toMatchObject({ coins: 500, debt: 0 });
    expect((await giftToSpendingRoom(u, 'heart', 1)).status).toBe(201);
    expect((await wallet(u)).coins).toBe(499);
    await expectCleanAudit();
  });

  it('on unspent coins takes them back without debt', async () => {
    const u = await signup();
    const p = await pending(u, { packId: 'pack_500' });
    await complete(p);
    expect((await deliver(makeEvent('charge.dispute.created', chargeDispute(side(p))))).status).toBe(200);
    expect(await wallet(u)).toMatchObject({ coins: 0, debt: 0 });
    expect(await purchase(u, p.id)).toMatchObject({ status: 'disputed', clawedBackCoins: 500 });
    await expectCleanAudit();
  });
});

describe('events out of order', () => {
  /** Delivers the events in order to a fresh user's fresh purchase, and returns what the user ends with. */
  async function run(order: ('completed' | 'refunded' | 'disputed' | 'expired')[], refunded = 400) {
    const u = await signup();
    const p = await pending(u);
    for (const step of order) {
      const event =
        step === 'completed'
          ? makeEvent('checkout.session.completed', completed(p))
          : step === 'refunded'
            ? makeEvent('charge.refunded', refundedCharge(side(p), refunded))
            : step === 'disputed'
              ? makeEvent('charge.dispute.created', {
                  ...chargeDispute(side(p)),
                  metadata: { purchaseId: p.id, userId: p.userId },
                })
              : makeEvent('checkout.session.expired', expiredSession(side(p)));
      const r = await deliver(event);
      expect(r.status, `${order.join(' → ')}: ${step}`).toBe(200);
    }
    const w = await wallet(u);
    const view = await purchase(u, p.id);
    await expectCleanAudit();
    return {
      coins: w.coins,
      debt: w.debt,
      status: view.status,
      clawedBackCoins: view.clawedBackCoins,
      refundedCoins: view.refundedCoins,
    };
  }

  it('a refund before its completion converges to the same balances', async () => {
    const inOrder = await run(['completed', 'refunded']);
    expect(inOrder).toEqual({
      coins: 600,
      debt: 0,
      status: 'partially_refunded',
      clawedBackCoins: 400,
      refundedCoins: 0,
    });
    expect(await run(['refunded', 'completed'])).toEqual(inOrder);
    expect(await run(['expired', 'refunded', 'completed'])).toEqual(inOrder);

    const full = await run(['completed', 'refunded'], 1000);
    expect(full).toEqual({ coins: 0, debt: 0, status: 'refunded', clawedBackCoins: 1000, refundedCoins: 0 });
    expect(await run(['refunded', 'completed'], 1000)).toEqual(full);
  });

  it('a dispute before its completion converges to the same balances', async () => {
    const inOrder = await run(['completed', 'disputed']);
    expect(inOrder).toEqual({ coins: 0, debt: 0, status: 'disputed', clawedBackCoins: 1000, refundedCoins: 0 });
    expect(await run(['disputed', 'completed'])).toEqual(inOrder);
  });

  it('an event Stripe cannot yet place (no metadata, unknown payment intent) is retried until the completion indexes it', async () => {
    const u = await signup();
    const p = await pending(u);
    const refund = makeEvent('charge.refunded', refundedCharge(side(p, { metadata: false }), 400));
    const disputeEvent = makeEvent('charge.dispute.created', chargeDispute(side(p)));
    const early = await deliver(refund);
    expect(early.status).toBeGreaterThanOrEqual(400);
    expect(early.status).toBeLessThan(500);
    expect(await storedEvent(refund.id)).toBeNull();
    expect((await deliver(disputeEvent)).status).not.toBe(200);
    expect(await storedEvent(disputeEvent.id)).toBeNull();
    expect(await wallet(u)).toMatchObject({ coins: 0, debt: 0 });

    await complete(p);
    expect((await wallet(u)).coins).toBe(1000);
    // Stripe's retries of the same events now apply, once.
    expect((await deliver(refund)).status).toBe(200);
    expect((await wallet(u)).coins).toBe(600);
    expect((await deliver(refund)).json).toMatchObject({ duplicate: true });
    expect((await deliver(disputeEvent)).status).toBe(200);
    expect(await wallet(u)).toMatchObject({ coins: 0, debt: 0 });
    expect(await purchase(u, p.id)).toMatchObject({ status: 'disputed', clawedBackCoins: 1000 });
    await expectCleanAudit();
  });
});

describe('the tolerance clock', () => {
  // The signature's 300 s tolerance is measured on the worker's one clock (the one tests set), not the system's.
  it('measures the 300 s tolerance on the one clock', async () => {
    const event = makeEvent('customer.updated', { id: 'cus_test_2', object: 'customer' });
    const payload = JSON.stringify(event);
    const header = await sign(payload); // signed now
    advanceClock(301_000); // ...and delivered 301 s later
    const r = await post(payload, header);
    expect(r.status).toBe(400);
    expect(await storedEvent(event.id)).toBeNull();
  });
});
