import { errorReply, isFinalStatus, reply, withValue, type ApiReply, type Reply } from '../errors';
import {
  Account,
  checkBook,
  post,
  userView,
  USER_ACCOUNTS,
  type Balances,
  type Transfer,
  type TransferKind,
  type AccountName,
} from './ledger';
import {
  changeLimits,
  crossedGiftLimit,
  crossedLimit,
  DAY,
  giftLimitMessage,
  limitsAt,
  windowTotals,
  WINDOW,
  type GiftSpent,
  type LimitsChange,
  type LimitState,
} from './limits';
import { coinsPrice, money, payoutAmount, type RateCard } from './rate-card';
import { comboKey, giftReceipt, type GiftCommand, type GiftPayload, type GiftReceipt } from '../room/gift';
import { COMBO_WINDOW, nextCombo, sessionGiftsSince, type ComboState } from '../room/rules';

export const REFUND_WINDOW = 14 * DAY;
/** Idempotent replies are kept this long (Stripe keeps them 24 h; we keep them longer). */
export const IDEMPOTENCY_TTL = 7 * DAY;

export type PurchaseStatus =
  | 'pending'
  | 'completed'
  | 'refund_pending'
  | 'partially_refunded'
  | 'refunded'
  | 'disputed'
  | 'expired'
  | 'flagged';

/** A refund asked of the payment provider and not yet confirmed by it: its coins wait in `coins:refund_pending`. */
export interface PendingRefund {
  id: string;
  coins: number;
  amount: number;
  /** The status to return to if the provider refuses the refund. */
  before: PurchaseStatus;
}

export interface PurchaseRecord {
  id: string;
  coins: number;
  /** Minor units. */
  price: number;
  currency: 'USD';
  status: PurchaseStatus;
  sandbox: boolean;
  rateVersion: number;
  createdAt: number;
  completedAt: number | null;
  /** Coins returned at the viewer's request (right of withdrawal). */
  refundedCoins: number;
  refundedAmount: number;
  /** Coins taken back after a refund or dispute at the payment provider. */
  clawedBackCoins: number;
  /** Coins the provider refunded that were already spent, so could not be taken back (absent on old records). */
  writtenOffCoins?: number;
  checkoutSessionId: string | null;
  checkoutUrl: string | null;
  paymentRef: string | null;
  /** Absent on records from before refunds went through the outbox. */
  pendingRefund?: PendingRefund | null;
  /** Why the payment did not match the purchase (status `flagged`). */
  flaggedReason?: string;
}

/**
 * `requested` waits for approval; `processing` (Stripe Connect only) was approved and its transfer is on its
 * way; `paid` left the platform; `rejected` and `failed` gave the diamonds back.
 */
export type PayoutStatus = 'requested' | 'processing' | 'paid' | 'rejected' | 'failed';

/** Statuses whose diamonds still wait in `diamonds:payout_pending`. */
export const PAYOUT_PENDING: readonly PayoutStatus[] = ['requested', 'processing'];

/** Who a payout belongs to, for the operator's index in the directory. */
export interface PayoutOwner {
  userId: string;
  handle: string;
}

export interface PayoutRecord extends Partial<PayoutOwner> {
  id: string;
  diamonds: number;
  amount: number;
  currency: 'USD';
  status: PayoutStatus;
  destination: string;
  rateVersion: number;
  createdAt: number;
  decidedAt: number | null;
  reference: string | null;
  /** Set when the payout goes through Stripe Connect: `destination` is then the connected account's id. */
  via?: 'stripe_connect';
  /** The Stripe transfer that paid it, once Stripe accepted it. */
  transferId?: string | null;
}

/** Stripe mode: where a creator's payouts go, and whether Stripe lets that account receive them. */
export interface ConnectAccount {
  account: string | null;
  payoutsEnabled: boolean;
  /** Payouts up to this amount (minor units) are approved with the request; 0 turns it off. */
  autoApproveCents: number;
}

export interface OutboxRecord {
  transferId: string;
  coins: number;
  /** Everything the receiver needs, as JSON. */
  payload: string;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
}

/**
 * An effect that leaves the wallet (a directory row, a payment-provider call), written in the same
 * transaction as the money move it follows and applied until it succeeds. One record per id: a later
 * state of the same thing (a payout decided after it was requested) replaces the earlier one.
 */
export type Effect =
  | { kind: 'payout_index'; payout: PayoutRecord & PayoutOwner }
  | { kind: 'purchase_index'; userId: string; purchaseId: string; status: PurchaseStatus; reason: string | null }
  | { kind: 'provider_refund'; purchaseId: string; refundId: string; paymentRef: string; amount: number }
  | { kind: 'account_closed'; userId: string }
  | { kind: 'stripe_transfer'; payoutId: string; userId: string; destination: string; amount: number; currency: 'USD' }
  | { kind: 'stripe_transfer_reversal'; payoutId: string; transferId: string };

export interface EffectRecord {
  id: string;
  effect: Effect;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
}

/**
 * How applying an effect ended: done, or (provider calls only) refused for good; a transfer that Stripe
 * accepted reports its id.
 */
export type EffectOutcome = 'done' | 'refused' | { transferred: string };

interface IdempotentRecord {
  fingerprint: string;
  reply: ApiReply;
  at: number;
}

/** Which transfers to read, newest first: `touching` keeps those that debit or credit one of these accounts. */
export interface TransferQuery {
  limit: number;
  before?: string;
  since?: number;
  touching?: readonly AccountName[];
}

/**
 * Where a wallet keeps its state. The Durable Object implements it over SQLite; tests over memory.
 * `transaction` must apply every write inside it or none.
 */
