import { z } from 'zod';

/**
 * The room's event stream (WebSocket). A frame is one event or an array of them. `seq` numbers the
 * room's stored events (gift, combo_end, goal, leaderboard, live), rising by one, forever; `hello` and
 * `test` carry the current seq without taking a new one.
 */
export const PROTOCOL_VERSION = 1;

const Base = z.object({ v: z.literal(PROTOCOL_VERSION), seq: z.int().nonnegative(), at: z.int() });

export const TierSchema = z.enum(['small', 'medium', 'large', 'epic']);
export const ComboRef = z.object({ id: z.string(), count: z.int().positive() });

export const LiveState = z.object({ live: z.boolean(), title: z.string().nullable(), sessionId: z.string().nullable(), startedAt: z.int().nullable() });
export const GoalState = z.object({ label: z.string(), target: z.int().positive(), progress: z.int().nonnegative() }).nullable();
export const LeaderboardEntry = z.object({ name: z.string(), coins: z.int().nonnegative() });
export const Leaderboard = z.array(LeaderboardEntry);

export const GiftFields = z.object({
  id: z.string(),
  from: z.string(),
  giftId: z.string(),
  name: z.string(),
  tier: TierSchema,
  coins: z.int().positive(),
  count: z.int().positive(),
  message: z.string().optional(),
  combo: ComboRef,
  total: z.int().positive(),
});

export const HelloEvent = Base.extend({
  type: z.literal('hello'),
  live: LiveState,
  goal: GoalState,
  leaderboard: Leaderboard,
  reset: z.boolean().optional(),
});
export const GiftEvent = Base.extend({ type: z.literal('gift') }).merge(GiftFields);
export const ComboEndEvent = Base.extend({ type: z.literal('combo_end'), comboId: z.string(), count: z.int().positive(), coins: z.int().positive() });
export const GoalEvent = Base.extend({ type: z.literal('goal'), goal: GoalState });
export const LeaderboardEvent = Base.extend({ type: z.literal('leaderboard'), leaderboard: Leaderboard });
export const LiveEvent = Base.extend({ type: z.literal('live') }).merge(LiveState);
export const TestEvent = Base.extend({ type: z.literal('test'), test: z.literal(true) }).merge(GiftFields);

export const RoomEvent = z.discriminatedUnion('type', [HelloEvent, GiftEvent, ComboEndEvent, GoalEvent, LeaderboardEvent, LiveEvent, TestEvent]);
export const RoomFrame = z.union([RoomEvent, z.array(RoomEvent)]);

export type RoomEvent = z.infer<typeof RoomEvent>;
export type GiftEvent = z.infer<typeof GiftEvent>;
export type HelloEvent = z.infer<typeof HelloEvent>;
export type LiveState = z.infer<typeof LiveState>;
export type GoalState = z.infer<typeof GoalState>;
export type LeaderboardEntry = z.infer<typeof LeaderboardEntry>;
export type GiftFields = z.infer<typeof GiftFields>;

/** Stored events, the ones that take a seq. */
export type StoredEvent = Exclude<RoomEvent, { type: 'hello' | 'test' }>;
/** A stored event before the room numbers it. */
export type NewEvent = StoredEvent extends infer E ? (E extends StoredEvent ? Omit<E, 'seq' | 'v'> : never) : never;

/** Parses one frame into its events; throws on anything that is not the protocol. */
export function parseFrame(data: string): RoomEvent[] {
  const parsed = RoomFrame.parse(JSON.parse(data));
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** WebSocket close code for a wrong or rotated overlay token: clients do not retry after it. */
export const CLOSE_BAD_TOKEN = 4401;
