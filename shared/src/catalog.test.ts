import { describe, expect, it } from 'vitest';
import { catalog, findGift, GIFTS, tierOf } from './catalog';

describe('gift catalog', () => {
  it('has at least 12 gifts from 1 coin to at least 10,000, each priced and tiered', () => {
    expect(GIFTS.length).toBeGreaterThanOrEqual(12);
    const coins = GIFTS.map((g) => g.coins);
    expect(Math.min(...coins)).toBe(1);
    expect(Math.max(...coins)).toBeGreaterThanOrEqual(10_000);
    expect(new Set(GIFTS.map((g) => g.id)).size).toBe(GIFTS.length);
    const tiers = new Set(catalog().map((g) => g.tier));
    expect(tiers).toEqual(new Set(['small', 'medium', 'large', 'epic']));
    expect(catalog().find((g) => g.id === 'rocket')?.price).toEqual({ amount: 10_000, currency: 'USD' });
  });

  it('tiers by coins at the published boundaries', () => {
    expect([99, 100, 999, 1000, 9999, 10_000].map(tierOf)).toEqual([
      'small',
      'medium',
      'medium',
      'large',
      'large',
      'epic',
    ]);
    expect(findGift('nope')).toBeUndefined();
  });
});
