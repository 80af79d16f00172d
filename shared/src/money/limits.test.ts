import { describe, expect, it } from 'vitest';
import {
  changeLimits,
  crossedGiftLimit,
  crossedLimit,
  dailyFreesAt,
  DAY,
  giftLimitMessage,
  limitsAt,
  NO_GIFT_LIMITS,
  NO_LIMITS,
  windowTotals,
} from './limits';

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
    expect(s).toEqual({ limits: { ...NO_LIMITS, weekly: 8000 }, giftLimits: NO_GIFT_LIMITS, pending: [] });
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

describe('gift caps', () => {
  const none = () => [];

  it("change by the purchase limits' rules, each cap on its own, beside the purchase limits", () => {
    let s = changeLimits({ limits: NO_LIMITS, pending: [] }, { giftLimits: { stream: 2000 } }, t0);
    expect(s.giftLimits).toEqual({ stream: 2000, daily: null });
    s = changeLimits(s, { giftLimits: { stream: 3000, daily: 5000 }, daily: 700 }, t0 + 1);
    expect(s.limits.daily).toBe(700);
    expect(s.giftLimits).toEqual({ stream: 2000, daily: 5000 });
    expect(s.pending).toEqual([{ period: 'gift_stream', amount: 3000, effectiveAt: t0 + 1 + DAY }]);
    // A purchase limit named 'daily' and the daily gift cap are different things.
    s = changeLimits(s, { daily: null }, t0 + 2);
    expect(s.giftLimits!.daily).toBe(5000);
    expect(s.pending.map((p) => p.period)).toEqual(['daily', 'gift_stream']);
    // Lowering cancels the pending raise.
    s = changeLimits(s, { giftLimits: { stream: 1000 } }, t0 + 3);
    expect(s.pending.map((p) => p.period)).toEqual(['daily']);
    expect(limitsAt(s, t0 + 2 + DAY).giftLimits).toEqual({ stream: 1000, daily: 5000 });
    // Removing waits too.
    s = changeLimits(s, { giftLimits: { daily: null } }, t0 + 4);
    expect(limitsAt(s, t0 + 4 + DAY - 1).giftLimits.daily).toBe(5000);
    expect(limitsAt(s, t0 + 4 + DAY).giftLimits.daily).toBeNull();
  });

  it('reads a state stored before gift caps existed as having none', () => {
    expect(limitsAt({ limits: NO_LIMITS, pending: [] }, t0).giftLimits).toEqual(NO_GIFT_LIMITS);
  });

  it('let a gift fill a cap exactly, and refuse one cent more', () => {
    const caps = { stream: 1000, daily: null };
    expect(crossedGiftLimit(caps, { stream: 600, day: 600 }, 400, t0, none)).toBeNull();
    expect(crossedGiftLimit(caps, { stream: 600, day: 600 }, 401, t0, none)).toEqual({
      cap: 'stream',
      limit: 1000,
      spent: 600,
      freesAt: null,
    });
    expect(crossedGiftLimit(NO_GIFT_LIMITS, { stream: 1e9, day: 1e9 }, 1e6, t0, none)).toBeNull();
  });

  it('say when the daily cap frees up: when enough of the oldest gifts leave the 24 hours', () => {
    const recent = [
      { at: t0 - 10 * 3_600_000, amount: 300 },
      { at: t0 - 2 * 3_600_000, amount: 500 },
      { at: t0 - 3_600_000, amount: 100 },
      { at: t0 - 2 * DAY, amount: 9999 },
    ];
    const crossed = crossedGiftLimit({ stream: null, daily: 1000 }, { stream: 0, day: 900 }, 300, t0, () => recent);
    expect(crossed).toEqual({ cap: 'daily', limit: 1000, spent: 900, freesAt: t0 - 10 * 3_600_000 + DAY });
    expect(dailyFreesAt(recent, 1000, 700, t0)).toBe(t0 - 2 * 3_600_000 + DAY);
    expect(dailyFreesAt(recent, 1000, 1001, t0)).toBeNull();
  });

  it('explain the refusal in words: which cap, what it counts, when it frees up', () => {
    expect(giftLimitMessage({ cap: 'stream', limit: 1000, spent: 800, freesAt: null }, 250, 'alice')).toBe(
      'This gift ($2.50) would go over your per-stream gift cap of $10.00: you have sent $8.00 to @alice this stream. It frees up when @alice starts a new stream.',
    );
    expect(
      giftLimitMessage({ cap: 'daily', limit: 1000, spent: 900, freesAt: Date.UTC(2026, 11, 6, 14, 3) }, 300, 'alice'),
    ).toBe(
      'This gift ($3.00) would go over your daily gift cap of $10.00: you have sent $9.00 in the last 24 hours. Enough of it frees up at 2026-12-06 14:03 UTC.',
    );
  });
});
