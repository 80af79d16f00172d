import fc from 'fast-check';
import { monotonicFactory } from 'ulidx';
import { describe, expect, it } from 'vitest';
import { canonicalJson, isFinalStatus } from '../errors';
import { Account, checkBook, sumByUnit, userView, type Balances } from './ledger';
import { MemoryWalletStore } from './memory-store';
import { DEFAULT_RATE_CARD, coinsPrice } from './rate-card';
import { IDEMPOTENCY_TTL, WalletBook, type Effect } from './wallet';
import { giftCommand } from '../room/gift';

/**
 * A small bank of wallets driven by random operations, as the worker drives them: purchases (sandbox and
 * provider-completed), gifts that travel through an outbox to the creator's wallet, refunds, provider
 * refunds and chargebacks, payouts and decisions, account closures, and replays of earlier requests under
 * the same key. Effects that leave a wallet (the directory's payout rows and closed flags, the provider's
 * refunds) are applied, refused or lost to a crash at random moments; once all are applied, the directory
 * must agree with the wallets, and a refund the provider refused must have given the coins back.
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
  | { t: 'payout'; user: number; share: number; connect: boolean; auto: boolean }
  | { t: 'decide'; user: number; pick: number; status: 'approved' | 'paid' | 'rejected' }
  | { t: 'returned'; user: number; pick: number; reason: 'transfer_reversed' | 'payout_failed' }
  | { t: 'replay'; pick: number; tamper: boolean }
  | { t: 'close'; user: number }
  | { t: 'effects'; user: number; outcome: 'done' | 'refused' | 'crash' }
  | { t: 'refundConfirmed'; user: number; pick: number }
  | { t: 'mismatch'; user: number; pick: number }
  | { t: 'tick'; ms: number };

const user = fc.nat({ max: USERS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('buy' as const),
      user,
      coins: fc.integer({ min: 100, max: 6000 }),
      sandbox: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('complete' as const),
      user,
      pick: fc.nat(),
      times: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('gift' as const),
      from: user,
      to: user,
      coins: fc.constantFrom(1, 5, 10, 100, 500, 1000, 2500, 5000),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('deliver' as const), pick: fc.nat(), times: fc.integer({ min: 1, max: 3 }) }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('refund' as const), user, pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('providerRefund' as const),
      user,
      pick: fc.nat(),
      cents: fc.integer({ min: 1, max: 3000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('dispute' as const), user, pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('payout' as const),
      user,
      share: fc.integer({ min: 1, max: 120 }),
      connect: fc.boolean(),
      auto: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('decide' as const),
      user,
      pick: fc.nat(),
      status: fc.constantFrom('approved' as const, 'paid' as const, 'rejected' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('returned' as const),
      user,
      pick: fc.nat(),
      reason: fc.constantFrom('transfer_reversed' as const, 'payout_failed' as const),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('replay' as const), pick: fc.nat(), tamper: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 5 * 86_400_000 }) }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('close' as const), user }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('effects' as const),
      user,
      outcome: fc.constantFrom('done' as const, 'done' as const, 'refused' as const, 'crash' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('refundConfirmed' as const), user, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('mismatch' as const), user, pick: fc.nat() }) },
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
  calls: {
    run: (fingerprint: string) => { status: number; body: string };
    fingerprint: string;
    reply: { status: number; body: string };
    at: number;
  }[] = [];
  keyCount = 0;
  giftedCoins = 0;
  creditedDiamonds = 0;
  clawbacks = new Set<number>();
  forfeitedDiamonds = 0;
  /** The directory as the effects built it: payout rows by id, closed users, refunds the provider made. */
  directory = { payouts: new Map<string, string>(), closed: new Set<number>(), flagged: new Set<string>() };
  providerRefunds = new Map<string, number>();
  /** Stripe Connect as the provider: transfers made per payout (one per Idempotency-Key) and reversals asked for. */
  transfers = new Map<string, string>();
  reversals = new Set<string>();

  /** Applies one user's due effects as the worker's alarm would; a crash loses the attempt, not the effect. */
  applyEffects(u: number, outcome: 'done' | 'refused' | 'crash'): void {
    // Like the worker, rounds repeat while they apply something: an accepted transfer queues its payout's new index row.
    for (let round = 0; round < 4 && this.books[u].pendingEffects().length; round++) this.applyRound(u, outcome);
  }

  private applyRound(u: number, outcome: 'done' | 'refused' | 'crash'): void {
    for (const e of this.books[u].pendingEffects()) {
      if (outcome === 'crash') return this.books[u].effectFailed(e.id, this.now + 1000);
      const refused =
        outcome === 'refused' &&
        (e.effect.kind === 'provider_refund' ||
          (e.effect.kind === 'stripe_transfer' && !this.transfers.has(e.effect.payoutId)));
      if (!refused) this.applyToDirectory(u, e.effect);
      const transferred =
        e.effect.kind === 'stripe_transfer' && !refused
          ? { transferred: this.transfers.get(e.effect.payoutId)! }
          : null;
      this.books[u].effectApplied(e, refused ? 'refused' : (transferred ?? 'done'), this.now);
    }
  }

  private applyToDirectory(u: number, e: Effect): void {
    if (e.kind === 'payout_index') this.directory.payouts.set(e.payout.id, e.payout.status);
    if (e.kind === 'account_closed') this.directory.closed.add(u);
    if (e.kind === 'purchase_index') this.directory.flagged.add(e.purchaseId);
    if (e.kind === 'provider_refund')
      this.providerRefunds.set(e.purchaseId, (this.providerRefunds.get(e.purchaseId) ?? 0) + e.amount);
    // Stripe answers a replayed Idempotency-Key with the transfer it made the first time.
    if (e.kind === 'stripe_transfer' && !this.transfers.has(e.payoutId))
      this.transfers.set(e.payoutId, `tr_${e.payoutId}`);
    if (e.kind === 'stripe_transfer_reversal') this.reversals.add(e.payoutId);
  }

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
          this.books[o.user].buy({
            key,
            fingerprint,
            purchaseId: id,
            coins: o.coins,
            card,
            price: coinsPrice(card, o.coins),
            adult: true,
            sandbox: o.sandbox,
            now: this.now,
          }),
        );
        // A closed account buys nothing (it has no session to ask with; the wallet refuses all the same).
        expect(r.status).toBe(this.books[o.user].closed() ? 403 : 201);
        if (r.status === 201) this.purchases[o.user].push(id);
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
          this.books[o.from].debitGift({
            key,
            fingerprint,
            command: giftCommand({
              transferId,
              room: `u${o.to}`,
              creatorUserId: `user${o.to}`,
              from: { userId: `user${o.from}`, name: `User ${o.from}` },
              anonymous: false,
              gift: { id: 'g', name: 'Gift', coins: o.coins },
              count: 1,
              card,
              sessionId: null,
            }),
            adult: true,
            live: true,
            now: this.now,
          }),
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
          const { credited, forfeited } = this.books[g.to].creditGifts(
            `b-${g.transferId}-${i}`,
            [{ transferId: g.transferId, diamonds: g.coins, rateVersion: 1, from: null }],
            this.now,
          );
          this.creditedDiamonds += credited + forfeited;
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
        this.keyed(canonicalJson(o), (key, fingerprint) =>
          this.books[o.user].refund({ key, fingerprint, purchaseId: id, now: this.now }),
        );
        return;
      }
      case 'providerRefund': {
        const id = pick(this.purchases[o.user], o.pick);
        if (!id || this.stores[o.user].getPurchase(id)?.status === 'pending') return;
        const before = this.stores[o.user].balances();
        this.books[o.user].providerRefunded(id, o.cents, this.now);
        // Only a chargeback may leave debt: a provider refund never takes a balance below zero.
        if ((before[Account.coinsUser] ?? 0) >= 0)
          expect(this.stores[o.user].balances()[Account.coinsUser] ?? 0).toBeGreaterThanOrEqual(0);
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
        // A share of what the creator holds (over 100%: more than it holds), in whole steps.
        const diamonds = Math.max(
          10,
          Math.floor((userView(this.stores[o.user].balances()).diamonds * o.share) / 1000) * 10,
        );
        const r = this.keyed(canonicalJson(o), (key, fingerprint) =>
          this.books[o.user].requestPayout({
            key,
            fingerprint,
            payoutId: id,
            diamonds,
            destination: 'paypal:me@example.com',
            adult: true,
            card,
            owner: { userId: `u${o.user}`, handle: `h${o.user}` },
            ...(o.connect
              ? {
                  connect: {
                    account: `acct_${o.user}`,
                    payoutsEnabled: true,
                    autoApproveCents: o.auto ? 1_000_000 : 0,
                  },
                }
              : {}),
            now: this.now,
          }),
        );
        if (r.status === 201) this.payouts[o.user].push(id);
        return;
      }
      case 'decide': {
        const id = pick(this.payouts[o.user], o.pick);
        if (!id) return;
        this.keyed(canonicalJson(o), (key, fingerprint) =>
          this.books[o.user].decidePayout({
            key,
            fingerprint,
            payoutId: id,
            status: o.status,
            reference: null,
            owner: { userId: `u${o.user}`, handle: `h${o.user}` },
            now: this.now,
          }),
        );
        return;
      }
      case 'returned': {
        // transfer.reversed, or payout.failed on the connected account: only a transferred payout can be either.
        const id = pick(this.payouts[o.user], o.pick);
        if (!id || !this.transfers.has(id)) return;
        const before = this.stores[o.user].getPayout(id)!;
        const r = this.books[o.user].payoutReturned({ payoutId: id, reason: o.reason, now: this.now });
        expect(r).toBe(before.status === 'paid' || before.status === 'processing' ? 'failed' : 'unchanged');
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
      case 'close': {
        const before = userView(this.stores[o.user].balances());
        const r = this.books[o.user].close({ userId: `u${o.user}`, forfeit: true, now: this.now });
        // Closing would erase a debt, so an account in debt stays open.
        expect(r.ok).toBe(before.debt === 0 || this.books[o.user].closed());
        if (r.ok) this.forfeitedDiamonds += r.forfeitedDiamonds;
        return;
      }
      case 'effects':
        return this.applyEffects(o.user, o.outcome);
      case 'refundConfirmed': {
        // The provider's charge.refunded webhook: the cumulative amount it has refunded on the charge.
        const id = pick(this.purchases[o.user], o.pick);
        if (!id || !this.providerRefunds.has(id)) return;
        this.books[o.user].providerRefunded(id, this.providerRefunds.get(id)!, this.now);
        return;
      }
      case 'mismatch': {
        // A completion whose amount does not match the price: flagged, nothing credited.
        const id = pick(this.purchases[o.user], o.pick);
        const p = id ? this.stores[o.user].getPurchase(id) : null;
        if (!p || p.status !== 'pending') return;
        const before = this.stores[o.user].balances();
        expect(
          this.books[o.user].completePurchase(p.id, 'pi_y', this.now, {
            amount: p.price + 1,
            currency: 'USD',
            userId: `u${o.user}`,
          }),
        ).toBe('flagged');
        expect(this.stores[o.user].balances()).toEqual(before);
        return;
      }
    }
  }

  /** Every effect applied: the directory agrees with every wallet, and nothing waits in refund_pending but refunds the provider made. */
  converge(): void {
    for (let u = 0; u < USERS; u++) this.applyEffects(u, 'done');
    for (let u = 0; u < USERS; u++) {
      const book = this.books[u];
      expect(book.pendingEffects()).toEqual([]);
      for (const p of book.payouts()) {
        expect(this.directory.payouts.get(p.id), `payout ${p.id}`).toBe(p.status);
        // Every approved transfer was answered; a payout paid through Stripe names the one transfer made for it.
        expect(p.status).not.toBe('processing');
        if (p.via && p.status === 'paid') expect(p.transferId).toBe(this.transfers.get(p.id));
        if (!p.via) expect(this.transfers.has(p.id)).toBe(false);
      }
      expect(this.directory.closed.has(u)).toBe(book.closed());
      for (const id of this.purchases[u]) {
        const p = this.stores[u].getPurchase(id)!;
        expect(this.directory.flagged.has(id)).toBe(p.status === 'flagged');
        // A pending refund is one the provider was asked for (and has not confirmed yet).
        if (p.pendingRefund) expect(this.providerRefunds.get(id) ?? 0).toBeGreaterThanOrEqual(p.pendingRefund.amount);
      }
    }
  }

  check(): void {
    const total: Balances = {};
    this.stores.forEach((store, i) => {
      const book = this.books[i].audit();
      expect(book.violations).toEqual([]);
      const b = store.balances();
      if (!this.clawbacks.has(i)) expect(b[Account.coinsUser] ?? 0).toBeGreaterThanOrEqual(0);
      for (const [k, v] of Object.entries(b)) total[k as keyof Balances] = (total[k as keyof Balances] ?? 0) + (v ?? 0);
    });
    expect(checkBook(total)).toEqual([]);
    expect(sumByUnit(total)).toEqual({ coins: 0, diamonds: 0 });
    // Across wallets: every coin gifted is either still in flight or became exactly one diamond.
    const inFlight = this.inFlight.reduce((s, g) => s + g.coins, 0);
    expect(this.creditedDiamonds + inFlight).toBe(this.giftedCoins);
    expect(total[Account.coinsInTransit] ?? 0).toBe(inFlight);
    const diamonds =
      (total[Account.diamondsUser] ?? 0) +
      (total[Account.diamondsPayoutPending] ?? 0) +
      (total[Account.diamondsExternal] ?? 0) +
      (total[Account.diamondsForfeited] ?? 0);
    expect(diamonds + this.forfeitedDiamonds).toBe(this.creditedDiamonds);
    // A closed account holds nothing it could spend or cash out.
    this.stores.forEach((store, i) => {
      if (this.books[i].closed())
        expect({ ...userView(store.balances()), debt: 0 }).toEqual({ coins: 0, debt: 0, diamonds: 0 });
    });
  }
}

describe('wallet ledger under random operations', () => {
  it('balances per unit, respects floors, and replays change nothing', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const bank = new Bank();
        // Every user starts with coins and with diamonds from a delivered gift, so payouts reach their minimum.
        const start: Op[] = Array.from({ length: USERS }, (_, u): Op[] => [
          { t: 'buy', user: u, coins: 8000, sandbox: true },
          { t: 'gift', from: u, to: (u + 1) % USERS, coins: 2500 },
          { t: 'deliver', pick: 0, times: 1 },
        ]).flat();
        for (const o of [...start, ...ops]) {
          bank.apply(o);
          bank.check();
        }
        bank.converge();
        bank.check();
      }),
      { numRuns: 600 },
    );
  }, 30_000);
});
