import { Hono } from 'hono';
import { advanceClock, now } from '../clock';
import type { AppEnv } from '../env';
import { fail } from '../http';
import { getWallet } from '../stubs';

/** Present only where the test configuration sets TEST_HOOKS: moves the one clock for browser tests. */
export const testRoutes = new Hono<AppEnv>()
  .use(async (c, next) =>
    c.env.TEST_HOOKS === '1' ? next() : fail(c, 'not_found', `No route ${c.req.method} ${c.req.path}.`),
  )
  .post('/clock', async (c) => {
    const { advanceMs } = await c.req.json<{ advanceMs: number }>();
    if (!Number.isSafeInteger(advanceMs) || advanceMs < 0)
      return fail(c, 'invalid_request', 'advanceMs: a non-negative integer', 'advanceMs');
    advanceClock(advanceMs);
    return c.json({ now: now() });
  })
  // The benchmarks' baseline: one trivial Durable Object call, the platform's own limit on a machine.
  .get('/baseline/:id', async (c) => c.json({ pong: await getWallet(c.env, `baseline:${c.req.param('id')}`).ping() }));
