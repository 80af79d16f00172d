import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AdminPayoutDecision,
  canonicalJson,
  COMBO_WINDOW,
  findGift,
  GiftRequest,
  IDEMPOTENCY_TTL,
  maskDestination,
  PayoutRequest,
  PurchaseRequest,
  REFUND_WINDOW,
  tierOf,
  type GiftPayload,
  type LeaderboardEntry,
  type PurchaseStatus,
  type StoredEvent,
} from '@giftstream/shared';
import { advanceClock, now } from '../../src/clock';
import { clearFaults, faults } from '../../src/faults';
import {
  ADMIN,
  call,
  creditQueueSize,
  Observer,
  outboxSize,
  type Reply,
  reportCounts,
  retryRoomNow,
  retryWalletNow,
  roomLog,
  roomStub,
  soakSetting,
  tolerate,
  until,
  walletStub,
} from '../helpers';
import { FakeStripe, makeEvent, postEvent } from '../stripe-fake';

/**
 * Model-based test of the money paths (fast-check `commands`): random sequences of sign-ups, sandbox and
 * Stripe purchases, webhook deliveries (duplicated, reordered, concurrent), gifts (concurrent, replayed,
 * replayed with another body), combos, refunds, clawbacks, payouts and operator decisions run against the
 * real worker in workerd, with faults injected into the same runs. After every step the deliveries are
 * settled and the real system is compared with a pure model: balances, every account of every book, the
 * history, purchases, payouts, the room's stored event log, leaderboard, goal, earnings and the audit.
 * Faults never enter the model: the outcome with faults must be the outcome without them.
 *
 * `npm test` runs a fixed seed; `npm run soak` runs many more (SOAK_RUNS, SOAK_SEED, SOAK_PATH to replay).
 */

const RUNS = Number(soakSetting('SOAK_RUNS') ?? 10);
const STEPS = Number(soakSetting('SOAK_STEPS') ?? 40);
/** The global audit pages over every wallet the file has made; a long soak runs it every Nth sequence (and at the end). */
const GLOBAL_AUDIT_EVERY = Number(soakSetting('SOAK_AUDIT_EVERY') ?? 1);
const SEED = Number(soakSetting('SOAK_SEED') ?? 20260426);
const PATH = soakSetting('SOAK_PATH');
const REPLAY_PATH = soakSetting('SOAK_REPLAY_PATH');
const SHRINK = soakSetting('SOAK_SHRINK') === '1';

const DESTINATION = 'DE89 3704 0044 0532 0130 00';
const MAX_USERS = 9;
const MAX_ADVANCE = 20 * 86_400_000;

// ---------------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------------

/** When something happened on the worker's clock: somewhere between lo and hi. */
interface Span {
  lo: number;
  hi: number;
}

interface Stored {
  fingerprint: string;
  status: number;
  text: string;
  at: Span;
}

interface Entry {
  kind: string;
  coins: number;
  diamonds: number;
  ref: string | null;
}

interface ComboM {
  id: string;
  count: number;
  coins: number;
  last: Span;
}

interface SessionM {
  coins: number;
  diamonds: number;
  gifts: number;
  supporters: Map<string, LeaderboardEntry>;
}

