import type { Context, MiddlewareHandler } from 'hono';
import { DAY } from '@giftstream/shared';
import { now } from './clock';
import { TtlCache } from './cache';
import type { AppEnv, Env, UserRow } from './env';
import { background, fail } from './http';

/** Workers' WebCrypto allows at most 100,000 PBKDF2 iterations. */
const ITERATIONS = 100_000;
const enc = new TextEncoder();

function b64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64url(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

/** Hashes started in this isolate, so tests can count how many passwords were evaluated. */
export const hashStats = { started: 0 };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A turn not given back by then belonged to a request that was cut off (workerd drops its pending work). */
const STALE_TURN_MS = 1_000;
/** About half a hash: every waiter wakes to look, and looking each millisecond spent the CPU the turns free. */
const POLL_MS = 10;
let turn: { since: number } | null = null;

/**
 * workerd derives PBKDF2 bits on the isolate's one thread, inside the deriveBits call, and nothing else in
 * the isolate runs meanwhile. Forty logins at once hashed back to back, and every other request waited
 * behind all forty. So hashes take turns: one at a time, and a turn ends only after a timer, so what
 * arrived during a hash (a gift's next step) runs before the next hash starts. Waiters poll rather than
 * wait on each other's promises, which workerd cancels with the request that made them.
 */
export async function inHashTurn<T>(work: () => Promise<T>): Promise<T> {
  while (turn && Date.now() - turn.since < STALE_TURN_MS) await pause(POLL_MS);
  const mine = { since: Date.now() };
  turn = mine;
  try {
    return await work();
  } finally {
    await pause(0);
    if (turn === mine) turn = null;
  }
}

function pbkdf2(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  return inHashTurn(async () => {
    hashStats.started++;
    const key = await crypto.subtle.importKey('raw', enc.encode(password), 'PBKDF2', false, ['deriveBits']);
    const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
    return new Uint8Array(bits);
  });
}

/** Checked when the email is unknown, so that case costs one hash like a known one; it matches nothing. */
export const DECOY_HASH = `pbkdf2-sha256$${ITERATIONS}$${'A'.repeat(22)}$${'A'.repeat(43)}`;

/** `pbkdf2-sha256$iterations$salt$hash`, so the cost can rise later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await pbkdf2(password, salt, ITERATIONS);
  return `pbkdf2-sha256$${ITERATIONS}$${b64url(salt)}$${b64url(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, hash] = stored.split('$');
  if (scheme !== 'pbkdf2-sha256' || !iterations || !salt || !hash) return false;
  const actual = await pbkdf2(password, fromB64url(salt), Number(iterations));
  return timingSafeEqual(actual, fromB64url(hash));
}

export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function timingSafeEqualText(a: string, b: string): boolean {
  return timingSafeEqual(enc.encode(a), enc.encode(b));
}

export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', enc.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A random bearer token; only its hash is stored. */
export async function createSession(env: Env, userId: string): Promise<string> {
  const token = `gs_${b64url(crypto.getRandomValues(new Uint8Array(32)))}`;
  const t = now();
  await env.DB.prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
    .bind(await sha256(token), userId, t, t + Number(env.SESSION_TTL_DAYS) * DAY)
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
