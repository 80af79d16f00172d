import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { clearFaults, faults } from '../src/faults';
import {
  ADMIN,
  api,
  creditDiamonds,
  decidePayout,
  expectCleanAudit,
  makeCreator,
  retryWalletNow,
  signup,
  STRIPE_ENV,
  type TestUser,
  uniqueKey,
  walletStub,
} from './helpers';
import { deliver, makeEvent, sign, stripeCall, useFakeStripe } from './stripe-fake';

/**
 * Payouts in Stripe mode go through Stripe Connect: an Express account per creator, a transfer keyed by
 * the payout id through the wallet's outbox, and every failure returns the diamonds.
 */
const fakeStripe = useFakeStripe();
afterEach(clearFaults);

let n = 0;
async function creator(diamonds = 3000): Promise<TestUser> {
  const u = await signup({ name: 'Connected Creator' });
  await makeCreator(u, `connect_${++n}_${crypto.randomUUID().slice(0, 6)}`);
  if (diamonds) await creditDiamonds(u, diamonds);
  return u;
}

async function onboard(u: TestUser) {
  const r = await stripeCall('/v1/creator/payout-account', { body: {}, token: u.token });
  expect(r.status, r.text).toBe(200);
  return r.json.url as string;
}

async function accountOf(u: TestUser) {
  return (await env.DB.prepare('SELECT account_id FROM payout_accounts WHERE user_id = ?')
    .bind(u.id)
    .first<{ account_id: string }>())!.account_id;
}

async function accountUpdated(
  account: string,
  flags: { details_submitted: boolean; charges_enabled: boolean; payouts_enabled: boolean },
) {
  const r = await deliver(
    'account.updated',
    { id: account, object: 'account', type: 'express', ...flags },
    undefined,
    account,
  );
  expect(r.status, r.text).toBe(200);
}

/** A creator whose Stripe account can receive payouts. */
async function enabledCreator(diamonds = 3000) {
  const u = await creator(diamonds);
  await onboard(u);
  const account = await accountOf(u);
  await accountUpdated(account, { details_submitted: true, charges_enabled: true, payouts_enabled: true });
  return { u, account };
}

async function requestPayout(u: TestUser, diamonds = 1500, call: { env?: typeof env; key?: string } = {}) {
  return api('/v1/creator/payouts', {
    body: { diamonds },
    token: u.token,
    key: call.key ?? uniqueKey('payout'),
    env: call.env ?? STRIPE_ENV,
  });
}

const decide = (id: string, status: string, key?: string) => decidePayout(id, { status }, key);

async function payoutsOf(u: TestUser) {
  return (await api('/v1/creator/payouts', { token: u.token })).json.payouts as {
    id: string;
    status: string;
    diamonds: number;
    reference: string | null;
  }[];
}

async function indexed(id: string) {
  return env.DB.prepare('SELECT status, via, transfer_id FROM payouts WHERE id = ?')
    .bind(id)
    .first<{ status: string; via: string | null; transfer_id: string | null }>();
}

async function balances(u: TestUser) {
  return (await walletStub(u.id).audit()).balances;
}

