import { DurableObject } from 'cloudflare:workers';
import { monotonicFactory } from 'ulidx';
import {
  backoff,
  errorReply,
  RateWindow,
  WalletBook,
  type BuyRequest,
  type GiftPayload,
  type CreditItem,
  type GiftDebit,
  type Idempotency,
  type LimitsChange,
  type RateCard,
} from '@giftstream/shared';
import { applyEffect } from './effects';
import { now } from '../clock';
import { fault } from '../faults';
import { getLiveRoom } from '../stubs';
import { listWallet } from '../directory/users';
import { meterObject } from '../meter';
import type { Env } from '../env';
import { migrate } from './migrate';
import { WALLET_MIGRATIONS } from './wallet-migrations';
import { Alarm, Rounds } from './alarm';
import { SqlWalletStore } from './wallet-store';
import type { WalletRpc } from './rpc';

/**
 * If a delivery attempt never reports back (the object restarted), the alarm retries after this. Every
 * debit makes sure the alarm is set, so a busy wallet writes its alarm once per interval, not per gift.
 */
const RETRY_SAFETY_MS = 10_000;
/** When the safety alarm is due: RETRY_SAFETY_MS ahead and up to half as much again, at random, so wallets busy since the same moment do not all wake together. */
const safetyDue = () => now() + RETRY_SAFETY_MS + Math.floor(Math.random() * (RETRY_SAFETY_MS / 2));
/** Acknowledged gifts leave transit with the next debit; a wallet that has sent nothing for this long settles them alone. */
const SETTLE_IDLE_MS = 2_000;

/**
 * One user's wallet: the authority for their coins, diamonds, ledger, limits and payouts. A thin shell:
 * every method is one call into WalletBook, which runs it as one SQLite transaction.
 */
