import { now } from '../clock';
import type { Env } from '../env';
import { getLiveRoom } from '../stubs';
import { mediaKey } from './studio';

/**
 * What closing an account changes outside its wallet: personal data removed (the row stays, its ledger
 * refers to it), sessions ended, payout destinations erased, channel claims and open channel sign-ins dropped, overlay
 * uploads, looks and studio tickets deleted, the room off air.
 * Every step may run again: the wallet's outbox repeats the whole until it succeeds.
 */
export async function closeAccount(env: Env, userId: string): Promise<void> {
  await env.DB.batch([
    env.DB.prepare(
      "UPDATE users SET email = '', email_norm = 'deleted:' || id, display_name = 'Deleted user', birthdate = '1900-01-01', password_hash = '', deleted_at = COALESCE(deleted_at, ?) WHERE id = ?",
    ).bind(now(), userId),
    env.DB.prepare('DELETE FROM sessions WHERE user_id = ?').bind(userId),
    env.DB.prepare("UPDATE payouts SET destination = '' WHERE user_id = ?").bind(userId),
    env.DB.prepare('DELETE FROM channel_claims WHERE handle IN (SELECT handle FROM creators WHERE user_id = ?)').bind(
      userId,
    ),
    // A channel sign-in still open would otherwise prove a channel for the closed account.
    env.DB.prepare('DELETE FROM oauth_states WHERE user_id = ?').bind(userId),
    // The overlay studio: a ticket must not open a session, and the saved looks go with the account.
    env.DB.prepare('DELETE FROM studio_tickets WHERE user_id = ?').bind(userId),
    env.DB.prepare('DELETE FROM overlay_configs WHERE user_id = ?').bind(userId),
  ]);
  // Uploaded images and sounds are the creator's own: the files go first, then the rows that index them.
  const { results: files } = await env.DB.prepare('SELECT id FROM media WHERE user_id = ?')
    .bind(userId)
    .all<{ id: string }>();
  if (files.length) {
    await env.MEDIA.delete(files.map((f) => mediaKey(f.id)));
    await env.DB.prepare('DELETE FROM media WHERE user_id = ?').bind(userId).run();
  }
  // The handle stays reserved (its room's history belongs to it), but the room goes off air.
  const creator = await env.DB.prepare('SELECT handle FROM creators WHERE user_id = ?')
    .bind(userId)
    .first<{ handle: string }>();
  if (creator) {
    await getLiveRoom(env, creator.handle).setLive(false, null);
    await env.DB.prepare('UPDATE creators SET live = 0, live_session = NULL WHERE user_id = ?').bind(userId).run();
  }
}

/** Which of these users the directory has as deleted. */
export async function deletedAmong(env: Env, userIds: readonly string[]): Promise<Set<string>> {
  if (!userIds.length) return new Set();
  const { results } = await env.DB.prepare(
    `SELECT id FROM users WHERE deleted_at IS NOT NULL AND id IN (${userIds.map(() => '?').join(',')})`,
  )
    .bind(...userIds)
    .all<{ id: string }>();
  return new Set(results.map((r) => r.id));
}
