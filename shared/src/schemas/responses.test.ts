import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GiftEvent, GoalState, LeaderboardEntry, LiveState, TierSchema } from '../protocol';
import { GiftTier, Goal, LiveStatus, RecentGift, Supporter } from './responses';

describe('HTTP answers carry the room exactly as the event stream does', () => {
  it.each([
    ['tier', GiftTier, TierSchema],
    ['live state', LiveStatus, LiveState],
    ['goal', Goal, GoalState],
    ['supporter', Supporter, LeaderboardEntry],
    ['gift', RecentGift, GiftEvent],
  ] as const)('%s', (_name, classic, mini) => {
    expect(z.toJSONSchema(classic)).toEqual(z.toJSONSchema(mini));
  });
});