export class Wallet extends DurableObject<Env> implements WalletRpc {
  private readonly book: WalletBook;
  private readonly store: SqlWalletStore;
  /** Whether the directory lists this wallet for the audit; see list(). */
  private listed = false;
  /** Gift deliveries and effects each run one round at a time. */
  private readonly deliveries = new Rounds();
  private readonly effects = new Rounds();
  private giftRate: RateWindow | null = null;
  private readonly acknowledged = new Set<string>();
  private readonly alarmClock: Alarm;
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the last gift was debited (real time): settling waits until the wallet is idle. */
  private lastDebitAt = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    meterObject(this, 'Wallet', ctx, env);
    this.store = new SqlWalletStore(ctx.storage);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage.sql, WALLET_MIGRATIONS);
      this.listed = this.store.listed();
    });
    this.book = new WalletBook(this.store, monotonicFactory());
    this.alarmClock = new Alarm(ctx.storage);
  }

  /** Does nothing: the benchmarks' baseline for one Durable Object call. */
  ping(): number {
    return 1;
  }

  summary(card: RateCard) {
    return this.book.summary(now(), card);
  }

  history(limit: number, before?: string) {
    return this.book.history(limit, before);
  }

  /** What the viewer has sent to one room's live session, and in all over the last 24 hours. */
  giftsSent(room: string, session: string | null) {
    return this.book.giftsSent(room, session, now());
  }

  async setLimits(limits: LimitsChange) {
    await this.list();
    return this.book.setLimits(limits, now());
  }

  /**
   * Before its first change a wallet lists itself in the directory, and the operator's audit asks only listed
   * wallets: an account that only signed up costs the audit no start. Listing comes before the change, so no
   * wallet holds anything the audit does not ask. Every method that writes calls this first.
   */
  private async list(): Promise<void> {
    if (this.listed) return;
    const userId = this.ctx.id.name;
    if (!userId) throw new Error('a wallet is addressed by its user id (idFromName)');
    if (fault(this.env, 'walletListingFails')) throw new Error('injected: listing the wallet failed');
    await listWallet(this.env, userId, now());
    this.store.setListed(now());
    this.listed = true;
  }

  /**
   * Runs a commit that may queue effects (directory rows, provider calls), then applies them before the
   * reply. The alarm is set first, so effects a crash left behind are still applied; a failure here only
   * delays them to the alarm, and never fails a change that already committed.
   */
  private async withEffects<T>(commit: () => T): Promise<T> {
    await this.list();
    await this.alarmClock.wakeAt(safetyDue());
    const result = commit();
    if (fault(this.env, 'walletStopsBeforeEffects'))
      throw new Error('injected: the wallet stopped before applying its effects');
    await this.applyEffects();
    return result;
  }

  /**
   * Applies every effect that is due, one at a time in the order queued; failures wait for the alarm with
   * backoff. An effect's outcome may queue another (a transfer accepted re-indexes its payout as paid), so
   * rounds repeat while they apply something, a few at most.
   */
  private async applyEffects(): Promise<void> {
    const next = await this.effects.run(async () => {
      let next = Infinity;
      for (let round = 0, applied = 1; applied && round < 4; round++) {
        applied = 0;
        next = Infinity;
        for (const e of this.book.pendingEffects()) {
          if (e.nextAttemptAt > now()) {
            next = Math.min(next, e.nextAttemptAt);
            continue;
          }
          try {
            this.book.effectApplied(e, await applyEffect(this.env, e), now());
            applied++;
          } catch (err) {
            console.warn(`effect ${e.id} failed; retrying`, String(err));
            const retryAt = now() + backoff(e.attempts);
            this.book.effectFailed(e.id, retryAt);
            next = Math.min(next, retryAt);
          }
        }
      }
      // Whatever the last round left due (only after four busy rounds) is the alarm's.
      if (this.book.pendingEffects().some((e) => e.nextAttemptAt <= now())) next = now();
      return next;
    });
    await this.alarmClock.wakeAt(next);
  }

  async buy(req: Omit<BuyRequest, 'now'>) {
    await this.list();
    return this.book.buy({ ...req, now: now() });
  }

  async attachCheckout(key: string, purchaseId: string, sessionId: string, url: string) {
    await this.list();
    return this.book.attachCheckout(key, purchaseId, sessionId, url, now());
  }

  async abandonCheckout(purchaseId: string) {
    await this.list();
    return this.book.abandonCheckout(purchaseId);
  }

  purchase(id: string) {
    return this.book.purchase(id);
  }

  /** History with each purchase's receipt (price, rate version, sandbox flag, payment reference). */
  historyWithReceipts(limit: number, before?: string, since?: number) {
    const entries = this.book.history(limit, before, since);
    const purchases = this.book.purchasesById(entries.filter((t) => t.kind === 'purchase' && t.ref).map((t) => t.ref!));
    return { entries, purchases };
  }

  closingState() {
    return this.book.closingState(now());
  }

  close(req: { userId: string; forfeit: boolean }) {
    return this.withEffects(() => this.book.close({ ...req, now: now() }));
  }

  completePurchase(
    purchaseId: string,
    paymentRef: string | null,
    paid?: { amount: number; currency: string; userId: string },
  ) {
    return this.withEffects(() => this.book.completePurchase(purchaseId, paymentRef, now(), paid));
  }

  async expirePurchase(purchaseId: string) {
    await this.list();
    return this.book.expirePurchase(purchaseId);
  }

  refund(req: Idempotency & { purchaseId: string }) {
    return this.withEffects(() => this.book.refund({ ...req, now: now() }));
  }

  async refundRefused(purchaseId: string, refundId: string) {
    await this.list();
    return this.book.refundRefused(purchaseId, refundId, now());
  }

  async providerRefunded(purchaseId: string, amountRefunded: number) {
    await this.list();
    return this.book.providerRefunded(purchaseId, amountRefunded, now());
  }

  async disputed(purchaseId: string) {
    await this.list();
    return this.book.disputed(purchaseId, now());
  }

  /**
   * Debits a gift and queues it for the room in one transaction, then delivers it. The alarm is set
   * first, so a gift whose delivery never started (a crash right after the commit) is still delivered.
   */
  async debitGift(req: Omit<GiftDebit, 'now' | 'admit'>) {
    await this.list();
    this.giftRate ??= new RateWindow(Number(this.env.GIFTS_PER_SECOND), 1000);
    const admit = () => {
      const wait = this.giftRate!.take(now());
      return wait === null
        ? null
        : {
            ...errorReply('rate_limited', 'Too many gifts at once; slow down a little.'),
            retryAfter: Math.max(1, Math.ceil(wait / 1000)),
          };
    };
    await this.alarmClock.wakeAt(safetyDue());
    this.lastDebitAt = Date.now();
    // Settlements the room acknowledged since the last commit ride along in this one.
    const r = this.book.atomically(() => {
      this.settleAcknowledged();
      return this.book.debitGift({ ...req, now: now(), admit });
    });
    if (r.status === 201) {
      if (fault(this.env, 'walletThrowsAfterDebit'))
        throw new Error('injected: wallet failed after the debit committed');
      void this.deliver();
    }
    return r;
  }

  /**
   * Retries what is due. Acknowledged gifts are left to settle with the next debit or when the wallet is
   * idle (settleWhenIdle), not here: a busy wallet's alarm then costs no commit, and while they wait the
   * alarm is set again within this handler, one storage write instead of a delete now and a set at the
   * next debit.
   */
  override async alarm() {
    this.alarmClock.fired();
    await Promise.all([this.deliver(), this.applyEffects()]);
    // Gifts waiting to settle, or a delivery already under way (it finishes after this handler), keep the
    // alarm set. Every other path to deliver() comes from a debit, which set it first.
    if (this.deliveries.busy || this.acknowledged.size) await this.alarmClock.wakeAt(safetyDue());
  }

  /**
   * Sends due gifts to their rooms, a batch per room; each acknowledged gift leaves transit. Gifts
   * debited meanwhile ask for another round; the alarm is then set for the earliest gift left waiting.
   */
  private async deliver(): Promise<void> {
    const next = await this.deliveries.run(async () => {
      let next = Infinity;
      const byRoom = new Map<string, { gifts: GiftPayload[]; attempts: number }>();
      for (const o of this.book.pendingDeliveries()) {
        if (this.acknowledged.has(o.transferId)) continue;
        if (o.nextAttemptAt > now()) {
          next = Math.min(next, o.nextAttemptAt);
          continue;
        }
        const gift = JSON.parse(o.payload) as GiftPayload;
        const batch = byRoom.get(gift.room) ?? byRoom.set(gift.room, { gifts: [], attempts: 0 }).get(gift.room)!;
        batch.gifts.push(gift);
        batch.attempts = Math.max(batch.attempts, o.attempts);
      }
      await Promise.all(
        [...byRoom].map(async ([room, { gifts, attempts }]) => {
          try {
            const acked = await getLiveRoom(this.env, room).receiveGifts(gifts);
            for (const id of acked) this.acknowledged.add(id);
            this.settleWhenIdle();
          } catch (e) {
            console.warn(`delivery to ${room} failed; retrying`, String(e));
            const retryAt = now() + backoff(attempts);
            this.book.atomically(() => {
              for (const g of gifts) this.book.recordDeliveryAttempt(g.transferId, retryAt);
            });
            next = Math.min(next, retryAt);
          }
        }),
      );
      return next;
    });
    await this.alarmClock.wakeAt(next);
  }

  /**
   * Settles acknowledged gifts once the wallet has debited nothing for SETTLE_IDLE_MS. A wallet sending
   * gifts settles them inside its next debit instead, so it commits once per gift, not twice. With
   * nothing left to deliver, the idle wallet drops its alarm: there is nothing for it to retry.
   */
  private settleWhenIdle(): void {
    if (this.settleTimer) return;
    const wait = this.lastDebitAt + SETTLE_IDLE_MS - Date.now();
    this.settleTimer = setTimeout(
      () => {
        this.settleTimer = null;
        if (Date.now() - this.lastDebitAt < SETTLE_IDLE_MS) return this.settleWhenIdle();
        this.book.atomically(() => this.settleAcknowledged());
        if (!this.deliveries.busy && !this.book.pendingDeliveries().length && !this.book.pendingEffects().length)
          void this.alarmClock.clear();
      },
      Math.max(0, wait),
    );
  }

  /**
   * Moves acknowledged gifts out of transit, inside a commit the wallet makes anyway where it can: the
   * next debit's, or one of its own once the wallet is idle (settleWhenIdle). If the object
   * restarts first, the alarm delivers those gifts again, the room acknowledges its duplicates, and they
   * settle then.
   */
  private settleAcknowledged(): void {
    if (!this.acknowledged.size) return;
    const ids = [...this.acknowledged];
    this.acknowledged.clear();
    this.book.settleGifts(ids, now());
  }

  async creditGifts(batchId: string, items: CreditItem[]) {
    await this.list();
    if (fault(this.env, 'walletRefusesCredit')) throw new Error('injected: wallet refused a credit batch');
    return this.book.creditGifts(batchId, items, now());
  }

  requestPayout(req: Parameters<WalletBook['requestPayout']>[0] extends infer R ? Omit<R, 'now'> : never) {
    return this.withEffects(() => this.book.requestPayout({ ...req, now: now() }));
  }

  decidePayout(req: Parameters<WalletBook['decidePayout']>[0] extends infer R ? Omit<R, 'now'> : never) {
    return this.withEffects(() => this.book.decidePayout({ ...req, now: now() }));
  }

  payouts() {
    return this.book.payouts();
  }

  /** Stripe reversed a payout's transfer, or the bank payout after it failed: the diamonds come back. */
  payoutReturned(payoutId: string, reason: 'transfer_reversed' | 'payout_failed') {
    return this.withEffects(() => this.book.payoutReturned({ payoutId, reason, now: now() }));
  }

  paidPayoutTo(account: string, amount: number) {
    return this.book.paidPayoutTo(account, amount);
  }

  /** The book's own audit, after a try at applying what is due, so the directory has had its chance to agree. */
  async audit() {
    await this.applyEffects();
    return this.book.audit();
  }
}
