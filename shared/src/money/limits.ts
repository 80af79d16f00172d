import { formatMoney } from './rate-card';

/** Self-set spending limits on purchases, in minor units, over rolling windows. */
export type Period = 'daily' | 'weekly' | 'monthly';
export const PERIODS: readonly Period[] = ['daily', 'weekly', 'monthly'];

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WINDOW: Record<Period, number> = { daily: DAY, weekly: 7 * DAY, monthly: 30 * DAY };
/** Raising or removing a limit waits this long; lowering applies at once. */
export const RAISE_DELAY = DAY;

export type Limits = Record<Period, number | null>;
export const NO_LIMITS: Limits = { daily: null, weekly: null, monthly: null };

/**
 * Self-set caps on gifts, in minor units: `stream` on what one creator's current live session receives from
 * this viewer, `daily` on all gifts over a rolling 24 h. They change by the same rules as the purchase limits.
 */
export type GiftPeriod = 'stream' | 'daily';
export const GIFT_PERIODS: readonly GiftPeriod[] = ['stream', 'daily'];
export type GiftLimits = Record<GiftPeriod, number | null>;
export const NO_GIFT_LIMITS: GiftLimits = { stream: null, daily: null };

/** A pending change names a purchase period, or a gift cap as `gift_stream` / `gift_daily`. */
export type LimitKey = Period | `gift_${GiftPeriod}`;
const KEYS: readonly LimitKey[] = [...PERIODS, 'gift_stream', 'gift_daily'];

export interface PendingLimit {
  period: LimitKey;
  amount: number | null;
  effectiveAt: number;
}

export interface LimitState {
  limits: Limits;
  /** Absent in states stored before gift caps existed: none. */
  giftLimits?: GiftLimits;
  pending: PendingLimit[];
}

/** What may be asked in one change: purchase limits and gift caps, each optional. */
export type LimitsChange = Partial<Limits> & { giftLimits?: Partial<GiftLimits> };

type Flat = Record<LimitKey, number | null>;

function flatten(state: LimitState): Flat {
  const gift = state.giftLimits ?? NO_GIFT_LIMITS;
  return { ...state.limits, gift_stream: gift.stream, gift_daily: gift.daily };
}

function unflatten(flat: Flat, pending: PendingLimit[]): LimitState {
  return {
    limits: { daily: flat.daily, weekly: flat.weekly, monthly: flat.monthly },
    giftLimits: { stream: flat.gift_stream, daily: flat.gift_daily },
    pending,
  };
}

/** Promotes pending raises whose time has come. */
export function limitsAt(state: LimitState, now: number): LimitState & { giftLimits: GiftLimits } {
  const flat = flatten(state);
  const pending: PendingLimit[] = [];
  for (const p of state.pending) {
    if (p.effectiveAt <= now) flat[p.period] = p.amount;
    else pending.push(p);
  }
  return unflatten(flat, pending) as LimitState & { giftLimits: GiftLimits };
}

function isLower(requested: number | null, current: number | null): boolean {
  return requested !== null && (current === null || requested < current);
}

function requestedFlat(requested: LimitsChange): Partial<Flat> {
  const { giftLimits, ...purchase } = requested;
  const flat: Partial<Flat> = { ...purchase };
  if (giftLimits && 'stream' in giftLimits) flat.gift_stream = giftLimits.stream ?? null;
  if (giftLimits && 'daily' in giftLimits) flat.gift_daily = giftLimits.daily ?? null;
  return flat;
}

/**
 * Lowering applies now and cancels a pending raise; raising or removing waits RAISE_DELAY. Limits and caps
 * not named in `requested` keep their value and any pending change.
 */
export function changeLimits(state: LimitState, requested: LimitsChange, now: number): LimitState {
  const current = limitsAt(state, now);
  const limits = flatten(current);
  const asked = requestedFlat(requested);
  const next = { ...limits };
  const pending: PendingLimit[] = [];
  for (const key of KEYS) {
    const queued = current.pending.find((p) => p.period === key);
    if (!(key in asked)) {
      if (queued) pending.push(queued);
      continue;
    }
    const want = asked[key] ?? null;
    if (isLower(want, limits[key])) next[key] = want;
    else if (want === limits[key]) continue;
    else if (queued && queued.amount === want) pending.push(queued);
    else pending.push({ period: key, amount: want, effectiveAt: now + RAISE_DELAY });
  }
  return unflatten(next, pending);
}

