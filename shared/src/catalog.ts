import { coinsPrice, DEFAULT_RATE_CARD, money, type Money, type RateCard } from './money/rate-card';

export type Tier = 'small' | 'medium' | 'large' | 'epic';

export interface Gift {
  id: string;
  name: string;
  coins: number;
}

/** The overlay's presentation class, from the gift's worth in coins. */
export function tierOf(coins: number): Tier {
  if (coins >= 10_000) return 'epic';
  if (coins >= 1_000) return 'large';
  if (coins >= 100) return 'medium';
  return 'small';
}

export const GIFTS: readonly Gift[] = [
  { id: 'heart', name: 'Heart', coins: 1 },
  { id: 'rose', name: 'Rose', coins: 5 },
  { id: 'coffee', name: 'Coffee', coins: 10 },
  { id: 'star', name: 'Star', coins: 25 },
  { id: 'pizza', name: 'Pizza', coins: 50 },
  { id: 'balloon', name: 'Balloon', coins: 100 },
  { id: 'trophy', name: 'Trophy', coins: 250 },
  { id: 'diamond_ring', name: 'Diamond Ring', coins: 500 },
  { id: 'fireworks', name: 'Fireworks', coins: 1_000 },
  { id: 'sports_car', name: 'Sports Car', coins: 2_500 },
  { id: 'castle', name: 'Castle', coins: 5_000 },
  { id: 'rocket', name: 'Rocket', coins: 10_000 },
  { id: 'galaxy', name: 'Galaxy', coins: 25_000 },
];

const byId = new Map(GIFTS.map((g) => [g.id, g]));

export function findGift(id: string): Gift | undefined {
  return byId.get(id);
}

export interface CatalogEntry extends Gift {
  price: Money;
  tier: Tier;
}

export function catalog(card: RateCard = DEFAULT_RATE_CARD): CatalogEntry[] {
  return GIFTS.map((g) => ({ ...g, price: money(coinsPrice(card, g.coins), card), tier: tierOf(g.coins) }));
}