export interface WalletStore {
  transaction<T>(fn: () => T): T;
  balances(): Balances;
  setBalance(account: AccountName, value: number): void;
  appendTransfers(transfers: readonly Transfer[], counterparty?: string | null): void;
  /** Newest first. */
  transfers(opts: TransferQuery): (Transfer & { counterparty: string | null })[];
  getPurchase(id: string): PurchaseRecord | null;
  putPurchase(p: PurchaseRecord): void;
  purchasesSince(at: number): PurchaseRecord[];
  getPayout(id: string): PayoutRecord | null;
  putPayout(p: PayoutRecord): void;
  payouts(status?: PayoutStatus): PayoutRecord[];
  getIdempotent(key: string): IdempotentRecord | null;
  putIdempotent(key: string, record: IdempotentRecord): void;
  getLimits(): LimitState;
  putLimits(state: LimitState): void;
  /** Records what a gift cost in money, for the gift caps and the spend meter. */
  putGiftSpend(spend: GiftSpend): void;
  giftSpent(query: GiftSpentQuery): number;
  /** Gifts since `since`, oldest first, with their coins. */
  giftsSince(since: number): (GiftSpent & { coins: number })[];
  /** Records a gift's credit unless it is recorded already; whether it was new. */
  putCredit(transferId: string, batchId: string): boolean;
  putOutbox(record: OutboxRecord): void;
  /** The combo of the viewer's latest gift with this combo key at or after `since`. */
  lastCombo(key: string, since: number): ComboState | null;
  getOutbox(transferId: string): OutboxRecord | null;
  putEffect(record: EffectRecord): void;
  getEffect(id: string): EffectRecord | null;
  deleteEffect(id: string): void;
  effects(): EffectRecord[];
  /** When the account was closed, or null while it is open. */
  closedAt(): number | null;
  setClosedAt(at: number): void;
  /** Removes a gift from the outbox; its coins, or null if it was not there. */
  deleteOutbox(transferId: string): number | null;
  outbox(): OutboxRecord[];
}

/** One gift as the caps count it: money at the rate card it used, the room and the room's live session. */
export interface GiftSpend {
  transferId: string;
  room: string;
  session: string | null;
  amount: number;
  coins: number;
  at: number;
  /** The combo this gift belongs to (`key`: the same gift to the same room) and its count so far. */
  combo: { key: string; id: string; count: number };
}

/**
 * Minor units gifted since `since`: in all, or (with `room`) to one room's live session (`session` null: unknown).
 */
export type GiftSpentQuery =
  | { since: number; room?: undefined }
  | { since: number; room: string; session: string | null };

/** What the viewer has sent, in minor units: to one room's current session, and in all over the last 24 hours. */
export interface GiftsSent {
  stream: number;
  day: number;
}

export interface Idempotency {
  key: string;
  /** Canonical JSON of what was asked; a replay with another fingerprint is refused. */
  fingerprint: string;
}

export interface BuyRequest extends Idempotency {
  purchaseId: string;
  coins: number;
  card: RateCard;
  price: number;
  adult: boolean;
  sandbox: boolean;
  now: number;
}

export interface GiftDebit extends Idempotency {
  /** What is sent: built by `giftCommand`; delivered to the room with its combo and time. */
  command: GiftCommand;
  adult: boolean;
  /** Whether the room was live when asked; a gift to a room that is not live is refused (and that is replayed too). */
  live: boolean;
  /** Asked first, for a new request only (a replay is never refused by it): a refusal such as a rate limit, or null. */
  admit?: () => ApiReply | null;
  now: number;
}

export interface CreditItem {
  transferId: string;
  diamonds: number;
  rateVersion: number;
  from: string | null;
}

/**
 * One user's wallet: coins, diamonds, ledger, limits, idempotency and gift outbox. Every public method
 * is one transaction: it reads, decides with pure rules, and writes, or writes nothing.
 */
export class WalletBook {
  constructor(
    private readonly store: WalletStore,
    private readonly newId: () => string,
  ) {}

  // ---- reads ----

  summary(now: number, card: RateCard) {
    const balances = this.store.balances();
    const view = userView(balances);
    const { limits, giftLimits, pending } = limitsAt(this.store.getLimits(), now);
    return {
      coins: view.coins,
      diamonds: view.diamonds,
      debt: view.debt,
      value: money(coinsPrice(card, view.coins), card),
      diamondsPending: balances[Account.diamondsPayoutPending] ?? 0,
      limits,
      giftLimits,
      pendingLimits: pending,
      purchased: this.purchasedTotals(now),
      /** Minor units gifted in the last 24 hours: what the daily gift cap counts. */
      giftSpent: { day: this.store.giftSpent({ since: now - DAY }) },
      gifted: windowTotals(
        this.store.giftsSince(now - WINDOW.monthly).map((g) => ({ at: g.at, amount: g.coins })),
        now,
      ),
    };
  }

  /** The user's own entries, newest first: a page holds `limit` of them, however many settlements lie between. */
  history(limit: number, before?: string, since?: number) {
    return this.store.transfers({ limit, before, since, touching: USER_ACCOUNTS });
  }

  purchase(id: string): PurchaseRecord | null {
    return this.store.getPurchase(id);
  }

  purchasesById(ids: readonly string[]): PurchaseRecord[] {
    return [...new Set(ids)].map((id) => this.store.getPurchase(id)).filter((p): p is PurchaseRecord => p !== null);
  }

  payouts(): PayoutRecord[] {
    return this.store.payouts();
  }

  /** This book's invariants plus: coins in transit equal the gifts waiting in the outbox. */
  audit() {
    const balances = this.store.balances();
    const violations = checkBook(balances, this.store.transfers({ limit: Number.MAX_SAFE_INTEGER }).reverse());
    const waiting = this.store.outbox().reduce((sum, o) => sum + o.coins, 0);
    const inTransit = balances[Account.coinsInTransit] ?? 0;
    if (waiting !== inTransit) violations.push(`coins in transit ${inTransit} differ from the outbox's ${waiting}`);
    const pendingPayouts = this.store
      .payouts()
      .filter((p) => PAYOUT_PENDING.includes(p.status))
      .reduce((sum, p) => sum + p.diamonds, 0);
    if (pendingPayouts !== (balances[Account.diamondsPayoutPending] ?? 0))
      violations.push(
        `payouts pending ${pendingPayouts} differ from the account's ${balances[Account.diamondsPayoutPending] ?? 0}`,
      );
    const purchases = this.store.purchasesSince(0);
    const refunding = purchases.filter((p) => p.pendingRefund);
    const refundingCoins = refunding.reduce((sum, p) => sum + p.pendingRefund!.coins, 0);
    if (refundingCoins !== (balances[Account.coinsRefundPending] ?? 0))
      violations.push(
        `refunds pending ${refundingCoins} differ from the account's ${balances[Account.coinsRefundPending] ?? 0}`,
      );
    const effects = this.store.effects();
    return {
      balances,
      violations,
      closedAt: this.store.closedAt(),
      payouts: this.store.payouts().map((p) => ({ id: p.id, status: p.status, diamonds: p.diamonds })),
      /** Ids of effects not yet applied: the directory may lag the wallet by exactly these. */
      pendingEffects: effects.map((e) => e.id),
      /** Purchases whose payment did not match: the operator's list must show each. */
      flagged: purchases.filter((p) => p.status === 'flagged').map((p) => p.id),
      pendingRefunds: refunding.map((p) => ({
        purchaseId: p.id,
        refundId: p.pendingRefund!.id,
        coins: p.pendingRefund!.coins,
        asked: !effects.some((e) => e.id === refundEffectId(p.pendingRefund!.id)),
      })),
    };
  }

