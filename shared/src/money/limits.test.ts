import { describe, expect, it } from 'vitest';
import { changeLimits, crossedLimit, DAY, limitsAt, NO_LIMITS, windowTotals } from './limits';

const t0 = 1_700_000_000_000;

describe('spending limits', () => {
  it('lowers at once, raises and removes only after 24 hours', () => {
    let s = changeLimits({ limits: NO_LIMITS, pending: [] }, { daily: 5000, weekly: null, monthly: null }, t0);
    expect(s.limits.daily).toBe(5000);
    s = changeLimits(s, { daily: 9000, weekly: null, monthly: null }, t0 + 1000);
    expect(s.limits.daily).toBe(5000);
    expect(s.pending).toEqual([{ period: 'daily', amount: 9000, effectiveAt: t0 + 1000 + DAY }]);
    expect(limitsAt(s, t0 + 1000 + DAY - 1).limits.daily).toBe(5000);
    expect(limitsAt(s, t0 + 1000 + DAY).limits.daily).toBe(9000);
  });

  it('a lower limit cancels a pending raise', () => {
    let s = changeLimits(
      { limits: { ...NO_LIMITS, weekly: 10_000 }, pending: [] },
      { daily: null, weekly: null, monthly: null },
      t0,
    );
    expect(s.pending).toHaveLength(1);
    s = changeLimits(s, { daily: null, weekly: 8000, monthly: null }, t0 + 10);
    expect(s).toEqual({ limits: { ...NO_LIMITS, weekly: 8000 }, pending: [] });
  });

  it('sums rolling windows and finds the limit a purchase would cross', () => {
    const totals = windowTotals(
      [
        { at: t0 - 2 * DAY, amount: 300 },
        { at: t0 - 1000, amount: 200 },
        { at: t0 - 31 * DAY, amount: 999 },
      ],
      t0,
    );
    expect(totals).toEqual({ day: 200, week: 500, month: 500 });
    expect(crossedLimit({ daily: 300, weekly: null, monthly: null }, totals, 100)).toBeNull();
    expect(crossedLimit({ daily: 300, weekly: null, monthly: null }, totals, 101)).toBe('daily');
    expect(crossedLimit({ daily: null, weekly: 550, monthly: 10 }, totals, 100)).toBe('weekly');
  });
});

describe('partial limit changes', () => {
  it('leave the periods not named untouched, pending raises included', () => {
    let s = changeLimits({ limits: { daily: 100, weekly: 500, monthly: null }, pending: [] }, { weekly: 900 }, t0);
    expect(s.pending).toEqual([{ period: 'weekly', amount: 900, effectiveAt: t0 + DAY }]);
    s = changeLimits(s, { daily: 50 }, t0 + 1);
    expect(s.limits).toEqual({ daily: 50, weekly: 500, monthly: null });
    expect(s.pending).toEqual([{ period: 'weekly', amount: 900, effectiveAt: t0 + DAY }]);
  });
});
