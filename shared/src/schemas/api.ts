import { z } from 'zod';
import { parseChannelUrl } from '../channels';
import { birthdateProblem } from '../text';
import { Count, FractionSchema, MoneySchema, PositiveCount, text } from './common';

/** The parts of a birthdate no clock decides; signup also refuses one in the future by the worker's clock. */
export const Birthdate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .superRefine((s, ctx) => {
    const problem = birthdateProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const Email = z
  .string()
  .max(254)
  .transform((s) => s.trim())
  .pipe(z.email());

// ---- auth ----
export const SignupRequest = z.strictObject({
  email: Email,
  password: z.string().min(8).max(256),
  displayName: text(1, 40),
  birthdate: Birthdate,
});
export const LoginRequest = z.strictObject({ email: Email, password: z.string().min(1).max(256) });
export const UpdateMeRequest = z.strictObject({ displayName: text(1, 40) });

export const UserSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  adult: z.boolean(),
  email: z.string().optional(),
});
export const AuthResponse = z.object({ token: z.string(), user: UserSchema });

// ---- wallet ----
const LimitAmount = z.int().positive().max(100_000_000).nullable();
/** Caps on gifts: to one creator's current live session, and over a rolling 24 hours. */
export const GiftLimitsRequest = z
  .strictObject({ stream: LimitAmount.optional(), daily: LimitAmount.optional() })
  .refine((l) => Object.keys(l).length > 0, 'at least one of stream, daily');
export const LimitsRequest = z
  .strictObject({
    daily: LimitAmount.optional(),
    weekly: LimitAmount.optional(),
    monthly: LimitAmount.optional(),
    giftLimits: GiftLimitsRequest.optional(),
  })
  .refine((l) => Object.keys(l).length > 0, 'at least one of daily, weekly, monthly, giftLimits');

export const LimitsSchema = z.object({
  daily: z.int().nullable(),
  weekly: z.int().nullable(),
  monthly: z.int().nullable(),
});
const Totals = z.object({ day: Count, week: Count, month: Count });
export const GiftLimitsSchema = z.object({ stream: z.int().nullable(), daily: z.int().nullable() });
export const PendingLimitsSchema = z.array(
  z.object({
    period: z.enum(['daily', 'weekly', 'monthly', 'gift_stream', 'gift_daily']),
    amount: z.int().nullable(),
    effectiveAt: z.int(),
  }),
);
/** What the viewer has sent: to one room's current live session, and in all over the last 24 hours. */
export const GiftsSentSchema = z.object({ stream: MoneySchema, day: MoneySchema });
export const WalletResponse = z.object({
  coins: Count,
  diamonds: Count,
  debt: Count,
  value: MoneySchema,
  diamondsPending: Count,
  limits: LimitsSchema,
  giftLimits: GiftLimitsSchema,
  pendingLimits: PendingLimitsSchema,
  purchased: Totals,
  gifted: Totals,
  /** Minor units gifted in the last 24 hours: what the daily gift cap counts. */
  giftSpent: z.object({ day: Count }),
  /** With `?room=handle`: what the viewer has sent in that room's current live session (none if not live). */
  room: z
    .object({ handle: z.string(), live: z.boolean(), sessionId: z.string().nullable(), sent: GiftsSentSchema })
    .optional(),
});
export const LimitsResponse = z.object({
  limits: LimitsSchema,
  giftLimits: GiftLimitsSchema,
  pendingLimits: PendingLimitsSchema,
});

export const HistoryQuery = z.strictObject({
  limit: z.coerce.number().pipe(z.int().min(1).max(200)).default(50),
  before: z
    .string()
    .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    .optional(),
});

export const PurchaseStatusSchema = z.enum([
  'pending',
  'completed',
  'refund_pending',
  'partially_refunded',
  'refunded',
  'disputed',
  'expired',
  'flagged',
]);

export const HistoryEntry = z.object({
  id: z.string(),
  kind: z.string(),
  coins: z.int(),
  diamonds: z.int(),
  value: MoneySchema,
  counterparty: z.string().nullable(),
  ref: z.string().nullable(),
  rateVersion: z.int(),
  at: z.int(),
  /** On purchases: what was paid, and where the purchase stands now (a refund on its way, refunded…). */
  receipt: z
    .object({
      purchaseId: z.string(),
      price: MoneySchema,
      sandbox: z.boolean(),
      paymentRef: z.string().nullable(),
      rateVersion: z.int(),
      status: PurchaseStatusSchema,
    })
    .optional(),
});
export const HistoryResponse = z.object({ entries: z.array(HistoryEntry), next: z.string().nullable() });

