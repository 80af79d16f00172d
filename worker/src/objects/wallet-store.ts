import {
  NO_LIMITS,
  type AccountName,
  type EffectRecord,
  type GiftSpend,
  type GiftSpent,
  type GiftSpentQuery,
  type ComboState,
  type Balances,
  type LimitState,
  type OutboxRecord,
  type PayoutRecord,
  type PayoutStatus,
  type PurchaseRecord,
  type Transfer,
  type TransferKind,
  type TransferQuery,
  type WalletStore,
} from '@giftstream/shared';
import { inserted, records } from './sql';

type TransferRow = {
  id: string;
  kind: TransferKind;
  debit: AccountName;
  credit: AccountName;
  amount: number;
  rate_version: number;
  at: number;
  ref: string | null;
  counterparty: string | null;
};
type EffectRow = { id: string; effect: string; attempts: number; next_attempt_at: number; created_at: number };
type OutboxRow = {
  transfer_id: string;
  coins: number;
  payload: string;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
};

/**
 * WalletStore over a Durable Object's SQLite storage. Balances are read on every move, so they are
 * kept in memory too: the object is the only writer, and a transaction that throws drops the copy.
 * Balances are written once per transaction, as they stand at its end, in one statement (a gift that
 * settles the one before moves coins:in_transit twice; a credit batch moves diamonds once per gift).
 */
export class SqlWalletStore implements WalletStore {
  private depth = 0;
  private cached: Balances | null = null;
  private readonly unwritten = new Set<AccountName>();

  constructor(private readonly storage: DurableObjectStorage) {}

