import type { Env, UserRow } from '../env';

export interface NewUser {
  id: string;
  email: string;
  displayName: string;
  birthdate: string;
  passwordHash: string;
}

/** Creates the account; false when the email (case-insensitively) already has one. */
export async function createUser(env: Env, u: NewUser, at: number): Promise<boolean> {
  const inserted = await env.DB.prepare(
    `INSERT INTO users (id, email, email_norm, display_name, birthdate, password_hash, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(email_norm) DO NOTHING`,
  )
    .bind(u.id, u.email, u.email.toLowerCase(), u.displayName, u.birthdate, u.passwordHash, at)
    .run();
  return inserted.meta.changes > 0;
}

/** The account signing in with this email (any case), with its password hash. */
export async function userByEmail(env: Env, email: string) {
  return env.DB.prepare(
    'SELECT id, email, display_name, birthdate, created_at, password_hash FROM users WHERE email_norm = ?',
  )
    .bind(email.toLowerCase())
    .first<UserRow & { password_hash: string }>();
}

export async function userById(env: Env, id: string) {
  return env.DB.prepare('SELECT id, email, display_name, birthdate, created_at FROM users WHERE id = ?')
    .bind(id)
    .first<UserRow>();
}

export async function passwordHashOf(env: Env, userId: string): Promise<string | null> {
  const row = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?')
    .bind(userId)
    .first<{ password_hash: string }>();
  return row?.password_hash ?? null;
}

export async function renameUser(env: Env, userId: string, displayName: string): Promise<void> {
  await env.DB.prepare('UPDATE users SET display_name = ? WHERE id = ?').bind(displayName, userId).run();
}

/** A new password signs every other session out, in the same batch; the session `keep` stays. */
export async function setPassword(env: Env, userId: string, hash: string, keep: string, at: number): Promise<void> {
  await env.DB.batch([
    env.DB.prepare('UPDATE users SET password_hash = ? WHERE id = ?').bind(hash, userId),
    env.DB.prepare(
      'UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND token_hash != ? AND revoked_at IS NULL',
    ).bind(at, userId, keep),
  ]);
}

export async function endSession(env: Env, tokenHash: string, at: number): Promise<void> {
  await env.DB.prepare('UPDATE sessions SET revoked_at = ? WHERE token_hash = ?').bind(at, tokenHash).run();
}

/**
 * Lists a user's wallet for the audit; the wallet calls this before its first change. Idempotent: the first
 * time stays.
 */
export async function listWallet(env: Env, userId: string, at: number): Promise<void> {
  await env.DB.prepare('UPDATE users SET wallet_listed_at = ? WHERE id = ? AND wallet_listed_at IS NULL')
    .bind(at, userId)
    .run();
}

/** One page of listed wallets (user ids in order) after `cursor`: the audit walks every wallet that may hold something this way. */
export async function listedWalletsAfter(env: Env, cursor: string, limit: number): Promise<string[]> {
  const { results } = await env.DB.prepare(
    'SELECT id FROM users WHERE id > ? AND wallet_listed_at IS NOT NULL ORDER BY id LIMIT ?',
  )
    .bind(cursor, limit)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}
