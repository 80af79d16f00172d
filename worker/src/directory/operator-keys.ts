import type { Env } from '../env';

/**
 * Binds an operator's Idempotency-Key to the first request it was used with (method, path, body), across
 * every wallet; true when this request is that one. The operator's keys then live in each creator's wallet
 * under their own scope, beside the payout they decide.
 */
export async function bindOperatorKey(env: Env, key: string, fingerprint: string, at: number): Promise<boolean> {
  await env.DB.prepare(
    'INSERT INTO operator_keys (key, fingerprint, created_at) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING',
  )
    .bind(key, fingerprint, at)
    .run();
  const bound = await env.DB.prepare('SELECT fingerprint FROM operator_keys WHERE key = ?')
    .bind(key)
    .first<{ fingerprint: string }>();
  return bound?.fingerprint === fingerprint;
}
