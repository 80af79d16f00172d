/**
 * The model: what the real system must hold after every step, as plain data — users and their ledger
 * accounts, rooms, purchases, payouts, idempotency keys — and the pure rules that move it (a completed
 * payment, a clawback, a provider refund, a dispute). Times are spans (`Span`), since a request takes a
 * while on the worker's clock; a rule that depends on a window edge says `'either'` and the caller moves
 * the clock off the edge. Also the run's settings and the counts the summary prints.
 */

import {
  canonicalJson,
  IDEMPOTENCY_TTL,
  type LeaderboardEntry,
  type PurchaseStatus,
  REFUND_WINDOW,
} from '@giftstream/shared';
import { advanceClock, now } from '../../../src/clock';
import { type Observer, type Reply, soakSetting } from '../../helpers';
import type { FakeStripe } from '../../stripe-fake';

// ---- the run's settings (`npm run soak` passes others) ----

export const RUNS = Number(soakSetting('SOAK_RUNS') ?? 10);
export const STEPS = Number(soakSetting('SOAK_STEPS') ?? 40);
/** The global audit pages over every wallet the file has made; a long soak runs it every Nth sequence (and at the end). */
export const GLOBAL_AUDIT_EVERY = Number(soakSetting('SOAK_AUDIT_EVERY') ?? 1);
export const SEED = Number(soakSetting('SOAK_SEED') ?? 20260426);
export const PATH = soakSetting('SOAK_PATH');
export const REPLAY_PATH = soakSetting('SOAK_REPLAY_PATH');
export const SHRINK = soakSetting('SOAK_SHRINK') === '1';

export const DESTINATION = 'DE89 3704 0044 0532 0130 00';
export const MAX_USERS = 9;
export const MAX_ADVANCE = 20 * 86_400_000;
export const PROFILE = soakSetting('SOAK_PROFILE') === '1';

// ---- the model's types ----

/** When something happened on the worker's clock: somewhere between lo and hi. */
export interface Span {
  lo: number;
  hi: number;
}

export interface Stored {
  fingerprint: string;
  status: number;
  text: string;
  at: Span;
}

export interface Entry {
  kind: string;
  coins: number;
  diamonds: number;
  ref: string | null;
}

export interface ComboM {
  id: string;
  count: number;
  coins: number;
  last: Span;
}

export interface SessionM {
  coins: number;
  diamonds: number;
  gifts: number;
  supporters: Map<string, LeaderboardEntry>;
}

export interface RoomM {
  handle: string;
  owner: UserM;
  live: boolean;
  liveLog: boolean[];
  sessions: SessionM[];
  goal: { label: string; target: number; progress: number } | null;
  goalTouched: boolean;
  gifts: Map<string, Record<string, unknown>>;
  combos: Map<string, ComboM>;
  allTime: Map<string, LeaderboardEntry>;
  observer: Observer;
}

export interface PurchaseM {
  id: string;
  owner: UserM;
  coins: number;
  price: number;
  sandbox: boolean;
  status: PurchaseStatus;
  completedAt: Span | null;
  refundedCoins: number;
  /** Minor units our own refunds returned (or are returning). */
  refundedAmount: number;
  clawedBackCoins: number;
  writtenOff: number;
  /** A refund asked of Stripe and not yet confirmed by its webhook: coins in coins:refund_pending. */
  pendingRefund: { coins: number; amount: number } | null;
  /** Stripe only. */
  paymentIntent: string;
  sessionId: string;
  piIndexed: boolean;
  /** What the provider has refunded on the charge, in minor units, cumulative. */
  providerTotal: number;
  /** Events the provider has sent or will send about this purchase. */
  events: StripeEventM[];
  key: string;
}

export interface StripeEventM {
  id: string;
  type: 'checkout.session.completed' | 'checkout.session.expired' | 'charge.refunded' | 'charge.dispute.created';
  amount?: number;
  metadata: boolean;
  delivered: boolean;
}