  /** Whether the account is closed. */
  closed(): boolean {
    return this.store.closedAt() !== null;
  }

  // ---- limits ----

  /** What the viewer has sent to `room`'s live session `session`, and in all over the last 24 hours. */
  giftsSent(room: string, session: string | null, now: number): GiftsSent {
    return {
      // A live room with no session id (from before the directory mirrored them) counts all its session-less gifts.
      stream: this.store.giftSpent({ room, session, since: session === null ? 0 : sessionGiftsSince(session) }),
      day: this.store.giftSpent({ since: now - DAY }),
    };
  }

  setLimits(requested: LimitsChange, now: number): LimitState {
    return this.store.transaction(() => {
      const next = changeLimits(this.store.getLimits(), requested, now);
      this.store.putLimits(next);
      return next;
    });
  }

  // ---- purchases ----

  buy(req: BuyRequest): Reply<PurchaseReceipt> {
    const r = this.idempotent(req, req.now, () => {
      if (this.closed()) return errorReply('forbidden', 'This account is closed.');
      if (!req.adult) return errorReply('age_restricted', 'You must be 18 or older to buy coins.');
      const { limits } = limitsAt(this.store.getLimits(), req.now);
      const crossed = crossedLimit(limits, this.purchasedTotals(req.now), req.price);
      if (crossed) return errorReply('spending_limit', `This purchase would go over your ${crossed} spending limit.`);
      const p: PurchaseRecord = {
        id: req.purchaseId,
        coins: req.coins,
        price: req.price,
        currency: req.card.currency,
        status: 'pending',
        sandbox: req.sandbox,
        rateVersion: req.card.version,
        createdAt: req.now,
        completedAt: null,
        refundedCoins: 0,
        refundedAmount: 0,
        clawedBackCoins: 0,
        checkoutSessionId: null,
        checkoutUrl: null,
        paymentRef: null,
      };
      if (req.sandbox) this.complete(p, req.now, null);
      else this.store.putPurchase(p);
      return reply(201, this.purchaseReply(p));
    });
    return withValue<PurchaseReceipt>(r);
  }

  /**
   * Stripe mode: records the Checkout Session and rewrites the stored reply to carry its URL. A purchase
   * whose checkout could not be created earlier was released from the limits; it is reserved again here.
   */
  attachCheckout(key: string, purchaseId: string, sessionId: string, url: string, now: number): Reply<PurchaseReceipt> {
    const r = this.store.transaction(() => {
      const p = this.store.getPurchase(purchaseId);
      if (!p) return errorReply('not_found', 'No such purchase.');
      if (p.status === 'expired' && !p.checkoutSessionId) {
        const { limits } = limitsAt(this.store.getLimits(), now);
        const crossed = crossedLimit(limits, this.purchasedTotals(now), p.price);
        if (crossed) return errorReply('spending_limit', `This purchase would go over your ${crossed} spending limit.`);
        p.status = 'pending';
      }
      if (!p.checkoutSessionId) this.store.putPurchase({ ...p, checkoutSessionId: sessionId, checkoutUrl: url });
      const updated = reply(201, this.purchaseReply(this.store.getPurchase(purchaseId)!));
      const stored = this.store.getIdempotent(key);
      if (stored) this.store.putIdempotent(key, { ...stored, reply: updated });
      return updated;
    });
    return withValue<PurchaseReceipt>(r);
  }

  /**
   * From a verified payment: credits the coins once, whatever the purchase's state (an expired checkout
   * that was paid still credits). `paid`, when the provider says it, must match the price, or nothing is
   * credited and the purchase is flagged for the operator. A closed account receives nothing: its
   * payment goes straight back to the provider as a refund.
   */
  completePurchase(
    purchaseId: string,
    paymentRef: string | null,
    now: number,
    paid?: { amount: number; currency: string; userId: string },
  ): 'completed' | 'already' | 'not_found' | 'flagged' | 'refunding' {
    return this.store.transaction(() => {
      const p = this.store.getPurchase(purchaseId);
      if (!p) return 'not_found';
      if (p.status !== 'pending' && p.status !== 'expired') return 'already';
      if (paid && (paid.amount !== p.price || paid.currency.toUpperCase() !== p.currency)) {
        const reason = `paid ${paid.amount} ${paid.currency.toUpperCase()} for a price of ${p.price} ${p.currency}`;
        this.store.putPurchase({
          ...p,
          status: 'flagged',
          flaggedReason: reason,
          paymentRef: paymentRef ?? p.paymentRef,
        });
        this.queueEffect(
          `purchase:${p.id}`,
          { kind: 'purchase_index', userId: paid.userId, purchaseId: p.id, status: 'flagged', reason },
          now,
        );
        return 'flagged';
      }
      if (this.closed() && paymentRef) {
        const refundId = this.newId();
        this.move([
          {
            id: this.newId(),
            kind: 'purchase',
            debit: Account.coinsExternal,
            credit: Account.coinsRefundPending,
            amount: p.coins,
            rateVersion: p.rateVersion,
            at: now,
            ref: p.id,
          },
        ]);
        this.store.putPurchase({
          ...p,
          status: 'refund_pending',
          completedAt: now,
          paymentRef,
          refundedCoins: p.coins,
          refundedAmount: p.price,
          pendingRefund: { id: refundId, coins: p.coins, amount: p.price, before: 'refunded' },
        });
        this.queueEffect(
          refundEffectId(refundId),
          { kind: 'provider_refund', purchaseId: p.id, refundId, paymentRef, amount: p.price },
          now,
        );
        return 'refunding';
      }
      this.complete(p, now, paymentRef);
      // Without a payment to refund, a closed account's coins are forfeited like the rest of its balance.
      if (this.closed()) this.forfeit('coins', now);
      return 'completed';
    });
  }

