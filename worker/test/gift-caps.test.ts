import { env, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY } from '@giftstream/shared';
import { advanceClock, resetClock } from '../src/clock';
import { Wallet } from '../src/objects/wallet';
import {
  api,
  buy,
  expectCleanAudit,
  liveRoom,
  sendGift,
  signup,
  uniqueKey,
  wallet,
  walletStub,
  type TestUser,
} from './helpers';

afterEach(resetClock);

const usd = (amount: number) => ({ amount, currency: 'USD' });

async function setLimits(viewer: TestUser, body: unknown) {
  const r = await api('/v1/wallet/limits', { method: 'PUT', body, token: viewer.token });
  expect(r.status, r.text).toBe(200);
  return r.json;
}

async function meter(viewer: TestUser, handle: string) {
  const r = await api(`/v1/wallet?room=${handle}`, { token: viewer.token });
  expect(r.status, r.text).toBe(200);
  return r.json;
}

/** Everything a refused gift must leave as it was. */
async function moneyState(viewer: TestUser, handle: string) {
  const w = await meter(viewer, handle);
  const history = await api('/v1/wallet/history?limit=200', { token: viewer.token });
  return { coins: w.coins, room: w.room, giftSpent: w.giftSpent, entries: history.json.entries.length };
}

describe('gift caps', () => {
  it('are set beside the purchase limits: lowering at once, raising and removing after 24 hours', async () => {
    const viewer = await signup();
    const first = await setLimits(viewer, { giftLimits: { stream: 2000, daily: 5000 } });
    expect(first.giftLimits).toEqual({ stream: 2000, daily: 5000 });
    expect(first.pendingLimits).toEqual([]);
    const raise = await setLimits(viewer, { giftLimits: { stream: 3000 } });
    expect(raise.giftLimits).toEqual({ stream: 2000, daily: 5000 });
    expect(raise.pendingLimits).toMatchObject([{ period: 'gift_stream', amount: 3000 }]);
    // A lower cap applies at once and cancels the raise; the daily cap, not named, keeps its value.
    const lower = await setLimits(viewer, { giftLimits: { stream: 1000 } });
    expect(lower).toMatchObject({ giftLimits: { stream: 1000, daily: 5000 }, pendingLimits: [] });
    await setLimits(viewer, { giftLimits: { daily: null }, daily: 100 });
    const w = await wallet(viewer);
    expect(w.giftLimits).toEqual({ stream: 1000, daily: 5000 });
    expect(w.limits.daily).toBe(100);
    expect(w.pendingLimits).toMatchObject([{ period: 'gift_daily', amount: null }]);
    advanceClock(DAY + 1000);
    expect((await wallet(viewer)).giftLimits).toEqual({ stream: 1000, daily: null });
  });

  it('refuse a gift over the per-stream cap with 403 gift_limit, move nothing, and free up with the next stream', async () => {
    const { creator, handle, viewer } = await liveRoom({ coins: 10_000 });
    await setLimits(viewer, { giftLimits: { stream: 500 } });
    expect((await sendGift(viewer, handle, { giftId: 'trophy' })).status).toBe(201);
    const before = await moneyState(viewer, handle);
    expect(before.room.sent).toEqual({ stream: usd(250), day: usd(250) });
    const key = uniqueKey('over');
    const refused = await sendGift(viewer, handle, { giftId: 'trophy', count: 2 }, key);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('gift_limit');
    expect(refused.json.error.message).toContain('per-stream gift cap of $5.00');
    expect(refused.json.error.message).toContain(`you have sent $2.50 to @${handle} this stream`);
    expect(refused.json.error.message).toContain('frees up when');
    expect(await moneyState(viewer, handle)).toEqual(before);
    // The refusal is final for its key, like any other: replayed, not retried.
    expect((await sendGift(viewer, handle, { giftId: 'trophy', count: 2 }, key)).text).toBe(refused.text);
    // Exactly up to the cap is allowed.
    expect((await sendGift(viewer, handle, { giftId: 'trophy' })).status).toBe(201);
    // A new stream is a new count.
    for (const live of [false, true])
      expect((await api('/v1/creator/live', { body: { live }, token: creator.token })).status).toBe(200);
    expect((await meter(viewer, handle)).room.sent).toEqual({ stream: usd(0), day: usd(500) });
    expect((await sendGift(viewer, handle, { giftId: 'trophy' })).status).toBe(201);
    await expectCleanAudit();
  });

  it('refuse a gift over the daily cap across streams, saying when it frees up', async () => {
    const a = await liveRoom({ coins: 10_000 });
    const b = await liveRoom({ coins: 0 });
    await setLimits(a.viewer, { giftLimits: { daily: 1000 } });
    expect((await sendGift(a.viewer, a.handle, { giftId: 'diamond_ring' })).status).toBe(201);
    advanceClock(60_000);
    expect((await sendGift(a.viewer, b.handle, { giftId: 'trophy' })).status).toBe(201);
    const refused = await sendGift(a.viewer, b.handle, { giftId: 'diamond_ring' });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('gift_limit');
    expect(refused.json.error.message).toContain('daily gift cap of $10.00: you have sent $7.50 in the last 24 hours');
    // The first gift (at the start) rolls off 24 hours after it was sent: then $5.00 more fits.
    expect(refused.json.error.message).toMatch(/frees up at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect((await meter(a.viewer, b.handle)).room.sent).toEqual({ stream: usd(250), day: usd(750) });
    advanceClock(DAY - 60_000);
    expect((await sendGift(a.viewer, b.handle, { giftId: 'diamond_ring' })).status).toBe(201);
  });

  it('count a stream from its first gift however long it runs: a day-long stream still holds the per-stream cap', async () => {
    const { handle, viewer } = await liveRoom({ coins: 10_000 });
    await setLimits(viewer, { giftLimits: { stream: 500 } });
    expect((await sendGift(viewer, handle, { giftId: 'trophy' })).status).toBe(201);
    advanceClock(DAY + 60 * 60_000);
    // The daily window has let the first gift go; the stream has not.
    expect((await meter(viewer, handle)).room.sent).toEqual({ stream: usd(250), day: usd(0) });
    expect((await sendGift(viewer, handle, { giftId: 'trophy', count: 2 })).json.error.code).toBe('gift_limit');
    expect((await sendGift(viewer, handle, { giftId: 'trophy' })).status).toBe(201);
    expect((await meter(viewer, handle)).room.sent).toEqual({ stream: usd(500), day: usd(250) });
  });

  it('are never crossed by simultaneous gifts', async () => {
    const { handle, viewer } = await liveRoom({ coins: 10_000 });
    await setLimits(viewer, { giftLimits: { stream: 1000, daily: 2000 } });
    // 30 gifts of $1.00 at once: the wallet decides them one at a time, so exactly ten fit the stream cap.
    const replies = await Promise.all(
      Array.from({ length: 30 }, () => sendGift(viewer, handle, { giftId: 'balloon' })),
    );
    const statuses = replies.map((r) => (r.status === 403 ? r.json.error.code : r.status));
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 'gift_limit')).toHaveLength(20);
    const w = await meter(viewer, handle);
    expect(w.coins).toBe(9000);
    expect(w.room.sent).toEqual({ stream: usd(1000), day: usd(1000) });
    // Each accepted reply carries the meter as it stood after that gift: $1.00 to $10.00, each once.
    const meters = replies.filter((r) => r.status === 201).map((r) => r.json.wallet.sent.stream.amount);
    expect(meters.sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * 100));
    await expectCleanAudit();
  });

  it('count a combo as it grows, and read the same after the wallet restarts', async () => {
    const { handle, viewer } = await liveRoom({ coins: 10_000 });
    const sent: number[] = [];
    let combo: string | null = null;
    for (let i = 0; i < 4; i++) {
      const r = await sendGift(viewer, handle, { giftId: 'rose', count: 2 });
      expect(r.status).toBe(201);
      combo ??= r.json.gift.combo.id;
      expect(r.json.gift.combo).toEqual({ id: combo, count: (i + 1) * 2 });
      sent.push(r.json.wallet.sent.stream.amount);
    }
    expect(sent).toEqual([10, 20, 30, 40]);
    // A new object over the same storage: what the meter says comes from the ledger's SQLite, not memory.
    const session = (await meter(viewer, handle)).room.sessionId;
    expect(session).toEqual(expect.any(String));
    const fresh = await runInDurableObject(walletStub(viewer.id), (_w, ctx) =>
      new Wallet(ctx, env).giftsSent(handle, session),
    );
    expect(fresh).toEqual({ stream: 40, day: 40 });
    expect((await meter(viewer, handle)).room).toEqual({
      handle,
      live: true,
      sessionId: session,
      sent: { stream: usd(40), day: usd(40) },
    });
  });

  it('report nothing for a stream that is not live, and 404 for a room that does not exist', async () => {
    const { creator, handle, viewer } = await liveRoom({ coins: 1000 });
    expect((await sendGift(viewer, handle, { giftId: 'rose' })).status).toBe(201);
    await api('/v1/creator/live', { body: { live: false }, token: creator.token });
    expect((await meter(viewer, handle)).room).toEqual({
      handle,
      live: false,
      sessionId: null,
      sent: { stream: usd(0), day: usd(5) },
    });
    const missing = await api('/v1/wallet?room=no_such_room', { token: viewer.token });
    expect(missing.status).toBe(404);
    expect((await api('/v1/wallet?room=NOT%20A%20HANDLE', { token: viewer.token })).status).toBe(400);
  });
});