export interface PayoutM {
  id: string;
  owner: UserM;
  diamonds: number;
  status: 'requested' | 'paid' | 'rejected';
}

export interface UserM {
  label: string;
  id: string;
  token: string;
  name: string;
  adult: boolean;
  balance: number;
  external: number;
  /** Coins of refunds Stripe has not confirmed yet. */
  refundPending: number;
  /** Deleted: the token is dead, and the user is in `Model.closed`, no longer in `Model.users`. */
  closed: boolean;
  spent: number;
  diamonds: number;
  issued: number;
  pending: number;
  paidOut: number;
  history: Entry[];
  keys: Map<string, Stored>;
  /** The operator's decision keys live in this (creator's) wallet, under their own scope. */
  operatorKeys: Map<string, Stored>;
  combos: Map<string, ComboM & { room: RoomM }>;
  /** The per-stream gift cap in cents (only ever lowered here, so it applies at once), and what each session got. */
  streamCap: number | null;
  sentTo: Map<SessionM, number>;
  /** When this wallet's gift rate window counted a send (upper bounds). */
  takes: number[];
  room: RoomM | null;
  lastGift: { key: string; handle: string; body: Record<string, unknown> } | null;
  lastBuy: { key: string; body: Record<string, unknown> } | null;
  lastRefund: { key: string; purchase: PurchaseM } | null;
  lastPayout: { key: string; body: Record<string, unknown> } | null;
}

export interface Model {
  run: number;
  users: UserM[];
  /** Deleted accounts: their wallets stay and are checked through the objects themselves. */
  closed: UserM[];
  rooms: RoomM[];
  purchases: PurchaseM[];
  payouts: PayoutM[];
  lastDecision: { key: string; payout: PayoutM; body: Record<string, unknown> } | null;
  /** The operator is one caller across all wallets: a key is bound to its first request (method, path, body) in the directory, for good. */
  operatorBindings: Map<string, string>;
  seenEvents: Set<string>;
  advanced: number;
  /** Provider refunds we asked Stripe for, by the purchase's payment intent. */
  apiRefunds: number;
  trace: string[];
  touched: Set<PurchaseM>;
  /** Wallets and rooms this step gave deliveries to; nothing else can have any queued. */
  busy: Set<UserM | RoomM>;
}

export interface Real {
  stripe: FakeStripe;
}

export type KeyMode = 'fresh' | 'reuse' | 'mismatch';

export interface Prior {
  replay?: Stored;
  mismatch?: boolean;
}

export interface BuyEl {
  body: Record<string, unknown>;
  key: string;
  copies?: number;
}

export interface GiftEl {
  sender: UserM;
  room: RoomM;
  body: { giftId: string; count?: number; anonymous?: boolean; message?: string };
  key: string;
  copies: number;
}

export interface FaultPlan {
  roomRefusesDelivery: number;
  roomRestartsAfterLogging: number;
  walletRefusesCredit: number;
  walletThrowsAfterDebit: number;
  alarmsDuring: boolean;
  alarmsTwice: boolean;
  /** Acknowledgements lost: the gifts reach the room again, and their diamonds the creator's wallet again. */
  redeliver: boolean;
}

export const NO_FAULTS: FaultPlan = {
  roomRefusesDelivery: 0,
  roomRestartsAfterLogging: 0,
  walletRefusesCredit: 0,
  walletThrowsAfterDebit: 0,
  alarmsDuring: false,
  alarmsTwice: false,
  redeliver: false,
};

export type HookAction = 'complete' | 'expire' | 'refund_half' | 'refund_full' | 'pending' | 'dispute' | 'redeliver';

export interface HookSpec {
  purchase: number;
  action: HookAction;
  metadata: boolean;
  copies: number;
  concurrent: boolean;
}

export type PayoutAmount = 'minimum' | 'all' | 'not_multiple' | 'below_minimum' | 'too_much';

// ---- counts ----

