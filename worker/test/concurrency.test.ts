import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { monotonicFactory } from 'ulidx';
import { Account, canonicalJson, DEFAULT_RATE_CARD, giftCommand } from '@giftstream/shared';
import { advanceClock } from '../src/clock';
import { clearFaults, faults } from '../src/faults';
import {
  ADMIN,
  api,
  audit,
  buy,
  decidePayout,
  expectCleanAudit,
  makeCreator,
  refundPurchase,
  signup,
  type TestUser,
  uniqueKey,
  until,
  wallet,
  walletStub,
} from './helpers';

const ulid = monotonicFactory();
const GIFT = 7;

afterEach(clearFaults);

/** Lets the wall clock move past the last id the wallet generated, so ids made here sort after it. */
const tick = () => new Promise((r) => setTimeout(r, 5));

/** The creator every gift here goes to. */
const target = {} as { user: TestUser; handle: string };

/**
 * What the gift route (routes/rooms.ts) asks the viewer's wallet: a 7-coin debit into transit, keyed by
 * the caller's Idempotency-Key, with the gift command the room is delivered.
 */
function giftDebit(viewer: TestUser, key: string, opts: { transferId?: string; body?: unknown } = {}) {
  const transferId = opts.transferId ?? ulid();
  const body = opts.body ?? { giftId: 'lucky_seven', count: 1 };
  return {
    key,
    fingerprint: canonicalJson({ method: 'POST', path: `/v1/rooms/${target.handle}/gifts`, body }),
    adult: true,
    live: true,
    command: giftCommand({
      transferId,
      room: target.handle,
      creatorUserId: target.user.id,
      from: { userId: viewer.id, name: 'Spender' },
      anonymous: false,
      gift: { id: 'lucky_seven', name: 'Lucky Seven', coins: GIFT },
      count: 1,
      card: DEFAULT_RATE_CARD,
      sessionId: null,
    }),
  };
}

type Debit = ReturnType<typeof giftDebit>;
type Reply = { status: number; body: string; retryAfter?: number };

/**
 * Sends every debit at once. A wallet may rate-limit gifts (429 rate_limited, nothing stored, nothing
 * moved); like a client, the ones refused are sent again, all at once, with the same key once the
 * Retry-After has passed on the one clock. Returns each request's final reply.
 */
async function debitAll(viewer: TestUser, requests: Debit[]) {
  const stub = walletStub(viewer.id);
  const replies: Reply[] = new Array(requests.length);
  let pending = requests.map((_, i) => i);
  let waves = 0;
  let limited = 0;
  while (pending.length) {
    waves++;
    const got = (await Promise.all(pending.map((i) => stub.debitGift(requests[i]!)))) as Reply[];
    const again: number[] = [];
    let wait = 0;
    got.forEach((r, j) => {
      if (r.status === 429) {
        expect(JSON.parse(r.body).error.code).toBe('rate_limited');
        wait = Math.max(wait, (r.retryAfter ?? 1) * 1000);
        again.push(pending[j]!);
      } else replies[pending[j]!] = r;
    });
    limited += again.length;
    pending = again;
    if (pending.length) advanceClock(wait);
    expect(waves, 'waves of retries').toBeLessThan(100);
  }
  return { replies, waves, limited };
}

async function ledger(user: TestUser) {
  return (await walletStub(user.id).audit()).balances;
}

/** Coins that left the viewer for gifts: still in transit, or acknowledged by the room. */
async function giftedCoins(user: TestUser) {
  const b = await ledger(user);
  return (b[Account.coinsInTransit] ?? 0) + (b[Account.coinsPlatform] ?? 0);
}

function tally(statuses: number[]) {
  return statuses.reduce<Record<number, number>>((m, s) => ((m[s] = (m[s] ?? 0) + 1), m), {});
}

beforeAll(async () => {
  target.user = await signup({ name: 'Target Creator' });
  target.handle = 'concurrency_target';
  await makeCreator(target.user, target.handle);
});