interface RoomM {
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

interface PurchaseM {
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

interface StripeEventM {
  id: string;
  type: 'checkout.session.completed' | 'checkout.session.expired' | 'charge.refunded' | 'charge.dispute.created';
  amount?: number;
  metadata: boolean;
  delivered: boolean;
}

interface PayoutM {
  id: string;
  owner: UserM;
  diamonds: number;
  status: 'requested' | 'paid' | 'rejected';
}

interface UserM {
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
  /** When this wallet's gift rate window counted a send (upper bounds). */
  takes: number[];
  room: RoomM | null;
  lastGift: { key: string; handle: string; body: Record<string, unknown> } | null;
  lastBuy: { key: string; body: Record<string, unknown> } | null;
  lastRefund: { key: string; purchase: PurchaseM } | null;
  lastPayout: { key: string; body: Record<string, unknown> } | null;
}

interface Model {
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

interface Real {
  stripe: FakeStripe;
}

const totals = { sequences: 0, steps: 0, requests: 0, gifts: 0, webhooks: 0, faults: 0, alarms: 0, checks: 0 };
/** How often each outcome was reached (printed with the counts), to see that the random sequences go where it matters. */
const outcomes: Record<string, number> = {};
const reached = (what: string) => void (outcomes[what] = (outcomes[what] ?? 0) + 1);
let runCounter = 0;
let keyCounter = 0;

const newKey = (what: string) => `${what}-${++keyCounter}-${crypto.randomUUID().slice(0, 8)}`;
const fingerprint = (path: string, body: unknown) => canonicalJson({ method: 'POST', path, body });
const isFinal = (status: number) => !(status === 400 || status === 401 || status === 429 || status >= 500);
const since = (lo: number): Span => ({ lo, hi: now() });

/** Whether at most (strict: less than) `limit` ms lie between `from` and `at`, given both are spans. */
function within(from: Span, at: Span, limit: number, strict: boolean): 'yes' | 'no' | 'either' {
  const ok = (x: number) => (strict ? x < limit : x <= limit);
  if (ok(at.hi - from.lo)) return 'yes';
  if (!ok(at.lo - from.hi)) return 'no';
  return 'either';
}

/** A span for a request about to be sent: it will have finished within two seconds. */
const upcoming = (): Span => ({ lo: now(), hi: now() + 2_000 });

function advance(m: Model, ms: number, why: string): void {
  advanceClock(ms);
  m.advanced += ms;
  m.trace.push(`  clock +${ms} ms (${why})`);
}

function track(m: Model, p: PurchaseM): void {
  m.touched.add(p);
}

function board(entries: Iterable<LeaderboardEntry>): LeaderboardEntry[] {
  // The room's SQL takes the top 10 by coins then name (binary order), then sorts for display.
  const sql = [...entries]
    .sort((a, b) => b.coins - a.coins || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, 10);
  return sql.sort((a, b) => b.coins - a.coins || a.name.localeCompare(b.name));
}

function addTo(map: Map<string, LeaderboardEntry>, key: string, name: string, coins: number): void {
  const e = map.get(key);
  map.set(key, { name, coins: (e?.coins ?? 0) + coins });
}

function accounted(p: PurchaseM): number {
  return p.refundedCoins + p.clawedBackCoins + p.writtenOff;
}

/**
 * A completed payment: coins arrive (repaying any debt first, since the balance is one signed number).
 * A closed account receives nothing: its Stripe payment goes straight back as a refund of the whole price.
 */
function complete(m: Model, p: PurchaseM, at: Span): void {
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

function clawBack(p: PurchaseM, take: number, status?: PurchaseStatus): void {
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
function providerRefund(p: PurchaseM, amount: number): void {
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

function dispute(p: PurchaseM): void {
  if (p.status === 'disputed') return;
  clawBack(p, p.coins - accounted(p), 'disputed');
}

// ---------------------------------------------------------------------------------------------------
// Talking to the worker
// ---------------------------------------------------------------------------------------------------

async function req(path: string, opts: Parameters<typeof call>[1] = {}): Promise<Reply> {
  totals.requests++;
  return call(path, opts);
}

function describeReply(r: Reply): string {
  return `${r.status} ${r.text.slice(0, 300)}`;
}

function expectError(r: Reply, status: number, code: string, what: string): void {
  reached(`${what.split(' ')[0]} ${code}`);
  expect(r.status, `${what}: ${describeReply(r)}`).toBe(status);
  expect(r.json?.error?.code, `${what}: ${describeReply(r)}`).toBe(code);
}

async function signupUser(m: Model, adult: boolean, label: string, name: string): Promise<UserM> {
  const year = new Date(now()).getUTCFullYear();
  const email = `${label}-${crypto.randomUUID().slice(0, 8)}@trust.example`;
  const r = await req('/v1/auth/signup', {
    body: {
      email,
      password: 'a long enough password',
      displayName: name,
      birthdate: adult ? '1988-02-29' : `${year - 15}-06-01`,
    },
  });
  expect(r.status, describeReply(r)).toBe(201);
  expect(r.json.user).toMatchObject({ displayName: name, adult });
  return {
    label,
    id: r.json.user.id,
    token: r.json.token,
    name,
    adult,
    balance: 0,
    external: 0,
    refundPending: 0,
    closed: false,
    spent: 0,
    diamonds: 0,
    issued: 0,
    pending: 0,
    paidOut: 0,
    history: [],
    keys: new Map(),
    operatorKeys: new Map(),
    combos: new Map(),
    takes: [],
    room: null,
    lastGift: null,
    lastBuy: null,
    lastRefund: null,
    lastPayout: null,
  };
}

async function newRun(real: Real): Promise<Model> {
  const run = ++runCounter;
  const m: Model = {
    run,
    users: [],
    closed: [],
    rooms: [],
    purchases: [],
    payouts: [],
    lastDecision: null,
    operatorBindings: new Map(),
    seenEvents: new Set(),
    advanced: 0,
    apiRefunds: 0,
    trace: [`run ${run}`],
    touched: new Set(),
    busy: new Set(),
  };
  const people = await Promise.all([
    signupUser(m, true, `r${run}c0`, `Streamer ${run}-A`),
    signupUser(m, true, `r${run}c1`, `Streamer ${run}-B`),
    signupUser(m, true, `r${run}v0`, `Fan ${run}-0`),
    signupUser(m, true, `r${run}v1`, `Fan ${run}-1`),
    signupUser(m, true, `r${run}v2`, `Fan ${run}-2`),
  ]);
  m.users.push(...people);
  for (const [i, creator] of people.slice(0, 2).entries()) {
    const handle = `t${run}_${i}_${crypto.randomUUID().slice(0, 6)}`;
    const r = await req('/v1/creators', { token: creator.token, body: { handle, channels: [] } });
    expect(r.status, describeReply(r)).toBe(201);
    const room: RoomM = {
      handle,
      owner: creator,
      live: false,
      liveLog: [],
      sessions: [],
      goal: null,
      goalTouched: false,
      gifts: new Map(),
      combos: new Map(),
      allTime: new Map(),
      observer: new Observer(handle),
    };
    creator.room = room;
    m.rooms.push(room);
    await room.observer.open();
    await setLive(m, room, true);
  }
  // Every viewer starts with coins, bought the ordinary way, so short sequences still move real amounts
  // (creators reach the payout minimum of 1,430 diamonds).
  // The first viewer pays through Stripe only, so a dispute after spending leaves a debt; the checkout of
  // the second is still waiting for its webhook.
  await new StripeBuyCmd(2, 5000, false, false).step(m, real);
  const paid = m.purchases.at(-1)!;
  await deliverEvent(m, paid, paid.events[0]!, 1, false);
  for (const v of people.slice(3)) await buyBatch(m, v, [{ body: { packId: 'pack_10000' }, key: newKey('buy') }]);
  await new StripeBuyCmd(3, 1000, false, false).step(m, real);
  await verify(m, false);
  return m;
}

// ---- settling deliveries ----

/** Delivers everything queued (retrying "now" instead of after the backoff), then runs each room's alarm once. */
let lastSettle = 0;
const PROFILE = soakSetting('SOAK_PROFILE') === '1';
async function settle(m: Model, full: boolean): Promise<number> {
  const started = Date.now();
  try {
    return await settleInner(m, full);
  } finally {
    m.busy.clear();
    lastSettle = Date.now() - started;
  }
}
async function settleInner(m: Model, full: boolean): Promise<number> {
  const users = m.users.filter((u) => full || m.busy.has(u));
  const rooms = m.rooms.filter((r) => full || m.busy.has(r));
  for (let round = 0; ; round++) {
    const outs = await Promise.all(users.map(async (u) => ({ u, n: await tolerate(outboxSize(u.id)) })));
    const queues = await Promise.all(rooms.map(async (r) => ({ r, n: await tolerate(creditQueueSize(r.handle)) })));
    const busy = [
      ...outs.filter((o) => o.n !== 0).map((o) => tolerate(retryWalletNow(o.u.id))),
      ...queues.filter((q) => q.n !== 0).map((q) => tolerate(retryRoomNow(q.r.handle))),
    ];
    if (!busy.length) break;
    if (round > 60)
      throw new Error(
        `deliveries did not settle: outboxes ${JSON.stringify(outs.map((o) => o.n))}, credit queues ${JSON.stringify(queues.map((q) => q.n))}`,
      );
    await Promise.all(busy);
    if (round > 1) await new Promise((r) => setTimeout(r, 15));
  }
  clearFaults();
  const alarmAt = now();
  await Promise.all(m.rooms.map((r) => tolerate(retryRoomNow(r.handle))));
  return alarmAt;
}

// ---- checking the real system against the model ----

function sortEntries(entries: Entry[]): string[] {
  return entries.map((e) => JSON.stringify([e.kind, e.coins, e.diamonds, e.ref])).sort();
}

function expectedBalances(u: UserM): Record<string, number> {
  const all: Record<string, number> = {
    'coins:user': u.balance,
    'coins:external': u.external,
    'coins:refund_pending': u.refundPending,
    'coins:platform': u.spent,
    'diamonds:user': u.diamonds,
    'diamonds:platform': u.issued,
    'diamonds:payout_pending': u.pending,
    'diamonds:external': u.paidOut,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== 0));
}

async function checkUser(u: UserM): Promise<void> {
  const [w, h, a] = await Promise.all([
    req('/v1/wallet', { token: u.token }),
    req('/v1/wallet/history?limit=200', { token: u.token }),
    walletStub(u.id).audit(),
  ]);
  expect(w.status, describeReply(w)).toBe(200);
  expect(
    { coins: w.json.coins, debt: w.json.debt, diamonds: w.json.diamonds, diamondsPending: w.json.diamondsPending },
    `${u.label} wallet`,
  ).toEqual({
    coins: Math.max(0, u.balance),
    debt: Math.max(0, -u.balance),
    diamonds: u.diamonds,
    diamondsPending: u.pending,
  });
  expect(h.status).toBe(200);
  expect(h.json.next, `${u.label} history fits one page`).toBeNull();
  // Newest first: in the order the wallet applied them, so by time. Not by id: a gift's id is minted by
  // the request before the wallet orders it, so of two gifts sent at once the later id may land first.
  const ats = h.json.entries.map((e: { at: number }) => e.at);
  expect(ats, `${u.label} history newest first`).toEqual([...ats].sort((a, b) => b - a));
  expect(new Set(h.json.entries.map((e: { id: string }) => e.id)).size, `${u.label} history ids unique`).toBe(
    ats.length,
  );
  expect(sortEntries(h.json.entries), `${u.label} history`).toEqual(sortEntries(u.history));
  expect(a.violations, `${u.label} audit`).toEqual([]);
  const real = Object.fromEntries(Object.entries(a.balances).filter(([, v]) => v !== 0));
  expect(real, `${u.label} accounts`).toEqual(expectedBalances(u));
}

/** A deleted account: its session is dead; its wallet balances as the model says and holds nothing spendable. */
async function checkClosed(u: UserM): Promise<void> {
  const a = await walletStub(u.id).audit();
  expect(a.violations, `${u.label} audit (closed)`).toEqual([]);
  expect(a.closedAt, `${u.label} is closed`).not.toBeNull();
  const real = Object.fromEntries(Object.entries(a.balances).filter(([, v]) => v !== 0));
  expect(real, `${u.label} accounts (closed)`).toEqual(expectedBalances(u));
}

function giftView(e: StoredEvent & { type: 'gift' }): Record<string, unknown> {
  const { v: _v, seq: _s, at: _a, type: _t, ...rest } = e;
  return rest;
}

async function checkRoom(room: RoomM, alarmAt: number): Promise<void> {
  const [log, snap, earnings] = await Promise.all([
    roomLog(room.handle),
    req(`/v1/rooms/${room.handle}`),
    room.owner.closed ? null : req('/v1/creator/earnings', { token: room.owner.token }),
  ]);
  const readAt = now();
  const what = `room ${room.handle}`;
  expect(
    log.map((e) => e.seq),
    `${what}: seq rises by one from 1`,
  ).toEqual(log.map((_, i) => i + 1));
  const gifts = log.filter((e): e is StoredEvent & { type: 'gift' } => e.type === 'gift');
  expect(new Set(gifts.map((g) => g.id)).size, `${what}: each gift logged once`).toBe(gifts.length);
  const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.id).localeCompare(String(b.id));
  expect(gifts.map(giftView).sort(byId), `${what}: the gift log`).toEqual([...room.gifts.values()].sort(byId));
  const ends = log.filter((e): e is StoredEvent & { type: 'combo_end' } => e.type === 'combo_end');
  expect(new Set(ends.map((e) => e.comboId)).size, `${what}: one combo_end per combo`).toBe(ends.length);
  for (const end of ends) {
    const c = room.combos.get(end.comboId);
    expect(c, `${what}: combo_end for a combo that exists`).toBeDefined();
    expect({ count: end.count, coins: end.coins }, `${what}: combo_end totals`).toEqual({
      count: c!.count,
      coins: c!.coins,
    });
    expect(
      readAt - c!.last.lo >= COMBO_WINDOW,
      `${what}: combo_end only ${COMBO_WINDOW} ms after the combo's last gift`,
    ).toBe(true);
  }
  for (const [id, c] of room.combos) {
    if (alarmAt - c.last.hi >= COMBO_WINDOW)
      expect(
        ends.some((e) => e.comboId === id),
        `${what}: combo ${id} has ended`,
      ).toBe(true);
  }
  expect(
    log.filter((e) => e.type === 'live').map((e) => (e as { live: boolean }).live),
    `${what}: live events`,
  ).toEqual(room.liveLog);
  const session = room.sessions.at(-1);
  const boards = log.filter((e): e is StoredEvent & { type: 'leaderboard' } => e.type === 'leaderboard');
  if (session)
    expect(boards.at(-1)?.leaderboard, `${what}: last leaderboard event`).toEqual(board(session.supporters.values()));
  if (room.goalTouched)
    expect(
      (log.filter((e) => e.type === 'goal').at(-1) as { goal: unknown } | undefined)?.goal,
      `${what}: last goal event`,
    ).toEqual(room.goal);

  expect(snap.status).toBe(200);
  expect(
    { live: snap.json.room.live.live, goal: snap.json.room.goal, leaderboard: snap.json.room.leaderboard },
    `${what}: snapshot`,
  ).toEqual({
    live: room.live,
    goal: room.goal,
    leaderboard: room.live && session ? board(session.supporters.values()) : [],
  });
  // A combo may close (by the room's own alarm) between the two reads, so the snapshot is at least as new.
  expect(snap.json.room.seq, `${what}: snapshot seq`).toBeGreaterThanOrEqual(log.length);

  if (!earnings) return;
  expect(earnings.status).toBe(200);
  expect(
    {
      diamonds: earnings.json.diamonds,
      pending: earnings.json.pendingPayouts.diamonds,
      sessions: earnings.json.sessions.map((s: SessionM) => ({ coins: s.coins, diamonds: s.diamonds, gifts: s.gifts })),
      topSupporters: earnings.json.topSupporters,
    },
    `${what}: earnings`,
  ).toEqual({
    diamonds: room.owner.diamonds,
    pending: room.owner.pending,
    sessions: [...room.sessions].reverse().map((s) => ({ coins: s.coins, diamonds: s.diamonds, gifts: s.gifts })),
    topSupporters: board(room.allTime.values()),
  });
}

async function checkPurchase(p: PurchaseM): Promise<void> {
  let view: { status: string; coins: number; refundedCoins: number; clawedBackCoins: number; sandbox: boolean } | null;
  if (p.owner.closed) view = await walletStub(p.owner.id).purchase(p.id);
  else {
    const r = await req(`/v1/purchases/${p.id}`, { token: p.owner.token });
    expect(r.status, describeReply(r)).toBe(200);
    view = r.json.purchase;
  }
  expect(view, `purchase ${p.id}`).not.toBeNull();
  const { status, coins, refundedCoins, clawedBackCoins, sandbox } = view!;
  expect({ status, coins, refundedCoins, clawedBackCoins, sandbox }, `purchase ${p.id}`).toEqual({
    status: p.status,
    coins: p.coins,
    refundedCoins: p.refundedCoins,
    clawedBackCoins: p.clawedBackCoins,
    sandbox: p.sandbox,
  });
}

async function checkPayouts(u: UserM, m: Model): Promise<void> {
  const r = await req('/v1/creator/payouts', { token: u.token });
  expect(r.status).toBe(200);
  const mine = m.payouts.filter((p) => p.owner === u);
  expect(
    r.json.payouts
      .map((p: PayoutM) => ({ id: p.id, diamonds: p.diamonds, status: p.status }))
      .sort((a: PayoutM, b: PayoutM) => a.id.localeCompare(b.id)),
    `${u.label} payouts`,
  ).toEqual(
    mine.map((p) => ({ id: p.id, diamonds: p.diamonds, status: p.status })).sort((a, b) => a.id.localeCompare(b.id)),
  );
}

async function verify(m: Model, full: boolean): Promise<void> {
  totals.checks++;
  const alarmAt = await settle(m, full);
  clearFaults();
  const purchases = full ? m.purchases : [...m.touched];
  m.touched.clear();
  await Promise.all([
    ...m.users.map((u) => checkUser(u)),
    ...m.closed.map((u) => checkClosed(u)),
    ...m.rooms.map((r) => checkRoom(r, alarmAt)),
    ...purchases.map((p) => checkPurchase(p)),
    ...(full ? m.rooms.filter((r) => !r.owner.closed).map((r) => checkPayouts(r.owner, m)) : []),
  ]);
}

async function globalAudit(): Promise<void> {
  let cursor: string | undefined;
  do {
    const r = await req(`/v1/admin/audit${cursor ? `?cursor=${cursor}` : ''}`, { token: ADMIN });
    expect(r.status).toBe(200);
    expect(r.json.violations, 'global audit').toEqual([]);
    expect(r.json.ok).toBe(true);
    expect(r.json.sums).toEqual({ coins: 0, diamonds: 0 });
    cursor = r.json.next;
  } while (cursor);
}

/** The end of a sequence: every combo closes, then everything is checked, the overlays' view and the global audit too. */
async function finish(m: Model, real: Real): Promise<void> {
  advance(m, COMBO_WINDOW + 1_000, 'close every combo');
  await verify(m, true);
  for (const room of m.rooms) {
    const log = await roomLog(room.handle);
    const last = log.at(-1)?.seq ?? 0;
    await room.observer.ensureOpen();
    await until(
      `the observer of ${room.handle} to see seq ${last}`,
      () => Math.max(0, ...room.observer.seqs),
      (s) => s >= last,
    );
    const seen = room.observer.seqs;
    const first = seen[0] ?? last + 1;
    expect(
      seen,
      `${room.handle}: the overlay saw every stored event once, in order (reconnects: ${room.observer.reconnects})`,
    ).toEqual(log.filter((e) => e.seq >= first).map((e) => e.seq));
    room.observer.close();
  }
  const d1 = await req('/v1/admin/payouts', { token: ADMIN });
  const indexed = new Map<string, string>(d1.json.payouts.map((p: { id: string; status: string }) => [p.id, p.status]));
  for (const p of m.payouts) expect(indexed.get(p.id), `payout ${p.id} in the operator's index`).toBe(p.status);
  const pis = new Set(m.purchases.filter((p) => !p.sandbox).map((p) => p.paymentIntent));
  expect(
    real.stripe.madeRefunds.filter((r) => pis.has(r.paymentIntent)).length,
    'refunds asked of Stripe, once each',
  ).toBe(m.apiRefunds);
  if (totals.sequences % GLOBAL_AUDIT_EVERY === 0) await globalAudit();
  totals.sequences++;
  if (RUNS > 10 && totals.sequences % 10 === 0)
    console.log(
      `soak progress: ${totals.sequences}/${RUNS} sequences, ${totals.steps} steps, ${Math.round((Date.now() - startedAt) / 1000)} s`,
    );
}
const startedAt = Date.now();

// ---------------------------------------------------------------------------------------------------
// Operations shared by commands
// ---------------------------------------------------------------------------------------------------

type KeyMode = 'fresh' | 'reuse' | 'mismatch';

interface Prior {
  replay?: Stored;
  mismatch?: boolean;
}

/** What the wallet's idempotency layer does with this key, or nothing if it runs the request fresh. */
function prior(store: Map<string, Stored>, key: string, fp: string, at: Span): Prior {
  const p = store.get(key);
  if (!p) return {};
  const alive = within(p.at, at, IDEMPOTENCY_TTL, true);
  if (alive === 'either') throw new Error('ambiguous idempotency window (resolve before sending)');
  if (alive === 'no') return {};
  return p.fingerprint === fp ? { replay: p } : { mismatch: true };
}

/** Moves the clock past the idempotency window's edge if a stored key sits right on it. */
function resolveTtl(m: Model, store: Map<string, Stored>, key: string): void {
  const p = store.get(key);
  if (p && within(p.at, upcoming(), IDEMPOTENCY_TTL, true) === 'either')
    advance(m, 3_600_000, 'off the idempotency window edge');
}

function remember(store: Map<string, Stored>, key: string, fp: string, r: Reply, at: Span): void {
  if (isFinal(r.status)) store.set(key, { fingerprint: fp, status: r.status, text: r.text, at });
}

/** Retries a request that failed with a 5xx, as a client would: same key, same body. */
async function withRetries(send: () => Promise<Reply>, allowed: { n: number }, what: string): Promise<Reply> {
  let r = await send();
  while (r.status >= 500) {
    expect(allowed.n, `${what}: unexpected ${describeReply(r)}`).toBeGreaterThan(0);
    allowed.n--;
    r = await send();
  }
  return r;
}

// ---- purchases ----

interface BuyEl {
  body: Record<string, unknown>;
  key: string;
  copies?: number;
}

function purchaseCoins(body: Record<string, unknown>): number | null {
  if (typeof body.packId === 'string') {
    const n = Number(/^pack_(\d+)$/.exec(body.packId)?.[1]);
    return [100, 500, 1000, 2500, 5000, 10000].includes(n) ? n : null;
  }
  const c = body.coins as number;
  return c >= 100 && c <= 100_000 ? c : null;
}

/** Sandbox purchases, possibly several at once; a copy repeats the element's key. */
async function buyBatch(m: Model, u: UserM, els: BuyEl[]): Promise<void> {
  for (const el of els) resolveTtl(m, u.keys, el.key);
  const t0 = now();
  const sends = els.map((el) =>
    Promise.all(
      Array.from({ length: el.copies ?? 1 }, () =>
        req('/v1/purchases', { token: u.token, key: el.key, body: el.body }),
      ),
    ),
  );
  const replies = await Promise.all(sends);
  const at = since(t0);
  const fresh: { el: BuyEl; r: Reply; coins: number }[] = [];
  for (const [i, el] of els.entries()) {
    const rs = replies[i]!;
    const r = rs[0]!;
    for (const other of rs) expect(other.text, 'copies under one key answer byte for byte the same').toBe(r.text);
    const coins = purchaseCoins(el.body);
    const fp = fingerprint('/v1/purchases', PurchaseRequest.parse(el.body));
    const what = `buy ${JSON.stringify(el.body)} by ${u.label}`;
    if (coins === null) {
      expectError(r, 400, 'invalid_request', what);
      continue;
    }
    const p = prior(u.keys, el.key, fp, at);
    if (p.replay) {
      expect(r.text, `${what}: replay`).toBe(p.replay.text);
      continue;
    }
    if (p.mismatch) {
      expectError(r, 409, 'idempotency_mismatch', what);
      continue;
    }
    if (!u.adult) {
      expectError(r, 403, 'age_restricted', what);
      remember(u.keys, el.key, fp, r, at);
      continue;
    }
    expect(r.status, `${what}: ${describeReply(r)}`).toBe(201);
    reached('buy 201');
    expect(r.json.purchase, what).toMatchObject({
      status: 'completed',
      coins,
      price: { amount: coins, currency: 'USD' },
      sandbox: true,
      rateVersion: 1,
      refundedCoins: 0,
      clawedBackCoins: 0,
    });
    fresh.push({ el, r, coins });
    remember(u.keys, el.key, fp, r, at);
  }
  // Concurrent purchases may commit in any order: some order must explain every reported balance.
  const start = u.balance;
  const orders = permutations(fresh);
  const explained = orders.some((order) => {
    let b = start;
    return order.every((f) => {
      b += f.coins;
      return f.r.json.wallet.coins === Math.max(0, b);
    });
  });
  expect(explained, `reported balances ${JSON.stringify(fresh.map((f) => f.r.json.wallet.coins))} from ${start}`).toBe(
    true,
  );
  for (const f of fresh) {
    const pm: PurchaseM = {
      id: f.r.json.purchase.id,
      owner: u,
      coins: f.coins,
      price: f.coins,
      sandbox: true,
      status: 'pending',
      completedAt: null,
      refundedCoins: 0,
      refundedAmount: 0,
      pendingRefund: null,
      clawedBackCoins: 0,
      writtenOff: 0,
      paymentIntent: '',
      sessionId: '',
      piIndexed: false,
      providerTotal: 0,
      events: [],
      key: f.el.key,
    };
    complete(m, pm, at);
    m.purchases.push(pm);
    track(m, pm);
  }
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

// ---- rooms ----

async function setLive(m: Model, room: RoomM, live: boolean): Promise<void> {
  const r = await req('/v1/creator/live', { token: room.owner.token, body: { live } });
  expect(r.status, describeReply(r)).toBe(200);
  expect(r.json.live.live).toBe(live);
  if (room.live !== live) {
    room.live = live;
    room.liveLog.push(live);
    if (live) room.sessions.push({ coins: 0, diamonds: 0, gifts: 0, supporters: new Map() });
  }
  m.trace.push(`  ${room.handle} ${live ? 'live' : 'offline'}`);
}

// ---- gifts ----

interface GiftEl {
  sender: UserM;
  room: RoomM;
  body: { giftId: string; count?: number; anonymous?: boolean; message?: string };
  key: string;
  copies: number;
}

interface FaultPlan {
  roomRefusesDelivery: number;
  roomRestartsAfterLogging: number;
  walletRefusesCredit: number;
  walletThrowsAfterDebit: number;
  alarmsDuring: boolean;
  alarmsTwice: boolean;
  /** Acknowledgements lost: the gifts reach the room again, and their diamonds the creator's wallet again. */
  redeliver: boolean;
}

const NO_FAULTS: FaultPlan = {
  roomRefusesDelivery: 0,
  roomRestartsAfterLogging: 0,
  walletRefusesCredit: 0,
  walletThrowsAfterDebit: 0,
  alarmsDuring: false,
  alarmsTwice: false,
  redeliver: false,
};

/** Sends delivered gifts to their room a second and third time, and their credits to the creator's wallet again. */
async function redeliver(m: Model, gifts: { room: RoomM; id: string }[]): Promise<void> {
  await settle(m, false);
  for (const room of new Set(gifts.map((g) => g.room))) {
    const ids = gifts.filter((g) => g.room === room).map((g) => g.id);
    m.busy.add(room);
    const payloads = await runInDurableObject(roomStub(room.handle), (_r, state) =>
      state.storage.sql
        .exec<{ data: string }>(`SELECT data FROM gifts WHERE transfer_id IN (${ids.map(() => '?').join(',')})`, ...ids)
        .toArray()
        .map((r) => JSON.parse(r.data) as GiftPayload),
    );
    expect(payloads.length, 'every gift of the batch reached its room').toBe(ids.length);
    const acks = await Promise.all([
      roomStub(room.handle).receiveGifts(payloads),
      roomStub(room.handle).receiveGifts(payloads),
    ]);
    for (const a of acks) expect([...a].sort(), 'a redelivery is acknowledged').toEqual([...ids].sort());
    const items = payloads.map((p) => ({
      transferId: p.transferId,
      diamonds: p.diamonds,
      rateVersion: p.rateVersion,
      from: p.anonymous ? null : p.fromName,
    }));
    const credit = await walletStub(room.owner.id).creditGifts(`replayed_${ids[0]}`, items);
    expect(credit, 'credits seen before are not credited again').toEqual({
      credited: 0,
      duplicates: items.length,
      forfeited: 0,
    });
  }
}

async function fireAlarms(m: Model, senders: UserM[], rooms: RoomM[]): Promise<void> {
  totals.alarms += senders.length + rooms.length * 2;
  await Promise.all([
    ...senders.map((u) => tolerate(runDurableObjectAlarm(walletStub(u.id)))),
    ...senders.map((u) => tolerate(runInDurableObject(walletStub(u.id), (w) => w.alarm!()))),
    ...rooms.map((r) => tolerate(runDurableObjectAlarm(roomStub(r.handle)))),
    ...rooms.map((r) => tolerate(runInDurableObject(roomStub(r.handle), (room) => room.alarm!()))),
  ]);
}

/**
 * Sends gifts at once (or one, for a sequential step). Outcomes that do not depend on the order are
 * predicted exactly; for debits that compete for one wallet's coins, some serial order must explain
 * every answer. Faults are armed for the batch; the settled outcome must be the fault-free one.
 */
async function giftBatch(m: Model, els: GiftEl[], plan: FaultPlan): Promise<void> {
  // Keep clear of the per-wallet gift rate limit, which abuse.test.ts covers.
  const sends = els.reduce((n, e) => n + e.copies, 0);
  for (const u of new Set(els.map((e) => e.sender))) {
    u.takes = u.takes.filter((t) => now() - t < 1_100);
    if (u.takes.length + sends > 40) {
      advance(m, 1_100, 'gift rate window');
      for (const v of m.users) v.takes = [];
    }
  }
  for (const el of els) {
    resolveTtl(m, el.sender.keys, el.key);
    const c = el.sender.combos.get(`${el.room.handle}:${el.body.giftId}`);
    if (c && within(c.last, upcoming(), COMBO_WINDOW, false) === 'either')
      advance(m, COMBO_WINDOW + 1_000, 'off a combo window edge');
  }

  Object.assign(faults, {
    roomRefusesDelivery: plan.roomRefusesDelivery,
    roomRestartsAfterLogging: plan.roomRestartsAfterLogging,
    walletRefusesCredit: plan.walletRefusesCredit,
    walletThrowsAfterDebit: plan.walletThrowsAfterDebit,
  });
  totals.faults +=
    plan.roomRefusesDelivery +
    plan.roomRestartsAfterLogging +
    plan.walletRefusesCredit +
    plan.walletThrowsAfterDebit +
    (plan.alarmsDuring ? 1 : 0) +
    (plan.alarmsTwice ? 1 : 0) +
    (plan.redeliver ? 1 : 0);
  const throws = { n: plan.walletThrowsAfterDebit };
  const senders = [...new Set(els.map((e) => e.sender))];
  const rooms = [...new Set(els.map((e) => e.room))];
  for (const x of [...senders, ...rooms]) m.busy.add(x);
  const t0 = now();
  const sending = Promise.all(
    els.map((el) =>
      Promise.all(
        Array.from({ length: el.copies }, () =>
          withRetries(
            () => req(`/v1/rooms/${el.room.handle}/gifts`, { token: el.sender.token, key: el.key, body: el.body }),
            throws,
            `gift by ${el.sender.label}`,
          ),
        ),
      ),
    ),
  );
  const [replies] = await Promise.all([sending, plan.alarmsDuring ? fireAlarms(m, senders, rooms) : Promise.resolve()]);
  const at = since(t0);
  totals.gifts += sends;
  for (const u of senders) u.takes.push(...Array.from({ length: sends }, () => at.hi));
  if (plan.alarmsTwice) {
    await fireAlarms(m, senders, rooms);
    await fireAlarms(m, senders, rooms);
  }
  const delivered: { room: RoomM; id: string }[] = [];

  type Debit = { el: GiftEl; r: Reply; coins: number; fp: string };
  const debits = new Map<UserM, Debit[]>();
  const failures = new Map<UserM, Debit[]>();
  for (const [i, el] of els.entries()) {
    const rs = replies[i]!;
    const r = rs[0]!;
    const what = `gift ${JSON.stringify(el.body)} by ${el.sender.label} to ${el.room.handle}`;
    for (const other of rs)
      expect(other.text, `${what}: copies under one key answer byte for byte the same`).toBe(r.text);
    const gift = findGift(el.body.giftId)!;
    const parsed = GiftRequest.parse(el.body);
    const coins = gift.coins * parsed.count;
    const fp = fingerprint(`/v1/rooms/${el.room.handle}/gifts`, parsed);
    if (el.sender === el.room.owner) {
      expectError(r, 403, 'self_gift', what);
      continue;
    }
    const p = prior(el.sender.keys, el.key, fp, at);
    if (p.replay) {
      expect(r.text, `${what}: replay`).toBe(p.replay.text);
      reached('gift replayed');
      continue;
    }
    if (p.mismatch) {
      expectError(r, 409, 'idempotency_mismatch', what);
      continue;
    }
    const fixed: [number, string] | null = !el.sender.adult
      ? [403, 'age_restricted']
      : !el.room.live
        ? [409, 'not_live']
        : el.sender.balance < 0
          ? [403, 'in_debt']
          : null;
    if (fixed) {
      expectError(r, fixed[0], fixed[1], what);
      remember(el.sender.keys, el.key, fp, r, at);
      continue;
    }
    const d: Debit = { el, r, coins, fp };
    if (r.status === 201) debits.set(el.sender, [...(debits.get(el.sender) ?? []), d]);
    else {
      expectError(r, 402, 'insufficient_funds', what);
      failures.set(el.sender, [...(failures.get(el.sender) ?? []), d]);
    }
    remember(el.sender.keys, el.key, fp, r, at);
  }

  for (const u of senders) {
    const ok = (debits.get(u) ?? []).sort((a, b) => b.r.json.wallet.coins - a.r.json.wallet.coins);
    const failed = failures.get(u) ?? [];
    const spent = ok.reduce((s, d) => s + d.coins, 0);
    expect(spent, `${u.label}: debits within the balance ${u.balance}`).toBeLessThanOrEqual(Math.max(0, u.balance));
    for (const f of failed)
      expect(
        f.coins,
        `${u.label}: a refused gift that the balance left after the others could have paid`,
      ).toBeGreaterThan(u.balance - spent);
    let b = u.balance;
    for (const d of ok) {
      b -= d.coins;
      expect(d.r.json.wallet.coins, `${u.label}: balances reported by concurrent gifts follow one serial order`).toBe(
        b,
      );
      applyGift(m, d.el, d.r, d.coins, at);
      delivered.push({ room: d.el.room, id: d.r.json.gift.id });
    }
  }
  if (plan.redeliver && delivered.length) await redeliver(m, delivered);
}

function applyGift(m: Model, el: GiftEl, r: Reply, coins: number, at: Span): void {
  const { sender, room } = el;
  reached('gift 201');
  const gift = findGift(el.body.giftId)!;
  const parsed = GiftRequest.parse(el.body);
  const id: string = r.json.gift.id;
  const comboKey = `${room.handle}:${gift.id}`;
  const prev = sender.combos.get(comboKey);
  const continues = prev ? within(prev.last, at, COMBO_WINDOW, false) : 'no';
  const got = r.json.gift.combo;
  if (continues === 'yes') reached('gift continues a combo');
  if (continues === 'yes')
    expect(got, 'gift continues its combo').toEqual({ id: prev!.id, count: prev!.count + parsed.count });
  else if (continues === 'no') expect(got, 'gift starts a combo').toEqual({ id, count: parsed.count });
  else expect([prev!.id, id], 'gift continues or starts a combo').toContain(got.id);
  const message = parsed.message || undefined;
  expect(r.json.gift, 'gift reply').toEqual({
    id,
    giftId: gift.id,
    count: parsed.count,
    coins,
    anonymous: parsed.anonymous,
    ...(message ? { message } : {}),
    combo: got,
  });

  sender.balance -= coins;
  sender.spent += coins;
  sender.history.push({ kind: 'gift', coins: -coins, diamonds: 0, ref: id });
  const owner = room.owner;
  owner.diamonds += coins;
  owner.issued -= coins;
  owner.history.push({ kind: 'creator_share', coins: 0, diamonds: coins, ref: id });

  const combo =
    got.id === prev?.id
      ? { ...prev!, count: got.count, last: at }
      : { id, count: parsed.count, coins: 0, last: at, room };
  sender.combos.set(comboKey, { ...combo, room });
  const roomCombo = room.combos.get(got.id) ?? { id: got.id, count: 0, coins: 0, last: at };
  room.combos.set(got.id, {
    id: got.id,
    count: roomCombo.count + parsed.count,
    coins: roomCombo.coins + coins,
    last: at,
  });

  const session = room.sessions.at(-1)!;
  session.coins += coins;
  session.diamonds += coins;
  session.gifts += parsed.count;
  const supporter = parsed.anonymous ? `anon:${sender.id}` : sender.id;
  const name = parsed.anonymous ? 'Anonymous' : sender.name;
  addTo(session.supporters, supporter, name, coins);
  addTo(room.allTime, supporter, name, coins);
  if (room.goal) room.goal = { ...room.goal, progress: room.goal.progress + coins };
  room.gifts.set(id, {
    id,
    from: name,
    giftId: gift.id,
    name: gift.name,
    tier: tierOf(gift.coins),
    coins: gift.coins,
    count: parsed.count,
    ...(message ? { message } : {}),
    combo: got,
    total: coins,
  });
}

// ---- Stripe ----

function newEvent(
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

function eventBody(p: PurchaseM, e: StripeEventM) {
  const metadata = e.metadata ? { purchaseId: p.id, userId: p.owner.id } : {};
  switch (e.type) {
    case 'checkout.session.completed':
      return makeEvent(
        e.type,
        {
          id: p.sessionId,
          object: 'checkout.session',
          mode: 'payment',
          status: 'complete',
          payment_status: 'paid',
          amount_total: p.price,
          currency: 'usd',
          payment_intent: p.paymentIntent,
          metadata,
        },
        e.id,
      );
    case 'checkout.session.expired':
      return makeEvent(
        e.type,
        {
          id: p.sessionId,
          object: 'checkout.session',
          mode: 'payment',
          status: 'expired',
          payment_status: 'unpaid',
          payment_intent: null,
          metadata,
        },
        e.id,
      );
    case 'charge.refunded':
      return makeEvent(
        e.type,
        {
          id: `ch_${p.paymentIntent.slice(3)}`,
          object: 'charge',
          amount: p.price,
          amount_refunded: e.amount,
          refunded: e.amount! >= p.price,
          currency: 'usd',
          payment_intent: p.paymentIntent,
          metadata,
        },
        e.id,
      );
    case 'charge.dispute.created':
      return makeEvent(
        e.type,
        {
          id: `dp_${p.paymentIntent.slice(3)}`,
          object: 'dispute',
          amount: p.price,
          currency: 'usd',
          charge: `ch_${p.paymentIntent.slice(3)}`,
          payment_intent: p.paymentIntent,
          reason: 'fraudulent',
          status: 'needs_response',
          metadata: {},
        },
        e.id,
      );
  }
}

/** Delivers one event `copies` times (at once or one after another) and applies it to the model once. */
async function deliverEvent(
  m: Model,
  p: PurchaseM,
  e: StripeEventM,
  copies: number,
  concurrent: boolean,
): Promise<void> {
  const body = eventBody(p, e);
  const t0 = now();
  let replies: Reply[];
  totals.webhooks += copies;
  totals.requests += copies;
  if (concurrent) replies = await Promise.all(Array.from({ length: copies }, () => postEvent(body)));
  else {
    replies = [];
    for (let i = 0; i < copies; i++) replies.push(await postEvent(body));
  }
  const at = since(t0);
  const what = `${e.type} ${e.id} for ${p.id} ×${copies}${concurrent ? ' at once' : ''}`;
  e.delivered = true;
  track(m, p);
  if (m.seenEvents.has(e.id)) {
    for (const r of replies)
      expect(r.json, `${what}: a duplicate changes nothing`).toEqual({ received: true, duplicate: true });
    return;
  }
  const findable = e.metadata || p.piIndexed;
  if (!findable) {
    // Stripe will retry: the purchase cannot be placed until its completion names the payment intent.
    for (const r of replies) expectError(r, 409, 'conflict', what);
    return;
  }
  for (const [i, r] of replies.entries()) {
    const ok = [
      JSON.stringify({ received: true, outcome: 'applied' }),
      ...(concurrent || i > 0 ? [JSON.stringify({ received: true, duplicate: true })] : []),
    ];
    expect(ok, `${what}: ${describeReply(r)}`).toContain(r.text);
    if (!concurrent && i > 0) expect(r.json.duplicate, `${what}: a later copy is a duplicate`).toBe(true);
  }
  m.seenEvents.add(e.id);
  reached(`webhook ${e.type}${concurrent && copies > 1 ? ' (copies at once)' : copies > 1 ? ' (copies)' : ''}`);
  if (p.status === 'pending' && e.type !== 'checkout.session.completed' && e.type !== 'checkout.session.expired')
    reached('webhook before its completion');
  const balanceBefore = p.owner.balance;
  switch (e.type) {
    case 'checkout.session.completed':
      p.piIndexed = true;
      complete(m, p, at);
      break;
    case 'checkout.session.expired':
      if (p.status === 'pending') p.status = 'expired';
      break;
    case 'charge.refunded':
      complete(m, p, at);
      providerRefund(p, e.amount!);
      break;
    case 'charge.dispute.created':
      complete(m, p, at);
      dispute(p);
      break;
  }
  if (p.owner.balance < 0 && balanceBefore >= 0) reached('clawback into debt');
  if (p.writtenOff > 0) reached('provider refund partly written off');
}

// ---------------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------------

type Cmd = fc.AsyncCommand<Model, Real>;

/** Each step: run, settle, compare everything; a failure names the steps that led to it. */
abstract class Step implements Cmd {
  abstract check(m: Readonly<Model>): boolean;
  abstract step(m: Model, real: Real): Promise<void>;
  abstract toString(): string;
  async run(m: Model, real: Real): Promise<void> {
    m.trace.push(this.toString());
    totals.steps++;
    try {
      const t = Date.now();
      await this.step(m, real);
      const t2 = Date.now();
      await verify(m, false);
      if (PROFILE)
        console.log(
          `${Date.now() - t} ms (step ${t2 - t}, verify ${Date.now() - t2}, settle ${lastSettle}) ${this.toString()}`,
        );
    } catch (e) {
      clearFaults();
      const err = e instanceof Error ? e : new Error(String(e));
      err.message = `${err.message}\n--- steps of run ${m.run} (model clock +${m.advanced} ms) ---\n${m.trace.join('\n')}`;
      throw err;
    }
  }
}

const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;

class SignupCmd extends Step {
  constructor(readonly adult: boolean) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.users.length < MAX_USERS;
  }
  async step(m: Model) {
    const i = m.users.length;
    m.users.push(await signupUser(m, this.adult, `r${m.run}u${i}`, `${this.adult ? 'Fan' : 'Kid'} ${m.run}-${i}`));
  }
  toString() {
    return `signup(${this.adult ? 'adult' : 'under 18'})`;
  }
}

class BuyCmd extends Step {
  constructor(
    readonly user: number,
    readonly body: Record<string, unknown>,
    readonly key: KeyMode,
    readonly copies: number,
    readonly alsoFresh: number,
  ) {
    super();
  }
  check() {
    return true;
  }
  async step(m: Model) {
    const u = pick(m.users, this.user);
    let key = newKey('buy');
    let body = this.body;
    if (this.key !== 'fresh' && u.lastBuy) {
      key = u.lastBuy.key;
      body =
        this.key === 'reuse'
          ? u.lastBuy.body
          : purchaseCoins(u.lastBuy.body) === 500
            ? { packId: 'pack_100' }
            : { packId: 'pack_500' };
    }
    if (this.key === 'fresh') u.lastBuy = { key, body };
    const els: BuyEl[] = [{ body, key, copies: this.copies }];
    for (let i = 0; i < this.alsoFresh; i++) els.push({ body: { packId: 'pack_100' }, key: newKey('buy') });
    m.trace.push(`  ${u.label} key ${key}`);
    await buyBatch(m, u, els);
  }
  toString() {
    return `buy(user ${this.user}, ${JSON.stringify(this.body)}, key ${this.key}, ×${this.copies}${this.alsoFresh ? ` +${this.alsoFresh} at once` : ''})`;
  }
}

class StripeBuyCmd extends Step {
  constructor(
    readonly user: number,
    readonly pack: number,
    readonly outage: boolean,
    readonly replay: boolean,
  ) {
    super();
  }
  check() {
    return true;
  }
  async step(m: Model, real: Real) {
    const u = pick(m.users, this.user);
    const replayOf = this.replay ? m.purchases.filter((p) => p.owner === u && !p.sandbox).at(-1) : undefined;
    const key = replayOf?.key ?? newKey('checkout');
    const coins = replayOf?.coins ?? this.pack;
    const body = { packId: `pack_${coins}` };
    const fp = fingerprint('/v1/purchases', PurchaseRequest.parse(body));
    resolveTtl(m, u.keys, key);
    if (this.outage) real.stripe.failNext = 1;
    const t0 = now();
    let r = await req('/v1/purchases', { token: u.token, key, body, stripe: true });
    const what = `checkout ${JSON.stringify(body)} by ${u.label}`;
    const p = prior(u.keys, key, fp, since(t0));
    if (this.outage && u.adult && !p.replay && !p.mismatch) {
      expectError(r, 502, 'payment_provider_error', what);
      r = await req('/v1/purchases', { token: u.token, key, body, stripe: true });
    }
    real.stripe.failNext = 0;
    const at = since(t0);
    if (p.replay) {
      expect(r.text, `${what}: replay`).toBe(p.replay.text);
      return;
    }
    if (!u.adult) {
      expectError(r, 403, 'age_restricted', what);
      remember(u.keys, key, fp, r, at);
      return;
    }
    expect(r.status, `${what}: ${describeReply(r)}`).toBe(201);
    expect(r.json.purchase, what).toMatchObject({ status: 'pending', coins, sandbox: false });
    expect(r.json.purchase.checkoutUrl).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    remember(u.keys, key, fp, r, at);
    const pm: PurchaseM = {
      id: r.json.purchase.id,
      owner: u,
      coins,
      price: coins,
      sandbox: false,
      status: 'pending',
      completedAt: null,
      refundedCoins: 0,
      refundedAmount: 0,
      pendingRefund: null,
      clawedBackCoins: 0,
      writtenOff: 0,
      paymentIntent: `pi_${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`,
      sessionId: r.json.purchase.checkoutUrl.split('/').pop(),
      piIndexed: false,
      providerTotal: 0,
      events: [],
      key,
    };
    newEvent(pm, 'checkout.session.completed');
    m.purchases.push(pm);
    track(m, pm);
  }
  toString() {
    return `checkout(user ${this.user}, pack_${this.pack}${this.outage ? ', Stripe down once' : ''}${this.replay ? ', replay' : ''})`;
  }
}

type HookAction = 'complete' | 'expire' | 'refund_half' | 'refund_full' | 'pending' | 'dispute' | 'redeliver';

interface HookSpec {
  purchase: number;
  action: HookAction;
  metadata: boolean;
  copies: number;
  concurrent: boolean;
}

class WebhookCmd extends Step {
  constructor(readonly hooks: HookSpec[]) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.purchases.some((p) => !p.sandbox);
  }
  async step(m: Model) {
    const stripe = m.purchases.filter((p) => !p.sandbox);
    for (const h of this.hooks) {
      const p = pick(stripe, h.purchase);
      let e: StripeEventM | undefined;
      switch (h.action) {
        case 'complete':
          e = p.events.find((x) => x.type === 'checkout.session.completed');
          break;
        case 'expire':
          e = p.events.find((x) => x.type === 'checkout.session.expired') ?? newEvent(p, 'checkout.session.expired');
          break;
        case 'refund_half':
        case 'refund_full': {
          const amount =
            h.action === 'refund_full' ? p.price : Math.min(p.price, p.providerTotal + Math.floor(p.price / 2));
          if (amount <= p.providerTotal) break;
          p.providerTotal = amount;
          e = newEvent(p, 'charge.refunded', { amount, metadata: h.metadata });
          break;
        }
        case 'pending':
          e = p.events.find((x) => !x.delivered);
          break;
        case 'dispute':
          e =
            p.events.find((x) => x.type === 'charge.dispute.created') ??
            newEvent(p, 'charge.dispute.created', { metadata: false });
          break;
        case 'redeliver':
          e = p.events.filter((x) => x.delivered).at(-1);
          break;
      }
      if (!e) continue;
      m.trace.push(`  ${e.type} ${e.amount ?? ''} for ${p.id} (${p.owner.label})`);
      await deliverEvent(m, p, e, h.copies, h.concurrent);
    }
  }
  toString() {
    return `webhooks(${this.hooks.map((h) => `#${h.purchase} ${h.action}${h.metadata ? '' : ' no-metadata'} ×${h.copies}${h.concurrent ? ' at once' : ''}`).join('; ')})`;
  }
}

class GiftsCmd extends Step {
  constructor(
    readonly specs: {
      sender: number;
      room: number;
      giftId: string;
      count: number | undefined;
      anonymous: boolean;
      message: string | undefined;
      key: KeyMode;
    }[],
    readonly concurrent: boolean,
    readonly copies: number,
    readonly plan: FaultPlan,
  ) {
    super();
  }
  check() {
    return true;
  }
  async step(m: Model) {
    const els: GiftEl[] = [];
    for (const [i, s] of this.specs.entries()) {
      const sender = pick(m.users, s.sender);
      let room = pick(m.rooms, s.room);
      let body: GiftEl['body'] = {
        giftId: s.giftId,
        ...(s.count === undefined ? {} : { count: s.count }),
        ...(s.anonymous ? { anonymous: true } : {}),
        ...(s.message === undefined ? {} : { message: s.message }),
      };
      let key = newKey('gift');
      if (s.key !== 'fresh' && sender.lastGift) {
        key = sender.lastGift.key;
        room = m.rooms.find((r) => r.handle === sender.lastGift!.handle)!;
        const last = sender.lastGift.body as GiftEl['body'];
        body = s.key === 'reuse' ? last : { ...last, count: ((last.count ?? 1) % 99) + 1 };
      }
      const clash = els.some(
        (e) => e.sender === sender && (e.key === key || (e.room === room && e.body.giftId === body.giftId)),
      );
      if (clash) continue;
      if (s.key === 'fresh') sender.lastGift = { key, handle: room.handle, body };
      els.push({ sender, room, body, key, copies: i === 0 ? this.copies : 1 });
    }
    m.trace.push(
      ...els.map(
        (e) =>
          `  ${e.sender.label} → ${e.room.handle} ${JSON.stringify(e.body)} key ${e.key}${e.copies > 1 ? ` ×${e.copies}` : ''}`,
      ),
    );
    if (this.concurrent) await giftBatch(m, els, this.plan);
    else {
      for (const [i, el] of els.entries()) await giftBatch(m, [el], i === 0 ? this.plan : NO_FAULTS);
    }
  }
  toString() {
    const p = this.plan;
    const armed = Object.entries(p).filter(([, v]) => v);
    return `gifts(${this.concurrent ? 'at once' : 'in turn'}, ${this.specs.map((s) => `u${s.sender}→r${s.room} ${s.giftId}×${s.count ?? 1}${s.anonymous ? ' anon' : ''} ${s.key}`).join(', ')}${this.copies > 1 ? `, first ×${this.copies}` : ''}${armed.length ? `, faults ${armed.map(([k, v]) => `${k}=${v}`).join(' ')}` : ''})`;
  }
}

class ComboCmd extends Step {
  constructor(
    readonly sender: number,
    readonly room: number,
    readonly giftId: string,
    readonly times: number,
    readonly count: number,
  ) {
    super();
  }
  check() {
    return true;
  }
  async step(m: Model) {
    const sender = pick(m.users, this.sender);
    const room = pick(m.rooms, this.room);
    for (let i = 0; i < this.times; i++) {
      const el: GiftEl = {
        sender,
        room,
        body: { giftId: this.giftId, count: this.count },
        key: newKey('combo'),
        copies: 1,
      };
      await giftBatch(m, [el], NO_FAULTS);
    }
  }
  toString() {
    return `combo(u${this.sender}→r${this.room} ${this.giftId}×${this.count}, ${this.times} times)`;
  }
}

class RefundCmd extends Step {
  constructor(
    readonly purchase: number,
    readonly byOwner: boolean,
    readonly caller: number,
    readonly key: KeyMode,
    /** What Stripe does with the refund: accepts it, is down while the viewer asks (the wallet retries later), or refuses it for good. */
    readonly stripe: 'accepts' | 'down' | 'refuses',
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.purchases.length > 0;
  }
  async step(m: Model, real: Real) {
    let p = pick(m.purchases, this.purchase);
    const caller = this.byOwner ? p.owner : pick(m.users, this.caller);
    let key = newKey('refund');
    if (this.key !== 'fresh' && caller.lastRefund) {
      key = caller.lastRefund.key;
      if (this.key === 'reuse') p = caller.lastRefund.purchase;
      else if (p === caller.lastRefund.purchase) p = m.purchases.find((x) => x !== p) ?? p;
    }
    if (this.key === 'fresh') caller.lastRefund = { key, purchase: p };
    const path = `/v1/purchases/${p.id}/refund`;
    if (caller.closed) {
      // A deleted account's session is dead.
      expectError(
        await req(path, { token: caller.token, key, body: {}, stripe: !p.sandbox }),
        401,
        'unauthorized',
        `refund of ${p.id} by deleted ${caller.label}`,
      );
      return;
    }
    const fp = fingerprint(path, {});
    resolveTtl(m, caller.keys, key);
    if (p.completedAt && within(p.completedAt, upcoming(), REFUND_WINDOW, false) === 'either')
      advance(m, 3_600_000, 'off the refund window edge');
    m.trace.push(
      `  ${caller.label} refunds ${p.id} (${p.owner.label}, ${p.sandbox ? 'sandbox' : 'Stripe'}) key ${key}`,
    );
    const stripeMode = !p.sandbox;
    const t0 = now();
    const previewAt: Span = { lo: t0, hi: t0 };
    const pr = prior(caller.keys, key, fp, previewAt);
    // What a fresh request would do, decided before sending.
    let fresh: { status: number; code?: string; coins?: number } | null = null;
    if (!pr.replay && !pr.mismatch) {
      if (caller !== p.owner) fresh = { status: 404, code: 'not_found' };
      else if (p.status !== 'completed' && p.status !== 'partially_refunded') fresh = { status: 409, code: 'conflict' };
      else if (within(p.completedAt!, upcoming(), REFUND_WINDOW, false) === 'no')
        fresh = { status: 409, code: 'conflict' };
      else if (caller.balance < 0) fresh = { status: 403, code: 'in_debt' };
      else {
        const coins = Math.min(p.coins - accounted(p), Math.max(0, caller.balance));
        fresh = coins <= 0 ? { status: 409, code: 'conflict' } : { status: 200, coins };
      }
    }
    const willCallStripe = stripeMode && fresh?.status === 200;
    if (willCallStripe && this.stripe === 'down') real.stripe.failing = 'http500';
    if (willCallStripe && this.stripe === 'refuses') real.stripe.refuseNext = 1;
    const r = await req(path, { token: caller.token, key, body: {}, stripe: stripeMode });
    const what = `refund of ${p.id} by ${caller.label}`;
    real.stripe.failing = null;
    real.stripe.refuseNext = 0;
    const at = since(t0);
    track(m, p);
    if (pr.replay) {
      expect(r.text, `${what}: replay`).toBe(pr.replay.text);
      return;
    }
    if (pr.mismatch) {
      expectError(r, 409, 'idempotency_mismatch', what);
      return;
    }
    if (fresh!.status !== 200) {
      expectError(r, fresh!.status, fresh!.code!, what);
      remember(caller.keys, key, fp, r, at);
      return;
    }
    const coins = fresh!.coins!;
    reached(`refund 200 (${p.sandbox ? 'sandbox' : `Stripe ${this.stripe}`})`);
    const amount = Math.floor((p.price * coins) / p.coins);
    expect(r.status, `${what}: ${describeReply(r)}`).toBe(200);
    const before = p.status;
    p.refundedCoins += coins;
    p.refundedAmount += amount;
    // Real money goes back through Stripe: until its webhook confirms, the refund is on its way.
    p.status = stripeMode ? 'refund_pending' : accounted(p) >= p.coins ? 'refunded' : 'partially_refunded';
    expect(r.json.refund, what).toMatchObject({
      coins,
      amount: { amount, currency: 'USD' },
      status: stripeMode ? 'pending' : 'succeeded',
    });
    expect(r.json.purchase, what).toMatchObject({ id: p.id, status: p.status, refundedCoins: p.refundedCoins });
    expect(r.json.wallet.coins, what).toBe(Math.max(0, caller.balance - coins));
    remember(caller.keys, key, fp, r, at);
    caller.balance -= coins;
    caller.history.push({ kind: 'refund', coins: -coins, diamonds: 0, ref: p.id });
    if (!stripeMode) {
      caller.external += coins;
      return;
    }
    if (this.stripe === 'refuses') {
      // Refused for good: the coins come back and the purchase is as it was.
      p.refundedCoins -= coins;
      p.refundedAmount -= amount;
      p.status = before;
      caller.balance += coins;
      caller.history.push({ kind: 'reversal', coins, diamonds: 0, ref: p.id });
      return;
    }
    // Stripe refunds the money (at once, or once the wallet's retry gets through); its charge.refunded
    // event will follow and settles the refund.
    caller.refundPending += coins;
    p.pendingRefund = { coins, amount };
    m.apiRefunds++;
    if (this.stripe === 'down') m.busy.add(caller);
    p.providerTotal += amount;
    newEvent(p, 'charge.refunded', { amount: p.providerTotal });
  }
  toString() {
    return `refund(purchase ${this.purchase}, ${this.byOwner ? 'owner' : `user ${this.caller}`}, key ${this.key}, Stripe ${this.stripe})`;
  }
}

type PayoutAmount = 'minimum' | 'all' | 'not_multiple' | 'below_minimum' | 'too_much';

class PayoutCmd extends Step {
  constructor(
    readonly creator: number,
    readonly amount: PayoutAmount,
    readonly key: KeyMode,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return !pick(m.rooms, this.creator).owner.closed;
  }
  async step(m: Model) {
    const u = pick(m.rooms, this.creator).owner;
    const diamonds = {
      minimum: 1430,
      all: Math.max(1430, Math.floor(u.diamonds / 10) * 10),
      not_multiple: 1435,
      below_minimum: 1420,
      too_much: Math.floor(u.diamonds / 10) * 10 + 10_000,
    }[this.amount];
    let key = newKey('payout');
    let body: Record<string, unknown> = { diamonds, destination: DESTINATION };
    if (this.key !== 'fresh' && u.lastPayout) {
      key = u.lastPayout.key;
      body =
        this.key === 'reuse'
          ? u.lastPayout.body
          : { ...u.lastPayout.body, diamonds: (u.lastPayout.body.diamonds as number) + 10 };
    }
    if (this.key === 'fresh') u.lastPayout = { key, body };
    const parsed = PayoutRequest.parse(body);
    const fp = fingerprint('/v1/creator/payouts', parsed);
    resolveTtl(m, u.keys, key);
    const t0 = now();
    const r = await req('/v1/creator/payouts', { token: u.token, key, body });
    const at = since(t0);
    const what = `payout ${JSON.stringify(body)} by ${u.label} (has ${u.diamonds})`;
    const pr = prior(u.keys, key, fp, at);
    if (pr.replay) return void expect(r.text, `${what}: replay`).toBe(pr.replay.text);
    if (pr.mismatch) return expectError(r, 409, 'idempotency_mismatch', what);
    const d = parsed.diamonds;
    if (d % 10 !== 0 || Math.floor((d * 7) / 10) < 1000) return expectError(r, 400, 'invalid_request', what);
    remember(u.keys, key, fp, r, at);
    if (u.diamonds < d) return expectError(r, 402, 'insufficient_funds', what);
    expect(r.status, `${what}: ${describeReply(r)}`).toBe(201);
    reached('payout 201');
    expect(r.json.payout, what).toMatchObject({
      diamonds: d,
      amount: { amount: (d * 7) / 10, currency: 'USD' },
      status: 'requested',
      destination: maskDestination(DESTINATION),
      decidedAt: null,
      reference: null,
    });
    u.diamonds -= d;
    u.pending += d;
    u.history.push({ kind: 'payout', coins: 0, diamonds: -d, ref: r.json.payout.id });
    m.payouts.push({ id: r.json.payout.id, owner: u, diamonds: d, status: 'requested' });
  }
  toString() {
    return `payout(creator ${this.creator}, ${this.amount}, key ${this.key})`;
  }
}

class DecideCmd extends Step {
  constructor(
    readonly payout: number,
    readonly status: 'paid' | 'rejected',
    readonly key: KeyMode,
    readonly reference: boolean,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.payouts.length > 0;
  }
  async step(m: Model) {
    let payout = pick(m.payouts, this.payout);
    let key = newKey('decide');
    let body: Record<string, unknown> = {
      status: this.status,
      ...(this.reference ? { reference: `wire ${m.run}` } : {}),
    };
    const last = m.lastDecision;
    if (this.key !== 'fresh' && last) {
      key = last.key;
      if (this.key === 'reuse') {
        payout = last.payout;
        body = last.body;
      } else {
        // The same key for another request: another payout (another creator's, when there is one), else the other decision.
        const other =
          m.payouts.find((p) => p !== last.payout && p.owner !== last.payout.owner) ??
          m.payouts.find((p) => p !== last.payout);
        if (other) {
          payout = other;
          body = last.body;
        } else {
          payout = last.payout;
          body = { ...last.body, status: last.body.status === 'paid' ? 'rejected' : 'paid' };
        }
      }
    }
    if (this.key === 'fresh') m.lastDecision = { key, payout, body };
    const u = payout.owner;
    const path = `/v1/admin/payouts/${payout.id}`;
    const fp = fingerprint(path, AdminPayoutDecision.parse(body));
    resolveTtl(m, u.operatorKeys, key);
    const t0 = now();
    const r = await req(path, { token: ADMIN, key, body });
    const at = since(t0);
    const what = `operator marks ${payout.id} ${JSON.stringify(body)}`;
    const bound = m.operatorBindings.get(key);
    if (bound !== undefined && bound !== fp)
      return expectError(r, 409, 'idempotency_mismatch', `${what} (key bound to another request)`);
    m.operatorBindings.set(key, fp);
    const pr = prior(u.operatorKeys, key, fp, at);
    if (pr.replay) return void expect(r.text, `${what}: replay`).toBe(pr.replay.text);
    if (pr.mismatch) return expectError(r, 409, 'idempotency_mismatch', what);
    remember(u.operatorKeys, key, fp, r, at);
    if (payout.status !== 'requested') return expectError(r, 409, 'conflict', what);
    expect(r.status, `${what}: ${describeReply(r)}`).toBe(200);
    const status = body.status as 'paid' | 'rejected';
    reached(`decide ${status}`);
    expect(r.json.payout, what).toMatchObject({
      id: payout.id,
      diamonds: payout.diamonds,
      status,
      reference: (body.reference as string | undefined) ?? null,
    });
    payout.status = status;
    u.pending -= payout.diamonds;
    if (status === 'paid') {
      u.paidOut += payout.diamonds;
      u.history.push({ kind: 'payout', coins: 0, diamonds: 0, ref: payout.id });
    } else {
      u.diamonds += payout.diamonds;
      u.history.push({ kind: 'reversal', coins: 0, diamonds: payout.diamonds, ref: payout.id });
    }
  }
  toString() {
    return `decide(payout ${this.payout}, ${this.status}, key ${this.key})`;
  }
}

class LiveCmd extends Step {
  constructor(
    readonly creator: number,
    readonly live: boolean,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return !pick(m.rooms, this.creator).owner.closed;
  }
  async step(m: Model) {
    await setLive(m, pick(m.rooms, this.creator), this.live);
  }
  toString() {
    return `live(creator ${this.creator}, ${this.live})`;
  }
}

class GoalCmd extends Step {
  constructor(
    readonly creator: number,
    readonly goal: { label: string; coins: number } | null,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return !pick(m.rooms, this.creator).owner.closed;
  }
  async step(m: Model) {
    const room = pick(m.rooms, this.creator);
    const r = this.goal
      ? await req('/v1/creator/goal', { method: 'PUT', token: room.owner.token, body: this.goal })
      : await req('/v1/creator/goal', { method: 'DELETE', token: room.owner.token });
    expect(r.status, describeReply(r)).toBe(200);
    room.goal = this.goal ? { label: this.goal.label, target: this.goal.coins, progress: 0 } : null;
    room.goalTouched = true;
    expect(r.json.goal).toEqual(room.goal);
  }
  toString() {
    return `goal(creator ${this.creator}, ${JSON.stringify(this.goal)})`;
  }
}

/**
 * A user deletes the account. In debt: 409 in_debt. Holding coins, diamonds or pending payouts without
 * forfeiting: 409 conflict. Else pending payouts are withdrawn, what is left is forfeited, the room goes
 * off air, the token dies, and the wallet stays to receive what is still on its way (and refund it).
 */
class DeleteCmd extends Step {
  constructor(
    readonly user: number,
    readonly forfeit: boolean,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.users.length > 2;
  }
  async step(m: Model) {
    const u = pick(m.users, this.user);
    const what = `delete ${u.label}`;
    m.trace.push(`  ${what}${this.forfeit ? ' (forfeit)' : ''}`);
    const r = await req('/v1/me', {
      method: 'DELETE',
      token: u.token,
      body: { password: 'a long enough password', forfeit: this.forfeit },
    });
    if (u.balance < 0) {
      expectError(r, 409, 'in_debt', what);
      expect(r.json.closing.debt).toBe(-u.balance);
      return;
    }
    if (!this.forfeit && (u.balance > 0 || u.diamonds > 0 || u.pending > 0)) {
      expectError(r, 409, 'conflict', what);
      return;
    }
    reached(`delete 200${u.room ? ' (creator)' : ''}`);
    expect(r.status, `${what}: ${describeReply(r)}`).toBe(200);
    const withdrawn = m.payouts.filter((p) => p.owner === u && p.status === 'requested');
    for (const p of withdrawn) {
      p.status = 'rejected';
      u.pending -= p.diamonds;
      u.diamonds += p.diamonds;
    }
    expect(r.json, what).toEqual({
      deleted: true,
      forfeited: { coins: u.balance, diamonds: u.diamonds },
      withdrawnPayouts: expect.arrayContaining(withdrawn.map((p) => p.id)),
    });
    u.spent += u.balance;
    u.balance = 0;
    u.issued += u.diamonds;
    u.diamonds = 0;
    u.closed = true;
    m.users.splice(m.users.indexOf(u), 1);
    m.closed.push(u);
    const room = m.rooms.find((x) => x.owner === u);
    if (room?.live) {
      room.live = false;
      room.liveLog.push(false);
    }
    expectError(await req('/v1/me', { token: u.token }), 401, 'unauthorized', `${what}: the old session`);
  }
  toString() {
    return `delete(user ${this.user}${this.forfeit ? ', forfeit' : ''})`;
  }
}

class ClockCmd extends Step {
  constructor(readonly ms: number) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.advanced + this.ms < MAX_ADVANCE;
  }
  async step(m: Model) {
    advance(m, this.ms, 'step');
  }
  toString() {
    return `clock(+${this.ms} ms)`;
  }
}

// ---- arbitraries ----

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

const commands: fc.Arbitrary<Cmd>[] = [
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

// ---------------------------------------------------------------------------------------------------

describe('the money paths against a model', () => {
  const stripe = new FakeStripe();
  beforeAll(() => stripe.install());
  afterAll(() => {
    vi.restoreAllMocks();
    clearFaults();
  });

  it(`${RUNS} random sequences of up to ${STEPS} steps, with faults, match the model after every step`, {
    timeout: 600_000_000,
  }, async ({ task }) => {
    const started = Date.now();
    const property = fc.asyncProperty(
      fc.commands(commands, { maxCommands: STEPS, size: 'max', ...(REPLAY_PATH ? { replayPath: REPLAY_PATH } : {}) }),
      async (cmds) => {
        let model: Model | null = null;
        const t0 = Date.now();
        await fc.asyncModelRun(async () => {
          model = await newRun({ stripe });
          if (PROFILE) console.log(`setup ${Date.now() - t0} ms`);
          return { model, real: { stripe } };
        }, cmds);
        const t1 = Date.now();
        await finish(model!, { stripe });
        if (PROFILE) console.log(`finish ${Date.now() - t1} ms`);
      },
    );
    try {
      await fc.assert(property, {
        seed: SEED,
        numRuns: RUNS,
        ...(PATH ? { path: PATH } : {}),
        endOnFailure: !SHRINK,
        verbose: 1,
      });
      await globalAudit();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const path = /path: "([^"]*)"/.exec(message)?.[1];
      const replayPath = /replayPath="([^"]*)"/.exec(message)?.[1];
      console.error(
        `\nREPLAY this failure with: SOAK_SEED=${SEED} SOAK_STEPS=${STEPS}${path ? ` SOAK_PATH=${path}` : ''}${replayPath ? ` SOAK_REPLAY_PATH=${replayPath}` : ''} npm run soak` +
          '   (add SOAK_SHRINK=1 to shrink it)\n',
      );
      throw e;
    } finally {
      console.log(`model outcomes reached: ${JSON.stringify(Object.fromEntries(Object.entries(outcomes).sort()))}`);
      reportCounts(task, 'model', {
        seed: SEED,
        sequences: totals.sequences,
        steps: totals.steps,
        requests: totals.requests,
        gifts: totals.gifts,
        webhookDeliveries: totals.webhooks,
        faultsInjected: totals.faults,
        alarmsFired: totals.alarms,
        checks: totals.checks,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      });
    }
  });
});
