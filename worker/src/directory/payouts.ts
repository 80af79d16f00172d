import type { PayoutOwner, PayoutRecord } from '@giftstream/shared';
import type { Env } from '../env';

export type PayoutRow = {
  id: string;
  user_id: string;
  handle: string;
  diamonds: number;
  amount: number;
  destination: string;
  status: string;
  created_at: number;
  decided_at: number | null;
  via: string | null;
  transfer_id: string | null;
};

/** The operator's index of payouts. Written only from a wallet's outbox: the wallet is the authority. */
export async function indexPayout(env: Env, p: PayoutRecord & PayoutOwner): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO payouts (id, user_id, handle, diamonds, amount, destination, status, created_at, decided_at, via, transfer_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET status = excluded.status, decided_at = excluded.decided_at, transfer_id = excluded.transfer_id`,
  )
    .bind(
      p.id,
      p.userId,
      p.handle,
      p.diamonds,
      p.amount,
      p.destination,
      p.status,
      p.createdAt,
      p.decidedAt,
      p.via ?? null,
      p.transferId ?? null,
    )
    .run();
}

export async function listPayouts(env: Env, status?: string): Promise<PayoutRow[]> {
  const stmt = status
    ? env.DB.prepare('SELECT * FROM payouts WHERE status = ? ORDER BY created_at').bind(status)
    : env.DB.prepare('SELECT * FROM payouts ORDER BY created_at');
  return (await stmt.all<PayoutRow>()).results;
}

export async function payoutOwner(env: Env, id: string): Promise<PayoutOwner | null> {
  const row = await env.DB.prepare('SELECT user_id, handle FROM payouts WHERE id = ?')
    .bind(id)
    .first<{ user_id: string; handle: string }>();
  return row ? { userId: row.user_id, handle: row.handle } : null;
}

/** Index rows of these users' payouts, for the audit to hold against their wallets. */
export async function payoutsOf(env: Env, userIds: readonly string[]): Promise<PayoutRow[]> {
  if (!userIds.length) return [];
  const { results } = await env.DB.prepare(
    `SELECT * FROM payouts WHERE user_id IN (${userIds.map(() => '?').join(',')})`,
  )
    .bind(...userIds)
    .all<PayoutRow>();
  return results;
}
