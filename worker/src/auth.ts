import type { Context, MiddlewareHandler } from 'hono';
import { DAY } from '@giftstream/shared';
import { now } from './clock';
import { TtlCache } from './cache';
import type { AppEnv, Env, UserRow } from './env';
import { background, fail } from './http';
import { b64url, sha256, timingSafeEqualText } from './crypto';

/** Kept here for the callers that knew them as auth's. */
export {
  DECOY_HASH,
  hashPassword,
  hashStats,
  inPasswordTurn,
  PASSWORD_TURNS,
  sha256,
  timingSafeEqualText,
  verifyPassword,
} from './crypto';

/** A random bearer token; only its hash is stored. Lasts SESSION_TTL_DAYS unless `lifetimeMs` says less. */
export async function createSession(env: Env, userId: string, lifetimeMs?: number): Promise<string> {
  const token = `gs_${b64url(crypto.getRandomValues(new Uint8Array(32)))}`;
  const t = now();
  await env.DB.prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
    .bind(await sha256(token), userId, t, t + (lifetimeMs ?? Number(env.SESSION_TTL_DAYS) * DAY))
    .run();
  return token;
}

export function isAdult(birthdate: string, at: number): boolean {
  const [y, m, d] = birthdate.split('-').map(Number) as [number, number, number];
  const eighteenth = Date.UTC(y + 18, m - 1, d);
  return at >= eighteenth;
}

export function publicUser(u: UserRow, at: number) {
  return { id: u.id, displayName: u.display_name, adult: isAdult(u.birthdate, at), email: u.email };
}

function bearer(c: Context): string | null {
  const h = c.req.header('authorization');
  const m = h?.match(/^Bearer ([A-Za-z0-9_-]{1,200})$/);
  return m ? m[1]! : null;
}

/** Sessions seen recently, by token hash: revocation reaches other isolates within SESSION_CACHE_MS. */
const SESSION_CACHE_MS = 5_000;
const sessions = new TtlCache<(UserRow & { expires_at: number }) | null>(SESSION_CACHE_MS);

/** Forgets cached sessions after a logout, password change or deletion (in this isolate at once). */
export function forgetSessions(): void {
  sessions.clear();
}

/** Requires a live session; sets `user` and `tokenHash`. */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = bearer(c);
  if (!token) return fail(c, 'unauthorized', 'Sign in first: send Authorization: Bearer <token>.');
  const tokenHash = await sha256(token);
  const session = await sessions.get(
    tokenHash,
    () =>
      c.env.DB.prepare(
        `SELECT u.id, u.email, u.display_name, u.birthdate, u.created_at, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ? AND s.revoked_at IS NULL`,
      )
        .bind(tokenHash)
        .first<UserRow & { expires_at: number }>(),
    background(c),
  );
  if (!session || session.expires_at <= now()) return fail(c, 'unauthorized', 'This session has ended; sign in again.');
  const { expires_at: _, ...row } = session;
  c.set('user', row);
  c.set('tokenHash', tokenHash);
  await next();
};

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = bearer(c) ?? '';
  const expected = c.env.ADMIN_TOKEN;
  if (!expected || !timingSafeEqualText(token, expected))
    return fail(c, 'unauthorized', 'Operator routes need the ADMIN_TOKEN.');
  await next();
};

/** One attempt counted against a limit: `wait` is the seconds to wait when it is over, else null. */
export interface Hit {
  wait: number | null;
  /** When this attempt's window ends; it names the window for `giveBack`. */
  resetAt: number;
}

/**
 * Counts one attempt in a fixed window per bucket in D1 and decides from the count that same statement
 * returns, so simultaneous attempts each get their own number. Reading first and counting afterwards let
 * 60 simultaneous sign-ups through a limit of 20. Attempts refused still count; the window does not move.
 */
export async function hit(env: Env, bucket: string, limit: number, windowMs: number): Promise<Hit> {
  const t = now();
  const row = await env.DB.prepare(
    `INSERT INTO rate_limits (bucket, count, reset_at) VALUES (?1, 1, ?2)
     ON CONFLICT(bucket) DO UPDATE SET
       count = CASE WHEN reset_at <= ?3 THEN 1 ELSE count + 1 END,
       reset_at = CASE WHEN reset_at <= ?3 THEN ?2 ELSE reset_at END
     RETURNING count, reset_at`,
  )
    .bind(bucket, t + windowMs, t)
    .first<{ count: number; reset_at: number }>();
  const { count, reset_at } = row!;
  return { wait: count > limit ? Math.max(1, Math.ceil((reset_at - t) / 1000)) : null, resetAt: reset_at };
}

/** Takes one attempt back from the window it was counted in (a later window is left alone). */
export async function giveBack(env: Env, bucket: string, hit: Hit): Promise<void> {
  await env.DB.prepare('UPDATE rate_limits SET count = count - 1 WHERE bucket = ? AND reset_at = ? AND count > 0')
    .bind(bucket, hit.resetAt)
    .run();
}
