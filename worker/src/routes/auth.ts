import { Hono } from 'hono';
import { monotonicFactory } from 'ulidx';
import { birthdateProblem, LoginRequest, MINUTE, SignupRequest } from '@giftstream/shared';
import { countHit, createSession, forgetSessions, hashPassword, overLimit, publicUser, requireUser, verifyPassword } from '../auth';
import { now } from '../clock';
import type { AppEnv, UserRow } from '../env';
import { clientAddress, fail, valid } from '../http';

const ulid = monotonicFactory();
const FAILURE_WINDOW = 15 * MINUTE;

/** A hash to compare against when the email is unknown, so both cases cost the same. */
let decoyHash: Promise<string> | null = null;

export const authRoutes = new Hono<AppEnv>()
  .post('/signup', valid('json', SignupRequest), async (c) => {
    // The schema knows the calendar; only the worker's clock knows what "the future" is.
    const tooLate = birthdateProblem(c.req.valid('json').birthdate, now());
    if (tooLate) return fail(c, 'invalid_request', `Invalid json at birthdate: ${tooLate}`, 'birthdate');
    const address = `signup:${clientAddress(c)}`;
    const wait = await overLimit(c.env, address, Number(c.env.SIGNUPS_PER_HOUR));
    if (wait) return fail(c, 'rate_limited', 'Too many sign-ups from this address; try again later.', undefined, { 'Retry-After': String(wait) });
    const body = c.req.valid('json');
    const id = ulid();
    const t = now();
    const inserted = await c.env.DB.prepare(
      `INSERT INTO users (id, email, email_norm, display_name, birthdate, password_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(email_norm) DO NOTHING`,
    )
      .bind(id, body.email, body.email.toLowerCase(), body.displayName, body.birthdate, await hashPassword(body.password), t)
      .run();
    await countHit(c.env, address, 60 * MINUTE);
    if (!inserted.meta.changes) return fail(c, 'email_taken', 'An account with this email already exists.', 'email');
    const user: UserRow = { id, email: body.email, display_name: body.displayName, birthdate: body.birthdate, created_at: t };
    return c.json({ token: await createSession(c.env, id), user: publicUser(user, t) }, 201);
  })
  .post('/login', valid('json', LoginRequest), async (c) => {
    const body = c.req.valid('json');
    const email = body.email.toLowerCase();
    const buckets = [`login-fail:${email}`, `login:${clientAddress(c)}`];
    const waits = await Promise.all([
      overLimit(c.env, buckets[0]!, Number(c.env.LOGIN_FAILURES_PER_15_MIN)),
      overLimit(c.env, buckets[1]!, Number(c.env.LOGINS_PER_MINUTE)),
    ]);
    const wait = Math.max(waits[0] ?? 0, waits[1] ?? 0);
    if (wait) return fail(c, 'rate_limited', 'Too many attempts; wait before trying again.', undefined, { 'Retry-After': String(wait) });
    await countHit(c.env, buckets[1]!, MINUTE);
    const row = await c.env.DB.prepare('SELECT id, email, display_name, birthdate, created_at, password_hash FROM users WHERE email_norm = ?')
      .bind(email)
      .first<UserRow & { password_hash: string }>();
    decoyHash ??= hashPassword('decoy password');
    const ok = await verifyPassword(body.password, row?.password_hash ?? (await decoyHash));
    if (!row || !ok) {
      await countHit(c.env, buckets[0]!, FAILURE_WINDOW);
      return fail(c, 'invalid_credentials', 'Email or password is wrong.');
    }
    const { password_hash: _, ...user } = row;
    return c.json({ token: await createSession(c.env, user.id), user: publicUser(user, now()) });
  })
  .post('/logout', requireUser, async (c) => {
    await c.env.DB.prepare('UPDATE sessions SET revoked_at = ? WHERE token_hash = ?').bind(now(), c.get('tokenHash')).run();
    forgetSessions();
    return c.body(null, 204);
  });
