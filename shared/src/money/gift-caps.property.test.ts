import fc from 'fast-check';
import { monotonicFactory } from 'ulidx';
import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from './limits';
import { MemoryWalletStore } from './memory-store';
import { giftCommand } from '../room/gift';
import { DEFAULT_RATE_CARD, coinsPrice, money } from './rate-card';
import { WalletBook } from './wallet';

/**
 * One viewer's wallet under random gifts to a few rooms whose streams start and end, random cap changes
 * (lowered at once, raised after 24 h) and time passing. Whatever the order: no stream session ever
 * receives more than the per-stream cap in force when each gift was accepted, no rolling 24 hours hold more
 * than the daily cap, a refused gift moves nothing, and the meter in each reply equals what the wallet
 * reports afterwards.
 */
type Op =
  | { t: 'gift'; room: number; coins: number }
  | { t: 'cap'; stream: number | null | undefined; daily: number | null | undefined }
  | { t: 'restream'; room: number }
  | { t: 'tick'; ms: number };

const amount = fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 3000 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ t: fc.constant('gift'), room: fc.nat(2), coins: fc.integer({ min: 1, max: 900 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('cap'),
      stream: fc.option(amount, { nil: undefined }),
      daily: fc.option(amount, { nil: undefined }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restream'), room: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('tick'), ms: fc.integer({ min: 1, max: 12 * HOUR }) }) },
) as fc.Arbitrary<Op>;

interface Accepted {
  room: number;
  session: number;
  amount: number;
  at: number;
  streamCap: number | null;
  dailyCap: number | null;
}

/** Runs the operations on a fresh wallet with $1,000 of coins; the gifts it accepted, with the caps each saw. */
function run(ops: Op[]): Accepted[] {
  const ulid = monotonicFactory();
  const store = new MemoryWalletStore();
  const book = new WalletBook(store, () => ulid());
  let now = 1_800_000_000_000;
  const card = DEFAULT_RATE_CARD;
  const fp = (s: string) => ({ key: s, fingerprint: s });
  book.buy({ ...fp('buy'), purchaseId: 'p1', coins: 100_000, card, price: 100_000, adult: true, sandbox: true, now });
  const sessions = [0, 0, 0];
  const accepted: Accepted[] = [];
  for (const [i, o] of ops.entries()) {
    if (o.t === 'tick') now += o.ms;
    else if (o.t === 'restream') sessions[o.room]!++;
    else if (o.t === 'cap') {
      const giftLimits = Object.fromEntries(
        Object.entries({ stream: o.stream, daily: o.daily }).filter(([, v]) => v !== undefined),
      );
      if (Object.keys(giftLimits).length) book.setLimits({ giftLimits }, now);
    } else {
      const caps = book.summary(now, card).giftLimits;
      const before = store.balances();
      const [room, session, price] = [`room${o.room}`, `s${o.room}-${sessions[o.room]}`, coinsPrice(card, o.coins)];
      const r = book.debitGift({
        ...fp(`g${i}`),
        command: giftCommand({
          transferId: ulid(),
          room,
          creatorUserId: `creator-${room}`,
          from: { userId: 'viewer', name: 'Viewer' },
          anonymous: false,
          gift: { id: 'g', name: 'Gift', coins: o.coins },
          count: 1,
          card,
          sessionId: session,
        }),
        adult: true,
        live: true,
        now,
      });
      const body = JSON.parse(r.body);
      if (r.status === 201) {
        accepted.push({
          room: o.room,
          session: sessions[o.room]!,
          amount: price,
          at: now,
          streamCap: caps.stream,
          dailyCap: caps.daily,
        });
        const meter = book.giftsSent(room, session, now);
        expect(body.wallet.sent).toEqual({ stream: money(meter.stream), day: money(meter.day) });
      } else {
        expect(body.error.code).toBe('gift_limit');
        expect(store.balances()).toEqual(before);
      }
    }
  }
  return accepted;
}

describe('gift caps in the wallet', () => {
  it('are never crossed, and a refused gift moves nothing', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const accepted = run(ops);
        // Each acceptance: its stream's sum and the rolling 24 hours' stay within the caps that gift saw.
        for (const [j, g] of accepted.entries()) {
          const upTo = accepted.slice(0, j + 1);
          const stream = upTo
            .filter((x) => x.room === g.room && x.session === g.session)
            .reduce((s, x) => s + x.amount, 0);
          const day = upTo.filter((x) => g.at - x.at < DAY).reduce((s, x) => s + x.amount, 0);
          if (g.streamCap !== null) expect(stream).toBeLessThanOrEqual(g.streamCap);
          if (g.dailyCap !== null) expect(day).toBeLessThanOrEqual(g.dailyCap);
        }
      }),
      { numRuns: 150 },
    );
  });
});
