import type { Channel } from '@giftstream/shared';
import { now } from '../clock';
import type { Env } from '../env';

export type Proof = { ok: true } | { ok: false; reason: 'proven_by_other'; handle: string };

/**
 * Marks `handle`'s claim on a channel verified, creating it if needed, and drops other handles' unverified
 * claims on it. A channel another handle already proved is left alone: a second sign-in to the same site
 * account must not silently move a creator's gifts to someone else (the operator can still move it).
 * One batch, so the check and the writes see the same rows.
 */
export async function proveChannel(env: Env, handle: string, ch: Channel): Promise<Proof> {
  const provenByOther = 'EXISTS (SELECT 1 FROM channel_claims WHERE channel_key = ? AND verified = 1 AND handle != ?)';
  const [owner, , inserted] = await env.DB.batch([
    env.DB.prepare(
      'SELECT handle FROM channel_claims WHERE channel_key = ? AND verified = 1 AND handle != ? LIMIT 1',
    ).bind(ch.key, handle),
    env.DB.prepare(
      `DELETE FROM channel_claims WHERE channel_key = ? AND handle != ? AND verified = 0 AND NOT ${provenByOther}`,
    ).bind(ch.key, handle, ch.key, handle),
    env.DB.prepare(
      `INSERT INTO channel_claims (channel_key, site, url, handle, verified, created_at) SELECT ?, ?, ?, ?, 1, ? WHERE NOT ${provenByOther}
       ON CONFLICT(channel_key, handle) DO UPDATE SET verified = 1`,
    ).bind(ch.key, ch.site, ch.url, handle, now(), ch.key, handle),
  ]);
  const other = (owner!.results[0] as { handle: string } | undefined)?.handle;
  if (other) return { ok: false, reason: 'proven_by_other', handle: other };
  return inserted!.meta.changes > 0
    ? { ok: true }
    : { ok: false, reason: 'proven_by_other', handle: 'another creator' };
}

/**
 * The verified claim on a channel, if any. Only a proven owner speaks for a page: anyone can claim a famous
 * streamer's channel, and an unverified claim that resolved would collect that streamer's gifts. Verifying
 * removes other claims, so there is at most one verified row.
 */
export async function verifiedClaimOn(env: Env, channelKey: string) {
  return env.DB.prepare('SELECT handle, url, site FROM channel_claims WHERE channel_key = ? AND verified = 1 LIMIT 1')
    .bind(channelKey)
    .first<{ handle: string; url: string; site: string }>();
}

export type ClaimRow = { url: string; site: string; handle: string; verified: boolean; createdAt: number };

/** Channel claims for the operator, oldest first; all, or only verified or unverified ones. */
export async function listClaims(env: Env, verified?: boolean): Promise<ClaimRow[]> {
  const select = 'SELECT channel_key, site, url, handle, verified, created_at FROM channel_claims';
  const stmt =
    verified === undefined
      ? env.DB.prepare(`${select} ORDER BY created_at, id`)
      : env.DB.prepare(`${select} WHERE verified = ? ORDER BY created_at, id`).bind(verified ? 1 : 0);
  const { results } = await stmt.all<{
    site: string;
    url: string;
    handle: string;
    verified: number;
    created_at: number;
  }>();
  return results.map((r) => ({
    url: r.url,
    site: r.site,
    handle: r.handle,
    verified: r.verified === 1,
    createdAt: r.created_at,
  }));
}

/** The operator verifies `handle`'s claim on a channel (creating it if needed); every other claim on it goes. */
export async function verifyClaim(env: Env, ch: Channel, handle: string): Promise<void> {
  await env.DB.batch([
    env.DB.prepare('DELETE FROM channel_claims WHERE channel_key = ? AND handle != ?').bind(ch.key, handle),
    env.DB.prepare(
      'INSERT INTO channel_claims (channel_key, site, url, handle, verified, created_at) VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT(channel_key, handle) DO UPDATE SET verified = 1',
    ).bind(ch.key, ch.site, ch.url, handle, now()),
  ]);
}
