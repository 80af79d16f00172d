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

export interface PendingLimit {
  period: Period;
  amount: number | null;
  effectiveAt: number;
}

export interface LimitState {
  limits: Limits;
  pending: PendingLimit[];
}

/** Promotes pending raises whose time has come. */
export function limitsAt(state: LimitState, now: number): LimitState {
  const limits = { ...state.limits };
  const pending: PendingLimit[] = [];
  for (const p of state.pending) {
    if (p.effectiveAt <= now) limits[p.period] = p.amount;
    else pending.push(p);
  }
  return { limits, pending };
}

function isLower(requested: number | null, current: number | null): boolean {
  return requested !== null && (current === null || requested < current);
}

/**
 * Lowering applies now and cancels a pending raise; raising or removing waits RAISE_DELAY. Periods not
 * named in `requested` keep their limit and any pending change.
 */
export function changeLimits(state: LimitState, requested: Partial<Limits>, now: number): LimitState {
  const { limits, pending } = limitsAt(state, now);
  const next: LimitState = { limits: { ...limits }, pending: [] };
  for (const period of PERIODS) {
    const queued = pending.find((p) => p.period === period);
    if (!(period in requested)) {
      if (queued) next.pending.push(queued);
      continue;
    }
    const want = requested[period] ?? null;
    const current = limits[period];
    if (isLower(want, current)) next.limits[period] = want;
    else if (want === current) continue;
    else if (queued && queued.amount === want) next.pending.push(queued);
    else next.pending.push({ period, amount: want, effectiveAt: now + RAISE_DELAY });
  }
  return next;
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
