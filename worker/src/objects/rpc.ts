/**
 * What the Durable Objects answer over RPC: the methods a stub may call, with their exact types. env.ts
 * types its namespaces with these, not with the classes, so the bindings do not import the objects (which
 * import env.ts): the source has no import cycle, type-only ones included. Each class `implements` its
 * interface, so the two cannot drift apart. The types come from the pure books in shared/.
 */
import type {
  BuyRequest,
  CreditItem,
  GiftDebit,
  GiftPayload,
  Idempotency,
  LimitsChange,
  LiveState,
  RateCard,
  RoomBook,
  WalletBook,
} from '@giftstream/shared';

type Book = WalletBook;
/** What a WalletBook method returns. */
type Answer<M extends keyof Book> = Book[M] extends (...args: never[]) => infer R ? R : never;
/** A WalletBook request without the `now` the object adds. */
type Request<M extends keyof Book> = Book[M] extends (req: infer R) => unknown ? Omit<R, 'now'> : never;

export interface WalletRpc extends Rpc.DurableObjectBranded {
  ping(): number;
  summary(card: RateCard): Answer<'summary'>;
  history(limit: number, before?: string): Answer<'history'>;
  giftsSent(room: string, session: string | null): Answer<'giftsSent'>;
  setLimits(limits: LimitsChange): Promise<Answer<'setLimits'>>;
  buy(req: Omit<BuyRequest, 'now'>): Promise<Answer<'buy'>>;
  attachCheckout(key: string, purchaseId: string, sessionId: string, url: string): Promise<Answer<'attachCheckout'>>;
  abandonCheckout(purchaseId: string): Promise<Answer<'abandonCheckout'>>;
  purchase(id: string): Answer<'purchase'>;
  historyWithReceipts(
    limit: number,
    before?: string,
    since?: number,
  ): { entries: Answer<'history'>; purchases: Answer<'purchasesById'> };
  closingState(): Answer<'closingState'>;
  close(req: { userId: string; forfeit: boolean }): Promise<Answer<'close'>>;
  completePurchase(
    purchaseId: string,
    paymentRef: string | null,
    paid?: { amount: number; currency: string; userId: string },
  ): Promise<Answer<'completePurchase'>>;
  expirePurchase(purchaseId: string): Promise<Answer<'expirePurchase'>>;
  refund(req: Idempotency & { purchaseId: string }): Promise<Answer<'refund'>>;
  refundRefused(purchaseId: string, refundId: string): Promise<Answer<'refundRefused'>>;
  providerRefunded(purchaseId: string, amountRefunded: number): Promise<Answer<'providerRefunded'>>;
  disputed(purchaseId: string): Promise<Answer<'disputed'>>;
  debitGift(req: Omit<GiftDebit, 'now' | 'admit'>): Promise<Answer<'debitGift'>>;
  creditGifts(batchId: string, items: CreditItem[]): Promise<Answer<'creditGifts'>>;
  requestPayout(req: Request<'requestPayout'>): Promise<Answer<'requestPayout'>>;
  decidePayout(req: Request<'decidePayout'>): Promise<Answer<'decidePayout'>>;
  payouts(): Answer<'payouts'>;
  payoutReturned(payoutId: string, reason: 'transfer_reversed' | 'payout_failed'): Promise<Answer<'payoutReturned'>>;
  paidPayoutTo(account: string, amount: number): Answer<'paidPayoutTo'>;
  audit(): Promise<Answer<'audit'>>;
}

export interface LiveRoomRpc extends Rpc.DurableObjectBranded {
  liveState(): LiveState;
  setLive(live: boolean, title: string | null): LiveState;
  setGoal(goal: { label: string; coins: number } | null): ReturnType<RoomBook['setGoal']>['goal'];
  overlayToken(rotate: boolean): string;
  testAlert(from: string): void;
  pushOverlayConfig(revision: number, config: unknown): void;
  setBlockedWords(words: string[]): string[];
  moderation(): ReturnType<RoomBook['moderation']>;
  receiveGifts(gifts: GiftPayload[]): Promise<string[]>;
  snapshot(): ReturnType<RoomBook['snapshot']>;
  earnings(): ReturnType<RoomBook['earnings']>;
}