export type Totals = { day: number; week: number; month: number };

export function windowTotals(items: readonly { at: number; amount: number }[], now: number): Totals {
  const totals: Totals = { day: 0, week: 0, month: 0 };
  for (const { at, amount } of items) {
    const age = now - at;
    if (age < WINDOW.monthly) totals.month += amount;
    if (age < WINDOW.weekly) totals.week += amount;
    if (age < WINDOW.daily) totals.day += amount;
  }
  return totals;
}

const TOTAL_OF: Record<Period, keyof Totals> = { daily: 'day', weekly: 'week', monthly: 'month' };

/** The first limit that spending `amount` more would cross, if any. */
export function crossedLimit(limits: Limits, spent: Totals, amount: number): Period | null {
  for (const period of PERIODS) {
    const limit = limits[period];
    if (limit !== null && spent[TOTAL_OF[period]] + amount > limit) return period;
  }
  return null;
}

/** A gift already sent, in minor units at the rate card it used. */
export interface GiftSpent {
  at: number;
  amount: number;
}

export interface CrossedGiftLimit {
  cap: GiftPeriod;
  limit: number;
  /** What the cap already counts. */
  spent: number;
  /** When enough of the daily window has rolled off for this gift to fit; null while the stream lasts, or never. */
  freesAt: number | null;
}

/**
 * The first gift cap that a gift of `amount` would cross, if any. `spent.stream` is what this creator's
 * current session already received from the viewer, `spent.day` all the viewer's gifts of the last 24 hours;
 * `recent` lists those gifts, asked only when the daily cap is crossed, to say when it frees up.
 */
export function crossedGiftLimit(
  limits: GiftLimits,
  spent: { stream: number; day: number },
  amount: number,
  now: number,
  recent: () => readonly GiftSpent[],
): CrossedGiftLimit | null {
  if (limits.stream !== null && spent.stream + amount > limits.stream)
    return { cap: 'stream', limit: limits.stream, spent: spent.stream, freesAt: null };
  if (limits.daily === null || spent.day + amount <= limits.daily) return null;
  return {
    cap: 'daily',
    limit: limits.daily,
    spent: spent.day,
    freesAt: dailyFreesAt(recent(), limits.daily, amount, now),
  };
}

/** When gifts rolling out of the 24-hour window leave room for `amount` under `limit`; null if never. */
export function dailyFreesAt(recent: readonly GiftSpent[], limit: number, amount: number, now: number): number | null {
  if (amount > limit) return null;
  const inWindow = recent.filter((g) => now - g.at < DAY).sort((a, b) => a.at - b.at);
  let left = inWindow.reduce((sum, g) => sum + g.amount, 0);
  for (const g of inWindow) {
    left -= g.amount;
    if (left + amount <= limit) return g.at + DAY;
  }
  return null;
}

/** The refusal's words: which cap, what it already counts, and when it frees up. */
export function giftLimitMessage(
  crossed: CrossedGiftLimit,
  amount: number,
  handle: string,
  format: (minor: number) => string = (m) => formatMoney(m),
): string {
  const gift = `This gift (${format(amount)})`;
  if (crossed.cap === 'stream')
    return `${gift} would go over your per-stream gift cap of ${format(crossed.limit)}: you have sent ${format(crossed.spent)} to @${handle} this stream. It frees up when @${handle} starts a new stream.`;
  const when =
    crossed.freesAt === null
      ? 'It is larger than the whole cap, so it cannot be sent unless you raise the cap.'
      : `Enough of it frees up at ${new Date(crossed.freesAt).toISOString().slice(0, 16).replace('T', ' ')} UTC.`;
  return `${gift} would go over your daily gift cap of ${format(crossed.limit)}: you have sent ${format(crossed.spent)} in the last 24 hours. ${when}`;
}