describe('onboarding a payout account', () => {
  it('creates one Express account per creator and a fresh account link each time, returning to our page', async () => {
    const u = await creator(0);
    expect((await stripeCall('/v1/creator/payout-account', { token: u.token })).json.account).toMatchObject({
      mode: 'stripe',
      state: 'none',
      payoutsEnabled: false,
    });
    const first = await onboard(u);
    const second = await onboard(u);
    expect(first).toMatch(/^https:\/\/connect\.stripe\.com\/setup\//);
    expect(second).not.toBe(first);
    const accounts = fakeStripe.current.callsTo('POST', '/v1/accounts');
    expect(accounts).toHaveLength(1);
    expect(accounts[0]!.params.get('type')).toBe('express');
    expect(accounts[0]!.headers.get('idempotency-key')).toBe(`account-${u.id}`);
    const links = fakeStripe.current.callsTo('POST', '/v1/account_links');
    expect(links).toHaveLength(2);
    expect(links[0]!.params.get('type')).toBe('account_onboarding');
    expect(links[0]!.params.get('return_url')).toBe(`${env.PUBLIC_URL}/v1/payout-account/done?status=returned`);
    expect(links[0]!.params.get('refresh_url')).toBe(`${env.PUBLIC_URL}/v1/payout-account/done?status=expired`);
    expect((await api('/v1/payout-account/done?status=returned')).text).toContain('popup');

    const account = await accountOf(u);
    expect(links[0]!.params.get('account')).toBe(account);
    const state = async () => (await stripeCall('/v1/creator/payout-account', { token: u.token })).json.account.state;
    expect(await state()).toBe('details_needed');
    await accountUpdated(account, { details_submitted: true, charges_enabled: false, payouts_enabled: false });
    expect(await state()).toBe('under_review');
    await accountUpdated(account, { details_submitted: true, charges_enabled: true, payouts_enabled: true });
    expect(await state()).toBe('enabled');
    // The Connect webhook endpoint signs with its own secret; a wrong secret is still refused.
    for (const [secret, status] of [
      ['whsec_connect_secret', 200],
      ['whsec_wrong', 400],
    ] as const) {
      const payload = JSON.stringify(
        makeEvent(
          'account.updated',
          { id: account, object: 'account', details_submitted: true, payouts_enabled: false },
          undefined,
          account,
        ),
      );
      const r = await api('/v1/webhooks/stripe', {
        raw: payload,
        headers: { 'stripe-signature': await sign(payload, { secret }) },
      });
      expect(r.status, r.text).toBe(status);
    }
    expect(await state()).toBe('under_review');
    // An account of someone else on the same platform is none of ours.
    const other = await deliver(
      'account.updated',
      { id: 'acct_elsewhere', object: 'account', payouts_enabled: true },
      undefined,
      'acct_elsewhere',
    );
    expect(other.json).toMatchObject({ outcome: 'ignored' });
  });

  it('is refused in sandbox mode, to non-creators, and to malformed account events, each with a clear 4xx', async () => {
    const u = await creator(0);
    const sandbox = await api('/v1/creator/payout-account', { body: {}, token: u.token });
    expect(sandbox.status).toBe(409);
    expect(sandbox.json.error.code).toBe('conflict');
    expect((await api('/v1/creator/payout-account', { token: u.token })).json.account).toMatchObject({
      mode: 'sandbox',
      state: 'none',
    });
    const viewer = await signup();
    expect((await stripeCall('/v1/creator/payout-account', { body: {}, token: viewer.token })).status).toBe(403);
    expect((await stripeCall('/v1/creator/payout-account', { body: { extra: 1 }, token: u.token })).status).toBe(400);
    const bad = await deliver(
      'account.updated',
      { id: 'acct_x', object: 'account', payouts_enabled: 'yes' },
      undefined,
      'acct_x',
    );
    expect(bad.status).toBe(400);
    expect(fakeStripe.current.calls).toHaveLength(0);
  });
});

describe('payout requests in Stripe mode', () => {
  it('need an account that can receive payouts: without one nothing moves', async () => {
    const u = await creator();
    const none = await requestPayout(u);
    expect(none.status).toBe(409);
    expect(none.json.error.message).toMatch(/Set up payouts/);
    await onboard(u);
    await accountUpdated(await accountOf(u), {
      details_submitted: true,
      charges_enabled: false,
      payouts_enabled: false,
    });
    const disabled = await requestPayout(u);
    expect(disabled.status).toBe(409);
    expect(disabled.json.error.message).toMatch(/cannot receive payouts yet/);
    expect(await payoutsOf(u)).toEqual([]);
    expect((await balances(u))['diamonds:user']).toBe(3000);
    expect(fakeStripe.current.callsTo('POST', '/v1/transfers')).toHaveLength(0);
    await expectCleanAudit();
  });

  it('wait for the operator, whose approval makes exactly one transfer keyed by the payout id', async () => {
    const { u, account } = await enabledCreator();
    const r = await requestPayout(u, 1500);
    expect(r.status, r.text).toBe(201);
    const id = r.json.payout.id;
    expect(r.json.payout).toMatchObject({ status: 'requested', amount: { amount: 1050, currency: 'USD' } });
    expect(await indexed(id)).toMatchObject({ status: 'requested', via: 'stripe_connect' });
    expect(fakeStripe.current.callsTo('POST', '/v1/transfers')).toHaveLength(0);
    const listed = (await api('/v1/admin/payouts?status=requested', { token: ADMIN })).json.payouts.find(
      (p: { id: string }) => p.id === id,
    );
    expect(listed).toMatchObject({ via: 'stripe_connect' });
    // Marking it paid by hand is for sandbox payouts.
    expect((await decide(id, 'paid')).status).toBe(409);

    const key = uniqueKey('decide');
    const approved = await decide(id, 'approved', key);
    expect(approved.status, approved.text).toBe(200);
    expect(approved.json.payout.status).toBe('processing');
    const transfers = fakeStripe.current.callsTo('POST', '/v1/transfers');
    expect(transfers).toHaveLength(1);
    expect(transfers[0]!.headers.get('idempotency-key')).toBe(`transfer-${id}`);
    expect(Object.fromEntries(transfers[0]!.params)).toMatchObject({
      amount: '1050',
      currency: 'usd',
      destination: account,
      'metadata[payoutId]': id,
      'metadata[userId]': u.id,
    });
    expect((await payoutsOf(u))[0]).toMatchObject({ id, status: 'paid' });
    expect(await indexed(id)).toMatchObject({ status: 'paid', transfer_id: fakeStripe.current.madeTransfers[0]!.id });
    expect(await balances(u)).toMatchObject({
      'diamonds:user': 1500,
      'diamonds:payout_pending': 0,
      'diamonds:external': 1500,
    });
    // The replayed approval and a second one move nothing and call Stripe no more.
    expect((await decide(id, 'approved', key)).text).toBe(approved.text);
    expect((await decide(id, 'approved')).status).toBe(409);
    await retryWalletNow(u.id);
    expect(fakeStripe.current.callsTo('POST', '/v1/transfers')).toHaveLength(1);
    await expectCleanAudit();
  });

  it('are rejected with their diamonds returned and no transfer', async () => {
    const { u } = await enabledCreator();
    const id = (await requestPayout(u)).json.payout.id;
    expect((await decide(id, 'rejected')).json.payout.status).toBe('rejected');
    expect((await balances(u))['diamonds:user']).toBe(3000);
    expect(fakeStripe.current.callsTo('POST', '/v1/transfers')).toHaveLength(0);
    await expectCleanAudit();
  });

  it('up to PAYOUT_AUTO_APPROVE_CENTS are approved with the request; above it they wait', async () => {
    const { u } = await enabledCreator(5000);
    const auto = { ...STRIPE_ENV, PAYOUT_AUTO_APPROVE_CENTS: '1050' };
    expect((await api('/v1/creator/payout-account', { token: u.token, env: auto })).json.account.autoApprove).toEqual({
      amount: 1050,
      currency: 'USD',
    });
    const small = await requestPayout(u, 1500, { env: auto });
    expect(small.status).toBe(201);
    expect(small.json.payout.status).toBe('processing');
    expect(fakeStripe.current.madeTransfers).toHaveLength(1);
    expect(fakeStripe.current.madeTransfers[0]).toMatchObject({ payoutId: small.json.payout.id, amount: 1050 });
    const big = await requestPayout(u, 1510, { env: auto });
    expect(big.json.payout.status).toBe('requested');
    expect(fakeStripe.current.madeTransfers).toHaveLength(1);
    expect((await payoutsOf(u)).map((p) => [p.id, p.status])).toEqual([
      [big.json.payout.id, 'requested'],
      [small.json.payout.id, 'paid'],
    ]);
    await expectCleanAudit();
  });
});

describe('when a transfer fails, the diamonds come back', () => {
  it('a transfer Stripe refuses for good fails the payout and returns the diamonds', async () => {
    const { u } = await enabledCreator();
    const id = (await requestPayout(u)).json.payout.id;
    fakeStripe.current.refuseTransfers = 1;
    expect((await decide(id, 'approved')).json.payout.status).toBe('processing');
    expect((await payoutsOf(u))[0]).toMatchObject({ id, status: 'failed', reference: 'Stripe refused the transfer' });
    expect(await indexed(id)).toMatchObject({ status: 'failed', transfer_id: null });
    expect(await balances(u)).toMatchObject({ 'diamonds:user': 3000, 'diamonds:payout_pending': 0 });
    expect(fakeStripe.current.madeTransfers).toHaveLength(0);
    await retryWalletNow(u.id);
    expect(fakeStripe.current.callsTo('POST', '/v1/transfers')).toHaveLength(1);
    await expectCleanAudit();
  });

  it('an outage is retried by the alarm until Stripe accepts, making one transfer', async () => {
    const { u } = await enabledCreator();
    const id = (await requestPayout(u)).json.payout.id;
    fakeStripe.current.failing = 'http500';
    expect((await decide(id, 'approved')).json.payout.status).toBe('processing');
    expect((await payoutsOf(u))[0]!.status).toBe('processing');
    expect(await balances(u)).toMatchObject({ 'diamonds:user': 1500, 'diamonds:payout_pending': 1500 });
    await expectCleanAudit();
    fakeStripe.current.failing = null;
    await retryWalletNow(u.id);
    expect((await payoutsOf(u))[0]!.status).toBe('paid');
    expect(fakeStripe.current.madeTransfers).toHaveLength(1);
    await expectCleanAudit();
  });

  it('transfer.reversed after the payout was paid fails it and returns the diamonds, once', async () => {
    const { u, account } = await enabledCreator();
    const id = (await requestPayout(u)).json.payout.id;
    await decide(id, 'approved');
    const t = fakeStripe.current.madeTransfers[0]!;
    const reversed = {
      id: t.id,
      object: 'transfer',
      amount: t.amount,
      amount_reversed: t.amount,
      reversed: true,
      destination: account,
      metadata: { payoutId: id, userId: u.id },
    };
    // A partial reversal (made by hand in Stripe's dashboard) is the operator's to settle; a malformed one is refused.
    expect((await deliver('transfer.reversed', { ...reversed, amount_reversed: 500 })).json).toMatchObject({
      outcome: 'ignored',
    });
    expect((await deliver('transfer.reversed', { ...reversed, amount_reversed: '1050' })).status).toBe(400);
    expect((await payoutsOf(u))[0]!.status).toBe('paid');
    const hook = await deliver('transfer.reversed', reversed);
    expect(hook.json).toMatchObject({ outcome: 'applied' });
    expect((await payoutsOf(u))[0]).toMatchObject({ id, status: 'failed', reference: 'Stripe reversed the transfer' });
    expect(await balances(u)).toMatchObject({
      'diamonds:user': 3000,
      'diamonds:external': 0,
      'diamonds:payout_pending': 0,
    });
    expect(await indexed(id)).toMatchObject({ status: 'failed' });
    // Another delivery of another event about the same reversal moves nothing.
    expect((await deliver('transfer.reversed', reversed)).json).toMatchObject({ outcome: 'ignored' });
    expect((await balances(u))['diamonds:user']).toBe(3000);
    expect(fakeStripe.current.madeReversals).toHaveLength(0);
    await expectCleanAudit();
  });

  it('payout.failed on the connected account fails the paid payout, returns the diamonds and takes the money back', async () => {
    const { u, account } = await enabledCreator();
    const id = (await requestPayout(u)).json.payout.id;
    await decide(id, 'approved');
    const t = fakeStripe.current.madeTransfers[0]!;
    const bankPayout = {
      id: 'po_test_1',
      object: 'payout',
      amount: 1050,
      currency: 'usd',
      status: 'failed',
      failure_code: 'account_closed',
    };
    // A failed bank payout of another amount is not this payout.
    expect((await deliver('payout.failed', { ...bankPayout, amount: 999 }, undefined, account)).json).toMatchObject({
      outcome: 'ignored',
    });
    expect((await payoutsOf(u))[0]!.status).toBe('paid');
    const hook = await deliver('payout.failed', bankPayout, undefined, account);
    expect(hook.json).toMatchObject({ outcome: 'applied' });
    expect((await payoutsOf(u))[0]).toMatchObject({ id, status: 'failed', reference: 'the bank payout failed' });
    expect(await balances(u)).toMatchObject({ 'diamonds:user': 3000, 'diamonds:external': 0 });
    // The money sits in the creator's Stripe balance: the transfer is reversed, so nobody keeps both.
    expect(fakeStripe.current.madeReversals).toEqual([{ transferId: t.id, payoutId: id }]);
    expect(fakeStripe.current.callsTo('POST', /\/reversals$/)[0]!.headers.get('idempotency-key')).toBe(
      `reversal-${id}`,
    );
    // Stripe's transfer.reversed that follows is recognised and moves nothing again.
    await deliver('transfer.reversed', {
      id: t.id,
      object: 'transfer',
      amount: 1050,
      amount_reversed: 1050,
      reversed: true,
      metadata: { payoutId: id, userId: u.id },
    });
    expect((await balances(u))['diamonds:user']).toBe(3000);
    // A payout.failed without its connected account is malformed.
    expect((await deliver('payout.failed', bankPayout)).status).toBe(400);
    await expectCleanAudit();
  });
});

describe('a crash between approval and transfer', () => {
  it('leaves the approval in the outbox; the alarm makes exactly one transfer', async () => {
    const { u } = await enabledCreator();
    const id = (await requestPayout(u)).json.payout.id;
    faults.walletStopsBeforeEffects = 1;
    const key = uniqueKey('decide');
    expect((await decide(id, 'approved', key)).status).toBe(500);
    expect(fakeStripe.current.callsTo('POST', '/v1/transfers')).toHaveLength(0);
    expect((await payoutsOf(u))[0]!.status).toBe('processing');
    expect(await runDurableObjectAlarm(walletStub(u.id))).toBe(true);
    expect(fakeStripe.current.madeTransfers).toHaveLength(1);
    expect((await payoutsOf(u))[0]!.status).toBe('paid');
    // The operator's retry under the same key replays the approval; the transfer is not made again.
    const retry = await decide(id, 'approved', key);
    expect(retry.status).toBe(200);
    expect(retry.json.payout.status).toBe('processing');
    await retryWalletNow(u.id);
    expect(fakeStripe.current.madeTransfers).toHaveLength(1);
    expect(fakeStripe.current.callsTo('POST', '/v1/transfers')).toHaveLength(1);
    await expectCleanAudit();
  });

  it('a crash after an auto-approved request still transfers once', async () => {
    const { u } = await enabledCreator();
    faults.walletStopsBeforeEffects = 1;
    const key = uniqueKey('payout');
    const auto = { ...STRIPE_ENV, PAYOUT_AUTO_APPROVE_CENTS: '5000' };
    expect((await requestPayout(u, 1500, { env: auto, key })).status).toBe(500);
    expect(await runDurableObjectAlarm(walletStub(u.id))).toBe(true);
    const retry = await requestPayout(u, 1500, { env: auto, key });
    expect(retry.status).toBe(201);
    expect((await payoutsOf(u)).map((p) => p.status)).toEqual(['paid']);
    expect(fakeStripe.current.madeTransfers).toHaveLength(1);
    await expectCleanAudit();
  });
});

describe('sandbox mode keeps the manual flow', () => {
  it('needs a destination, is marked paid by the operator, and cannot be approved for a transfer', async () => {
    const u = await creator();
    const missing = await api('/v1/creator/payouts', {
      body: { diamonds: 1500 },
      token: u.token,
      key: uniqueKey('payout'),
    });
    expect(missing.status).toBe(400);
    expect(missing.json.error.field).toBe('destination');
    const r = await api('/v1/creator/payouts', {
      body: { diamonds: 1500, destination: 'paypal:me@example.com' },
      token: u.token,
      key: uniqueKey('payout'),
    });
    expect(r.status).toBe(201);
    const id = r.json.payout.id;
    expect((await decide(id, 'approved')).status).toBe(409);
    expect((await decide(id, 'paid')).json.payout.status).toBe('paid');
    expect(fakeStripe.current.calls).toHaveLength(0);
    await expectCleanAudit();
  });
});
