import { DurableObject } from 'cloudflare:workers';
import { monotonicFactory } from 'ulidx';
import { backoff, errorReply, RateWindow, WalletBook, type BuyRequest, type GiftPayload, type CreditItem, type GiftDebit, type Idempotency, type Limits, type RateCard } from '@giftstream/shared';
import { now } from '../clock';
import { fault } from '../faults';
import { getLiveRoom } from '../stubs';
import type { Env } from '../env';
import { migrate } from './migrate';
import { WALLET_MIGRATIONS } from './wallet-migrations';
import { SqlWalletStore } from './wallet-store';

/** If a delivery attempt never reports back (the object restarted), the alarm retries after this. */
const RETRY_SAFETY_MS = 2_000;
/** Acknowledged gifts wait at most this long to leave transit (see settleAcknowledged). */
const SETTLE_DELAY_MS = 100;

/**
 * One user's wallet: the authority for their coins, diamonds, ledger, limits and payouts. A thin shell:
 * every method is one call into WalletBook, which runs it as one SQLite transaction.
 */
export class Wallet extends DurableObject<Env> {
  private readonly book: WalletBook;
  private delivering = false;
  private giftRate: RateWindow | null = null;
  private readonly acknowledged = new Set<string>();
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  /** The alarm as last set (undefined until read once); saves a storage round trip per gift. */
  private alarmAt: number | null | undefined = undefined;
  private deliverAgain = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => migrate(ctx.storage.sql, WALLET_MIGRATIONS));
    this.book = new WalletBook(new SqlWalletStore(ctx.storage), monotonicFactory());
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

  setLimits(limits: Partial<Limits>) {
    return this.book.setLimits(limits, now());
  }

  buy(req: Omit<BuyRequest, 'now'>) {
    return this.book.buy({ ...req, now: now() });
  }

  attachCheckout(key: string, purchaseId: string, sessionId: string, url: string) {
    return this.book.attachCheckout(key, purchaseId, sessionId, url, now());
  }

  abandonCheckout(purchaseId: string) {
    return this.book.abandonCheckout(purchaseId);
  }

  purchase(id: string) {
    return this.book.purchase(id);
  }

  /** History with each purchase's receipt (price, rate version, sandbox flag, payment reference). */
  historyWithReceipts(limit: number, before?: string) {
    const entries = this.book.history(limit, before);
    const purchases = this.book.purchasesById(entries.filter((t) => t.kind === 'purchase' && t.ref).map((t) => t.ref!));
    return { entries, purchases };
  }

  closingState() {
    return this.book.closingState(now());
  }

  close() {
    return this.book.close(now());
  }

  completePurchase(purchaseId: string, paymentRef: string | null) {
    return this.book.completePurchase(purchaseId, paymentRef, now());
  }

  expirePurchase(purchaseId: string) {
    return this.book.expirePurchase(purchaseId);
  }

  refund(req: Idempotency & { purchaseId: string }) {
    return this.book.refund({ ...req, now: now() });
  }

  providerRefunded(purchaseId: string, amountRefunded: number) {
    return this.book.providerRefunded(purchaseId, amountRefunded, now());
  }

  disputed(purchaseId: string) {
    return this.book.disputed(purchaseId, now());
  }

  /**
   * Debits a gift and queues it for the room in one transaction, then delivers it. The alarm is set
   * first, so a gift whose delivery never started (a crash right after the commit) is still delivered.
   */
  async debitGift(req: Omit<GiftDebit, 'now' | 'respond'> & { gift: Record<string, unknown> }) {
    const { gift, ...rest } = req;
    this.giftRate ??= new RateWindow(Number(this.env.GIFTS_PER_SECOND), 1000);
    const wait = this.book.knows(req.key) ? null : this.giftRate.take(now());
    if (wait !== null) return { ...errorReply('rate_limited', 'Too many gifts at once; slow down a little.'), retryAfter: Math.max(1, Math.ceil(wait / 1000)) };
    await this.wakeAt(now() + RETRY_SAFETY_MS);
    // Settlements the room acknowledged since the last commit ride along in this one.
    const r = this.book.atomically(() => {
      this.settleAcknowledged();
      return this.book.debitGift({ ...rest, now: now(), respond: ({ coins, combo }) => ({ gift: { ...gift, combo }, wallet: { coins } }) });
    });
    if (r.status === 201) {
      if (fault(this.env, 'walletThrowsAfterDebit')) throw new Error('injected: wallet failed after the debit committed');
      void this.deliver();
    }
    return r;
  }

  override async alarm() {
    this.alarmAt = null;
    await this.deliver();
  }

  /** Sends due gifts to their rooms, a batch per room; each acknowledged gift leaves transit. */
  private async deliver(): Promise<void> {
    if (this.delivering) {
      this.deliverAgain = true;
      return;
    }
    this.delivering = true;
    try {
      do {
        this.deliverAgain = false;
        const due = this.book.pendingDeliveries().filter((o) => o.nextAttemptAt <= now() && !this.acknowledged.has(o.transferId));
        const byRoom = new Map<string, typeof due>();
        for (const o of due) {
          const room = (JSON.parse(o.payload) as GiftPayload).room;
          byRoom.set(room, [...(byRoom.get(room) ?? []), o]);
        }
        await Promise.all(
          [...byRoom].map(async ([room, records]) => {
            try {
              const acked = await getLiveRoom(this.env, room).receiveGifts(records.map((o) => JSON.parse(o.payload) as GiftPayload));
              for (const id of acked) this.acknowledged.add(id);
              this.settleTimer ??= setTimeout(() => {
                this.settleTimer = null;
                this.settleAcknowledged();
              }, SETTLE_DELAY_MS);
            } catch (e) {
              console.warn(`delivery to ${room} failed; retrying`, String(e));
              for (const o of records) this.book.recordDeliveryAttempt(o.transferId, now() + backoff(o.attempts));
            }
          }),
        );
      } while (this.deliverAgain);
    } finally {
      this.delivering = false;
    }
    const next = Math.min(...this.book.pendingDeliveries().filter((o) => !this.acknowledged.has(o.transferId)).map((o) => o.nextAttemptAt));
    if (Number.isFinite(next)) await this.wakeAt(next);
  }

  /**
   * Moves acknowledged gifts out of transit. Deferred by up to SETTLE_DELAY_MS, or done in the next
   * debit's transaction, so a busy wallet commits once per gift rather than twice. If the object
   * restarts first, the alarm delivers those gifts again, the room acknowledges its duplicates, and
   * they settle then.
   */
  private settleAcknowledged(): void {
    if (!this.acknowledged.size) return;
    const ids = [...this.acknowledged];
    this.acknowledged.clear();
    this.book.settleGifts(ids, now());
  }

  /** Sets the alarm for logical time `at` unless one is already due sooner. */
  private async wakeAt(at: number): Promise<void> {
    const real = Date.now() + Math.max(0, at - now());
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt !== null && this.alarmAt <= real) return;
    this.alarmAt = real;
    await this.ctx.storage.setAlarm(real);
  }

  creditGifts(batchId: string, items: CreditItem[]) {
    if (fault(this.env, 'walletRefusesCredit')) throw new Error('injected: wallet refused a credit batch');
    return this.book.creditGifts(batchId, items, now());
  }

  requestPayout(req: Parameters<WalletBook['requestPayout']>[0] extends infer R ? Omit<R, 'now'> : never) {
    return this.book.requestPayout({ ...req, now: now() });
  }

  decidePayout(req: Parameters<WalletBook['decidePayout']>[0] extends infer R ? Omit<R, 'now'> : never) {
    return this.book.decidePayout({ ...req, now: now() });
  }

  payouts() {
    return this.book.payouts();
  }

  audit() {
    return this.book.audit();
  }
}
