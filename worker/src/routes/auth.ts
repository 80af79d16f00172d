import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { monotonicFactory } from 'ulidx';
import { AuthResponse, birthdateProblem, HOUR, LoginRequest, MINUTE, SignupRequest } from '@giftstream/shared';
import {
  createSession,
  DECOY_HASH,
  forgetSessions,
  giveBack,
  hashPassword,
  hit,
  inPasswordTurn,
  publicUser,
  verifyPassword,
} from '../auth';
import { now } from '../clock';
import { createUser, endSession, userByEmail } from '../directory/users';
import type { AppEnv, UserRow } from '../env';
import { clientAddress, fail } from '../http';
import { access, json, noContent, replies, routes } from '../openapi';

const ulid = monotonicFactory();
const FAILURE_WINDOW = 15 * MINUTE;

const signup = createRoute({
  method: 'post',
  path: '/signup',
  summary: 'Create an account (birthdate fixed afterwards)',
  ...access('public'),
  request: { body: json(SignupRequest) },
  responses: replies(AuthResponse, 201),
});

const login = createRoute({
  method: 'post',
  path: '/login',
  summary: 'Sign in',
  ...access('public'),
  request: { body: json(LoginRequest) },
  responses: replies(AuthResponse),
});

const logout = createRoute({
  method: 'post',
  path: '/logout',
  summary: 'End this session',
  ...access('user'),
  responses: noContent(),
});

export const authRoutes = routes()
  .openapi(signup, async (c) => {
    // The schema knows the calendar; only the worker's clock knows what "the future" is. Bad input is
    // refused before the sign-up queues for a password turn.
    const tooLate = birthdateProblem(c.req.valid('json').birthdate, now());
    if (tooLate) return fail(c, 'invalid_request', `Invalid json at birthdate: ${tooLate}`, 'birthdate');
    return inPasswordTurn(async () => {
      const { wait } = await hit(c.env, `signup:${clientAddress(c)}`, Number(c.env.SIGNUPS_PER_HOUR), HOUR);
      if (wait)
        return fail(c, 'rate_limited', 'Too many sign-ups from this address; try again later.', undefined, {
          'Retry-After': String(wait),
        });
      const body = c.req.valid('json');
      const id = ulid();
      const t = now();
      const created = await createUser(
        c.env,
        {
          id,
          email: body.email,
          displayName: body.displayName,
          birthdate: body.birthdate,
          passwordHash: await hashPassword(body.password),
        },
        t,
      );
      if (!created) return fail(c, 'email_taken', 'An account with this email already exists.', 'email');
      const user: UserRow = {
        id,
        email: body.email,
        display_name: body.displayName,
        birthdate: body.birthdate,
        created_at: t,
      };
      return c.json({ token: await createSession(c.env, id), user: publicUser(user, t) }, 201);
    });
  })
  .openapi(login, (c) =>
    inPasswordTurn(async () => {
      const body = c.req.valid('json');
      const email = body.email.toLowerCase();
      const perAddress = await hit(c.env, `login:${clientAddress(c)}`, Number(c.env.LOGINS_PER_MINUTE), MINUTE);
      if (perAddress.wait) return tooManyAttempts(c, perAddress.wait);
      // Every attempt takes a failure slot before its password is checked, so at most
      // LOGIN_FAILURES_PER_15_MIN wrong passwords are ever evaluated per window, however many arrive at once.
      const failures = `login-fail:${email}`;
      const slot = await hit(c.env, failures, Number(c.env.LOGIN_FAILURES_PER_15_MIN), FAILURE_WINDOW);
      if (slot.wait) return tooManyAttempts(c, slot.wait);
      const row = await userByEmail(c.env, email);
      const ok = await verifyPassword(body.password, row?.password_hash ?? DECOY_HASH);
      if (!row || !ok) return fail(c, 'invalid_credentials', 'Email or password is wrong.');
      // Only failures use up the window: a right password hands its slot back (a lockout already reached stays).
      await giveBack(c.env, failures, slot);
      const { password_hash: _, ...user } = row;
      return c.json({ token: await createSession(c.env, user.id), user: publicUser(user, now()) });
    }),
  )
  .openapi(logout, async (c) => {
    await endSession(c.env, c.get('tokenHash'), now());
    forgetSessions();
    return c.body(null, 204);
  });

function tooManyAttempts(c: Context<AppEnv>, wait: number) {
  return fail(c, 'rate_limited', 'Too many attempts; wait before trying again.', undefined, {
    'Retry-After': String(wait),
  });
}
