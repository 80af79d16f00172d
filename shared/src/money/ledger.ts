/**
 * Double-entry bookkeeping for one wallet's book. Every movement is a transfer that debits one account
 * and credits another of the same unit, so the accounts of a unit always sum to zero. Accounts outside
 * the user (the payment provider, the platform, gifts in transit) live in the same book, which is what
 * lets each Durable Object balance on its own.
 */
export type Unit = 'coins' | 'diamonds';

export type TransferKind = 'purchase' | 'gift' | 'creator_share' | 'payout' | 'refund' | 'clawback' | 'reversal';

/** Each key is its stored name in camel case (`coinsUser` is `coins:user`); the stored names never change. */
export const Account = {
  /** The viewer's spendable coins; below zero only after a chargeback, and then that is debt. */
  coinsUser: 'coins:user',
  /** Coins' counterpart at the payment provider: purchases come from it, refunds and clawbacks go back. */
  coinsExternal: 'coins:external',
  /** Coins debited for gifts whose delivery to the room is not yet acknowledged. */
  coinsInTransit: 'coins:in_transit',
  /** Coins refunded at the viewer's request whose money the payment provider has not yet confirmed returned. */
  coinsRefundPending: 'coins:refund_pending',
  /** Coins of gifts the room has acknowledged: they became the creator's diamonds and the platform's fee. */
  coinsPlatform: 'coins:platform',
  /** The creator's diamonds, payable. */
  diamondsUser: 'diamonds:user',
  /** Where creator shares are issued from. */
  diamondsPlatform: 'diamonds:platform',
  /** Diamonds in a requested payout, awaiting the operator. */
  diamondsPayoutPending: 'diamonds:payout_pending',
  /** Diamonds paid out in money. */
  diamondsExternal: 'diamonds:external',
  /** Creator shares that reached a closed account: issued to the platform instead of the creator. */
  diamondsForfeited: 'diamonds:forfeited',
} as const;
export type AccountName = (typeof Account)[keyof typeof Account];

export const ALL_ACCOUNTS: readonly AccountName[] = Object.values(Account);

/** The accounts a user sees moving in their history; entries between other accounts (settling a gift, say) are the books'. */
export const USER_ACCOUNTS: readonly AccountName[] = [
  Account.coinsUser,
  Account.diamondsUser,
  Account.diamondsPayoutPending,
];

export function unitOf(account: string): Unit {
  return account.startsWith('diamonds:') ? 'diamonds' : 'coins';
}

export interface Transfer {
  id: string;
  kind: TransferKind;
  debit: AccountName;
  credit: AccountName;
  amount: number;
  rateVersion: number;
  at: number;
  /** What the transfer is about: a purchase, gift, payout or batch id. */
  ref: string | null;
}

export type Balances = Partial<Record<AccountName, number>>;

/** Accounts that may never go below zero; `coins:user` may only through a clawback. */
const FLOORED: ReadonlySet<AccountName> = new Set([
  Account.coinsUser,
  Account.coinsInTransit,
  Account.coinsRefundPending,
  Account.diamondsUser,
  Account.diamondsPayoutPending,
]);

export type PostResult =
  | { ok: true; balances: Balances }
  | { ok: false; reason: 'insufficient_funds'; account: AccountName };

/** Applies transfers to balances, all or nothing. Does not mutate its input. */
export function post(balances: Balances, transfers: readonly Transfer[]): PostResult {
  const next: Balances = { ...balances };
  for (const t of transfers) {
    if (!Number.isSafeInteger(t.amount) || t.amount <= 0)
      throw new RangeError(`transfer ${t.id}: amount must be a positive integer`);
    if (t.debit === t.credit || unitOf(t.debit) !== unitOf(t.credit))
      throw new Error(`transfer ${t.id}: accounts must differ and share a unit`);
    const after = (next[t.debit] ?? 0) - t.amount;
    const mayGoNegative = t.kind === 'clawback' && t.debit === Account.coinsUser;
    if (after < 0 && FLOORED.has(t.debit) && !mayGoNegative)
      return { ok: false, reason: 'insufficient_funds', account: t.debit };
    next[t.debit] = after;
    next[t.credit] = (next[t.credit] ?? 0) + t.amount;
  }
  return { ok: true, balances: next };
}

export function sumByUnit(balances: Balances): Record<Unit, number> {
  const sums: Record<Unit, number> = { coins: 0, diamonds: 0 };
  for (const [account, value] of Object.entries(balances)) sums[unitOf(account)] += value ?? 0;
  return sums;
}

/** What the user sees: coins never negative, the shortfall after a chargeback shown as debt. */
export function userView(balances: Balances): { coins: number; debt: number; diamonds: number } {
  const coins = balances[Account.coinsUser] ?? 0;
  return { coins: Math.max(0, coins), debt: Math.max(0, -coins), diamonds: balances[Account.diamondsUser] ?? 0 };
}

/** Invariants a book must hold; each violation is described in words for the audit. */
export function checkBook(balances: Balances, transfers?: readonly Transfer[]): string[] {
  const violations: string[] = [];
  const sums = sumByUnit(balances);
  for (const unit of ['coins', 'diamonds'] as const) {
    if (sums[unit] !== 0) violations.push(`${unit} accounts sum to ${sums[unit]}, not 0`);
  }
  for (const account of FLOORED) {
    if (account !== Account.coinsUser && (balances[account] ?? 0) < 0) violations.push(`${account} is negative`);
  }
  if (transfers) {
    let replayed: Balances = {};
    for (const t of transfers) {
      const r = post(replayed, [t]);
      if (!r.ok) {
        violations.push(`transfer ${t.id} overdraws ${r.account}`);
        replayed = {
          ...replayed,
          [t.debit]: (replayed[t.debit] ?? 0) - t.amount,
          [t.credit]: (replayed[t.credit] ?? 0) + t.amount,
        };
      } else replayed = r.balances;
    }
    for (const account of new Set([...Object.keys(balances), ...Object.keys(replayed)]) as Set<AccountName>) {
      if ((balances[account] ?? 0) !== (replayed[account] ?? 0))
        violations.push(`${account} is ${balances[account] ?? 0} but its entries sum to ${replayed[account] ?? 0}`);
    }
  }
  return violations;
}