  /** The payment provider never opened a checkout for this purchase: it stops holding the limits. */
  abandonCheckout(purchaseId: string): void {
    this.store.transaction(() => {
      const p = this.store.getPurchase(purchaseId);
      if (p && p.status === 'pending' && !p.checkoutSessionId) this.store.putPurchase({ ...p, status: 'expired' });
    });
  }

  expirePurchase(purchaseId: string): 'expired' | 'unchanged' | 'not_found' {
    return this.store.transaction(() => {
      const p = this.store.getPurchase(purchaseId);
      if (!p) return 'not_found';
      if (p.status !== 'pending') return 'unchanged';
      this.store.putPurchase({ ...p, status: 'expired' });
      return 'expired';
    });
  }

  /** Right of withdrawal: the unspent coins of a purchase made within 14 days. */
  refund(req: Idempotency & { purchaseId: string; now: number }): ApiReply {
    return this.idempotent(req, req.now, () => {
      const p = this.store.getPurchase(req.purchaseId);
      if (!p) return errorReply('not_found', 'No such purchase.');
      if (p.status === 'refund_pending')
        return errorReply('conflict', 'A refund of this purchase is already on its way.');
      if (p.status !== 'completed' && p.status !== 'partially_refunded')
        return errorReply('conflict', `A ${p.status} purchase cannot be refunded.`);
      if (!p.sandbox && !p.paymentRef)
        return errorReply('conflict', 'The payment for this purchase is not settled yet; try again in a few minutes.');
      if (req.now - (p.completedAt ?? p.createdAt) > REFUND_WINDOW)
        return errorReply('conflict', 'The 14-day refund window for this purchase has closed.');
      const { coins: balance, debt } = userView(this.store.balances());
      if (debt > 0) return errorReply('in_debt', 'Refunds are not possible while your wallet is in debt.');
      const coins = Math.min(p.coins - accountedCoins(p), balance);
      if (coins <= 0) return errorReply('conflict', 'None of the coins of this purchase are left to refund.');
      const amount = proportional(p.price, coins, p.coins);
      const refundId = this.newId();
      const settled: PurchaseStatus = accountedCoins(p) + coins >= p.coins ? 'refunded' : 'partially_refunded';
      // Sandbox money is not real: the coins go back at once. Real money goes back through the provider,
      // and until it confirms, the coins wait in refund_pending (neither the viewer's nor gone).
      const viaProvider = !p.sandbox;
      const to = viaProvider ? Account.coinsRefundPending : Account.coinsExternal;
      this.move([
        {
          id: refundId,
          kind: 'refund',
          debit: Account.coinsUser,
          credit: to,
          amount: coins,
          rateVersion: p.rateVersion,
          at: req.now,
          ref: p.id,
        },
      ]);
      const updated: PurchaseRecord = {
        ...p,
        refundedCoins: p.refundedCoins + coins,
        refundedAmount: p.refundedAmount + amount,
        status: viaProvider ? 'refund_pending' : settled,
        ...(viaProvider ? { pendingRefund: { id: refundId, coins, amount, before: p.status } } : {}),
      };
      this.store.putPurchase(updated);
      if (viaProvider)
        this.queueEffect(
          refundEffectId(refundId),
          { kind: 'provider_refund', purchaseId: p.id, refundId, paymentRef: p.paymentRef!, amount },
          req.now,
        );
      return reply(200, {
        ...this.purchaseReply(updated),
        refund: { id: refundId, coins, amount: money(amount), status: viaProvider ? 'pending' : 'succeeded' },
      });
    });
  }

  /**
   * The payment provider says `amountRefunded` (cumulative, minor units) of this purchase went back.
   * Whatever our own refunds already returned is recognised; beyond that, unspent coins are taken back.
   * Only a chargeback may take a balance below zero, so coins already spent stay spent.
   */
  providerRefunded(purchaseId: string, amountRefunded: number, now: number): { clawedBack: number } | 'not_found' {
    return this.store.transaction(() => {
      let p = this.store.getPurchase(purchaseId);
      if (!p) return 'not_found';
      // A flagged payment credited nothing, so there is nothing to take back.
      if (p.status === 'flagged') return { clawedBack: 0 };
      if (p.pendingRefund && amountRefunded >= p.refundedAmount) p = this.settleRefund(p, now);
      const target = Math.min(p.coins, Math.floor((amountRefunded * p.coins) / p.price));
      const owed = target - accountedCoins(p);
      if (owed <= 0) return { clawedBack: 0 };
      const take = Math.min(owed, userView(this.store.balances()).coins);
      const clawedBack = this.clawBack(
        { ...p, writtenOffCoins: (p.writtenOffCoins ?? 0) + owed - Math.max(0, take) },
        take,
        now,
      );
      return { clawedBack };
    });
  }

  /** A chargeback: every coin of the purchase not yet returned is taken back, into debt if need be. */
  disputed(purchaseId: string, now: number): { clawedBack: number } | 'not_found' {
    return this.store.transaction(() => {
      const p = this.store.getPurchase(purchaseId);
      if (!p) return 'not_found';
      if (p.status === 'disputed' || p.status === 'flagged') return { clawedBack: 0 };
      const clawedBack = this.clawBack(p, p.coins - accountedCoins(p), now, 'disputed');
      return { clawedBack };
    });
  }

  /**
   * The provider refused a refund for good (its API, or a `refund.failed` event): the coins come back to
   * the viewer, so nobody loses both the coins and the money. A closed account's coins are forfeited again.
   */
  refundRefused(purchaseId: string, refundId: string, now: number): 'returned' | 'unchanged' | 'not_found' {
    return this.store.transaction(() => {
      const p = this.store.getPurchase(purchaseId);
      if (!p) return 'not_found';
      const pending = p.pendingRefund;
      if (!pending || pending.id !== refundId) return 'unchanged';
      this.store.deleteEffect(refundEffectId(refundId));
      this.move([
        {
          id: this.newId(),
          kind: 'reversal',
          debit: Account.coinsRefundPending,
          credit: Account.coinsUser,
          amount: pending.coins,
          rateVersion: p.rateVersion,
          at: now,
          ref: p.id,
        },
      ]);
      this.store.putPurchase({
        ...p,
        refundedCoins: p.refundedCoins - pending.coins,
        refundedAmount: p.refundedAmount - pending.amount,
        status: pending.before,
        pendingRefund: null,
      });
      if (this.closed()) this.forfeit('coins', now);
      return 'returned';
    });
  }

