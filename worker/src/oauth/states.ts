import { generateCodeVerifier, generateState } from 'arctic';
import { sha256 } from '../crypto';
import { now } from '../clock';
import type { Env } from '../env';
import type { OAuthSite } from './sites';

/** Long enough to sign in at the site (and maybe type a password and a 2FA code), short enough to be worthless later. */
export const STATE_TTL_MS = 10 * 60 * 1000;
/** Sign-ins one user may have open at once; older ones are dropped. */
const OPEN_PER_USER = 5;

export interface StartedSignIn {
  state: string;
  codeVerifier: string;
  expiresAt: number;
}

/** A new state and PKCE verifier, bound to the user and the site. The state is stored only as its hash. */
export async function startSignIn(env: Env, userId: string, site: OAuthSite): Promise<StartedSignIn> {
  const state = generateState();
  const codeVerifier = generateCodeVerifier();
  const t = now();
  const expiresAt = t + STATE_TTL_MS;
  await env.DB.batch([
    env.DB.prepare('DELETE FROM oauth_states WHERE expires_at <= ?').bind(t),
    env.DB.prepare(
      'INSERT INTO oauth_states (state_hash, user_id, site, code_verifier, expires_at) VALUES (?, ?, ?, ?, ?)',
    ).bind(await sha256(state), userId, site, codeVerifier, expiresAt),
    env.DB.prepare(
      'DELETE FROM oauth_states WHERE user_id = ? AND state_hash NOT IN (SELECT state_hash FROM oauth_states WHERE user_id = ? ORDER BY expires_at DESC LIMIT ?)',
    ).bind(userId, userId, OPEN_PER_USER),
  ]);
  return { state, codeVerifier, expiresAt };
}

export type Claimed = { ok: true; userId: string; codeVerifier: string } | { ok: false; reason: 'unknown' | 'expired' };

/**
 * Takes a state back, once: the row is deleted whatever happens next, so a replayed callback (a reload, a
 * leaked URL) finds nothing. A state started for another site is unknown here.
 */
export async function takeSignIn(env: Env, site: OAuthSite, state: string): Promise<Claimed> {
  if (!state || state.length > 200) return { ok: false, reason: 'unknown' };
  const row = await env.DB.prepare(
    'DELETE FROM oauth_states WHERE state_hash = ? RETURNING user_id, site, code_verifier, expires_at',
  )
    .bind(await sha256(state))
    .first<{ user_id: string; site: string; code_verifier: string; expires_at: number }>();
  if (!row || row.site !== site) return { ok: false, reason: 'unknown' };
  if (row.expires_at <= now()) return { ok: false, reason: 'expired' };
  return { ok: true, userId: row.user_id, codeVerifier: row.code_verifier };
}
