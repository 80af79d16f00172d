import { describe, expect, it } from 'vitest';
import { advanceClock } from '../src/clock';
import { api, buy, expectCleanAudit, signup, uniqueKey, wallet } from './helpers';

const DAY = 86_400_000;

describe('sandbox purchases', () => {
  it('credit coins at once, labelled sandbox', async () => {
    const u = await signup();
    const r = await buy(u, { packId: 'pack_500' });
    expect(r.purchase).toMatchObject({
      status: 'completed',
      coins: 500,
      price: { amount: 500, currency: 'USD' },
      sandbox: true,
    });
    expect(r.wallet).toEqual({ coins: 500 });
    const custom = await buy(u, { coins: 1234 });
    expect(custom.purchase.price.amount).toBe(1234);
    const w = await wallet(u);
    expect(w).toMatchObject({
      coins: 1734,
      debt: 0,
      diamonds: 0,
      value: { amount: 1734, currency: 'USD' },
      purchased: { day: 1734, week: 1734, month: 1734 },
    });
    await expectCleanAudit();
  });

  it('replays the first response for a repeated Idempotency-Key and refuses a changed body', async () => {
    const u = await signup();
    const key = uniqueKey();
    const first = await api('/v1/purchases', { body: { packId: 'pack_100' }, token: u.token, key });
    const again = await api('/v1/purchases', { body: { packId: 'pack_100' }, token: u.token, key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect((await wallet(u)).coins).toBe(100);
    const changed = await api('/v1/purchases', { body: { packId: 'pack_500' }, token: u.token, key });
    expect(changed.status).toBe(409);
    expect(changed.json.error.code).toBe('idempotency_mismatch');
    expect((await wallet(u)).coins).toBe(100);
    const missing = await api('/v1/purchases', { body: { packId: 'pack_100' }, token: u.token });
    expect(missing.status).toBe(400);
    expect(missing.json.error.field).toBe('Idempotency-Key');
    // Keys are scoped to the caller: another user's identical key is a new request.
    const other = await signup();
    const theirs = await api('/v1/purchases', { body: { packId: 'pack_100' }, token: other.token, key });
    expect(theirs.status).toBe(201);
    expect(theirs.json.purchase.id).not.toBe(first.json.purchase.id);
  });

  it('refuses under-18 accounts with age_restricted', async () => {
    const kid = await signup({ adult: false });
    const r = await api('/v1/purchases', { body: { packId: 'pack_100' }, token: kid.token, key: uniqueKey() });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('age_restricted');
    expect((await wallet(kid)).coins).toBe(0);
    const me = await api('/v1/me', { token: kid.token });
    expect(me.json.user.adult).toBe(false);
  });
});

describe('spending limits', () => {
  it('refuse the purchase that would cross a limit; raising applies only after 24 h', async () => {
    const u = await signup();
    const set = await api('/v1/wallet/limits', {
      method: 'PUT',
      body: { daily: 1500, weekly: null, monthly: null },
      token: u.token,
    });
    expect(set.status).toBe(200);
    expect(set.json.limits.daily).toBe(1500);
    await buy(u, { packId: 'pack_1000' });
    const over = await api('/v1/purchases', { body: { packId: 'pack_1000' }, token: u.token, key: uniqueKey() });
    expect(over.status).toBe(403);
    expect(over.json.error.code).toBe('spending_limit');
    await buy(u, { packId: 'pack_500' }); // exactly at the limit is allowed

    const raise = await api('/v1/wallet/limits', { method: 'PUT', body: { daily: 5000 }, token: u.token });
    expect(raise.json.limits.daily).toBe(1500);
    expect(raise.json.pendingLimits).toHaveLength(1);
    expect(raise.json.pendingLimits[0]).toMatchObject({ period: 'daily', amount: 5000 });
    const w = await wallet(u);
    expect(w.pendingLimits[0].effectiveAt - Date.now()).toBeGreaterThan(DAY - 60_000);
    expect(
      (await api('/v1/purchases', { body: { packId: 'pack_100' }, token: u.token, key: uniqueKey() })).status,
    ).toBe(403);

    advanceClock(DAY + 1000);
    const later = await wallet(u);
    expect(later.limits.daily).toBe(5000);
    expect(later.pendingLimits).toEqual([]);
    expect(later.purchased.day).toBe(0); // yesterday's purchases left the daily window
    await buy(u, { packId: 'pack_2500' });
    expect((await wallet(u)).coins).toBe(4000);
  });
});

describe('refunds (right of withdrawal)', () => {
  it('return the unspent coins of a purchase within 14 days, once', async () => {
    const u = await signup();
    const p = (await buy(u, { packId: 'pack_1000' })).purchase;
    const key = uniqueKey('refund');
    const r = await api(`/v1/purchases/${p.id}/refund`, { method: 'POST', token: u.token, key });
    expect(r.status).toBe(200);
    expect(r.json.refund).toMatchObject({ coins: 1000, amount: { amount: 1000, currency: 'USD' } });
    expect(r.json.purchase.status).toBe('refunded');
    expect((await api(`/v1/purchases/${p.id}/refund`, { method: 'POST', token: u.token, key })).text).toBe(r.text);
    const again = await api(`/v1/purchases/${p.id}/refund`, { method: 'POST', token: u.token, key: uniqueKey() });
    expect(again.status).toBe(409);
    expect((await wallet(u)).coins).toBe(0);
    await expectCleanAudit();
  });

  it('close after 14 days', async () => {
    const u = await signup();
    const p = (await buy(u, { packId: 'pack_100' })).purchase;
    advanceClock(14 * DAY + 1);
    const r = await api(`/v1/purchases/${p.id}/refund`, { method: 'POST', token: u.token, key: uniqueKey() });
    expect(r.status).toBe(409);
    expect(r.json.error.message).toMatch(/14-day/);
    expect((await wallet(u)).coins).toBe(100);
  });
});