export const totals = { sequences: 0, steps: 0, requests: 0, gifts: 0, webhooks: 0, faults: 0, alarms: 0, checks: 0 };
/** How often each outcome was reached (printed with the counts), to see that the random sequences go where it matters. */
export const outcomes: Record<string, number> = {};
export const reached = (what: string) => void (outcomes[what] = (outcomes[what] ?? 0) + 1);
let keyCounter = 0;

export const newKey = (what: string) => `${what}-${++keyCounter}-${crypto.randomUUID().slice(0, 8)}`;
export const fingerprint = (path: string, body: unknown) => canonicalJson({ method: 'POST', path, body });
export const isFinal = (status: number) => !(status === 400 || status === 401 || status === 429 || status >= 500);
export const since = (lo: number): Span => ({ lo, hi: now() });

/** Whether at most (strict: less than) `limit` ms lie between `from` and `at`, given both are spans. */
export function within(from: Span, at: Span, limit: number, strict: boolean): 'yes' | 'no' | 'either' {
  const ok = (x: number) => (strict ? x < limit : x <= limit);
  if (ok(at.hi - from.lo)) return 'yes';
  if (!ok(at.lo - from.hi)) return 'no';
  return 'either';
}

/** A span for a request about to be sent: it will have finished within two seconds. */
export const upcoming = (): Span => ({ lo: now(), hi: now() + 2_000 });

export function advance(m: Model, ms: number, why: string): void {
  advanceClock(ms);
  m.advanced += ms;
  m.trace.push(`  clock +${ms} ms (${why})`);
}

export function track(m: Model, p: PurchaseM): void {
  m.touched.add(p);
}

export function board(entries: Iterable<LeaderboardEntry>): LeaderboardEntry[] {
  // The room's SQL takes the top 10 by coins then name (binary order), then sorts for display.
  const sql = [...entries]
    .sort((a, b) => b.coins - a.coins || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, 10);
  return sql.sort((a, b) => b.coins - a.coins || a.name.localeCompare(b.name));
}

export function addTo(map: Map<string, LeaderboardEntry>, key: string, name: string, coins: number): void {
  const e = map.get(key);
  map.set(key, { name, coins: (e?.coins ?? 0) + coins });
}

export function accounted(p: PurchaseM): number {
  return p.refundedCoins + p.clawedBackCoins + p.writtenOff;
}

/**
 * A completed payment: coins arrive (repaying any debt first, since the balance is one signed number).
 * A closed account receives nothing: its Stripe payment goes straight back as a refund of the whole price.
 */
export function complete(m: Model, p: PurchaseM, at: Span): void {
  if (p.status !== 'pending' && p.status !== 'expired') return;
  if (p.owner.closed && !p.sandbox) {
    Object.assign(p, {
      status: 'refund_pending',
      completedAt: at,
      refundedCoins: p.coins,
      refundedAmount: p.price,
      pendingRefund: { coins: p.coins, amount: p.price },
    });
    p.owner.external -= p.coins;
    p.owner.refundPending += p.coins;
    m.apiRefunds++;
    p.providerTotal += p.price;
    newEvent(p, 'charge.refunded', { amount: p.providerTotal });
    reached('payment after deletion refunded');
    return;
  }
  p.status = 'completed';
  p.completedAt = at;
  p.owner.balance += p.coins;
  p.owner.external -= p.coins;
  p.owner.history.push({ kind: 'purchase', coins: p.coins, diamonds: 0, ref: p.id });
}

export function clawBack(p: PurchaseM, take: number, status?: PurchaseStatus): void {
  if (take > 0) {
    p.owner.balance -= take;
    p.owner.external += take;
    p.owner.history.push({ kind: 'clawback', coins: -take, diamonds: 0, ref: p.id });
  }
  p.clawedBackCoins += Math.max(0, take);
  p.status =
    status ?? (accounted(p) >= p.coins ? 'refunded' : accounted(p) > p.refundedCoins ? 'partially_refunded' : p.status);
}

