import { Hono } from 'hono';
import { advanceClock, now } from '../clock';
import type { AppEnv } from '../env';
import { fail } from '../http';

/** Present only where the test configuration sets TEST_HOOKS: moves the one clock for browser tests. */
export const testRoutes = new Hono<AppEnv>()
  .use(async (c, next) => (c.env.TEST_HOOKS === '1' ? next() : fail(c, 'not_found', `No route ${c.req.method} ${c.req.path}.`)))
  .post('/clock', async (c) => {
    const { advanceMs } = await c.req.json<{ advanceMs: number }>();
    if (!Number.isSafeInteger(advanceMs) || advanceMs < 0) return fail(c, 'invalid_request', 'advanceMs: a non-negative integer', 'advanceMs');
    advanceClock(advanceMs);
    return c.json({ now: now() });
  });
