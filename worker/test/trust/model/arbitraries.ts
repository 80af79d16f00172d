/**
 * The generators: which users, gifts, bodies, keys (fresh, reused, reused with another body), fault plans
 * and webhook actions a command is drawn with, and `commands`, the weighted list fast-check picks steps
 * from. The order and weights set the random stream: changing them changes what a seed replays.
 */

import fc from 'fast-check';
import {
  BuyCmd,
  ClockCmd,
  type Cmd,
  ComboCmd,
  DecideCmd,
  DeleteCmd,
  GiftCapCmd,
  GiftsCmd,
  GoalCmd,
  LiveCmd,
  PayoutCmd,
  RefundCmd,
  SignupCmd,
  StripeBuyCmd,
  WebhookCmd,
} from './commands';
import { type FaultPlan, type HookAction, type HookSpec, type KeyMode, NO_FAULTS, type PayoutAmount } from './state';

const user = fc.nat({ max: 40 });
const keyMode = fc.constantFrom<KeyMode>('fresh', 'fresh', 'fresh', 'reuse', 'mismatch');
const smallGift = fc.constantFrom('heart', 'rose', 'coffee', 'star', 'pizza', 'balloon');
const anyGift = fc.oneof(
  { weight: 3, arbitrary: smallGift },
  { weight: 2, arbitrary: fc.constantFrom('trophy', 'diamond_ring', 'fireworks') },
  { weight: 2, arbitrary: fc.constantFrom('sports_car', 'castle') },
);
const faultPlan: fc.Arbitrary<FaultPlan> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(NO_FAULTS) },
  {
    weight: 2,
    arbitrary: fc.record({
      roomRefusesDelivery: fc.nat({ max: 3 }),
      roomRestartsAfterLogging: fc.nat({ max: 1 }),
      walletRefusesCredit: fc.nat({ max: 2 }),
      walletThrowsAfterDebit: fc.nat({ max: 1 }),
      alarmsDuring: fc.boolean(),
      alarmsTwice: fc.boolean(),
      redeliver: fc.boolean(),
    }),
  },
);
const giftSpec = fc.record({
  sender: user,
  room: fc.nat({ max: 9 }),
  giftId: anyGift,
  count: fc.option(
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }) },
      { weight: 1, arbitrary: fc.integer({ min: 6, max: 99 }) },
    ),
    { nil: undefined },
  ),
  anonymous: fc.boolean(),
  message: fc.option(
    fc.constantFrom('gg', 'hello <b>there</b>', '<script>alert(1)</script>', 'ça va? 🎉', '  padded  '),
    { nil: undefined },
  ),
  key: keyMode,
});
const buyBody = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(100, 500, 1000, 2500, 5000, 10000).map((n) => ({ packId: `pack_${n}` })) },
  { weight: 2, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((coins) => ({ coins })) },
  { weight: 1, arbitrary: fc.constantFrom({ packId: 'pack_7' }, { coins: 99 }, { coins: 100_001 }) },
);
const hook: fc.Arbitrary<HookSpec> = fc.record({
  purchase: fc.nat({ max: 30 }),
  action: fc.constantFrom<HookAction>(
    'complete',
    'complete',
    'expire',
    'refund_half',
    'refund_full',
    'pending',
    'pending',
    'dispute',
    'redeliver',
  ),
  metadata: fc.boolean(),
  copies: fc.integer({ min: 1, max: 3 }),
  concurrent: fc.boolean(),
});

export const commands: fc.Arbitrary<Cmd>[] = [
  fc.constantFrom(true, true, true, false).map((adult) => new SignupCmd(adult)),
  fc
    .tuple(user, buyBody, keyMode, fc.integer({ min: 1, max: 3 }), fc.nat({ max: 2 }))
    .map(([u, b, k, c, f]) => new BuyCmd(u, b, k, c, f)),
  ...Array.from({ length: 2 }, () =>
    fc
      .tuple(user, fc.constantFrom(500, 1000, 2500, 5000), fc.boolean(), fc.boolean())
      .map(([u, p, o, r]) => new StripeBuyCmd(u, p, o, r)),
  ),
  ...Array.from({ length: 3 }, () => fc.array(hook, { minLength: 1, maxLength: 3 }).map((h) => new WebhookCmd(h))),
  ...Array.from({ length: 4 }, () =>
    fc
      .tuple(
        fc.array(giftSpec, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
        faultPlan,
      )
      .map(([s, c, d, p]) => new GiftsCmd(s, c, d, p)),
  ),
  fc
    .tuple(user, fc.nat({ max: 9 }), smallGift, fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 3 }))
    .map(([s, r, g, t, c]) => new ComboCmd(s, r, g, t, c)),
  fc
    .tuple(
      fc.nat({ max: 30 }),
      fc.boolean(),
      user,
      keyMode,
      fc.constantFrom('accepts' as const, 'accepts' as const, 'down' as const, 'refuses' as const),
    )
    .map(([p, o, c, k, s]) => new RefundCmd(p, o, c, k, s)),
  ...Array.from({ length: 2 }, () =>
    fc
      .tuple(
        fc.nat({ max: 9 }),
        fc.constantFrom<PayoutAmount>('minimum', 'minimum', 'all', 'all', 'not_multiple', 'below_minimum', 'too_much'),
        keyMode,
      )
      .map(([c, a, k]) => new PayoutCmd(c, a, k)),
  ),
  ...Array.from({ length: 2 }, () =>
    fc
      .tuple(fc.nat({ max: 20 }), fc.constantFrom<'paid' | 'rejected'>('paid', 'rejected'), keyMode, fc.boolean())
      .map(([p, s, k, r]) => new DecideCmd(p, s, k, r)),
  ),
  fc.tuple(fc.nat({ max: 9 }), fc.boolean()).map(([c, l]) => new LiveCmd(c, l)),
  // Caps small enough for the gifts above to reach them.
  fc.tuple(user, fc.integer({ min: 1, max: 600 })).map(([u, c]) => new GiftCapCmd(u, c)),
  fc.tuple(user, fc.constantFrom(true, true, false)).map(([u, f]) => new DeleteCmd(u, f)),
  fc
    .tuple(
      fc.nat({ max: 9 }),
      fc.option(
        fc.record({
          label: fc.constantFrom('New mic', 'Charity 🎗️', '<i>goal</i>'),
          coins: fc.integer({ min: 100, max: 50_000 }),
        }),
        { nil: null },
      ),
    )
    .map(([c, g]) => new GoalCmd(c, g)),
  fc.constantFrom(1_100, 6_000, 61_000, 3_600_000, 86_400_000, 8 * 86_400_000).map((ms) => new ClockCmd(ms)),
];