// ---- purchases ----
/** Exactly one of `packId` or `coins` (a custom amount). One object, so errors name the field. */
export const PurchaseRequest = z
  .strictObject({ packId: z.string().min(1).max(64).optional(), coins: z.int().optional() })
  .refine((b) => (b.packId === undefined) !== (b.coins === undefined), {
    message: 'send exactly one of packId or coins',
    path: ['packId'],
  });

export const PurchaseSchema = z.object({
  id: z.string(),
  status: PurchaseStatusSchema,
  coins: PositiveCount,
  price: MoneySchema,
  sandbox: z.boolean(),
  rateVersion: z.int(),
  createdAt: z.int(),
  completedAt: z.int().nullable(),
  refundedCoins: Count,
  clawedBackCoins: Count,
  checkoutUrl: z.string().optional(),
  paymentRef: z.string().optional(),
});
export const PurchaseResponse = z.object({ purchase: PurchaseSchema, wallet: z.object({ coins: Count }) });
export const RefundResponse = PurchaseResponse.extend({
  /** `pending` while the payment provider has not confirmed the money went back (the purchase is `refund_pending`). */
  refund: z.object({
    id: z.string(),
    coins: PositiveCount,
    amount: MoneySchema,
    status: z.enum(['pending', 'succeeded']),
  }),
});
export const EmptyRequest = z.strictObject({});

// ---- creators & channels ----
export const Handle = z.string().regex(/^[a-z0-9_]{3,24}$/, '3 to 24 of a-z, 0-9 and _');

/** `GET /v1/wallet?room=handle` adds what was sent in that room's current session. */
export const WalletQuery = z.strictObject({ room: Handle.optional() });