describe('concurrent spends against one wallet', () => {
  it('lets exactly as many of 200 simultaneous 7-coin spends through as 1000 coins afford', async () => {
    const viewer = await signup({ name: 'Big Spender' });
    await buy(viewer, { packId: 'pack_1000' });
    const diamondsBefore = (await wallet(target.user)).diamonds;
    await tick();

    const afford = Math.floor(1000 / GIFT);
    expect(afford).toBe(142);
    const requests = Array.from({ length: 200 }, (_, i) => giftDebit(viewer, uniqueKey(`spend${i}`)));
    expect(new Set(requests.map((r) => r.command.transferId)).size).toBe(200);
    // Hold deliveries, so everything debited is still in transit when we look.
    faults.roomRefusesDelivery = 1_000_000;
    const { replies, waves, limited } = await debitAll(viewer, requests);
    console.log(`200 spends: ${waves} wave(s), ${limited} rate-limited answers retried`);

    expect(tally(replies.map((r) => r.status)), replies[0]!.body).toEqual({ 201: afford, 402: 200 - afford });
    for (const r of replies.filter((x) => x.status === 402))
      expect(JSON.parse(r.body).error.code).toBe('insufficient_funds');
    // Each success reports the balance left after it; together they count down one gift at a time.
    const left = replies.filter((r) => r.status === 201).map((r) => JSON.parse(r.body).wallet.coins as number);
    expect([...left].sort((a, b) => b - a)).toEqual(Array.from({ length: afford }, (_, i) => 1000 - GIFT * (i + 1)));

    const w = await wallet(viewer);
    expect(w.coins).toBe(1000 - afford * GIFT);
    expect(w.coins).toBe(6);
    expect(w.debt).toBe(0);
    expect(w.gifted).toEqual({ day: afford * GIFT, week: afford * GIFT, month: afford * GIFT });

    const held = await ledger(viewer);
    expect(held[Account.coinsInTransit]).toBe(afford * GIFT);
    expect(held[Account.coinsUser]).toBe(6);
    expect((await walletStub(viewer.id).audit()).violations).toEqual([]);
    const heldAudit = await expectCleanAudit();
    expect(heldAudit.totals[Account.coinsInTransit]).toBe(afford * GIFT);

    const history = (await api('/v1/wallet/history?limit=200', { token: viewer.token })).json.entries as {
      kind: string;
      coins: number;
    }[];
    const gifts = history.filter((e) => e.kind === 'gift' && e.coins !== 0);
    expect(gifts).toHaveLength(afford);
    expect(gifts.every((e) => e.coins === -GIFT)).toBe(true);

    // Released, every gift arrives once: the creator gets exactly the coins that left, as diamonds.
    clearFaults();
    await until(
      'delivery of every gift',
      () => ledger(viewer),
      (b) => !b[Account.coinsInTransit] && b[Account.coinsPlatform] === afford * GIFT,
      30_000,
    );
    await until(
      'diamonds for every gift',
      async () => (await wallet(target.user)).diamonds,
      (d) => d === diamondsBefore + afford * GIFT,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect((await wallet(target.user)).diamonds).toBe(diamondsBefore + afford * GIFT);
    expect((await wallet(viewer)).coins).toBe(6);
    const a = await expectCleanAudit();
    expect(a.sums).toEqual({ coins: 0, diamonds: 0 });
  });

  it('moves money once for 50 simultaneous replays of one Idempotency-Key', async () => {
    const viewer = await signup({ name: 'Retrier' });
    await buy(viewer, { packId: 'pack_100' });
    await tick();
    const key = uniqueKey('retry');
    const stub = walletStub(viewer.id);
    // Every retry of a request is a new call to the route, so each carries a fresh transfer id.
    const { replies } = await debitAll(
      viewer,
      Array.from({ length: 50 }, () => giftDebit(viewer, key)),
    );
    expect(replies.every((r) => r.status === 201)).toBe(true);
    expect(new Set(replies.map((r) => r.body)).size).toBe(1);
    const first = JSON.parse(replies[0]!.body);
    expect(first.wallet.coins).toBe(100 - GIFT);

    expect((await wallet(viewer)).coins).toBe(100 - GIFT);
    expect(await giftedCoins(viewer)).toBe(GIFT);
    const debits = (await api('/v1/wallet/history', { token: viewer.token })).json.entries.filter(
      (e: { kind: string; coins: number }) => e.kind === 'gift' && e.coins < 0,
    );
    expect(debits).toHaveLength(1);
    expect(debits[0].id).toBe(first.gift.id);

    // The same key for another request, even all at once, is refused and moves nothing.
    const other = await Promise.all(
      Array.from({ length: 10 }, () => stub.debitGift(giftDebit(viewer, key, { body: { giftId: 'other', count: 2 } }))),
    );
    expect(other.every((r) => r.status === 409 && JSON.parse(r.body).error.code === 'idempotency_mismatch')).toBe(true);
    expect((await wallet(viewer)).coins).toBe(100 - GIFT);
    await until(
      'delivery',
      () => ledger(viewer),
      (b) => !b[Account.coinsInTransit],
      30_000,
    );
    expect(await giftedCoins(viewer)).toBe(GIFT);
    await expectCleanAudit();
  });

  it('moves one purchase for 50 simultaneous POST /v1/purchases with one key', async () => {
    const viewer = await signup({ name: 'Double Clicker' });
    const key = uniqueKey('buy');
    const replies = await Promise.all(
      Array.from({ length: 50 }, () =>
        api('/v1/purchases', { body: { packId: 'pack_500' }, token: viewer.token, key }),
      ),
    );
    expect(replies.map((r) => r.status).every((s) => s === 201)).toBe(true);
    expect(new Set(replies.map((r) => r.text)).size).toBe(1);
    const w = await wallet(viewer);
    expect(w.coins).toBe(500);
    expect(w.purchased.day).toBe(500);
    const history = (await api('/v1/wallet/history', { token: viewer.token })).json.entries;
    expect(history).toHaveLength(1);
    await expectCleanAudit();
  });

  it('holds a spending limit against 100 simultaneous purchases', async () => {
    const viewer = await signup({ name: 'Limited Buyer' });
    expect((await api('/v1/wallet/limits', { method: 'PUT', body: { daily: 5000 }, token: viewer.token })).status).toBe(
      200,
    );
    const replies = await Promise.all(
      Array.from({ length: 100 }, () =>
        api('/v1/purchases', { body: { packId: 'pack_100' }, token: viewer.token, key: uniqueKey('lim') }),
      ),
    );
    expect(tally(replies.map((r) => r.status))).toEqual({ 201: 50, 403: 50 });
    expect(replies.filter((r) => r.status === 403).every((r) => r.json.error.code === 'spending_limit')).toBe(true);
    const w = await wallet(viewer);
    expect(w.coins).toBe(5000);
    expect(w.purchased.day).toBe(5000);
    await expectCleanAudit();
  });

  it('refunds a purchase once against 20 simultaneous refund requests', async () => {
    const viewer = await signup({ name: 'Refunder' });
    const p = (await buy(viewer, { packId: 'pack_1000' })).purchase;
    await buy(viewer, { packId: 'pack_100' });
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        api(`/v1/purchases/${p.id}/refund`, { method: 'POST', token: viewer.token, key: uniqueKey('refund') }),
      ),
    );
    expect(tally(replies.map((r) => r.status))).toEqual({ 200: 1, 409: 19 });
    expect(replies.find((r) => r.status === 200)!.json.refund.coins).toBe(1000);
    expect((await wallet(viewer)).coins).toBe(100);
    expect((await api(`/v1/purchases/${p.id}`, { token: viewer.token })).json.purchase).toMatchObject({
      status: 'refunded',
      refundedCoins: 1000,
    });
    await expectCleanAudit();
  });

  it('never refunds coins already spent when spends and a refund race', async () => {
    const viewer = await signup({ name: 'Racer' });
    const p = (await buy(viewer, { packId: 'pack_1000' })).purchase;
    await tick();
    const spends = debitAll(
      viewer,
      Array.from({ length: 100 }, (_, i) => giftDebit(viewer, uniqueKey(`race${i}`))),
    );
    const refund = refundPurchase(viewer, p.id);
    const [{ replies }, refunded] = await Promise.all([spends, refund]);
    const spent = replies.filter((r) => r.status === 201).length * GIFT;
    expect(refunded.status === 200 || refunded.status === 409).toBe(true);
    const back = refunded.status === 200 ? (refunded.json.refund.coins as number) : 0;
    const w = await wallet(viewer);
    expect(w.coins).toBeGreaterThanOrEqual(0);
    expect(w.coins + spent + back).toBe(1000);
    expect(await giftedCoins(viewer)).toBe(spent);
    expect(replies.every((r) => r.status === 201 || r.status === 402)).toBe(true);
    await expectCleanAudit();
  });
});