  // ---- gifts ----

  /** Debits a gift into transit and queues its delivery, in one transaction. */
  debitGift(req: GiftDebit): Reply<GiftReceipt> {
    const { command } = req;
    const r = this.idempotent(req, req.now, () => {
      const refused = req.admit?.();
      if (refused) return refused;
      if (this.closed()) return errorReply('forbidden', 'This account is closed.');
      if (!req.adult) return errorReply('age_restricted', 'You must be 18 or older to send gifts.');
      if (!req.live)
        return errorReply('not_live', 'This creator is not live right now; gifts open when the stream starts.');
      if (userView(this.store.balances()).debt > 0)
        return errorReply('in_debt', 'Your wallet is in debt after a chargeback; buy coins to repay it first.');
      const sent = this.giftsSent(command.room, command.sessionId, req.now);
      const { giftLimits } = limitsAt(this.store.getLimits(), req.now);
      const crossed = crossedGiftLimit(giftLimits, sent, command.price, req.now, () =>
        this.store.giftsSince(req.now - DAY),
      );
      if (crossed) return errorReply('gift_limit', giftLimitMessage(crossed, command.price, command.room));
      const moved = this.tryMove(
        [
          {
            id: command.transferId,
            kind: 'gift',
            debit: Account.coinsUser,
            credit: Account.coinsInTransit,
            amount: command.coins,
            rateVersion: command.rateVersion,
            at: req.now,
            ref: command.transferId,
          },
        ],
        command.room,
      );
      if (!moved) return errorReply('insufficient_funds', 'Not enough coins for this gift.');
      const key = comboKey(command);
      const last = this.store.lastCombo(key, req.now - COMBO_WINDOW);
      const { id, count } = nextCombo(last, req.now, command.count, command.transferId);
      const combo = { id, count };
      this.store.putGiftSpend({
        transferId: command.transferId,
        room: command.room,
        session: command.sessionId,
        amount: command.price,
        coins: command.coins,
        at: req.now,
        combo: { key, ...combo },
      });
      const payload: GiftPayload = { ...command, combo, at: req.now };
      this.store.putOutbox({
        transferId: command.transferId,
        coins: command.coins,
        payload: JSON.stringify(payload),
        attempts: 0,
        nextAttemptAt: req.now,
        createdAt: req.now,
      });
      const after = { stream: money(sent.stream + command.price), day: money(sent.day + command.price) };
      return reply(201, giftReceipt(command, combo, userView(this.store.balances()).coins, after));
    });
    return withValue<GiftReceipt>(r);
  }

  /** The room acknowledged these gifts: their coins leave transit for good. Safe to call twice. */
  settleGifts(transferIds: Iterable<string>, now: number): number {
    return this.store.transaction(() => {
      let settled = 0;
      for (const transferId of transferIds) {
        const coins = this.store.deleteOutbox(transferId);
        if (coins === null) continue;
        this.move([
          {
            id: this.newId(),
            kind: 'gift',
            debit: Account.coinsInTransit,
            credit: Account.coinsPlatform,
            amount: coins,
            rateVersion: 0,
            at: now,
            ref: transferId,
          },
        ]);
        settled++;
      }
      return settled;
    });
  }

  settleGift(transferId: string, now: number): boolean {
    return this.settleGifts([transferId], now) > 0;
  }

  /** Runs several operations as one transaction (one commit). */
  atomically<T>(fn: () => T): T {
    return this.store.transaction(fn);
  }

  pendingDeliveries(): OutboxRecord[] {
    return this.store.outbox();
  }

  recordDeliveryAttempt(transferId: string, nextAttemptAt: number): void {
    this.store.transaction(() => {
      const o = this.store.getOutbox(transferId);
      if (o) this.store.putOutbox({ ...o, attempts: o.attempts + 1, nextAttemptAt });
    });
  }

  /** Creator side: credits each gift's diamonds once, however often its batch is delivered. */
  creditGifts(
    batchId: string,
    items: readonly CreditItem[],
    now: number,
  ): { credited: number; duplicates: number; forfeited: number } {
    return this.store.transaction(() => {
      let credited = 0;
      let forfeited = 0;
      let duplicates = 0;
      for (const item of items) {
        if (!this.store.putCredit(item.transferId, batchId)) {
          duplicates++;
          continue;
        }
        // A closed account receives nothing: the share is issued to the platform instead.
        const to = this.closed() ? Account.diamondsForfeited : Account.diamondsUser;
        this.move(
          [
            {
              id: this.newId(),
              kind: 'creator_share',
              debit: Account.diamondsPlatform,
              credit: to,
              amount: item.diamonds,
              rateVersion: item.rateVersion,
              at: now,
              ref: item.transferId,
            },
          ],
          item.from,
        );
        if (to === Account.diamondsUser) credited += item.diamonds;
        else forfeited += item.diamonds;
      }
      return { credited, duplicates, forfeited };
    });
  }

  // ---- payouts ----

