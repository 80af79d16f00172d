import { DEFAULT_MEDIA_QUOTA_BYTES, type MediaType, type MediaUsage } from '@giftstream/shared';
import type { Env } from '../env';

/** The overlay studio's rows in D1: configs, the index of uploads, studio tickets. */

export interface StoredConfig {
  revision: number;
  /** Parsed JSON as stored; the route checks it against the schema before handing it out. */
  config: unknown;
  updatedAt: number;
}

export async function overlayConfigOf(env: Env, userId: string): Promise<StoredConfig | null> {
  const row = await env.DB.prepare('SELECT revision, body, updated_at FROM overlay_configs WHERE user_id = ?')
    .bind(userId)
    .first<{ revision: number; body: string; updated_at: number }>();
  return row && { revision: row.revision, config: JSON.parse(row.body), updatedAt: row.updated_at };
}

/**
 * Saves a config as the next revision, only if every file it names is still this creator's upload, in
 * one statement: a file deleted meanwhile makes it save nothing (null) instead of pointing at nothing.
 * `ifRevision` saves only over that revision (a deletion rewriting the config it read).
 */
export async function saveOverlayConfig(
  env: Env,
  userId: string,
  config: unknown,
  media: readonly string[],
  at: number,
  ifRevision?: number,
): Promise<number | null> {
  const ids = JSON.stringify(media);
  const row = await env.DB.prepare(
    `INSERT INTO overlay_configs (user_id, revision, body, updated_at)
       SELECT ?1, 1, ?2, ?3
       WHERE (SELECT COUNT(*) FROM media WHERE user_id = ?1 AND id IN (SELECT value FROM json_each(?4))) = json_array_length(?4)
         AND (?5 IS NULL OR ?5 = 0 OR EXISTS (SELECT 1 FROM overlay_configs WHERE user_id = ?1))
     ON CONFLICT(user_id) DO UPDATE SET revision = revision + 1, body = excluded.body, updated_at = excluded.updated_at
       WHERE ?5 IS NULL OR overlay_configs.revision = ?5
     RETURNING revision`,
  )
    .bind(userId, JSON.stringify(config), at, ids, ifRevision ?? null)
    .first<{ revision: number }>();
  return row?.revision ?? null;
}

/** Where an upload's bytes live in R2 (`MEDIA`). */
export const mediaKey = (id: string) => `media/${id}`;

export interface MediaRow {
  id: string;
  kind: string;
  content_type: string;
  bytes: number;
  name: string;
  created_at: number;
}

export async function mediaOf(env: Env, userId: string): Promise<MediaRow[]> {
  const { results } = await env.DB.prepare(
    'SELECT id, kind, content_type, bytes, name, created_at FROM media WHERE user_id = ? ORDER BY created_at, id',
  )
    .bind(userId)
    .all<MediaRow>();
  return results;
}

export async function mediaRow(env: Env, userId: string, id: string): Promise<MediaRow | null> {
  return env.DB.prepare(
    'SELECT id, kind, content_type, bytes, name, created_at FROM media WHERE user_id = ? AND id = ?',
  )
    .bind(userId, id)
    .first<MediaRow>();
}

export function usageOf(rows: readonly MediaRow[]): MediaUsage {
  return { bytes: rows.reduce((n, r) => n + r.bytes, 0), files: rows.length };
}

export function mediaQuota(env: Env): number {
  const n = Number(env.MEDIA_QUOTA_BYTES);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_MEDIA_QUOTA_BYTES;
}

/**
 * Records an upload only if it still fits the quota, counted in the same statement: two uploads at once
 * cannot both squeeze under it. False when it does not fit.
 */
export async function recordMedia(
  env: Env,
  userId: string,
  file: { id: string; type: MediaType; bytes: number; name: string },
  limits: { quotaBytes: number; maxFiles: number },
  at: number,
): Promise<boolean> {
  const row = await env.DB.prepare(
    `INSERT INTO media (id, user_id, kind, content_type, bytes, name, created_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
       WHERE (SELECT COALESCE(SUM(bytes), 0) FROM media WHERE user_id = ?2) + ?5 <= ?8
         AND (SELECT COUNT(*) FROM media WHERE user_id = ?2) < ?9
     RETURNING id`,
  )
    .bind(
      file.id,
      userId,
      file.type.kind,
      file.type.contentType,
      file.bytes,
      file.name,
      at,
      limits.quotaBytes,
      limits.maxFiles,
    )
    .first<{ id: string }>();
  return row !== null;
}

export async function forgetMedia(env: Env, userId: string, id: string): Promise<void> {
  await env.DB.prepare('DELETE FROM media WHERE user_id = ? AND id = ?').bind(userId, id).run();
}

export async function createStudioTicket(env: Env, userId: string, ticketHash: string, expiresAt: number) {
  await env.DB.prepare('INSERT INTO studio_tickets (ticket_hash, user_id, expires_at) VALUES (?, ?, ?)')
    .bind(ticketHash, userId, expiresAt)
    .run();
}

/** Spends a ticket: the user it was made for, once, before it expires; null otherwise. */
export async function redeemStudioTicket(env: Env, ticketHash: string, at: number): Promise<string | null> {
  const row = await env.DB.prepare(
    `UPDATE studio_tickets SET used_at = ?2 WHERE ticket_hash = ?1 AND used_at IS NULL AND expires_at > ?2
     RETURNING user_id`,
  )
    .bind(ticketHash, at)
    .first<{ user_id: string }>();
  return row?.user_id ?? null;
}

/** Tests only (`/v1/__test/overlay-config`): stores a config body as given, even one the API would refuse. */
export async function storeRawOverlayConfig(env: Env, handle: string, body: string, at: number): Promise<boolean> {
  const row = await env.DB.prepare('SELECT user_id FROM creators WHERE handle = ?')
    .bind(handle)
    .first<{ user_id: string }>();
  if (!row) return false;
  await env.DB.prepare(
    `INSERT INTO overlay_configs (user_id, revision, body, updated_at) VALUES (?1, 1, ?2, ?3)
     ON CONFLICT(user_id) DO UPDATE SET revision = revision + 1, body = excluded.body`,
  )
    .bind(row.user_id, body, at)
    .run();
  return true;
}
