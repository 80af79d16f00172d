import fc from 'fast-check';
import { monotonicFactory } from 'ulidx';
import { describe, expect, it } from 'vitest';
import { canonicalJson, isFinalStatus } from '../errors';
import { Account, checkBook, sumByUnit, userView, type Balances } from './ledger';
import { MemoryWalletStore } from './memory-store';
import { DEFAULT_RATE_CARD, coinsPrice } from './rate-card';
import { IDEMPOTENCY_TTL, WalletBook } from './wallet';

/**
 * A small bank of wallets driven by random operations, as the worker drives them: purchases (sandbox and
 * provider-completed), gifts that travel through an outbox to the creator's wallet, refunds, provider
 * refunds and chargebacks, payouts and decisions, and replays of earlier requests under the same key.
 */
const USERS = 4;
const card = DEFAULT_RATE_CARD;

type Op =
  | { t: 'buy'; user: number; coins: number; sandbox: boolean }
  | { t: 'complete'; user: number; pick: number; times: number }
  | { t: 'gift'; from: number; to: number; coins: number }
  | { t: 'deliver'; pick: number; times: number }
  | { t: 'refund'; user: number; pick: number }
  | { t: 'providerRefund'; user: number; pick: number; cents: number }
  | { t: 'dispute'; user: number; pick: number }
  | { t: 'payout'; user: number; diamonds: number }
  | { t: 'decide'; user: number; pick: number; paid: boolean }
  | { t: 'replay'; pick: number; tamper: boolean }
  | { t: 'tick'; ms: number };

const user = fc.nat({ max: USERS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('buy' as const), user, coins: fc.integer({ min: 100, max: 3000 }), sandbox: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('complete' as const), user, pick: fc.nat(), times: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('gift' as const), from: user, to: user, coins: fc.constantFrom(1, 5, 10, 100, 500, 1000, 2500) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('deliver' as const), pick: fc.nat(), times: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('refund' as const), user, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('providerRefund' as const), user, pick: fc.nat(), cents: fc.integer({ min: 1, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('dispute' as const), user, pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('payout' as const), user, diamonds: fc.integer({ min: 1, max: 400 }).map((n) => n * 10) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('decide' as const), user, pick: fc.nat(), paid: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('replay' as const), pick: fc.nat(), tamper: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 5 * 86_400_000 }) }) },
);

class Bank {
  newId = monotonicFactory();
  stores = Array.from({ length: USERS }, () => new MemoryWalletStore());
  books = this.stores.map((s) => new WalletBook(s, () => this.newId()));
  now = 1_700_000_000_000;
  purchases: string[][] = Array.from({ length: USERS }, () => []);
  payouts: string[][] = Array.from({ length: USERS }, () => []);
  /** Gifts debited and not yet credited, as the room's queue would hold them. */
  inFlight: { transferId: string; from: number; to: number; coins: number }[] = [];
  delivered: { transferId: string; from: number; to: number; coins: number }[] = [];
  /** Every keyed request made, to replay. */
  calls: { run: (fingerprint: string) => { status: number; body: string }; fingerprint: string; reply: { status: number; body: string }; at: number }[] = [];
  keyCount = 0;
  giftedCoins = 0;
  creditedDiamonds = 0;
  clawbacks = new Set<number>();

  keyed(fingerprint: string, run: (key: string, fingerprint: string) => { status: number; body: string }) {
    const key = `k${this.keyCount++}`;
    const reply = run(key, fingerprint);
    this.calls.push({ run: (fp) => run(key, fp), fingerprint, reply, at: this.now });
    return reply;
  }

