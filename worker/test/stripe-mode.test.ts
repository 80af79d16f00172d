import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  api,
  expectCleanAudit,
  refundPurchase,
  retryWalletNow,
  signup,
  spendCoins,
  STRIPE_ENV,
  type TestUser,
  uniqueKey,
  wallet,
} from './helpers';
import { deliver, paidSession, stripeCall, useFakeStripe } from './stripe-fake';

const fakeStripe = useFakeStripe();

async function startPurchase(user: TestUser, body: unknown = { packId: 'pack_1000' }, key = uniqueKey('buy')) {
  const r = await stripeCall('/v1/purchases', { body, token: user.token, key });
  expect(r.status, r.text).toBe(201);
  return { ...r, key };
}

describe('Stripe-mode purchases', () => {
  it('answer 201 pending with a checkout URL, move no coins, and index the session in D1', async () => {
    const u = await signup();
    const r = await startPurchase(u, { packId: 'pack_1000' });
    const session = fakeStripe.current.sessionCalls();
    expect(session).toHaveLength(1);
    const p = r.json.purchase;
    expect(p).toMatchObject({
      status: 'pending',
      sandbox: false,
      coins: 1000,
      price: { amount: 1000, currency: 'USD' },
    });
    expect(p.checkoutUrl).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    expect(r.json.wallet).toEqual({ coins: 0 });

    const w = await wallet(u);
    expect(w).toMatchObject({ coins: 0, debt: 0, purchased: { day: 1000, week: 1000, month: 1000 } });
    const view = await api(`/v1/purchases/${p.id}`, { token: u.token });
    expect(view.status).toBe(200);
    expect(view.json.purchase).toMatchObject({
      id: p.id,
      status: 'pending',
      checkoutUrl: p.checkoutUrl,
      sandbox: false,
    });

    const sessionId = p.checkoutUrl.split('/').pop();
    const row = await env.DB.prepare('SELECT user_id, checkout_session_id, payment_intent FROM purchases WHERE id = ?')
      .bind(p.id)
      .first();
    expect(row).toEqual({ user_id: u.id, checkout_session_id: sessionId, payment_intent: null });
    await expectCleanAudit();
  });

  it('send Stripe the price in cents, our metadata, and an Idempotency-Key', async () => {
    const u = await signup();
    const pack = (await startPurchase(u, { packId: 'pack_2500' })).json.purchase;
    const custom = (await startPurchase(u, { coins: 1234 })).json.purchase;
    const [a, b] = fakeStripe.current.sessionCalls();
    for (const [call, p, cents] of [
      [a!, pack, 2500],
      [b!, custom, 1234],
    ] as const) {
      expect(call.url).toBe('https://api.stripe.com/v1/checkout/sessions');
      expect(call.headers.get('authorization')).toBe('Bearer sk_test_123');
      expect(call.params.get('mode')).toBe('payment');
      expect(call.params.get('line_items[0][quantity]')).toBe('1');
      expect(call.params.get('line_items[0][price_data][unit_amount]')).toBe(String(cents));
      expect(call.params.get('line_items[0][price_data][currency]')).toBe('usd');
      expect(call.params.get('metadata[purchaseId]')).toBe(p.id);
      expect(call.params.get('metadata[userId]')).toBe(u.id);
      // The PaymentIntent carries the same metadata, so charges, refunds and disputes can be placed.
      expect(call.params.get('payment_intent_data[metadata][purchaseId]')).toBe(p.id);
      expect(call.params.get('payment_intent_data[metadata][userId]')).toBe(u.id);
      expect(call.headers.get('idempotency-key')).toBeTruthy();
      expect(call.params.get('success_url')).toContain(p.id);
    }
    expect(a!.headers.get('idempotency-key')).not.toBe(b!.headers.get('idempotency-key'));
  });

  it('reserve against the spending limit while pending, and a crossing purchase is 403 spending_limit without calling Stripe', async () => {
    const u = await signup();
    expect((await api('/v1/wallet/limits', { method: 'PUT', body: { daily: 1500 }, token: u.token })).status).toBe(200);
    await startPurchase(u, { packId: 'pack_1000' });
    const over = await stripeCall('/v1/purchases', { body: { packId: 'pack_1000' }, token: u.token, key: uniqueKey() });
    expect(over.status).toBe(403);
    expect(over.json.error.code).toBe('spending_limit');
    expect(fakeStripe.current.sessionCalls()).toHaveLength(1);
    await startPurchase(u, { packId: 'pack_500' }); // exactly at the limit
    expect(fakeStripe.current.sessionCalls()).toHaveLength(2);
    const w = await wallet(u);
    expect(w.coins).toBe(0);
    expect(w.purchased.day).toBe(1500);
    const more = await stripeCall('/v1/purchases', { body: { coins: 100 }, token: u.token, key: uniqueKey() });
    expect(more.status).toBe(403);
    expect(more.json.error.code).toBe('spending_limit');
  });

  it('a completed checkout credits even when the limit was lowered meanwhile', async () => {
    const u = await signup();
    const p = (await startPurchase(u, { packId: 'pack_500' })).json.purchase;
    expect((await api('/v1/wallet/limits', { method: 'PUT', body: { daily: 100 }, token: u.token })).status).toBe(200);
    const r = await deliver(
      'checkout.session.completed',
      paidSession(p, u.id, p.checkoutUrl.split('/').pop(), 'pi_lowered'),
    );
    expect(r.status).toBe(200);
    expect((await wallet(u)).coins).toBe(500);
    await expectCleanAudit();
  });

  it('refuse under-18 accounts before any call to Stripe', async () => {
    const kid = await signup({ adult: false });
    const r = await stripeCall('/v1/purchases', { body: { packId: 'pack_100' }, token: kid.token, key: uniqueKey() });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('age_restricted');
    expect(fakeStripe.current.calls).toHaveLength(0);
  });
});

