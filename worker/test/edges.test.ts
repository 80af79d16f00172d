import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { clearFaults, faults } from '../src/faults';
import {
  ADMIN,
  api,
  audit,
  buy,
  creditDiamonds,
  decidePayout,
  expectCleanAudit,
  liveRoom,
  retryWalletNow,
  sendGift,
  signup,
  spendCoins,
  type TestUser,
  uniqueKey,
  until,
  wallet,
  walletListed,
  walletStub,
} from './helpers';
import { deliver, paidSession, stripeCall, useFakeStripe } from './stripe-fake';

/**
 * Every effect that leaves a wallet is held like the gift path: written to the wallet's outbox with the
 * money move, applied until it succeeds, and checked by the audit against the directory.
 */
const fakeStripe = useFakeStripe();
afterEach(clearFaults);

async function creatorWithDiamonds(diamonds = 3000) {
  const { creator, handle } = await liveRoom({ coins: 0 });
  await creditDiamonds(creator, diamonds);
  return { creator, handle };
}

async function requestPayout(creator: TestUser, diamonds = 1500, key = uniqueKey('payout')) {
  return api('/v1/creator/payouts', {
    body: { diamonds, destination: 'paypal:me@example.com' },
    token: creator.token,
    key,
  });
}

async function indexed(id: string) {
  const r = await api('/v1/admin/payouts', { token: ADMIN });
  return r.json.payouts.find((p: { id: string }) => p.id === id) ?? null;
}

const violationsOf = (a: { violations: string[] }, user: TestUser) =>
  a.violations.filter((v) => v.startsWith(`wallet ${user.id}:`));

describe('the payout index follows the wallet', () => {
  it('a wallet that stops between the payout and its index row still indexes it, by its alarm', async () => {
    const { creator } = await creatorWithDiamonds();
    faults.walletStopsBeforeEffects = 1;
    const key = uniqueKey('payout');
    const crashed = await requestPayout(creator, 1500, key);
    expect(crashed.status).toBe(500);
    const id = (await api('/v1/creator/payouts', { token: creator.token })).json.payouts[0].id;
    expect(await indexed(id)).toBeNull();
    expect(await runDurableObjectAlarm(walletStub(creator.id))).toBe(true);
    expect(await indexed(id)).toMatchObject({ id, status: 'requested', diamonds: 1500, handle: expect.any(String) });
    // The client's retry under the same key replays the payout the wallet holds: one payout, one row.
    const retry = await requestPayout(creator, 1500, key);
    expect(retry.status).toBe(201);
    expect(retry.json.payout.id).toBe(id);
    expect((await api('/v1/creator/payouts', { token: creator.token })).json.payouts).toHaveLength(1);
    await expectCleanAudit();
  });

  it('a decision the directory missed is repaired by the wallet, and deciding again is still 409', async () => {
    const { creator } = await creatorWithDiamonds();
    const id = (await requestPayout(creator)).json.payout.id;
    faults.walletStopsBeforeEffects = 1;
    const decided = await decidePayout(id, { status: 'paid' });
    expect(decided.status).toBe(500);
    expect(await indexed(id)).toMatchObject({ status: 'requested' });
    const again = await decidePayout(id, { status: 'paid' });
    expect(again.status).toBe(409);
    // The second call's commit (an idempotent reply) applied the outbox on its way out.
    expect(await indexed(id)).toMatchObject({ status: 'paid' });
    await expectCleanAudit();
  });

  it('a directory that fails is retried with backoff until it takes the row; meanwhile the audit says the row is on its way', async () => {
    const { creator } = await creatorWithDiamonds();
    faults.directoryWriteFails = 3;
    const id = (await requestPayout(creator)).json.payout.id;
    expect(await indexed(id)).toBeNull();
    const waiting = await audit();
    expect(violationsOf(waiting, creator)).toEqual([]);
    expect(waiting.pendingEffects).toBeGreaterThanOrEqual(1);
    while (faults.directoryWriteFails > 0) {
      expect(await indexed(id)).toBeNull();
      await retryWalletNow(creator.id);
    }
    expect(await indexed(id)).toBeNull();
    await retryWalletNow(creator.id);
    expect(await indexed(id)).toMatchObject({ status: 'requested' });
    await expectCleanAudit();
  });

  it('the audit reports a corrupted, a missing and an invented index row', async () => {
    const { creator } = await creatorWithDiamonds();
    const id = (await requestPayout(creator)).json.payout.id;
    await expectCleanAudit();
    const row = await env.DB.prepare('SELECT * FROM payouts WHERE id = ?')
      .bind(id)
      .first<Record<string, string | number | null>>();
    await env.DB.prepare("UPDATE payouts SET status = 'paid' WHERE id = ?").bind(id).run();
    expect(violationsOf(await audit(), creator)).toEqual([
      `wallet ${creator.id}: payout ${id} is requested for 1500 diamonds in the wallet but paid for 1500 in the index`,
    ]);
    await env.DB.prepare('DELETE FROM payouts WHERE id = ?').bind(id).run();
    expect(violationsOf(await audit(), creator)).toEqual([
      `wallet ${creator.id}: payout ${id} (requested) is missing from the payout index`,
    ]);
    await env.DB.prepare(
      "INSERT INTO payouts (id, user_id, handle, diamonds, amount, destination, status, created_at) VALUES ('invented', ?, 'x', 10, 7, '', 'requested', 0)",
    )
      .bind(creator.id)
      .run();
    const a = await audit();
    expect(a.ok).toBe(false);
    expect(violationsOf(a, creator)).toContain(
      `wallet ${creator.id}: payout invented is in the index but not in the wallet`,
    );
    await env.DB.prepare("DELETE FROM payouts WHERE id = 'invented'").run();
    await env.DB.prepare(
      `INSERT INTO payouts (${Object.keys(row!).join(', ')}) VALUES (${Object.keys(row!)
        .map(() => '?')
        .join(', ')})`,
    )
      .bind(...Object.values(row!))
      .run();
    await expectCleanAudit();
  });
});