  apply(o: Op): void {
    const pick = <T>(list: T[], n: number) => (list.length ? list[n % list.length] : undefined);
    switch (o.t) {
      case 'buy': {
        const id = this.newId();
        const r = this.keyed(canonicalJson(o), (key, fingerprint) =>
          this.books[o.user].buy({ key, fingerprint, purchaseId: id, coins: o.coins, card, price: coinsPrice(card, o.coins), adult: true, sandbox: o.sandbox, now: this.now }),
        );
        expect(r.status).toBe(201);
        this.purchases[o.user].push(id);
        return;
      }
      case 'complete': {
        const id = pick(this.purchases[o.user], o.pick);
        if (!id) return;
        for (let i = 0; i < o.times; i++) this.books[o.user].completePurchase(id, 'pi_x', this.now);
        return;
      }
      case 'gift': {
        if (o.from === o.to) return;
        const transferId = this.newId();
        const before = userView(this.stores[o.from].balances());
        const r = this.keyed(canonicalJson(o), (key, fingerprint) =>
          this.books[o.from].debitGift({ key, fingerprint, transferId, coins: o.coins, count: 1, comboKey: `u${o.to}:g`, rateVersion: 1, adult: true, live: true, counterparty: `u${o.to}`, payload: {}, respond: (r) => ({ transferId, ...r }), now: this.now }),
        );
        if (r.status === 201) {
          this.inFlight.push({ transferId, from: o.from, to: o.to, coins: o.coins });
          this.giftedCoins += o.coins;
        } else {
          expect(before.debt > 0 || before.coins < o.coins).toBe(true);
        }
        return;
      }
      case 'deliver': {
        const g = pick(this.inFlight, o.pick) ?? pick(this.delivered, o.pick);
        if (!g) return;
        // The room credits the creator (deduped by transfer id), then acknowledges to the viewer's wallet.
        for (let i = 0; i < o.times; i++) {
          const { credited } = this.books[g.to].creditGifts(`b-${g.transferId}-${i}`, [{ transferId: g.transferId, diamonds: g.coins, rateVersion: 1, from: null }], this.now);
          this.creditedDiamonds += credited;
          this.books[g.from].settleGift(g.transferId, this.now);
        }
        if (this.inFlight.includes(g)) {
          this.inFlight.splice(this.inFlight.indexOf(g), 1);
          this.delivered.push(g);
        }
        return;
      }
      case 'refund': {
        const id = pick(this.purchases[o.user], o.pick);
        if (!id) return;
        this.keyed(canonicalJson(o), (key, fingerprint) => this.books[o.user].refund({ key, fingerprint, purchaseId: id, now: this.now }));
        return;
      }
      case 'providerRefund': {
        const id = pick(this.purchases[o.user], o.pick);
        if (!id || this.stores[o.user].getPurchase(id)?.status === 'pending') return;
        const before = this.stores[o.user].balances();
        this.books[o.user].providerRefunded(id, o.cents, this.now);
        // Only a chargeback may leave debt: a provider refund never takes a balance below zero.
        if ((before[Account.coins] ?? 0) >= 0) expect(this.stores[o.user].balances()[Account.coins] ?? 0).toBeGreaterThanOrEqual(0);
        return;
      }
      case 'dispute': {
        const id = pick(this.purchases[o.user], o.pick);
        if (!id || this.stores[o.user].getPurchase(id)?.status === 'pending') return;
        const r = this.books[o.user].disputed(id, this.now);
        if (r !== 'not_found' && r.clawedBack > 0) this.clawbacks.add(o.user);
        return;
      }
      case 'payout': {
        const id = this.newId();
        const r = this.keyed(canonicalJson(o), (key, fingerprint) =>
          this.books[o.user].requestPayout({ key, fingerprint, payoutId: id, diamonds: o.diamonds, destination: 'paypal:me@example.com', adult: true, card, now: this.now }),
        );
        if (r.status === 201) this.payouts[o.user].push(id);
        return;
      }
      case 'decide': {
        const id = pick(this.payouts[o.user], o.pick);
        if (!id) return;
        this.keyed(canonicalJson(o), (key, fingerprint) =>
          this.books[o.user].decidePayout({ key, fingerprint, payoutId: id, status: o.paid ? 'paid' : 'rejected', reference: null, now: this.now }),
        );
        return;
      }
      case 'replay': {
        const call = pick(this.calls, o.pick);
        if (!call || this.now - call.at >= IDEMPOTENCY_TTL) return; // an expired key is a new request
        const before = this.stores.map((s) => s.balances());
        const r = call.run(o.tamper ? call.fingerprint + 'x' : call.fingerprint);
        if (!isFinalStatus(call.reply.status)) return; // never stored: a retry is a new attempt
        if (o.tamper) expect(JSON.parse(r.body).error.code).toBe('idempotency_mismatch');
        else expect(r).toEqual(call.reply);
        expect(this.stores.map((s) => s.balances())).toEqual(before);
        return;
      }
      case 'tick':
        this.now += o.ms;
        return;
    }
  }

  check(): void {
    const total: Balances = {};
    this.stores.forEach((store, i) => {
      const book = this.books[i].audit();
      expect(book.violations).toEqual([]);
      const b = store.balances();
      if (!this.clawbacks.has(i)) expect(b[Account.coins] ?? 0).toBeGreaterThanOrEqual(0);
      for (const [k, v] of Object.entries(b)) total[k as keyof Balances] = (total[k as keyof Balances] ?? 0) + (v ?? 0);
    });
    expect(checkBook(total)).toEqual([]);
    expect(sumByUnit(total)).toEqual({ coins: 0, diamonds: 0 });
    // Across wallets: every coin gifted is either still in flight or became exactly one diamond.
    const inFlight = this.inFlight.reduce((s, g) => s + g.coins, 0);
    expect(this.creditedDiamonds + inFlight).toBe(this.giftedCoins);
    expect(total[Account.coinsInTransit] ?? 0).toBe(inFlight);
    const diamonds = (total[Account.diamonds] ?? 0) + (total[Account.diamondsPending] ?? 0) + (total[Account.diamondsPaidOut] ?? 0);
    expect(diamonds).toBe(this.creditedDiamonds);
  }
}

describe('wallet ledger under random operations', () => {
  it('balances per unit, respects floors, and replays change nothing', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const bank = new Bank();
        for (const o of ops) {
          bank.apply(o);
          bank.check();
        }
      }),
      { numRuns: 2000 },
    );
  });
});