  /**
   * Moves the diamonds to `payout_pending` and records the payout. With `connect` (Stripe mode) the payout
   * goes to the creator's connected account, which must be able to receive payouts; a payout up to the
   * auto-approval limit is approved in this same transaction, its transfer queued beside it.
   */
  requestPayout(
    req: Idempotency & {
      payoutId: string;
      diamonds: number;
      destination: string;
      adult: boolean;
      card: RateCard;
      owner: PayoutOwner;
      connect?: ConnectAccount;
      now: number;
    },
  ): ApiReply {
    return this.idempotent(req, req.now, () => {
      if (!req.adult) return errorReply('age_restricted', 'You must be 18 or older to receive payouts.');
      const check = payoutAmount(req.card, req.diamonds);
      if (!check.ok) {
        return check.reason === 'not_a_multiple'
          ? errorReply(
              'invalid_request',
              `Payouts are requested in multiples of ${req.card.payoutStep} diamonds.`,
              'diamonds',
            )
          : errorReply('invalid_request', 'This payout is below the minimum.', 'diamonds');
      }
      const connect = req.connect;
      if (connect && !connect.account)
        return errorReply('conflict', 'Set up payouts first: payouts go to a Stripe account, and you have none yet.');
      if (connect && !connect.payoutsEnabled)
        return errorReply(
          'conflict',
          'Your Stripe account cannot receive payouts yet: finish its setup, or wait until Stripe has reviewed it.',
        );
      const moved = this.tryMove([
        {
          id: this.newId(),
          kind: 'payout',
          debit: Account.diamondsUser,
          credit: Account.diamondsPayoutPending,
          amount: req.diamonds,
          rateVersion: req.card.version,
          at: req.now,
          ref: req.payoutId,
        },
      ]);
      if (!moved) return errorReply('insufficient_funds', 'Not enough diamonds for this payout.');
      let p: PayoutRecord = {
        id: req.payoutId,
        diamonds: req.diamonds,
        amount: check.amount,
        currency: req.card.currency,
        status: 'requested',
        destination: connect ? connect.account! : req.destination,
        rateVersion: req.card.version,
        createdAt: req.now,
        decidedAt: null,
        reference: null,
        ...(connect ? { via: 'stripe_connect' as const, transferId: null } : {}),
        ...req.owner,
      };
      if (connect && check.amount <= connect.autoApproveCents) p = this.approve(p, req.owner, 'auto-approved', req.now);
      else this.putPayout(p, req.owner, req.now);
      return reply(201, { payout: payoutView(p) });
    });
  }

  /**
   * The operator's decision. A sandbox payout is marked `paid` (the operator sent the money) or `rejected`;
   * a Stripe Connect payout is `approved` (its transfer is queued; Stripe pays it) or `rejected`.
   */
  decidePayout(
    req: Idempotency & {
      payoutId: string;
      status: 'approved' | 'paid' | 'rejected';
      reference: string | null;
      owner: PayoutOwner;
      now: number;
    },
  ): ApiReply {
    return this.idempotent(req, req.now, () => {
      const p = this.store.getPayout(req.payoutId);
      if (!p) return errorReply('not_found', 'No such payout.');
      if (p.status !== 'requested') return errorReply('conflict', `This payout is already ${p.status}.`);
      if (req.status === 'paid' && p.via)
        return errorReply('conflict', 'This payout goes through Stripe Connect: approve it, and Stripe pays it.');
      if (req.status === 'approved' && !p.via)
        return errorReply('conflict', 'This payout is paid by hand: mark it paid once the money is sent.');
      if (req.status === 'approved')
        return reply(200, { payout: payoutView(this.approve(p, req.owner, req.reference, req.now)) });
      this.move([
        req.status === 'paid'
          ? this.payoutTransfer(p, 'payout', Account.diamondsPayoutPending, Account.diamondsExternal, req.now)
          : this.payoutTransfer(p, 'reversal', Account.diamondsPayoutPending, Account.diamondsUser, req.now),
      ]);
      const decided: PayoutRecord = { ...p, status: req.status, decidedAt: req.now, reference: req.reference };
      this.putPayout(decided, req.owner, req.now);
      return reply(200, { payout: payoutView(decided) });
    });
  }

  /**
   * Stripe says the transfer of this payout was reversed, or the connected account's payout to the bank
   * failed: a payout not yet failed fails, and its diamonds come back. When the bank payout failed, the
   * money sits in the creator's Stripe balance, so the transfer is reversed too (through the outbox):
   * the creator never keeps both. Safe to call twice.
   */
  payoutReturned(req: {
    payoutId: string;
    reason: 'transfer_reversed' | 'payout_failed';
    now: number;
  }): 'failed' | 'unchanged' | 'not_found' {
    return this.store.transaction(() => {
      const p = this.store.getPayout(req.payoutId);
      if (!p) return 'not_found';
      if (!p.via || (p.status !== 'paid' && p.status !== 'processing')) return 'unchanged';
      const from = p.status === 'paid' ? Account.diamondsExternal : Account.diamondsPayoutPending;
      this.store.deleteEffect(transferEffectId(p.id));
      const reference = req.reason === 'transfer_reversed' ? 'Stripe reversed the transfer' : 'the bank payout failed';
      this.failPayout(p, from, reference, req.now);
      if (req.reason === 'payout_failed' && p.transferId)
        this.queueEffect(
          `transfer_reversal:${p.id}`,
          { kind: 'stripe_transfer_reversal', payoutId: p.id, transferId: p.transferId },
          req.now,
        );
      return 'failed';
    });
  }

  /** Stripe mode: which paid payout to this connected account a failed bank payout of `amount` was, newest first. */
  paidPayoutTo(account: string, amount: number): string | null {
    return (
      this.store.payouts('paid').find((p) => p.via && p.destination === account && p.amount === amount)?.id ?? null
    );
  }

  // ---- closing an account ----

  /** What closing the account now would forfeit. */
  closingState(now: number) {
    const balances = this.store.balances();
    const { coins, debt, diamonds } = userView(balances);
    const unrefunded = this.store
      .purchasesSince(now - REFUND_WINDOW)
      .filter(
        (p) =>
          (p.status === 'completed' || p.status === 'partially_refunded') &&
          now - (p.completedAt ?? p.createdAt) <= REFUND_WINDOW,
      )
      .reduce((sum, p) => sum + p.coins - accountedCoins(p), 0);
    return {
      coins,
      debt,
      diamonds,
      refundableCoins: Math.min(coins, unrefunded),
      pendingPayoutDiamonds: balances[Account.diamondsPayoutPending] ?? 0,
    };
  }