describe('closed accounts receive nothing', () => {
  it('a payment that completes after the account was deleted is refunded in full through Stripe and recorded', async () => {
    const u = await signup();
    const start = await stripeCall('/v1/purchases', {
      body: { packId: 'pack_1000' },
      token: u.token,
      key: uniqueKey('buy'),
    });
    const p = start.json.purchase;
    expect((await api('/v1/me', { method: 'DELETE', body: { password: u.password }, token: u.token })).status).toBe(
      200,
    );
    const hook = await deliver(
      'checkout.session.completed',
      paidSession(p, u.id, p.checkoutUrl.split('/').pop(), 'pi_after_close'),
    );
    expect(hook.status).toBe(200);
    expect(fakeStripe.current.madeRefunds).toEqual([{ paymentIntent: 'pi_after_close', amount: 1000 }]);
    const stub = walletStub(u.id);
    expect(await stub.purchase(p.id)).toMatchObject({ status: 'refund_pending', refundedCoins: 1000 });
    const closed = await stub.summary((await api('/v1/rates')).json);
    expect(closed).toMatchObject({ coins: 0, diamonds: 0, debt: 0 });
    await expectCleanAudit();
    // Stripe's refund webhook settles it; a second delivery of the payment changes nothing.
    await deliver('charge.refunded', {
      id: 'ch_after_close',
      object: 'charge',
      amount: 1000,
      amount_refunded: 1000,
      refunded: true,
      currency: 'usd',
      payment_intent: 'pi_after_close',
      metadata: { purchaseId: p.id, userId: u.id },
    });
    await deliver('checkout.session.completed', paidSession(p, u.id, p.checkoutUrl.split('/').pop(), 'pi_after_close'));
    expect(await stub.purchase(p.id)).toMatchObject({ status: 'refunded', refundedCoins: 1000 });
    expect(fakeStripe.current.madeRefunds).toHaveLength(1);
    await expectCleanAudit();
  });

  it('gifts still in flight when a creator deletes the account are forfeited to the platform, never credited', async () => {
    const { creator, handle, viewer } = await liveRoom({ coins: 1000 });
    faults.roomRefusesDelivery = 1;
    expect((await sendGift(viewer, handle, { giftId: 'balloon', count: 3 })).status).toBe(201);
    expect(
      (await api('/v1/me', { method: 'DELETE', body: { password: creator.password }, token: creator.token })).status,
    ).toBe(200);
    await retryWalletNow(viewer.id);
    const book = await until(
      'the share to reach the closed wallet',
      () => walletStub(creator.id).audit(),
      (a) => (a.balances['diamonds:forfeited'] ?? 0) === 300,
    );
    expect(book.balances['diamonds:user'] ?? 0).toBe(0);
    expect((await wallet(viewer)).coins).toBe(700);
    // The room is off air: no new gift reaches a deleted creator.
    expect((await sendGift(viewer, handle, { giftId: 'balloon' })).json.error.code).toBe('not_live');
    await expectCleanAudit();
  });

  it('an account in debt cannot be deleted (409 in_debt): the debt stays, and so does the email', async () => {
    const u = await signup();
    const p = (
      await stripeCall('/v1/purchases', { body: { packId: 'pack_1000' }, token: u.token, key: uniqueKey('buy') })
    ).json.purchase;
    await deliver('checkout.session.completed', paidSession(p, u.id, p.checkoutUrl.split('/').pop(), 'pi_debt'));
    await spendCoins(u, 600);
    await deliver('charge.dispute.created', {
      id: 'dp_debt',
      object: 'dispute',
      amount: 1000,
      currency: 'usd',
      charge: 'ch_debt',
      payment_intent: 'pi_debt',
      reason: 'fraudulent',
      status: 'needs_response',
      metadata: {},
    });
    expect((await wallet(u)).debt).toBe(600);
    const refused = await api('/v1/me', {
      method: 'DELETE',
      body: { password: u.password, forfeit: true },
      token: u.token,
    });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('in_debt');
    expect(refused.json.closing).toMatchObject({ debt: 600 });
    expect((await api('/v1/me', { token: u.token })).status).toBe(200);
    const again = await api('/v1/auth/signup', {
      body: { email: u.email, password: 'another password', displayName: 'Fresh Start', birthdate: '1990-01-01' },
    });
    expect(again.json.error.code).toBe('email_taken');
    // Repaid, it can go.
    await buy(u, { coins: 600 });
    expect((await api('/v1/me', { method: 'DELETE', body: { password: u.password }, token: u.token })).status).toBe(
      200,
    );
    await expectCleanAudit();
  });

  it('a deletion whose directory write fails still ends every session once the wallet retries', async () => {
    const u = await signup();
    faults.directoryWriteFails = 1;
    expect((await api('/v1/me', { method: 'DELETE', body: { password: u.password }, token: u.token })).status).toBe(
      200,
    );
    expect(violationsOf(await audit(), u)).toEqual([]);
    await retryWalletNow(u.id);
    expect((await api('/v1/me', { token: u.token })).status).toBe(401);
    expect((await api('/v1/auth/login', { body: { email: u.email, password: u.password } })).status).toBe(401);
    await expectCleanAudit();
  });
});

