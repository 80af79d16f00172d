// What the routes answer, for the routes whose request schemas in api.ts do not sit beside their answer.
// The worker declares them in its route definitions (the OpenAPI document and docs/api.md show them) and
// the extension parses with them. Objects are not strict: a client ignores fields it does not know yet.
import { z } from 'zod';
import {
  CreatorSchema,
  LimitsSchema,
  PayoutSchema,
  PayoutStatusSchema,
  PurchaseSchema,
  UserSchema,
  WalletResponse,
} from './api';
import { Count, FractionSchema, MoneySchema } from './common';

export const OkResponse = z.object({ ok: z.literal(true) });

// The room's state as HTTP answers carry it: the same shapes as the event stream's (protocol.ts), written
// with classic zod because the OpenAPI generator reads classic schemas only; responses.test.ts holds the
// two equal.
export const GiftTier = z.enum(['small', 'medium', 'large', 'epic']);
export const LiveStatus = z.object({
  live: z.boolean(),
  title: z.string().nullable(),
  sessionId: z.string().nullable(),
  startedAt: z.int().nullable(),
});
export const Goal = z
  .object({ label: z.string(), target: z.int().positive(), progress: z.int().nonnegative() })
  .nullable();
export const Supporter = z.object({ name: z.string(), coins: z.int().nonnegative() });
export const RecentGift = z.object({
  v: z.literal(1),
  seq: z.int().nonnegative(),
  at: z.int(),
  type: z.literal('gift'),
  id: z.string(),
  from: z.string(),
  giftId: z.string(),
  name: z.string(),
  tier: GiftTier,
  coins: z.int().positive(),
  count: z.int().positive(),
  message: z.string().optional(),
  combo: z.object({ id: z.string(), count: z.int().positive() }),
  total: z.int().positive(),
});

// ---- public ----
export const RatesResponse = z.object({
  version: z.int(),
  effectiveAt: z.int(),
  currency: z.literal('USD'),
  coinPrice: FractionSchema,
  packs: z.array(z.object({ id: z.string(), coins: z.int(), price: MoneySchema, pricePerCoin: FractionSchema })),
  custom: z.object({ min: z.int(), max: z.int() }),
  /** What reaches the creator of what viewers pay, reduced (7/10 by default). */
  creatorShare: FractionSchema,
  diamondsPerCoin: z.int(),
  diamondValue: FractionSchema,
  payoutStep: z.int(),
  payoutMinimum: MoneySchema,
  payoutMinimumDiamonds: z.int(),
  confirmThreshold: MoneySchema,
  /** The card in plain words. */
  summary: z.string(),
  /** The version scheduled next, if any. */
  next: z.object({ version: z.int(), effectiveAt: z.int() }).nullable(),
});

export const CatalogResponse = z.object({
  gifts: z.array(z.object({ id: z.string(), name: z.string(), coins: z.int(), price: MoneySchema, tier: GiftTier })),
});

/** The OpenAPI 3.1 document itself; described loosely. */
export const OpenApiDocumentResponse = z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) });

// ---- the user ----
export const MeResponse = z.object({ user: UserSchema, wallet: WalletResponse, creator: CreatorSchema.nullable() });
export const RenameResponse = z.object({ user: UserSchema });
export const AccountDeletedResponse = z.object({
  deleted: z.literal(true),
  forfeited: z.object({ coins: Count, diamonds: Count }),
  /** Payouts still waiting for the operator, withdrawn with the account (their diamonds forfeited too). */
  withdrawnPayouts: z.array(z.string()),
});
export const PurchaseViewResponse = z.object({ purchase: PurchaseSchema });

// ---- a creator's own room ----
export const LiveResponse = z.object({ live: LiveStatus });
export const GoalResponse = z.object({ goal: Goal });
export const OverlayTokenResponse = z.object({ token: z.string(), overlayUrl: z.string() });
export const TestAlertResponse = z.object({ sent: z.literal(true) });
export const BlockedWordsResponse = z.object({ blockedWords: z.array(z.string()) });
/** The blocked words and the gift messages they hid, newest first. */
export const ModerationResponse = BlockedWordsResponse.extend({
  hidden: z.array(
    z.object({ giftId: z.string(), from: z.string(), message: z.string(), word: z.string(), at: z.int() }),
  ),
});
export const EarningsResponse = z.object({
  diamonds: Count,
  value: MoneySchema,
  pendingPayouts: z.object({ diamonds: Count, amount: MoneySchema, payouts: z.array(PayoutSchema) }),
  sessions: z.array(
    z.object({
      id: z.string(),
      title: z.string().nullable(),
      startedAt: z.int(),
      endedAt: z.int().nullable(),
      coins: z.int(),
      diamonds: z.int(),
      gifts: z.int(),
      value: MoneySchema,
    }),
  ),
  topSupporters: z.array(Supporter),
});

// ---- rooms ----
export const RoomResponse = z.object({
  room: z.object({
    handle: z.string(),
    displayName: z.string(),
    /** The last event's sequence number: a client resumes the event stream from here. */
    seq: z.int(),
    live: LiveStatus,
    goal: Goal,
    leaderboard: z.array(Supporter),
    recentGifts: z.array(RecentGift),
  }),
});

// ---- Stripe ----
export const WebhookResponse = z.object({
  received: z.literal(true),
  duplicate: z.literal(true).optional(),
  outcome: z.enum(['applied', 'ignored']).optional(),
});

// ---- the operator ----
export const AdminPayoutsResponse = z.object({
  payouts: z.array(
    z.object({
      id: z.string(),
      handle: z.string(),
      diamonds: Count,
      amount: MoneySchema,
      destination: z.string(),
      destinationMasked: z.string(),
      status: PayoutStatusSchema,
      /** How it is paid: the operator marks a manual payout paid; Stripe pays a Connect payout once approved. */
      via: z.enum(['manual', 'stripe_connect']),
      transferId: z.string().nullable(),
      createdAt: z.int(),
      decidedAt: z.int().nullable(),
    }),
  ),
});
const AdminChannel = z.object({ url: z.string(), site: z.string(), handle: z.string(), verified: z.boolean() });
export const AdminChannelsResponse = z.object({ channels: z.array(AdminChannel.extend({ createdAt: z.int() })) });
export const AdminVerifyResponse = z.object({ channel: AdminChannel });
export const RateCardResponse = z.object({
  card: z.object({
    version: z.int(),
    effectiveAt: z.int(),
    currency: z.literal('USD'),
    coinPrice: FractionSchema,
    packs: z.array(z.object({ id: z.string(), coins: z.int() })),
    custom: z.object({ min: z.int(), max: z.int() }),
    diamondsPerCoin: z.int(),
    diamondValue: FractionSchema,
    payoutStep: z.int(),
    payoutMinimum: z.int(),
    confirmThreshold: z.int(),
  }),
});
