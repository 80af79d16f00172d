import { DurableObject } from 'cloudflare:workers';
import { monotonicFactory } from 'ulidx';
import { WalletBook, type BuyRequest, type CreditItem, type GiftDebit, type Idempotency, type Limits, type RateCard } from '@giftstream/shared';
import { now } from '../clock';
import type { Env } from '../env';
import { migrate } from './migrate';
import { WALLET_MIGRATIONS } from './wallet-migrations';
import { SqlWalletStore } from './wallet-store';

/**
 * One user's wallet: the authority for their coins, diamonds, ledger, limits and payouts. A thin shell:
 * every method is one call into WalletBook, which runs it as one SQLite transaction.
 */
export class Wallet extends DurableObject<Env> {
  private readonly book: WalletBook;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => migrate(ctx.storage.sql, WALLET_MIGRATIONS));
    this.book = new WalletBook(new SqlWalletStore(ctx.storage), monotonicFactory());
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
    return this.book.attachCheckout(key, purchaseId, sessionId, url);
  }

  purchase(id: string) {
    return this.book.purchase(id);
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

  debitGift(req: Omit<GiftDebit, 'now' | 'respond'> & { reply: Record<string, unknown> }) {
    const { reply, ...rest } = req;
    return this.book.debitGift({ ...rest, now: now(), respond: (coins) => ({ ...reply, wallet: { coins } }) });
  }

  creditGifts(batchId: string, items: CreditItem[]) {
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