const listed = (user: TestUser) => walletListed(user.id);

/** How many wallets the operator's audit asks, over all its pages. */
async function walletsAudited(): Promise<number> {
  let wallets = 0;
  let cursor = '';
  do {
    const r = await api(`/v1/admin/audit${cursor ? `?cursor=${cursor}` : ''}`, { token: ADMIN });
    expect(r.json.violations).toEqual([]);
    wallets += r.json.wallets;
    cursor = r.json.next ?? '';
  } while (cursor);
  return wallets;
}

/**
 * The audit asks exactly the listed wallets: its count over every page equals the directory's. Read until one pass
 * sees both the same, since another test's room may still be crediting its creator for the first time (which
 * lists that wallet between the two reads); the count is returned.
 */
async function auditAsksTheListed(): Promise<number> {
  const [audited] = await until(
    'the audit to ask exactly the listed wallets',
    async () => {
      const audited = await walletsAudited();
      const listedNow = await env.DB.prepare(
        'SELECT COUNT(*) AS n FROM users WHERE wallet_listed_at IS NOT NULL',
      ).first<{ n: number }>();
      return [audited, listedNow!.n];
    },
    ([audited, listedNow]) => audited === listedNow,
  );
  return audited!;
}

describe('the audit asks every wallet that may hold something, and no other', () => {
  it('an account that only signed up (or only looked) is not asked; its first change of any kind lists it', async () => {
    const [looker, limiter, buyer, leaver] = await Promise.all([signup(), signup(), signup(), signup()]);
    const { creator, viewer } = await liveRoom();
    const before = await auditAsksTheListed();
    expect(await wallet(looker)).toMatchObject({ coins: 0, diamonds: 0 });
    expect(await listed(looker)).toBe(false);
    expect(
      (await api('/v1/wallet/limits', { method: 'PUT', body: { daily: 5000 }, token: limiter.token })).status,
    ).toBe(200);
    await buy(buyer);
    expect(
      (await api('/v1/me', { method: 'DELETE', body: { password: leaver.password }, token: leaver.token })).status,
    ).toBe(200);
    // The creator has changed nothing yet; the room's credit is the first change to their wallet.
    expect(await listed(creator)).toBe(false);
    expect(await listed(viewer)).toBe(true);
    await creditDiamonds(creator, 70);
    expect(await Promise.all([limiter, buyer, leaver, creator].map(listed))).toEqual([true, true, true, true]);
    expect(await listed(looker)).toBe(false);
    // The four listed here are asked from now on (other tests' wallets may have been listed meanwhile too).
    expect(await auditAsksTheListed()).toBeGreaterThanOrEqual(before + 4);
  });

  it('a wallet whose listing fails changes nothing, and the retry lists it and changes it once', async () => {
    const u = await signup();
    faults.walletListingFails = 1;
    const key = uniqueKey('buy');
    const failed = await api('/v1/purchases', { body: { packId: 'pack_500' }, token: u.token, key });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(await listed(u)).toBe(false);
    expect((await wallet(u)).coins).toBe(0);
    const retried = await api('/v1/purchases', { body: { packId: 'pack_500' }, token: u.token, key });
    expect(retried.status).toBe(201);
    expect(await listed(u)).toBe(true);
    expect((await wallet(u)).coins).toBe(500);
    await expectCleanAudit();
  });
});