/** The provider says `amount` (cumulative) went back: what our own refunds did not return is taken back, what was spent is written off. */
export function providerRefund(p: PurchaseM, amount: number): void {
  if (p.pendingRefund && amount >= p.refundedAmount) {
    // Stripe confirms our refund: its coins leave refund_pending for the provider.
    p.owner.refundPending -= p.pendingRefund.coins;
    p.owner.external += p.pendingRefund.coins;
    p.pendingRefund = null;
    if (p.status === 'refund_pending') p.status = accounted(p) >= p.coins ? 'refunded' : 'partially_refunded';
    reached('refund confirmed by webhook');
  }
  const target = Math.min(p.coins, Math.floor((amount * p.coins) / p.price));
  const owed = target - accounted(p);
  if (owed <= 0) return;
  const take = Math.min(owed, Math.max(0, p.owner.balance));
  p.writtenOff += owed - Math.max(0, take);
  clawBack(p, take);
}

export function dispute(p: PurchaseM): void {
  if (p.status === 'disputed') return;
  clawBack(p, p.coins - accounted(p), 'disputed');
}

/** What a refund of `p` asked by `caller` does when its key is fresh. */
export function freshRefund(caller: UserM, p: PurchaseM): { status: number; code?: string; coins?: number } {
  if (caller !== p.owner) return { status: 404, code: 'not_found' };
  if (p.status !== 'completed' && p.status !== 'partially_refunded') return { status: 409, code: 'conflict' };
  if (within(p.completedAt!, upcoming(), REFUND_WINDOW, false) === 'no') return { status: 409, code: 'conflict' };
  if (caller.balance < 0) return { status: 403, code: 'in_debt' };
  const coins = Math.min(p.coins - accounted(p), Math.max(0, caller.balance));
  return coins <= 0 ? { status: 409, code: 'conflict' } : { status: 200, coins };
}

export function newEvent(
  p: PurchaseM,
  type: StripeEventM['type'],
  opts: { amount?: number; metadata?: boolean } = {},
): StripeEventM {
  const e: StripeEventM = {
    id: `evt_${crypto.randomUUID().replace(/-/g, '')}`,
    type,
    amount: opts.amount,
    metadata: opts.metadata ?? true,
    delivered: false,
  };
  p.events.push(e);
  return e;
}

// ---- idempotency keys, as the wallet keeps them ----

/** What the wallet's idempotency layer does with this key, or nothing if it runs the request fresh. */
export function prior(store: Map<string, Stored>, key: string, fp: string, at: Span): Prior {
  const p = store.get(key);
  if (!p) return {};
  const alive = within(p.at, at, IDEMPOTENCY_TTL, true);
  if (alive === 'either') throw new Error('ambiguous idempotency window (resolve before sending)');
  if (alive === 'no') return {};
  return p.fingerprint === fp ? { replay: p } : { mismatch: true };
}

/** Moves the clock past the idempotency window's edge if a stored key sits right on it. */
export function resolveTtl(m: Model, store: Map<string, Stored>, key: string): void {
  const p = store.get(key);
  if (p && within(p.at, upcoming(), IDEMPOTENCY_TTL, true) === 'either')
    advance(m, 3_600_000, 'off the idempotency window edge');
}

export function remember(store: Map<string, Stored>, key: string, fp: string, r: Reply, at: Span): void {
  if (isFinal(r.status)) store.set(key, { fingerprint: fp, status: r.status, text: r.text, at });
}

export function purchaseCoins(body: Record<string, unknown>): number | null {
  if (typeof body.packId === 'string') {
    const n = Number(/^pack_(\d+)$/.exec(body.packId)?.[1]);
    return [100, 500, 1000, 2500, 5000, 10000].includes(n) ? n : null;
  }
  const c = body.coins as number;
  return c >= 100 && c <= 100_000 ? c : null;
}

export function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}
