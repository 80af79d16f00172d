import * as z from 'zod/mini';

/**
 * The room's event stream (WebSocket). A frame is one event or an array of them. `seq` numbers the
 * room's stored events (gift, combo_end, goal, leaderboard, live), rising by one, forever; `hello` and
 * `test` carry the current seq without taking a new one.
 *
 * Written with zod/mini (same core, functional API): the overlay parses every frame with these schemas
 * and zod/mini tree-shakes to a few KB where classic zod is ~25 KB gzip in the browser bundle.
 */
export const PROTOCOL_VERSION = 1;

const count = () => z.int().check(z.positive());
const amount = () => z.int().check(z.nonnegative());
const base = { v: z.literal(PROTOCOL_VERSION), seq: amount(), at: z.int() };

export const TierSchema = z.enum(['small', 'medium', 'large', 'epic']);
export const ComboRef = z.object({ id: z.string(), count: count() });

const liveShape = {
  live: z.boolean(),
  title: z.nullable(z.string()),
  sessionId: z.nullable(z.string()),
  startedAt: z.nullable(z.int()),
};
export const LiveState = z.object(liveShape);
export const GoalState = z.nullable(z.object({ label: z.string(), target: count(), progress: amount() }));
export const LeaderboardEntry = z.object({ name: z.string(), coins: amount() });
export const Leaderboard = z.array(LeaderboardEntry);

const giftShape = {
  id: z.string(),
  from: z.string(),
  giftId: z.string(),
  name: z.string(),
  tier: TierSchema,
  coins: count(),
  count: count(),
  message: z.optional(z.string()),
  combo: ComboRef,
  total: count(),
};
export const GiftFields = z.object(giftShape);

export const HelloEvent = z.object({
  ...base,
  type: z.literal('hello'),
  live: LiveState,
  goal: GoalState,
  leaderboard: Leaderboard,
  reset: z.optional(z.boolean()),
});
export const GiftEvent = z.object({ ...base, type: z.literal('gift'), ...giftShape });
export const ComboEndEvent = z.object({
  ...base,
  type: z.literal('combo_end'),
  comboId: z.string(),
  count: count(),
  coins: count(),
});
export const GoalEvent = z.object({ ...base, type: z.literal('goal'), goal: GoalState });
export const LeaderboardEvent = z.object({ ...base, type: z.literal('leaderboard'), leaderboard: Leaderboard });
export const LiveEvent = z.object({ ...base, type: z.literal('live'), ...liveShape });
export const TestEvent = z.object({ ...base, type: z.literal('test'), test: z.literal(true), ...giftShape });
/**
 * Only on overlay connections, like `test`: the creator saved a new overlay configuration. `config` is
 * checked by the overlay itself (OverlayConfigSchema), so a config it cannot read falls back to the default
 * look instead of failing the frame.
 */
export const ConfigEvent = z.object({ ...base, type: z.literal('config'), revision: amount(), config: z.unknown() });

export const RoomEvent = z.discriminatedUnion('type', [
  HelloEvent,
  GiftEvent,
  ComboEndEvent,
  GoalEvent,
  LeaderboardEvent,
  LiveEvent,
  TestEvent,
  ConfigEvent,
]);
export const RoomFrame = z.union([RoomEvent, z.array(RoomEvent)]);

export type RoomEvent = z.infer<typeof RoomEvent>;
export type GiftEvent = z.infer<typeof GiftEvent>;
export type HelloEvent = z.infer<typeof HelloEvent>;
export type LiveState = z.infer<typeof LiveState>;
export type GoalState = z.infer<typeof GoalState>;
export type LeaderboardEntry = z.infer<typeof LeaderboardEntry>;
export type GiftFields = z.infer<typeof GiftFields>;
export type ConfigEvent = z.infer<typeof ConfigEvent>;

/** Stored events, the ones that take a seq. */
export type StoredEvent = Exclude<RoomEvent, { type: 'hello' | 'test' | 'config' }>;
/** A stored event before the room numbers it. */
export type NewEvent = StoredEvent extends infer E ? (E extends StoredEvent ? Omit<E, 'seq' | 'v'> : never) : never;

/** Parses one frame into its events; throws on anything that is not the protocol. */
export function parseFrame(data: string): RoomEvent[] {
  const parsed = RoomFrame.parse(JSON.parse(data));
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** WebSocket close code for a wrong or rotated overlay token: clients do not retry after it. */
export const CLOSE_BAD_TOKEN = 4401;
