import { Hono } from 'hono';
import type { GiftPayload } from '@giftstream/shared';
import { advanceClock, now } from '../clock';
import type { AppEnv } from '../env';
import { fail } from '../http';
import { getLiveRoom, getWallet } from '../stubs';
import { meterSnapshot } from '../meter';

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
  .get('/baseline/:id', async (c) => c.json({ pong: await getWallet(c.env, `baseline:${c.req.param('id')}`).ping() }))
  // What the bench's meter counted so far (worker/src/meter.ts); 404 unless BENCH_METER is set.
  .get('/meter', (c) => {
    const counts = meterSnapshot(c.env);
    return counts ? c.json(counts) : fail(c, 'not_found', 'Metering is off (BENCH_METER).');
  })
  // The benchmarks' room intake: one gift delivered into a room as a viewer's wallet would after its
  // debit (no debit here), from wallet `from`; answers once the room has logged it.
  .post('/deliver/:handle', async (c) => {
    const { creatorUserId, from } = await c.req.json<{ creatorUserId: string; from: string }>();
    const id = `bench_${Date.now().toString(36)}_${crypto.randomUUID()}`;
    const gift: GiftPayload = {
      transferId: id,
      room: c.req.param('handle'),
      creatorUserId,
      fromUserId: from,
      fromName: `Wallet ${from}`,
      anonymous: false,
      giftId: 'rose',
      name: 'Rose',
      tier: 'small',
      unitCoins: 1,
      count: 1,
      coins: 1,
      diamonds: 1,
      rateVersion: 1,
      price: 1,
      sessionId: null,
      combo: { id, count: 1 },
      at: now(),
    };
    const acked = await getLiveRoom(c.env, gift.room).receiveGifts([gift]);
    return c.json({ acked: acked.length });
  });