  private get sql() {
    return this.storage.sql;
  }

  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.depth++;
    try {
      return this.storage.transactionSync(() => {
        const result = fn();
        this.writeBalances([...this.unwritten]);
        return result;
      });
    } catch (e) {
      this.cached = null;
      throw e;
    } finally {
      this.unwritten.clear();
      this.depth--;
    }
  }

  balances(): Balances {
    return { ...this.loaded() };
  }
  private loaded(): Balances {
    if (!this.cached) {
      this.cached = {};
      for (const r of this.sql.exec<{ account: AccountName; value: number }>('SELECT account, value FROM balances'))
        this.cached[r.account] = r.value;
    }
    return this.cached;
  }
  setBalance(account: AccountName, value: number): void {
    if (this.depth === 0) return this.transaction(() => this.setBalance(account, value));
    this.loaded()[account] = value;
    this.unwritten.add(account);
  }
  private writeBalances(accounts: AccountName[]): void {
    if (!accounts.length) return;
    this.sql.exec(
      `INSERT INTO balances (account, value) VALUES ${accounts.map(() => '(?, ?)').join(', ')} ON CONFLICT(account) DO UPDATE SET value = excluded.value`,
      ...accounts.flatMap((a) => [a, this.cached![a]!]),
    );
  }
  appendTransfers(transfers: readonly Transfer[], counterparty: string | null = null): void {
    for (const t of transfers) {
      this.sql.exec(
        'INSERT INTO transfers (id, kind, debit, credit, amount, rate_version, at, ref, counterparty) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        t.id,
        t.kind,
        t.debit,
        t.credit,
        t.amount,
        t.rateVersion,
        t.at,
        t.ref,
        counterparty,
      );
    }
  }
  transfers(opts: TransferQuery) {
    const where: string[] = [];
    const args: (string | number)[] = [];
    // Insertion order (rowid), not id order: ids are minted before the wallet orders the transfers.
    if (opts.before) where.push('rowid < (SELECT rowid FROM transfers WHERE id = ?)'), args.push(opts.before);
    if (opts.since !== undefined) where.push('at >= ?'), args.push(opts.since);
    if (opts.touching) {
      const marks = opts.touching.map(() => '?').join(',');
      where.push(`(debit IN (${marks}) OR credit IN (${marks}))`);
      args.push(...opts.touching, ...opts.touching);
    }
    const rows = this.sql
      .exec<TransferRow>(
        `SELECT * FROM transfers ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY rowid DESC LIMIT ?`,
        ...args,
        Math.min(opts.limit, Number.MAX_SAFE_INTEGER),
      )
      .toArray();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      debit: r.debit,
      credit: r.credit,
      amount: r.amount,
      rateVersion: r.rate_version,
      at: r.at,
      ref: r.ref,
      counterparty: r.counterparty,
    }));
  }
  getPurchase(id: string): PurchaseRecord | null {
    return records<PurchaseRecord>(this.sql, 'SELECT data FROM purchases WHERE id = ?', id)[0] ?? null;
  }
  putPurchase(p: PurchaseRecord): void {
    this.sql.exec(
      'INSERT INTO purchases (id, created_at, data) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data',
      p.id,
      p.createdAt,
      JSON.stringify(p),
    );
  }
  purchasesSince(at: number): PurchaseRecord[] {
    return records(this.sql, 'SELECT data FROM purchases WHERE created_at >= ?', at);
  }
  getPayout(id: string): PayoutRecord | null {
    return records<PayoutRecord>(this.sql, 'SELECT data FROM payouts WHERE id = ?', id)[0] ?? null;
  }
  putPayout(p: PayoutRecord): void {
    this.sql.exec(
      'INSERT INTO payouts (id, status, data) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, data = excluded.data',
      p.id,
      p.status,
      JSON.stringify(p),
    );
  }
  payouts(status?: PayoutStatus): PayoutRecord[] {
    return status
      ? records(this.sql, 'SELECT data FROM payouts WHERE status = ? ORDER BY id DESC', status)
      : records(this.sql, 'SELECT data FROM payouts ORDER BY id DESC');
  }
  getIdempotent(key: string) {
    const r = this.sql
      .exec<{ fingerprint: string; status: number; body: string; at: number }>(
        'SELECT fingerprint, status, body, at FROM idempotency WHERE key = ?',
        key,
      )
      .toArray()[0];
    return r ? { fingerprint: r.fingerprint, reply: { status: r.status, body: r.body }, at: r.at } : null;
  }
  putIdempotent(
    key: string,
    record: { fingerprint: string; reply: { status: number; body: string }; at: number },
  ): void {
    this.sql.exec(
      'INSERT INTO idempotency (key, fingerprint, status, body, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status, body = excluded.body, at = excluded.at',
      key,
      record.fingerprint,
      record.reply.status,
      record.reply.body,
      record.at,
    );
  }
  getLimits(): LimitState {
    const r = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'limits'").toArray()[0];
    return r ? JSON.parse(r.value) : { limits: { ...NO_LIMITS }, pending: [] };
  }
  putLimits(state: LimitState): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('limits', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      JSON.stringify(state),
    );
  }
  putGiftSpend(g: GiftSpend): void {
    this.sql.exec(
      'INSERT INTO gift_spend (at, transfer_id, room, session_id, amount, coins, combo_key, combo_id, combo_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      g.at,
      g.transferId,
      g.room,
      g.session,
      g.amount,
      g.coins,
      g.combo.key,
      g.combo.id,
      g.combo.count,
    );
  }
  giftSpent(q: GiftSpentQuery): number {
    const rows =
      q.room === undefined
        ? this.sql.exec<{ sum: number | null }>('SELECT SUM(amount) AS sum FROM gift_spend WHERE at >= ?', q.since)
        : this.sql.exec<{ sum: number | null }>(
            'SELECT SUM(amount) AS sum FROM gift_spend WHERE at >= ? AND room = ? AND session_id IS ?',
            q.since,
            q.room,
            q.session,
          );
    return rows.toArray()[0]?.sum ?? 0;
  }
  giftsSince(since: number): (GiftSpent & { coins: number })[] {
    return this.sql
      .exec<{ at: number; amount: number; coins: number }>(
        'SELECT at, amount, coins FROM gift_spend WHERE at >= ? ORDER BY at',
        since,
      )
      .toArray()
      .map((r) => ({ at: r.at, amount: r.amount, coins: r.coins }));
  }
  putCredit(transferId: string, batchId: string): boolean {
    return inserted(
      this.sql,
      'INSERT INTO credits (transfer_id, batch_id) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING 1',
      transferId,
      batchId,
    );
  }
  putOutbox(o: OutboxRecord): void {
    this.sql.exec(
      'INSERT INTO outbox (transfer_id, coins, payload, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(transfer_id) DO UPDATE SET attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at',
      o.transferId,
      o.coins,
      o.payload,
      o.attempts,
      o.nextAttemptAt,
      o.createdAt,
    );
  }
  getOutbox(transferId: string): OutboxRecord | null {
    const r = this.sql.exec<OutboxRow>('SELECT * FROM outbox WHERE transfer_id = ?', transferId).toArray()[0];
    return r ? outboxRecord(r) : null;
  }
  deleteOutbox(transferId: string): number | null {
    return (
      this.sql
        .exec<{ coins: number }>('DELETE FROM outbox WHERE transfer_id = ? RETURNING coins', transferId)
        .toArray()[0]?.coins ?? null
    );
  }
  lastCombo(key: string, since: number): ComboState | null {
    // Of two gifts in the same millisecond, the later has the higher count: it went on with the earlier one's combo.
    const r = this.sql
      .exec<{ id: string; at: number; count: number }>(
        'SELECT combo_id AS id, at, combo_count AS count FROM gift_spend WHERE at >= ? AND combo_key = ? ORDER BY at DESC, combo_count DESC LIMIT 1',
        since,
        key,
      )
      .toArray()[0];
    return r ? { id: r.id, lastAt: r.at, count: r.count } : null;
  }
  putEffect(e: EffectRecord): void {
    this.sql.exec(
      'INSERT INTO effects (id, effect, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET effect = excluded.effect, attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at',
      e.id,
      JSON.stringify(e.effect),
      e.attempts,
      e.nextAttemptAt,
      e.createdAt,
    );
  }
  getEffect(id: string): EffectRecord | null {
    const r = this.sql.exec<EffectRow>('SELECT * FROM effects WHERE id = ?', id).toArray()[0];
    return r ? effectRecord(r) : null;
  }
  deleteEffect(id: string): void {
    this.sql.exec('DELETE FROM effects WHERE id = ?', id);
  }
  effects(): EffectRecord[] {
    return this.sql.exec<EffectRow>('SELECT * FROM effects ORDER BY created_at, id').toArray().map(effectRecord);
  }
  closedAt(): number | null {
    const r = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'closed_at'").toArray()[0];
    return r ? Number(r.value) : null;
  }
  setClosedAt(at: number): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('closed_at', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      String(at),
    );
  }
  /** Whether the directory lists this wallet for the audit (the wallet's own note of it). */
  listed(): boolean {
    return this.sql.exec("SELECT 1 FROM meta WHERE key = 'listed_at'").toArray().length > 0;
  }
  setListed(at: number): void {
    this.sql.exec("INSERT INTO meta (key, value) VALUES ('listed_at', ?) ON CONFLICT(key) DO NOTHING", String(at));
  }
  outbox(): OutboxRecord[] {
    return this.sql.exec<OutboxRow>('SELECT * FROM outbox ORDER BY transfer_id').toArray().map(outboxRecord);
  }
}

function outboxRecord(r: OutboxRow): OutboxRecord {
  return {
    transferId: r.transfer_id,
    coins: r.coins,
    payload: r.payload,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
  };
}

function effectRecord(r: EffectRow): EffectRecord {
  return {
    id: r.id,
    effect: JSON.parse(r.effect),
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
  };
}
