import type { AccountName, Balances, Transfer } from './ledger';
import { NO_LIMITS, type GiftSpent, type LimitState } from './limits';
import type { ComboState } from '../room/rules';
import type {
  EffectRecord,
  GiftSpend,
  GiftSpentQuery,
  OutboxRecord,
  PayoutRecord,
  PayoutStatus,
  PurchaseRecord,
  TransferQuery,
  WalletStore,
} from './wallet';
import { InMemoryTransactions } from '../memory-transaction';

interface State {
  balances: Balances;
  transfers: (Transfer & { counterparty: string | null })[];
  purchases: Map<string, PurchaseRecord>;
  payouts: Map<string, PayoutRecord>;
  idempotent: Map<string, { fingerprint: string; reply: { status: number; body: string }; at: number }>;
  limits: LimitState;
  giftSpends: GiftSpend[];
  credits: Map<string, string>;
  outbox: Map<string, OutboxRecord>;
  effects: Map<string, EffectRecord>;
  closedAt: number | null;
}

/** A WalletStore in memory, for pure tests and models. A throwing transaction leaves nothing behind. */
export class MemoryWalletStore extends InMemoryTransactions<State> implements WalletStore {
  constructor() {
    super({
      balances: {},
      transfers: [],
      purchases: new Map(),
      payouts: new Map(),
      idempotent: new Map(),
      limits: { limits: { ...NO_LIMITS }, pending: [] },
      giftSpends: [],
      credits: new Map(),
      outbox: new Map(),
      effects: new Map(),
      closedAt: null,
    });
  }

  balances(): Balances {
    return { ...this.s.balances };
  }
  setBalance(account: AccountName, value: number): void {
    this.s.balances[account] = value;
  }
  appendTransfers(transfers: readonly Transfer[], counterparty: string | null = null): void {
    for (const t of transfers) this.s.transfers.push({ ...t, counterparty });
  }
  transfers(opts: TransferQuery) {
    let list = [...this.s.transfers].reverse();
    if (opts.before) {
      const at = list.findIndex((t) => t.id === opts.before);
      list = at < 0 ? [] : list.slice(at + 1);
    }
    if (opts.since !== undefined) list = list.filter((t) => t.at >= opts.since!);
    if (opts.touching) list = list.filter((t) => opts.touching!.includes(t.debit) || opts.touching!.includes(t.credit));
    return list.slice(0, opts.limit);
  }
  getPurchase(id: string) {
    const p = this.s.purchases.get(id);
    return p ? { ...p } : null;
  }
  putPurchase(p: PurchaseRecord): void {
    this.s.purchases.set(p.id, { ...p });
  }
  purchasesSince(at: number) {
    return [...this.s.purchases.values()].filter((p) => p.createdAt >= at);
  }
  getPayout(id: string) {
    const p = this.s.payouts.get(id);
    return p ? { ...p } : null;
  }
  putPayout(p: PayoutRecord): void {
    this.s.payouts.set(p.id, { ...p });
  }
  payouts(status?: PayoutStatus) {
    return [...this.s.payouts.values()].filter((p) => !status || p.status === status);
  }
  getIdempotent(key: string) {
    return this.s.idempotent.get(key) ?? null;
  }
  putIdempotent(
    key: string,
    record: { fingerprint: string; reply: { status: number; body: string }; at: number },
  ): void {
    this.s.idempotent.set(key, record);
  }
  getLimits(): LimitState {
    return structuredClone(this.s.limits);
  }
  putLimits(state: LimitState): void {
    this.s.limits = structuredClone(state);
  }
  putGiftSpend(spend: GiftSpend): void {
    this.s.giftSpends.push({ ...spend });
  }
  giftSpent(q: GiftSpentQuery): number {
    const counted = this.s.giftSpends.filter(
      (g) => g.at >= q.since && (q.room === undefined || (g.room === q.room && g.session === q.session)),
    );
    return counted.reduce((sum, g) => sum + g.amount, 0);
  }
  giftsSince(since: number): (GiftSpent & { coins: number })[] {
    return this.s.giftSpends.filter((g) => g.at >= since).map((g) => ({ at: g.at, amount: g.amount, coins: g.coins }));
  }
  putCredit(transferId: string, batchId: string): boolean {
    if (this.s.credits.has(transferId)) return false;
    this.s.credits.set(transferId, batchId);
    return true;
  }
  putOutbox(record: OutboxRecord): void {
    this.s.outbox.set(record.transferId, { ...record });
  }
  getOutbox(transferId: string) {
    return this.s.outbox.get(transferId) ?? null;
  }
  deleteOutbox(transferId: string): number | null {
    const o = this.s.outbox.get(transferId);
    this.s.outbox.delete(transferId);
    return o ? o.coins : null;
  }
  outbox() {
    return [...this.s.outbox.values()];
  }
  lastCombo(key: string, since: number): ComboState | null {
    const g = this.s.giftSpends.filter((g) => g.at >= since && g.combo.key === key).at(-1);
    return g ? { id: g.combo.id, lastAt: g.at, count: g.combo.count } : null;
  }
  putEffect(record: EffectRecord): void {
    this.s.effects.set(record.id, structuredClone(record));
  }
  getEffect(id: string) {
    const e = this.s.effects.get(id);
    return e ? structuredClone(e) : null;
  }
  deleteEffect(id: string): void {
    this.s.effects.delete(id);
  }
  effects() {
    return [...this.s.effects.values()].map((e) => structuredClone(e));
  }
  closedAt() {
    return this.s.closedAt;
  }
  setClosedAt(at: number): void {
    this.s.closedAt = at;
  }
}
