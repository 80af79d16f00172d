import type { AlertLook, OverlaySettings, Variation } from './config';

/** What a variation is matched against: the gift that opened the alert. */
export interface GiftRef {
  giftId: string;
  /** The price of one gift, in coins (the same figure the tiers use). */
  coins: number;
}

export function variationMatches(v: Variation, gift: GiftRef): boolean {
  return 'giftId' in v.when ? v.when.giftId === gift.giftId : gift.coins >= v.when.minCoins;
}

/** The first variation that matches, in the creator's order; null: the default look. */
export function matchVariation(config: OverlaySettings, gift: GiftRef): Variation | null {
  return config.alerts.variations.find((v) => variationMatches(v, gift)) ?? null;
}

export interface ResolvedLook extends AlertLook {
  /** The variation it came from; null for the default look. */
  variation: string | null;
}

/** The look an alert gets: the default, with the first matching variation's parts laid over it. */
export function lookFor(config: OverlaySettings, gift: GiftRef): ResolvedLook {
  const v = matchVariation(config, gift);
  const patch = v ? Object.fromEntries(Object.entries(v.look).filter(([, value]) => value !== undefined)) : {};
  return { ...config.alerts.default, ...patch, variation: v?.id ?? null };
}
