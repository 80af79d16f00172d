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
  // A stored overlay config the API would refuse (a broken row), so browser tests see the overlay's fallback.
  .post('/overlay-config', async (c) => {
    const { handle, body } = await c.req.json<{ handle: string; body: string }>();
    const row = await c.env.DB.prepare('SELECT user_id FROM creators WHERE handle = ?')
      .bind(handle)
      .first<{ user_id: string }>();
    if (!row) return fail(c, 'not_found', 'No such creator.');
    await c.env.DB.prepare(
      `INSERT INTO overlay_configs (user_id, revision, body, updated_at) VALUES (?1, 1, ?2, ?3)
       ON CONFLICT(user_id) DO UPDATE SET revision = revision + 1, body = excluded.body`,
    )
      .bind(row.user_id, body, now())
      .run();
    return c.json({ ok: true });
  })
  // The benchmarks' baseline: one trivial Durable Object call, the platform's own limit on a machine.
  .get('/baseline/:id', async (c) => c.json({ pong: await getWallet(c.env, `baseline:${c.req.param('id')}`).ping() }));