describe('concurrent payouts and credits', () => {
  let creator: TestUser;

  it('lets exactly as many simultaneous payout requests through as the diamonds cover', async () => {
    creator = await signup({ name: 'Busy Creator' });
    await makeCreator(creator, 'busy_creator');
    await walletStub(creator.id).creditGifts(uniqueKey('batch'), [
      { transferId: ulid(), diamonds: 2860 + 9, rateVersion: 1, from: null },
    ]);
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api('/v1/creator/payouts', {
          body: { diamonds: 1430, destination: `account ${i}` },
          token: creator.token,
          key: uniqueKey('po'),
        }),
      ),
    );
    expect(tally(replies.map((r) => r.status))).toEqual({ 201: 2, 402: 8 });
    expect(await wallet(creator)).toMatchObject({ diamonds: 9, diamondsPending: 2860 });
    const ids = replies
      .filter((r) => r.status === 201)
      .map((r) => r.json.payout.id)
      .sort();
    const indexed = (await api('/v1/admin/payouts?status=requested', { token: ADMIN })).json.payouts.filter(
      (p: { handle: string }) => p.handle === 'busy_creator',
    );
    expect(indexed.map((p: { id: string }) => p.id).sort()).toEqual(ids);
    expect((await api('/v1/creator/payouts', { token: creator.token })).json.payouts).toHaveLength(2);
    await expectCleanAudit();
  });

  it('decides a payout once against simultaneous paid and rejected decisions', async () => {
    const [payout] = (await api('/v1/admin/payouts?status=requested', { token: ADMIN })).json.payouts.filter(
      (p: { handle: string }) => p.handle === 'busy_creator',
    );
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => decidePayout(payout.id, { status: i % 2 ? 'paid' : 'rejected' })),
    );
    expect(tally(decisions.map((r) => r.status))).toEqual({ 200: 1, 409: 19 });
    const won = decisions.find((r) => r.status === 200)!.json.payout.status as 'paid' | 'rejected';
    expect(await wallet(creator)).toMatchObject(
      won === 'paid' ? { diamonds: 9, diamondsPending: 1430 } : { diamonds: 1439, diamondsPending: 1430 },
    );
    const row = (await api(`/v1/admin/payouts?status=${won}`, { token: ADMIN })).json.payouts.find(
      (p: { id: string }) => p.id === payout.id,
    );
    expect(row).toBeDefined();
    await expectCleanAudit();
  });

  it('credits a gift once when its batch is delivered 20 times at once', async () => {
    const before = (await wallet(creator)).diamonds;
    const transferId = ulid();
    const stub = walletStub(creator.id);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stub.creditGifts(i % 2 ? 'batch-same' : uniqueKey('batch'), [
          { transferId, diamonds: 250, rateVersion: 1, from: 'A Viewer' },
        ]),
      ),
    );
    expect(results.reduce((s, r) => s + r.credited, 0)).toBe(250);
    expect(results.reduce((s, r) => s + r.duplicates, 0)).toBe(19);
    expect((await wallet(creator)).diamonds).toBe(before + 250);
    await expectCleanAudit();
  });
});

describe('the audit', () => {
  // The audit replays each book in the order its entries were written (SqlWalletStore.transfers orders by
  // rowid), not by transfer id: the gift route mints a gift's id before the wallet commits it, so a gift whose
  // id sorts before the purchase that funds it (bought and gifted at once) must not read as an overdraft.
  it('stays clean when a gift request began before the purchase that funds it committed', async () => {
    const viewer = await signup({ name: 'Quick Buyer' });
    const transferId = ulid(); // the gift route has minted its id and is waiting on the room...
    await tick();
    await buy(viewer, { packId: 'pack_100' }); // ...while the purchase commits
    const r = await walletStub(viewer.id).debitGift(giftDebit(viewer, uniqueKey('early'), { transferId }));
    expect(r.status).toBe(201);
    expect((await wallet(viewer)).coins).toBe(100 - GIFT);
    expect((await walletStub(viewer.id).audit()).violations).toEqual([]);
  });

  it('covers every wallet', async () => {
    const { results } = await env.DB.prepare('SELECT COUNT(*) AS n FROM users').all<{ n: number }>();
    const a = await audit();
    expect(a.wallets).toBe(Math.min(results[0]!.n, 100));
  });
});
