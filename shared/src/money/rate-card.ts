import { mulCeil, mulFloor, type Fraction } from './fraction';

export interface Pack {
  id: string;
  coins: number;
}

/**
 * Everything that turns coins and diamonds into money. Versioned: every ledger entry records the
 * version it used, and a new version applies only from its `effectiveAt` on, never backwards.
 */
export interface RateCard {
  version: number;
  /** Epoch ms from which this card applies. */
  effectiveAt: number;
  currency: 'USD';
  /** Minor units (cents) a viewer pays per coin. */
  coinPrice: Fraction;
  packs: Pack[];
  custom: { min: number; max: number };
  /** Diamonds a creator receives per coin gifted. */
  diamondsPerCoin: number;
  /** Minor units one diamond is worth when paid out. */
  diamondValue: Fraction;
  /** Payouts are requested in multiples of this many diamonds (so the amount is exact). */
  payoutStep: number;
  /** Smallest payout, in minor units. */
  payoutMinimum: number;
  /** Gifts worth this many minor units or more need an explicit confirmation in the UI. */
  confirmThreshold: number;
}

export const DEFAULT_RATE_CARD: RateCard = {
  version: 1,
  effectiveAt: 0,
  currency: 'USD',
  coinPrice: { numerator: 1, denominator: 1 },
  packs: [100, 500, 1000, 2500, 5000, 10000].map((coins) => ({ id: `pack_${coins}`, coins })),
  custom: { min: 100, max: 100_000 },
  diamondsPerCoin: 1,
  diamondValue: { numerator: 7, denominator: 10 },
  payoutStep: 10,
  payoutMinimum: 1000,
  confirmThreshold: 1000,
};

export interface Money {
  amount: number;
  currency: 'USD';
}

export function money(amount: number, card: Pick<RateCard, 'currency'> = DEFAULT_RATE_CARD): Money {
  return { amount, currency: card.currency };
}

/** What `coins` cost, in minor units. Rounded up only if a card ever prices coins in fractions of a cent. */
export function coinsPrice(card: RateCard, coins: number): number {
  return mulCeil(coins, card.coinPrice);
}

export function diamondsForCoins(card: RateCard, coins: number): number {
  return coins * card.diamondsPerCoin;
}

/** The value of a diamond balance: rounded down, with the fraction of a cent kept as remainder. */
export function diamondsValue(card: RateCard, diamonds: number): { amount: number; remainder: Fraction } {
  const { value, remainder } = mulFloor(diamonds, card.diamondValue);
  return { amount: value, remainder: { numerator: remainder, denominator: card.diamondValue.denominator } };
}

export type PayoutCheck = { ok: true; amount: number } | { ok: false; reason: 'not_a_multiple' | 'below_minimum' };

/** Payouts round only here: a request must be a whole number of steps, so its amount is exact. */
export function payoutAmount(card: RateCard, diamonds: number): PayoutCheck {
  if (diamonds % card.payoutStep !== 0) return { ok: false, reason: 'not_a_multiple' };
  const { value } = mulFloor(diamonds, card.diamondValue);
  if (value < card.payoutMinimum) return { ok: false, reason: 'below_minimum' };
  return { ok: true, amount: value };
}

/** The smallest diamond balance that can be paid out. */
export function payoutMinimumDiamonds(card: RateCard): number {
  const perStep = mulFloor(card.payoutStep, card.diamondValue).value;
  return Math.ceil(card.payoutMinimum / perStep) * card.payoutStep;
}

/** The card in force at `now`: the latest whose effective time has come. */
export function rateCardAt(cards: readonly RateCard[], now: number): RateCard {
  let current: RateCard | undefined;
  for (const card of cards) {
    if (card.effectiveAt <= now && (!current || card.version > current.version)) current = card;
  }
  if (!current) throw new Error('no rate card is in force');
  return current;
}

/** The next scheduled card after `now`, if any. */
export function nextRateCard(cards: readonly RateCard[], now: number): RateCard | undefined {
  return cards.filter((c) => c.effectiveAt > now).sort((a, b) => a.effectiveAt - b.effectiveAt)[0];
}

export type ScheduleCheck =
  | { ok: true; card: RateCard }
  | { ok: false; reason: 'not_in_future' | 'inexact_payout_step' };

/** Checks a proposed next card: it must take effect later than now and keep payouts exact. */
export function scheduleRateCard(
  cards: readonly RateCard[],
  proposed: Omit<RateCard, 'version'>,
  now: number,
): ScheduleCheck {
  if (proposed.effectiveAt <= now) return { ok: false, reason: 'not_in_future' };
  if (mulFloor(proposed.payoutStep, proposed.diamondValue).remainder !== 0)
    return { ok: false, reason: 'inexact_payout_step' };
  const inForce = rateCardAt(cards, now);
  return { ok: true, card: { ...proposed, version: inForce.version + 1 } };
}

/** What `/v1/rates` publishes: the card in force, in numbers and in plain words. */
export function publicRates(cards: readonly RateCard[], now: number) {
  const card = rateCardAt(cards, now);
  const next = nextRateCard(cards, now);
  const share = creatorShare(card);
  const sharePercent = (share.numerator * 100) / share.denominator;
  return {
    version: card.version,
    effectiveAt: card.effectiveAt,
    currency: card.currency,
    coinPrice: card.coinPrice,
    packs: card.packs.map((p) => ({
      id: p.id,
      coins: p.coins,
      price: money(coinsPrice(card, p.coins), card),
      pricePerCoin: card.coinPrice,
    })),
    custom: card.custom,
    creatorShare: share,
    diamondsPerCoin: card.diamondsPerCoin,
    diamondValue: card.diamondValue,
    payoutStep: card.payoutStep,
    payoutMinimum: money(card.payoutMinimum, card),
    payoutMinimumDiamonds: payoutMinimumDiamonds(card),
    confirmThreshold: money(card.confirmThreshold, card),
    summary:
      `1 coin = ${formatMoney(coinsPrice(card, 1), card.currency)} at every pack size. ` +
      `A gift worth N coins gives the creator ${card.diamondsPerCoin === 1 ? 'N diamonds' : `${card.diamondsPerCoin}×N diamonds`}; ` +
      `1 diamond = ${card.diamondValue.numerator}/${card.diamondValue.denominator} of a cent. ` +
      `Creators keep ${trimPercent(sharePercent)}% of what viewers pay, the platform ${trimPercent(100 - sharePercent)}%. ` +
      `Payouts from ${formatMoney(card.payoutMinimum, card.currency)}, in steps of ${card.payoutStep} diamonds.`,
    next: next ? { version: next.version, effectiveAt: next.effectiveAt } : null,
  };
}

/** The part of what viewers pay that reaches the creator, as a reduced fraction (7/10 by default). */
export function creatorShare(card: RateCard): Fraction {
  const numerator = card.diamondsPerCoin * card.diamondValue.numerator * card.coinPrice.denominator;
  const denominator = card.diamondValue.denominator * card.coinPrice.numerator;
  const d = gcd(numerator, denominator);
  return { numerator: numerator / d, denominator: denominator / d };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** A percentage as words show it: 70, or 66.67. */
export function trimPercent(p: number): string {
  return Number.isInteger(p) ? String(p) : p.toFixed(2);
}

/** "$12.34" from minor units; display only, never used for arithmetic. */
export function formatMoney(minor: number, currency: 'USD' = 'USD'): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const symbol = currency === 'USD' ? '$' : `${currency} `;
  return `${sign}${symbol}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
