import type { PurchaseStatus } from '@giftstream/shared';
import type { Env } from '../env';

export type FlaggedRow = {
  id: string;
  user_id: string;
  status: string;
  flagged_reason: string | null;
  created_at: number;
  payment_intent: string | null;
};

/** A purchase the operator must look at (its payment did not match its price). From the wallet's outbox. */
export async function indexPurchaseStatus(
  env: Env,
  p: { purchaseId: string; userId: string; status: PurchaseStatus; reason: string | null; at: number },
): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO purchases (id, user_id, created_at, status, flagged_reason) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET status = excluded.status, flagged_reason = excluded.flagged_reason`,
  )
    .bind(p.purchaseId, p.userId, p.at, p.status, p.reason)
    .run();
}

export async function flaggedPurchases(env: Env): Promise<FlaggedRow[]> {
  const { results } = await env.DB.prepare(
    "SELECT id, user_id, status, flagged_reason, created_at, payment_intent FROM purchases WHERE status = 'flagged' ORDER BY created_at",
  ).all<FlaggedRow>();
  return results;
}

/** Which of these users' purchases the operator's list shows as flagged, for the audit to hold against their wallets. */
export async function flaggedOf(env: Env, userIds: readonly string[]): Promise<{ id: string; user_id: string }[]> {
  if (!userIds.length) return [];
  const { results } = await env.DB.prepare(
    `SELECT id, user_id FROM purchases WHERE status = 'flagged' AND user_id IN (${userIds.map(() => '?').join(',')})`,
  )
    .bind(...userIds)
    .all<{ id: string; user_id: string }>();
  return results;
}

/** A Stripe purchase about to open its Checkout Session: indexed so its webhooks can find its owner. */
export async function indexCheckoutPurchase(env: Env, purchaseId: string, userId: string, at: number): Promise<void> {
  await env.DB.prepare('INSERT INTO purchases (id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING')
    .bind(purchaseId, userId, at)
    .run();
}

export async function attachCheckoutSession(env: Env, purchaseId: string, sessionId: string): Promise<void> {
  await env.DB.prepare('UPDATE purchases SET checkout_session_id = ? WHERE id = ?').bind(sessionId, purchaseId).run();
}

/** Records what a completed Checkout Session paid with. */
export async function recordPayment(
  env: Env,
  purchaseId: string,
  paymentIntent: string | null,
  sessionId: string,
): Promise<void> {
  await env.DB.prepare('UPDATE purchases SET payment_intent = ?, checkout_session_id = ? WHERE id = ?')
    .bind(paymentIntent, sessionId, purchaseId)
    .run();
}

export async function purchaseByPaymentIntent(env: Env, paymentIntent: string) {
  return env.DB.prepare('SELECT id, user_id FROM purchases WHERE payment_intent = ?')
    .bind(paymentIntent)
    .first<{ id: string; user_id: string }>();
}