/** A calendar month in UTC, `YYYY-MM`. */
export const StatementQuery = z.strictObject({
  month: z.string().regex(/^(19|20|21)\d{2}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM'),
});
const StatementLineSchema = z.object({ count: z.int(), coins: z.int(), amount: MoneySchema });
export const StatementResponse = z.object({
  month: z.string(),
  from: z.int(),
  to: z.int(),
  purchases: StatementLineSchema,
  gifts: StatementLineSchema.extend({ byCreator: z.array(StatementLineSchema.extend({ handle: z.string() })) }),
  refunds: StatementLineSchema,
  chargebacks: StatementLineSchema,
  sandbox: z.boolean(),
});

export const ChannelUrl = z
  .string()
  .max(300)
  .refine((u) => parseChannelUrl(u) !== null, 'a channel page on twitch.tv, youtube.com/@, kick.com or tiktok.com/@');

export const CreatorRequest = z.strictObject({
  handle: Handle,
  channels: z.array(ChannelUrl).max(10).default([]),
});
export const ChannelSchema = z.object({ url: z.string(), site: z.string(), verified: z.boolean() });
export const CreatorSchema = z.object({
  handle: z.string(),
  displayName: z.string(),
  live: z.boolean(),
  channels: z.array(ChannelSchema),
});
export const CreatorResponse = z.object({ creator: CreatorSchema });
export const ResolveQuery = z.strictObject({ url: z.string().min(1).max(2000) });
export const ResolveResponse = z.object({ creator: CreatorSchema, channel: ChannelSchema });

/** Sites where a creator proves a channel by signing in; `configured` is false where the operator set up no app. */
export const ConnectSitesResponse = z.object({
  sites: z.array(z.object({ site: z.enum(['twitch', 'youtube', 'kick']), name: z.string(), configured: z.boolean() })),
});
/** Where the popup sends the creator to sign in; good once, until `expiresAt`. */
export const ConnectResponse = z.object({
  site: z.enum(['twitch', 'youtube', 'kick']),
  authorizationUrl: z.string(),
  expiresAt: z.int(),
});

// ---- payouts ----
/** `destination` is free text for the operator in sandbox mode (required there); in Stripe mode payouts go to the connected account, and it is ignored. */
export const PayoutRequest = z.strictObject({ diamonds: PositiveCount, destination: text(3, 200).optional() });
export const PayoutStatusSchema = z.enum(['requested', 'processing', 'paid', 'rejected', 'failed']);
export const PayoutSchema = z.object({
  id: z.string(),
  diamonds: PositiveCount,
  amount: MoneySchema,
  status: PayoutStatusSchema,
  destination: z.string(),
  createdAt: z.int(),
  decidedAt: z.int().nullable(),
  reference: z.string().nullable(),
});
export const PayoutResponse = z.object({ payout: PayoutSchema });
export const PayoutListResponse = z.object({ payouts: z.array(PayoutSchema) });

// ---- admin ----
/** Sandbox payouts are marked `paid` or `rejected`; Stripe Connect payouts are `approved` (Stripe pays them) or `rejected`. */
export const AdminPayoutDecision = z.strictObject({
  status: z.enum(['approved', 'paid', 'rejected']),
  reference: text(1, 200).optional(),
});
export const AdminPayoutsQuery = z.strictObject({ status: PayoutStatusSchema.optional() });

/** Stripe mode's payout account, in states the popup can put in words. */
export const PayoutAccountState = z.enum(['none', 'details_needed', 'under_review', 'enabled']);
export const PayoutAccountResponse = z.object({
  account: z.object({
    mode: z.enum(['sandbox', 'stripe']),
    state: PayoutAccountState,
    detailsSubmitted: z.boolean(),
    chargesEnabled: z.boolean(),
    payoutsEnabled: z.boolean(),
    /** Payouts up to this amount are approved with the request; zero when the operator approves each. */
    autoApprove: MoneySchema,
  }),
});
export const PayoutAccountLinkResponse = z.object({ url: z.string() });
export const AdminChannelsQuery = z.strictObject({ verified: z.enum(['true', 'false']).optional() });
export const AdminVerifyRequest = z.strictObject({ url: ChannelUrl, handle: Handle });
export const AdminAuditQuery = z.strictObject({ cursor: z.string().max(200).optional() });

/** Operator-set figures stay small enough that no product of them can leave the safe integers. */
const CardInt = z.int().min(1).max(1_000_000);
const CardFraction = z.strictObject({ numerator: CardInt, denominator: CardInt });
export const RateCardRequest = z.strictObject({
  effectiveAt: z.int().positive(),
  currency: z.literal('USD').default('USD'),
  coinPrice: CardFraction,
  packs: z
    .array(z.strictObject({ id: z.string().regex(/^[a-z0-9_]{1,32}$/), coins: CardInt }))
    .min(1)
    .max(20),
  custom: z.strictObject({ min: CardInt, max: CardInt }).refine((c) => c.min <= c.max, 'min ≤ max'),
  diamondsPerCoin: CardInt,
  diamondValue: CardFraction,
  payoutStep: CardInt,
  payoutMinimum: z.int().min(1).max(100_000_000),
  confirmThreshold: z.int().min(1).max(100_000_000),
});

export const AuditResponse = z.object({
  ok: z.boolean(),
  totals: z.record(z.string(), z.int()),
  violations: z.array(z.string()),
  wallets: z.int(),
  /** Effects the page's wallets are still applying: the directory may lag by exactly these. */
  pendingEffects: z.int(),
  /** Refunds whose coins wait for Stripe: `asked` once Stripe accepted the request, until its webhook. */
  pendingRefunds: z.array(z.object({ userId: z.string(), purchaseId: z.string(), coins: z.int(), asked: z.boolean() })),
  next: z.string().optional(),
});

export const FlaggedPurchasesResponse = z.object({
  purchases: z.array(
    z.object({
      id: z.string(),
      userId: z.string(),
      status: z.string(),
      reason: z.string().nullable(),
      paymentRef: z.string().nullable(),
      createdAt: z.int(),
    }),
  ),
});

// ---- rooms & creator controls ----
export const GiftRequest = z.strictObject({
  giftId: z.string().min(1).max(64),
  count: z.int().min(1).max(99).default(1),
  message: text(0, 80).optional(),
  anonymous: z.boolean().default(false),
});
export const GiftResponse = z.object({
  gift: z.object({
    id: z.string(),
    giftId: z.string(),
    count: z.int(),
    coins: z.int(),
    anonymous: z.boolean(),
    message: z.string().optional(),
    combo: z.object({ id: z.string(), count: z.int() }),
  }),
  /** `sent`: the spend meter after this gift (absent in replies stored before it existed). */
  wallet: z.object({ coins: Count, sent: GiftsSentSchema.optional() }),
});
export const LiveRequest = z.strictObject({ live: z.boolean(), title: text(0, 100).optional() });
export const GoalRequest = z.strictObject({ label: text(1, 60), coins: z.int().min(1).max(100_000_000) });
export const ModerationRequest = z.strictObject({ blockedWords: z.array(text(1, 40)).max(200) });
export const PasswordChangeRequest = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: z.string().min(8).max(256),
});
export const DeleteAccountRequest = z.strictObject({
  password: z.string().min(1).max(256),
  forfeit: z.boolean().default(false),
});