describe('webhooks must match', () => {
  it('a completion for another amount or currency credits nothing and is flagged for the operator', async () => {
    const u = await signup();
    const big = (await stripeCall('/v1/purchases', { body: { coins: 100_000 }, token: u.token, key: uniqueKey('buy') }))
      .json.purchase;
    const euro = {
      ...paidSession(big, u.id, big.checkoutUrl.split('/').pop(), 'pi_one_euro'),
      amount_total: 100,
      currency: 'eur',
    };
    expect((await deliver('checkout.session.completed', euro)).status).toBe(200);
    expect((await wallet(u)).coins).toBe(0);
    expect(await walletStub(u.id).purchase(big.id)).toMatchObject({
      status: 'flagged',
      flaggedReason: 'paid 100 EUR for a price of 100000 USD',
    });
    const cents = (
      await stripeCall('/v1/purchases', { body: { packId: 'pack_500' }, token: u.token, key: uniqueKey('buy') })
    ).json.purchase;
    await deliver('checkout.session.completed', {
      ...paidSession(cents, u.id, cents.checkoutUrl.split('/').pop(), 'pi_short'),
      amount_total: 499,
    });
    expect((await wallet(u)).coins).toBe(0);
    const flagged = (await api('/v1/admin/purchases/flagged', { token: ADMIN })).json.purchases.filter(
      (p: { userId: string }) => p.userId === u.id,
    );
    expect(flagged.map((p: { id: string; reason: string }) => [p.id, p.reason])).toEqual([
      [big.id, 'paid 100 EUR for a price of 100000 USD'],
      [cents.id, 'paid 499 USD for a price of 500 USD'],
    ]);
    // The audit holds the operator's list against the wallet: a flagged payment missing from it is reported.
    await env.DB.prepare('UPDATE purchases SET status = NULL WHERE id = ?').bind(cents.id).run();
    expect(violationsOf(await audit(), u)).toEqual([
      `wallet ${u.id}: purchase ${cents.id} is flagged in the wallet but not listed for the operator`,
    ]);
    await env.DB.prepare("UPDATE purchases SET status = 'flagged' WHERE id = ?").bind(cents.id).run();
    // A refund or chargeback of a flagged payment takes nothing back: nothing was credited.
    await deliver('charge.refunded', {
      id: 'ch_one_euro',
      object: 'charge',
      amount: 100,
      amount_refunded: 100,
      refunded: true,
      currency: 'eur',
      payment_intent: 'pi_one_euro',
      metadata: { purchaseId: big.id, userId: u.id },
    });
    expect(await wallet(u)).toMatchObject({ coins: 0, debt: 0 });
    // The right amount for a third purchase still credits.
    const right = (
      await stripeCall('/v1/purchases', { body: { packId: 'pack_100' }, token: u.token, key: uniqueKey('buy') })
    ).json.purchase;
    await deliver(
      'checkout.session.completed',
      paidSession(right, u.id, right.checkoutUrl.split('/').pop(), 'pi_right'),
    );
    expect((await wallet(u)).coins).toBe(100);
    await expectCleanAudit();
  });
});
