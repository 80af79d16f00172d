import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mulFloor } from './fraction';
import {
  coinsPrice,
  DEFAULT_RATE_CARD as card,
  diamondsValue,
  formatMoney,
  nextRateCard,
  payoutAmount,
  payoutMinimumDiamonds,
  publicRates,
  rateCardAt,
  scheduleRateCard,
} from './rate-card';

describe('rate card', () => {
  it('prices every pack at exactly one cent a coin', () => {
    expect(card.packs.map((p) => p.id)).toEqual([
      'pack_100',
      'pack_500',
      'pack_1000',
      'pack_2500',
      'pack_5000',
      'pack_10000',
    ]);
    for (const p of card.packs) expect(coinsPrice(card, p.coins)).toBe(p.coins);
    expect(coinsPrice(card, 12_345)).toBe(12_345);
  });

  it('values diamonds at 7/10 of a cent, rounding down and keeping the remainder', () => {
    expect(diamondsValue(card, 10)).toEqual({ amount: 7, remainder: { numerator: 0, denominator: 10 } });
    expect(diamondsValue(card, 13)).toEqual({ amount: 9, remainder: { numerator: 1, denominator: 10 } });
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 40 }), (d) => {
        const { amount, remainder } = diamondsValue(card, d);
        expect(amount * 10 + remainder.numerator).toBe(d * 7);
      }),
    );
  });

  it('pays out only whole steps of 10 diamonds from $10.00', () => {
    expect(payoutAmount(card, 1435)).toEqual({ ok: false, reason: 'not_a_multiple' });
    expect(payoutAmount(card, 1420)).toEqual({ ok: false, reason: 'below_minimum' });
    expect(payoutAmount(card, 1430)).toEqual({ ok: true, amount: 1001 });
    expect(payoutMinimumDiamonds(card)).toBe(1430);
  });

  it('multiplies beyond 2^53 intermediates exactly', () => {
    expect(mulFloor(Number.MAX_SAFE_INTEGER, { numerator: 7, denominator: 10 }).value).toBe(6305039478318693);
    expect(() => mulFloor(1.5, { numerator: 1, denominator: 1 })).toThrow(RangeError);
  });

  it('applies a scheduled card only from its effective time, never backwards', () => {
    const now = 1_000_000;
    const proposed = { ...card, effectiveAt: now + 5000, diamondValue: { numerator: 8, denominator: 10 } };
    const { version: _v, ...rest } = proposed;
    expect(scheduleRateCard([card], { ...rest, effectiveAt: now }, now)).toEqual({
      ok: false,
      reason: 'not_in_future',
    });
    const scheduled = scheduleRateCard([card], rest, now);
    expect(scheduled.ok).toBe(true);
    if (!scheduled.ok) return;
    const cards = [card, scheduled.card];
    expect(scheduled.card.version).toBe(2);
    expect(rateCardAt(cards, now).version).toBe(1);
    expect(rateCardAt(cards, now + 4999).version).toBe(1);
    expect(rateCardAt(cards, now + 5000).version).toBe(2);
    expect(nextRateCard(cards, now)?.version).toBe(2);
    expect(publicRates(cards, now).next).toEqual({ version: 2, effectiveAt: now + 5000 });
  });

  it('publishes the cut in plain words', () => {
    const rates = publicRates([card], 0);
    expect(rates.creatorShare).toEqual({ numerator: 7, denominator: 10 });
    expect(rates.summary).toContain('1 coin = $0.01');
    expect(rates.summary).toContain('Creators keep 70% of what viewers pay, the platform 30%');
    expect(rates.packs[0]).toEqual({
      id: 'pack_100',
      coins: 100,
      price: { amount: 100, currency: 'USD' },
      pricePerCoin: { numerator: 1, denominator: 1 },
    });
    expect(formatMoney(100_001)).toBe('$1000.01');
  });
});
