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
