import type { Env } from '../env';

export interface PayoutAccountRow {
  user_id: string;
  account_id: string;
  details_submitted: number;
  charges_enabled: number;
  payouts_enabled: number;
}

export type PayoutAccountState = 'none' | 'details_needed' | 'under_review' | 'enabled';

export async function payoutAccountOf(env: Env, userId: string): Promise<PayoutAccountRow | null> {
  return env.DB.prepare('SELECT * FROM payout_accounts WHERE user_id = ?').bind(userId).first<PayoutAccountRow>();
}

export async function payoutAccountById(env: Env, accountId: string): Promise<PayoutAccountRow | null> {
  return env.DB.prepare('SELECT * FROM payout_accounts WHERE account_id = ?').bind(accountId).first<PayoutAccountRow>();
}

/**
 * Remembers a creator's account. Stripe answers the same account for the same Idempotency-Key, so two
 * simultaneous set-ups store one row; the row that is already there wins.
 */
export async function rememberPayoutAccount(
  env: Env,
  userId: string,
  accountId: string,
  at: number,
): Promise<PayoutAccountRow> {
  await env.DB.prepare(
    'INSERT INTO payout_accounts (user_id, account_id, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  )
    .bind(userId, accountId, at, at)
    .run();
  return (await payoutAccountOf(env, userId))!;
}

/** What `account.updated` says; false when Stripe's object did not carry a flag. */
export async function updatePayoutAccount(
  env: Env,
  accountId: string,
  flags: { detailsSubmitted: boolean; chargesEnabled: boolean; payoutsEnabled: boolean },
  at: number,
): Promise<boolean> {
  const r = await env.DB.prepare(
    'UPDATE payout_accounts SET details_submitted = ?, charges_enabled = ?, payouts_enabled = ?, updated_at = ? WHERE account_id = ?',
  )
    .bind(flags.detailsSubmitted ? 1 : 0, flags.chargesEnabled ? 1 : 0, flags.payoutsEnabled ? 1 : 0, at, accountId)
    .run();
  return r.meta.changes > 0;
}

/** Enabled once Stripe lets it receive payouts; under review once the creator sent everything Stripe asked. */
export function accountState(row: PayoutAccountRow | null): PayoutAccountState {
  if (!row) return 'none';
  if (row.payouts_enabled) return 'enabled';
  return row.details_submitted ? 'under_review' : 'details_needed';
}