  /**
   * Closes the account: pending payouts are withdrawn, and what is left of coins and diamonds is forfeited
   * to the platform. The entries stay, so every book still balances. An account in debt stays open: closing
   * it would erase what it owes. The directory is told through the outbox; closing twice changes nothing.
   */
  close(req: {
    userId: string;
    forfeit: boolean;
    now: number;
  }):
    | { ok: true; forfeitedCoins: number; forfeitedDiamonds: number; withdrawnPayouts: string[] }
    | { ok: false; reason: 'in_debt' | 'would_forfeit'; state: ReturnType<WalletBook['closingState']> } {
    return this.store.transaction(() => {
      if (this.closed()) return { ok: true, forfeitedCoins: 0, forfeitedDiamonds: 0, withdrawnPayouts: [] };
      const state = this.closingState(req.now);
      if (state.debt > 0) return { ok: false, reason: 'in_debt', state };
      if (!req.forfeit && (state.coins > 0 || state.diamonds > 0 || state.pendingPayoutDiamonds > 0))
        return { ok: false, reason: 'would_forfeit', state };
      const now = req.now;
      this.store.setClosedAt(now);
      const withdrawnPayouts: string[] = [];
      // Destinations are personal data: erased here, and in the directory by the account_closed effect.
      for (const p of this.store.payouts()) {
        if (p.status !== 'requested') {
          this.store.putPayout({ ...p, destination: '' });
          continue;
        }
        this.move([this.payoutTransfer(p, 'reversal', Account.diamondsPayoutPending, Account.diamondsUser, now)]);
        const owner = { userId: req.userId, handle: p.handle ?? '' };
        this.putPayout(
          { ...p, status: 'rejected', decidedAt: now, reference: 'account closed', destination: '' },
          owner,
          now,
        );
        withdrawnPayouts.push(p.id);
      }
      const forfeitedCoins = this.forfeit('coins', now);
      const forfeitedDiamonds = this.forfeit('diamonds', now);
      this.queueEffect('account_closed', { kind: 'account_closed', userId: req.userId }, now);
      return { ok: true, forfeitedCoins, forfeitedDiamonds, withdrawnPayouts };
    });
  }

  // ---- effects (the outbox of everything that leaves the wallet) ----

  pendingEffects(): EffectRecord[] {
    return this.store.effects();
  }

  /**
   * An effect was applied as it stood when read. If it was replaced meanwhile (a payout decided while its
   * request was being indexed), the newer one stays to be applied in turn.
   */
  effectApplied(applied: EffectRecord, outcome: EffectOutcome, now: number): void {
    this.store.transaction(() => {
      const current = this.store.getEffect(applied.id);
      if (current && JSON.stringify(current.effect) === JSON.stringify(applied.effect))
        this.store.deleteEffect(applied.id);
      const e = applied.effect;
      if (outcome === 'refused' && e.kind === 'provider_refund') this.refundRefused(e.purchaseId, e.refundId, now);
      if (e.kind === 'stripe_transfer' && outcome !== 'done') this.transferSettled(e.payoutId, outcome, now);
    });
  }

  effectFailed(id: string, retryAt: number): void {
    this.store.transaction(() => {
      const e = this.store.getEffect(id);
      if (e) this.store.putEffect({ ...e, attempts: e.attempts + 1, nextAttemptAt: retryAt });
    });
  }

  // ---- internals ----

  private queueEffect(id: string, effect: Effect, now: number): void {
    this.store.putEffect({ id, effect, attempts: 0, nextAttemptAt: now, createdAt: now });
  }

  /**
   * Approves a Stripe Connect payout: it stays in `payout_pending` while its transfer, keyed by the payout
   * id, waits in the outbox beside the index row.
   */
  private approve(p: PayoutRecord, owner: PayoutOwner, reference: string | null, now: number): PayoutRecord {
    const approved: PayoutRecord = { ...p, status: 'processing', decidedAt: now, reference };
    this.putPayout(approved, owner, now);
    this.queueEffect(
      transferEffectId(p.id),
      {
        kind: 'stripe_transfer',
        payoutId: p.id,
        userId: owner.userId,
        destination: p.destination,
        amount: p.amount,
        currency: p.currency,
      },
      now,
    );
    return approved;
  }

  /** Stripe answered the transfer: accepted, the diamonds leave for good; refused for good, they come back. */
  private transferSettled(payoutId: string, outcome: 'refused' | { transferred: string }, now: number): void {
    const p = this.store.getPayout(payoutId);
    // A reversal seen before the reply to the transfer has already failed the payout; nothing moves again.
    if (!p || p.status !== 'processing') return;
    if (outcome === 'refused')
      return this.failPayout(p, Account.diamondsPayoutPending, 'Stripe refused the transfer', now);
    this.move([this.payoutTransfer(p, 'payout', Account.diamondsPayoutPending, Account.diamondsExternal, now)]);
    this.putPayout({ ...p, status: 'paid', transferId: outcome.transferred }, ownerOf(p), now);
  }

  /** A payout's diamonds moved from one account to another, at the payout's rate version, naming the payout. */
  private payoutTransfer(
    p: PayoutRecord,
    kind: TransferKind,
    debit: AccountName,
    credit: AccountName,
    at: number,
  ): Transfer {
    return { id: this.newId(), kind, debit, credit, amount: p.diamonds, rateVersion: p.rateVersion, at, ref: p.id };
  }

  /** The diamonds come back by a reversal entry; a closed account's are forfeited to the platform instead, never credited. */
  private failPayout(p: PayoutRecord, from: AccountName, reference: string, now: number): void {
    const to = this.closed() ? Account.diamondsForfeited : Account.diamondsUser;
    this.move([this.payoutTransfer(p, 'reversal', from, to, now)]);
    this.putPayout({ ...p, status: 'failed', reference }, ownerOf(p), now);
  }

  /** Stores a payout and queues its row for the operator's index, in the same transaction. */
  private putPayout(p: PayoutRecord, owner: PayoutOwner, now: number): void {
    this.store.putPayout(p);
    this.queueEffect(`payout:${p.id}`, { kind: 'payout_index', payout: { ...p, ...owner } }, now);
  }

  /** The provider confirmed a pending refund: its coins leave refund_pending for good. */
  private settleRefund(p: PurchaseRecord, now: number): PurchaseRecord {
    const pending = p.pendingRefund!;
    this.move([
      {
        id: this.newId(),
        kind: 'refund',
        debit: Account.coinsRefundPending,
        credit: Account.coinsExternal,
        amount: pending.coins,
        rateVersion: p.rateVersion,
        at: now,
        ref: p.id,
      },
    ]);
    const settled: PurchaseRecord = { ...p, pendingRefund: null };
    settled.status =
      p.status !== 'refund_pending' ? p.status : accountedCoins(settled) >= p.coins ? 'refunded' : 'partially_refunded';
    this.store.putPurchase(settled);
    return settled;
  }

