import type { Channel } from '@giftstream/shared';
import { type Background, TtlCache } from '../cache';
import type { CreatorRow, Env } from '../env';

type ClaimRow = { url: string; site: string; verified: number };

const CREATOR_SELECT =
  'SELECT c.user_id, c.handle, c.live, c.live_session, u.display_name FROM creators c JOIN users u ON u.id = c.user_id';

async function channelsOf(env: Env, handle: string) {
  const { results } = await env.DB.prepare(
    'SELECT url, site, verified FROM channel_claims WHERE handle = ? ORDER BY id',
  )
    .bind(handle)
    .all<ClaimRow>();
  return results.map((r) => ({ url: r.url, site: r.site, verified: r.verified === 1 }));
}

/** A creator's public profile, with the channels they claim. */
export async function creatorProfile(env: Env, row: CreatorRow | null) {
  if (!row) return null;
  return {
    handle: row.handle,
    displayName: row.display_name,
    live: row.live === 1,
    channels: await channelsOf(env, row.handle),
  };
}

export async function creatorOfUser(env: Env, userId: string): Promise<CreatorRow | null> {
  return env.DB.prepare(`${CREATOR_SELECT} WHERE c.user_id = ?`).bind(userId).first<CreatorRow>();
}

export async function creatorProfileByUser(env: Env, userId: string) {
  return creatorProfile(env, await creatorOfUser(env, userId));
}

/** Creators by handle, live flag included: the gift path reads this on every gift. */
const byHandle = new TtlCache<CreatorRow | null>(2_000);

export async function creatorByHandle(env: Env, handle: string, background?: Background) {
  return byHandle.get(
    handle,
    () => env.DB.prepare(`${CREATOR_SELECT} WHERE c.handle = ?`).bind(handle).first<CreatorRow>(),
    background,
  );
}

/** After a change to creators' rows or names, in this isolate at once. */
export function forgetCreators(): void {
  byHandle.clear();
}

export async function handleExists(env: Env, handle: string): Promise<boolean> {
  return !!(await env.DB.prepare('SELECT handle FROM creators WHERE handle = ?').bind(handle).first());
}

/** The handle of a creator whose account is not closed: a closed account keeps its handle but proves nothing. */
export async function activeHandleOfUser(env: Env, userId: string): Promise<string | null> {
  const row = await env.DB.prepare(
    'SELECT c.handle FROM creators c JOIN users u ON u.id = c.user_id WHERE c.user_id = ? AND u.deleted_at IS NULL',
  )
    .bind(userId)
    .first<{ handle: string }>();
  return row?.handle ?? null;
}

export type Becoming =
  | { ok: true }
  | { ok: false; reason: 'already_creator'; handle: string }
  | { ok: false; reason: 'handle_taken' };

/**
 * Makes a user the creator `handle` with unverified claims on `channels`, in one batch: the claims are
 * written only if this very user got the handle.
 */
export async function becomeCreator(
  env: Env,
  userId: string,
  handle: string,
  channels: readonly Channel[],
  at: number,
): Promise<Becoming> {
  const existing = await env.DB.prepare('SELECT handle FROM creators WHERE user_id = ?')
    .bind(userId)
    .first<{ handle: string }>();
  if (existing) return { ok: false, reason: 'already_creator', handle: existing.handle };
  const results = await env.DB.batch([
    env.DB.prepare('INSERT INTO creators (user_id, handle, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').bind(
      userId,
      handle,
      at,
    ),
    ...channels.map((ch) =>
      env.DB.prepare(
        'INSERT INTO channel_claims (channel_key, site, url, handle, verified, created_at) SELECT ?, ?, ?, ?, 0, ? WHERE EXISTS (SELECT 1 FROM creators WHERE handle = ? AND user_id = ?) ON CONFLICT DO NOTHING',
      ).bind(ch.key, ch.site, ch.url, handle, at, handle, userId),
    ),
  ]);
  forgetCreators();
  return results[0]!.meta.changes ? { ok: true } : { ok: false, reason: 'handle_taken' };
}

/** Mirrors the room's live flag for the gift path and profiles. */
/** The directory's copy of the room's live flag and session, which gift caps count per stream. */
export async function setCreatorLive(env: Env, userId: string, sessionId: string | null): Promise<void> {
  await env.DB.prepare('UPDATE creators SET live = ?, live_session = ? WHERE user_id = ?')
    .bind(sessionId ? 1 : 0, sessionId, userId)
    .run();
  forgetCreators();
}