describe('the monthly statement', () => {
  it('sums purchases, gifts by creator and refunds in money, from the ledger, as JSON and CSV', async () => {
    const a = await liveRoom({ coins: 0 });
    const b = await liveRoom({ coins: 0 });
    const viewer = await signup({ name: 'Statement Reader' });
    await buy(viewer, { packId: 'pack_1000' });
    const second = await buy(viewer, { packId: 'pack_500' });
    expect((await sendGift(viewer, a.handle, { giftId: 'trophy' })).status).toBe(201);
    expect((await sendGift(viewer, b.handle, { giftId: 'rose', count: 3 })).status).toBe(201);
    expect((await sendGift(viewer, a.handle, { giftId: 'coffee' })).status).toBe(201);
    const refund = await api(`/v1/purchases/${second.purchase.id}/refund`, {
      body: {},
      token: viewer.token,
      key: uniqueKey('refund'),
    });
    expect(refund.status, refund.text).toBe(200);
    const month = new Date().toISOString().slice(0, 7);
    const r = await api(`/v1/wallet/statement?month=${month}`, { token: viewer.token });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({
      month,
      purchases: { count: 2, coins: 1500, amount: usd(1500) },
      gifts: {
        count: 3,
        coins: 275,
        amount: usd(275),
        byCreator: [
          { handle: a.handle, count: 2, coins: 260, amount: usd(260) },
          { handle: b.handle, count: 1, coins: 15, amount: usd(15) },
        ],
      },
      refunds: { count: 1, coins: 500, amount: usd(500) },
      chargebacks: { count: 0, coins: 0, amount: usd(0) },
      sandbox: true,
    });
    const csv = await api(`/v1/wallet/statement.csv?month=${month}`, { token: viewer.token });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.split('\r\n')).toEqual([
      'month,section,creator,count,coins,amount_minor,currency,sandbox',
      `"${month}","purchases","","2","1500","1500","USD","true"`,
      `"${month}","gifts","","3","275","275","USD","true"`,
      `"${month}","gifts_to","${a.handle}","2","260","260","USD","true"`,
      `"${month}","gifts_to","${b.handle}","1","15","15","USD","true"`,
      `"${month}","refunds","","1","500","500","USD","true"`,
      `"${month}","chargebacks","","0","0","0","USD","true"`,
      '',
    ]);
    // Another month holds none of it; a month that is not one is a 400.
    const empty = await api('/v1/wallet/statement?month=2001-01', { token: viewer.token });
    expect(empty.json.purchases).toEqual({ count: 0, coins: 0, amount: usd(0) });
    const bad = await api('/v1/wallet/statement?month=2026-13', { token: viewer.token });
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('month');
  });
});
