import type { PayoutStatus } from './wallet';

/** What a wallet says about the things the directory indexes (from `WalletBook.audit`). */
export interface WalletFacts {
  closedAt: number | null;
  payouts: readonly { id: string; status: PayoutStatus; diamonds: number }[];
  /** Ids of flagged purchases. */
  flagged: readonly string[];
  /** Effects not yet applied: the directory may lag by exactly these. */
  pendingEffects: readonly string[];
}

/** What the directory holds for the same user. */
export interface DirectoryFacts {
  deleted: boolean;
  payouts: readonly { id: string; status: string; diamonds: number }[];
  /** Ids of the purchases it lists as flagged for the operator. */
  flagged: readonly string[];
}

/**
 * Holds the directory against the wallet, its authority. A difference the wallet's outbox is still
 * applying is expected; any other is a violation, described in words for the operator.
 */
export function reconcile(wallet: WalletFacts, directory: DirectoryFacts): string[] {
  const violations: string[] = [];
  const pending = new Set(wallet.pendingEffects);
  const indexed = new Map(directory.payouts.map((p) => [p.id, p]));
  for (const p of wallet.payouts) {
    if (pending.has(`payout:${p.id}`)) continue;
    const row = indexed.get(p.id);
    if (!row) violations.push(`payout ${p.id} (${p.status}) is missing from the payout index`);
    else if (row.status !== p.status || row.diamonds !== p.diamonds)
      violations.push(
        `payout ${p.id} is ${p.status} for ${p.diamonds} diamonds in the wallet but ${row.status} for ${row.diamonds} in the index`,
      );
  }
  const held = new Set(wallet.payouts.map((p) => p.id));
  for (const row of directory.payouts)
    if (!held.has(row.id)) violations.push(`payout ${row.id} is in the index but not in the wallet`);
  const listed = new Set(directory.flagged);
  for (const id of wallet.flagged) {
    if (!listed.has(id) && !pending.has(`purchase:${id}`))
      violations.push(`purchase ${id} is flagged in the wallet but not listed for the operator`);
  }
  const flagged = new Set(wallet.flagged);
  for (const id of directory.flagged)
    if (!flagged.has(id)) violations.push(`purchase ${id} is listed as flagged but the wallet does not flag it`);
  const closed = wallet.closedAt !== null;
  if (closed && !directory.deleted && !pending.has('account_closed'))
    violations.push('the wallet is closed but the directory still has the account');
  if (!closed && directory.deleted) violations.push('the directory deleted the account but its wallet is open');
  return violations;
}