  /** What is left of a closed account's coins or diamonds goes to the platform; debt stays on the books. */
  private forfeit(unit: 'coins' | 'diamonds', now: number): number {
    const amount = userView(this.store.balances())[unit];
    const [debit, credit] =
      unit === 'coins' ? [Account.coinsUser, Account.coinsPlatform] : [Account.diamondsUser, Account.diamondsPlatform];
    if (amount > 0)
      this.move([
        { id: this.newId(), kind: 'reversal', debit, credit, amount, rateVersion: 0, at: now, ref: 'account_closed' },
      ]);
    return amount;
  }

  private purchasedTotals(now: number) {
    return windowTotals(
      this.store
        .purchasesSince(now - WINDOW.monthly)
        .filter((p) => p.status !== 'expired')
        .map((p) => ({ at: p.createdAt, amount: p.price })),
      now,
    );
  }

  private complete(p: PurchaseRecord, now: number, paymentRef: string | null): void {
    this.move([
      {
        id: this.newId(),
        kind: 'purchase',
        debit: Account.coinsExternal,
        credit: Account.coinsUser,
        amount: p.coins,
        rateVersion: p.rateVersion,
        at: now,
        ref: p.id,
      },
    ]);
    Object.assign(p, { status: 'completed', completedAt: now, paymentRef: paymentRef ?? p.paymentRef });
    this.store.putPurchase(p);
  }

  private clawBack(p: PurchaseRecord, coins: number, now: number, status?: PurchaseStatus): number {
    const take = Math.max(0, coins);
    if (take > 0)
      this.move([
        {
          id: this.newId(),
          kind: 'clawback',
          debit: Account.coinsUser,
          credit: Account.coinsExternal,
          amount: take,
          rateVersion: p.rateVersion,
          at: now,
          ref: p.id,
        },
      ]);
    const updated = { ...p, clawedBackCoins: p.clawedBackCoins + take };
    const next: PurchaseStatus =
      status ??
      (accountedCoins(updated) >= p.coins
        ? 'refunded'
        : accountedCoins(updated) > p.refundedCoins
          ? 'partially_refunded'
          : p.status);
    this.store.putPurchase({ ...updated, status: next });
    return take;
  }

  private purchaseReply(p: PurchaseRecord): PurchaseReceipt {
    return { purchase: purchaseView(p), wallet: { coins: userView(this.store.balances()).coins } };
  }

  /** Posts transfers that cannot fail for funds; a failure here is a bug, so it throws and rolls back. */
  private move(transfers: Transfer[], counterparty: string | null = null): void {
    if (!this.tryMove(transfers, counterparty)) throw new Error(`transfer ${transfers[0]?.id} overdraws an account`);
  }

  private tryMove(transfers: Transfer[], counterparty: string | null = null): boolean {
    const result = post(this.store.balances(), transfers);
    if (!result.ok) return false;
    for (const t of transfers) {
      this.store.setBalance(t.debit, result.balances[t.debit]!);
      this.store.setBalance(t.credit, result.balances[t.credit]!);
    }
    this.store.appendTransfers(transfers, counterparty);
    return true;
  }

  /** Stripe's semantics: the first final reply for a key is stored and replayed; another body under it is a 409. */
  private idempotent(req: Idempotency, now: number, run: () => ApiReply): ApiReply {
    return this.store.transaction(() => {
      const prior = this.store.getIdempotent(req.key);
      if (prior && now - prior.at < IDEMPOTENCY_TTL) {
        if (prior.fingerprint !== req.fingerprint)
          return errorReply('idempotency_mismatch', 'This Idempotency-Key was used with a different request.');
        return prior.reply;
      }
      const result = run();
      if (isFinalStatus(result.status))
        this.store.putIdempotent(req.key, { fingerprint: req.fingerprint, reply: result, at: now });
      return result;
    });
  }
}

export function transferEffectId(payoutId: string): string {
  return `transfer:${payoutId}`;
}

function ownerOf(p: PayoutRecord): PayoutOwner {
  return { userId: p.userId ?? '', handle: p.handle ?? '' };
}

export function refundEffectId(refundId: string): string {
  return `refund:${refundId}`;
}

/** Coins of a purchase already returned one way or another: refunded (or on their way back), clawed back or written off. */
function accountedCoins(p: PurchaseRecord): number {
  return p.refundedCoins + p.clawedBackCoins + (p.writtenOffCoins ?? 0);
}

function proportional(total: number, part: number, whole: number): number {
  return Math.floor((total * part) / whole);
}

/** The reply to a purchase: the purchase as its buyer sees it, and the coins they hold. */
export interface PurchaseReceipt {
  purchase: ReturnType<typeof purchaseView>;
  wallet: { coins: number };
}

export function purchaseView(p: PurchaseRecord) {
  return {
    id: p.id,
    status: p.status,
    coins: p.coins,
    price: money(p.price),
    sandbox: p.sandbox,
    rateVersion: p.rateVersion,
    createdAt: p.createdAt,
    completedAt: p.completedAt,
    refundedCoins: p.refundedCoins,
    clawedBackCoins: p.clawedBackCoins,
    ...(p.checkoutUrl ? { checkoutUrl: p.checkoutUrl } : {}),
    ...(p.paymentRef ? { paymentRef: p.paymentRef } : {}),
  };
}

/** Destinations are shown masked everywhere but to the operator deciding the payout. */
export function maskDestination(destination: string): string {
  const compact = destination.replace(/\s+/g, '');
  if (compact.length <= 4) return '•'.repeat(compact.length);
  return '•'.repeat(Math.min(8, compact.length - 4)) + compact.slice(-4);
}

export function payoutView(p: PayoutRecord, opts: { revealDestination?: boolean } = {}) {
  return {
    id: p.id,
    diamonds: p.diamonds,
    amount: money(p.amount),
    status: p.status,
    destination: opts.revealDestination ? p.destination : maskDestination(p.destination),
    createdAt: p.createdAt,
    decidedAt: p.decidedAt,
    reference: p.reference,
  };
}