describe('Stripe-mode idempotency', () => {
  it('a replayed Idempotency-Key returns the identical body and opens no second session', async () => {
    const u = await signup();
    const first = await startPurchase(u, { packId: 'pack_1000' });
    const again = await stripeCall('/v1/purchases', { body: { packId: 'pack_1000' }, token: u.token, key: first.key });
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(fakeStripe.current.sessionCalls()).toHaveLength(1);
    expect((await wallet(u)).purchased.day).toBe(1000);

    const changed = await stripeCall('/v1/purchases', { body: { packId: 'pack_500' }, token: u.token, key: first.key });
    expect(changed.status).toBe(409);
    expect(changed.json.error.code).toBe('idempotency_mismatch');
    expect(fakeStripe.current.sessionCalls()).toHaveLength(1);
  });

  it('concurrent requests with one key make one purchase and one session, all answered alike', async () => {
    const u = await signup();
    const key = uniqueKey('race');
    const replies = await Promise.all(
      Array.from({ length: 5 }, () =>
        stripeCall('/v1/purchases', { body: { packId: 'pack_1000' }, token: u.token, key }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(replies.map((r) => r.text)).size).toBe(1);
    expect(replies[0]!.json.purchase.checkoutUrl).toBeTruthy();
    // Retried calls reuse Stripe's idempotency key, so Stripe holds one session.
    expect(new Set(fakeStripe.current.sessionCalls().map((c) => c.headers.get('idempotency-key'))).size).toBe(1);
    expect((await wallet(u)).purchased.day).toBe(1000);
  });

  for (const failure of ['http500', 'throw'] as const) {
    it(`a Stripe failure (${failure}) answers 502 payment_provider_error; a retry with the same key succeeds`, async () => {
      const u = await signup();
      const key = uniqueKey('flaky');
      fakeStripe.current.failing = failure;
      const failed = await stripeCall('/v1/purchases', { body: { packId: 'pack_1000' }, token: u.token, key });
      expect(failed.status).toBe(502);
      expect(failed.json.error.code).toBe('payment_provider_error');
      expect(failed.json.purchase).toBeUndefined();
      const attempts = fakeStripe.current.sessionCalls();
      expect(attempts.length).toBeGreaterThanOrEqual(1);
      expect(new Set(attempts.map((c) => c.headers.get('idempotency-key'))).size).toBe(1);
      expect((await wallet(u)).coins).toBe(0);

      fakeStripe.current.failing = null;
      const retry = await stripeCall('/v1/purchases', { body: { packId: 'pack_1000' }, token: u.token, key });
      expect(retry.status).toBe(201);
      expect(retry.json.purchase).toMatchObject({ status: 'pending', sandbox: false, coins: 1000 });
      expect(retry.json.purchase.checkoutUrl).toMatch(/^https:\/\/checkout\.stripe\.com\//);
      // The retry names the same Stripe request, so a session Stripe did create is not duplicated.
      expect(fakeStripe.current.sessionCalls().at(-1)!.headers.get('idempotency-key')).toBe(
        attempts[0]!.headers.get('idempotency-key'),
      );
      const replay = await stripeCall('/v1/purchases', { body: { packId: 'pack_1000' }, token: u.token, key });
      expect(replay.text).toBe(retry.text);
      const w = await wallet(u);
      expect(w.coins).toBe(0);
      expect(w.purchased.day).toBe(1000); // one purchase, not one per attempt
      await expectCleanAudit();
    });
  }

  // A failed call creates no checkout, so its purchase must not hold the daily limit: else the viewer's next
  // attempt (a new click, a new key) would be refused for 24 h.
  it('a checkout Stripe never created does not hold the spending limit', async () => {
    const u = await signup();
    expect((await api('/v1/wallet/limits', { method: 'PUT', body: { daily: 1000 }, token: u.token })).status).toBe(200);
    fakeStripe.current.failing = 'http500';
    const failed = await stripeCall('/v1/purchases', {
      body: { packId: 'pack_1000' },
      token: u.token,
      key: uniqueKey('lost'),
    });
    expect(failed.status).toBe(502);
    fakeStripe.current.failing = null;
    expect((await wallet(u)).purchased.day).toBe(0);
    const next = await stripeCall('/v1/purchases', {
      body: { packId: 'pack_1000' },
      token: u.token,
      key: uniqueKey('next'),
    });
    expect(next.status).toBe(201);
  });
});

describe('Stripe-mode completion and refunds', () => {
  it('the completed webhook credits the coins once and records the payment intent', async () => {
    const u = await signup();
    const p = (await startPurchase(u, { packId: 'pack_1000' })).json.purchase;
    const sessionId = p.checkoutUrl.split('/').pop();
    const done = await deliver('checkout.session.completed', paidSession(p, u.id, sessionId, 'pi_complete_1'));
    expect(done.status).toBe(200);
    expect(done.json.received).toBe(true);
    const w = await wallet(u);
    expect(w.coins).toBe(1000);
    expect(w.purchased.day).toBe(1000);
    const view = (await api(`/v1/purchases/${p.id}`, { token: u.token })).json.purchase;
    expect(view).toMatchObject({ status: 'completed', coins: 1000, paymentRef: 'pi_complete_1' });
    const row = await env.DB.prepare('SELECT payment_intent, checkout_session_id FROM purchases WHERE id = ?')
      .bind(p.id)
      .first();
    expect(row).toEqual({ payment_intent: 'pi_complete_1', checkout_session_id: sessionId });
    // Another delivery of the completion (a new event id) credits nothing more.
    expect((await deliver('checkout.session.completed', paidSession(p, u.id, sessionId, 'pi_complete_1'))).status).toBe(
      200,
    );
    expect((await wallet(u)).coins).toBe(1000);
    await expectCleanAudit();
  });

  it("a refund calls Stripe's Refunds API with the payment intent and the unspent coins' amount", async () => {
    const u = await signup();
    const p = (await startPurchase(u, { packId: 'pack_1000' })).json.purchase;
    await deliver('checkout.session.completed', paidSession(p, u.id, p.checkoutUrl.split('/').pop(), 'pi_refund_me'));
    await spendCoins(u, 350);
    const key = uniqueKey('refund');
    const r = await stripeCall(`/v1/purchases/${p.id}/refund`, { method: 'POST', token: u.token, key });
    expect(r.status, r.text).toBe(200);
    expect(r.json.refund).toMatchObject({ coins: 650, amount: { amount: 650, currency: 'USD' }, status: 'pending' });
    // The coins have left the wallet; the money is on its way until Stripe's webhook confirms it.
    expect(r.json.purchase.status).toBe('refund_pending');
    const calls = fakeStripe.current.refundCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('https://api.stripe.com/v1/refunds');
    expect(calls[0]!.params.get('payment_intent')).toBe('pi_refund_me');
    expect(calls[0]!.params.get('amount')).toBe('650');
    expect(calls[0]!.params.get('metadata[purchaseId]')).toBe(p.id);
    expect(calls[0]!.headers.get('idempotency-key')).toBeTruthy();
    expect((await wallet(u)).coins).toBe(0);

    // A replay returns the same reply; if it reaches Stripe again it names the same refund.
    const again = await stripeCall(`/v1/purchases/${p.id}/refund`, { method: 'POST', token: u.token, key });
    expect(again.text).toBe(r.text);
    expect(new Set(fakeStripe.current.refundCalls().map((c) => c.headers.get('idempotency-key'))).size).toBe(1);
    expect((await wallet(u)).coins).toBe(0);

    // Stripe's refund webhook that follows is recognised and moves nothing.
    const hook = await deliver('charge.refunded', {
      id: 'ch_refund_me',
      object: 'charge',
      amount: 1000,
      amount_refunded: 650,
      refunded: false,
      currency: 'usd',
      payment_intent: 'pi_refund_me',
      metadata: { purchaseId: p.id, userId: u.id },
    });
    expect(hook.status).toBe(200);
    expect((await wallet(u)).coins).toBe(0);
    expect((await api(`/v1/purchases/${p.id}`, { token: u.token })).json.purchase).toMatchObject({
      status: 'partially_refunded',
      refundedCoins: 650,
      clawedBackCoins: 0,
    });
    const a = await expectCleanAudit();
    expect(a.pendingRefunds.filter((r: { userId: string }) => r.userId === u.id)).toEqual([]);
  });

  it('a refund Stripe does not answer is on its way, not an error: the wallet asks again until Stripe accepts, under one key', async () => {
    const u = await signup();
    const p = (await startPurchase(u, { packId: 'pack_500' })).json.purchase;
    await deliver(
      'checkout.session.completed',
      paidSession(p, u.id, p.checkoutUrl.split('/').pop(), 'pi_flaky_refund'),
    );
    const key = uniqueKey('refund');
    fakeStripe.current.failing = 'http500';
    const r = await stripeCall(`/v1/purchases/${p.id}/refund`, { method: 'POST', token: u.token, key });
    expect(r.status, r.text).toBe(200);
    expect(r.json.purchase.status).toBe('refund_pending');
    expect(r.json.refund).toMatchObject({ coins: 500, amount: { amount: 500, currency: 'USD' }, status: 'pending' });
    expect((await wallet(u)).coins).toBe(0);
    expect(fakeStripe.current.madeRefunds).toEqual([]);
    // Neither the viewer's nor gone: the audit shows the coins waiting for Stripe, and no violation.
    const waiting = await expectCleanAudit();
    expect(waiting.pendingRefunds.filter((x: { userId: string }) => x.userId === u.id)).toEqual([
      { userId: u.id, purchaseId: p.id, coins: 500, asked: false },
    ]);
    // A replay while Stripe is down replays; it never asks for a second refund.
    expect((await stripeCall(`/v1/purchases/${p.id}/refund`, { method: 'POST', token: u.token, key })).text).toBe(
      r.text,
    );
    fakeStripe.current.failing = null;
    await retryWalletNow(u.id);
    expect(fakeStripe.current.madeRefunds).toEqual([{ paymentIntent: 'pi_flaky_refund', amount: 500 }]);
    const calls = fakeStripe.current.refundCalls();
    expect(new Set(calls.map((c) => c.headers.get('idempotency-key'))).size).toBe(1);
    expect(calls.at(-1)!.params.get('metadata[refundId]')).toBe(r.json.refund.id);
    const asked = await expectCleanAudit();
    expect(asked.pendingRefunds.filter((x: { userId: string }) => x.userId === u.id)).toEqual([
      { userId: u.id, purchaseId: p.id, coins: 500, asked: true },
    ]);
    // Stripe's webhook settles it.
    await deliver('charge.refunded', {
      id: 'ch_flaky',
      object: 'charge',
      amount: 500,
      amount_refunded: 500,
      refunded: true,
      currency: 'usd',
      payment_intent: 'pi_flaky_refund',
      metadata: { purchaseId: p.id, userId: u.id },
    });
    expect((await api(`/v1/purchases/${p.id}`, { token: u.token })).json.purchase).toMatchObject({
      status: 'refunded',
      refundedCoins: 500,
    });
    expect((await wallet(u)).coins).toBe(0);
    await expectCleanAudit();
  });

  it('a refund Stripe refuses for good gives the coins back, and so does a refund.failed webhook', async () => {
    const u = await signup();
    const p = (await startPurchase(u, { packId: 'pack_500' })).json.purchase;
    await deliver(
      'checkout.session.completed',
      paidSession(p, u.id, p.checkoutUrl.split('/').pop(), 'pi_refused_refund'),
    );
    fakeStripe.current.refuseNext = 1;
    const r = await refundPurchase(u, p.id, STRIPE_ENV);
    expect(r.status, r.text).toBe(200);
    expect((await wallet(u)).coins).toBe(500);
    expect((await api(`/v1/purchases/${p.id}`, { token: u.token })).json.purchase).toMatchObject({
      status: 'completed',
      refundedCoins: 0,
    });
    const history = (await api('/v1/wallet/history', { token: u.token })).json.entries.map(
      (e: { kind: string; coins: number }) => [e.kind, e.coins],
    );
    expect(history.slice(0, 2)).toEqual([
      ['reversal', 500],
      ['refund', -500],
    ]);
    await expectCleanAudit();

    // Accepted by the API, then failed at the bank: Stripe says so by webhook.
    const again = await refundPurchase(u, p.id, STRIPE_ENV);
    expect(again.json.purchase.status).toBe('refund_pending');
    expect((await wallet(u)).coins).toBe(0);
    const failed = {
      id: 're_failed',
      object: 'refund',
      amount: 500,
      currency: 'usd',
      status: 'failed',
      payment_intent: 'pi_refused_refund',
      metadata: { purchaseId: p.id, refundId: again.json.refund.id },
    };
    expect((await deliver('refund.failed', failed)).status).toBe(200);
    expect((await wallet(u)).coins).toBe(500);
    expect((await deliver('refund.failed', failed)).status).toBe(200);
    expect((await wallet(u)).coins).toBe(500);
    expect((await api(`/v1/purchases/${p.id}`, { token: u.token })).json.purchase.status).toBe('completed');
    await expectCleanAudit();
  });

  it('an expired checkout releases its reservation and is not refundable', async () => {
    const u = await signup();
    expect((await api('/v1/wallet/limits', { method: 'PUT', body: { daily: 1000 }, token: u.token })).status).toBe(200);
    const p = (await startPurchase(u, { packId: 'pack_1000' })).json.purchase;
    const expired = await deliver('checkout.session.expired', {
      id: p.checkoutUrl.split('/').pop(),
      object: 'checkout.session',
      status: 'expired',
      payment_status: 'unpaid',
      payment_intent: null,
      metadata: { purchaseId: p.id, userId: u.id },
    });
    expect(expired.status).toBe(200);
    expect((await api(`/v1/purchases/${p.id}`, { token: u.token })).json.purchase.status).toBe('expired');
    expect((await wallet(u)).purchased.day).toBe(0);
    const refund = await refundPurchase(u, p.id, STRIPE_ENV);
    expect(refund.status).toBe(409);
    expect(fakeStripe.current.refundCalls()).toHaveLength(0);
    await startPurchase(u, { packId: 'pack_1000' });
  });
});
