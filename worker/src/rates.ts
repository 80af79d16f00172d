import { DEFAULT_RATE_CARD, rateCardAt, type RateCard } from '@giftstream/shared';
import { now } from './clock';
import type { Env } from './env';

let cached: { cards: RateCard[]; at: number } | null = null;
const CACHE_MS = 30_000;

/** Every published rate card: the built-in first version and any the operator scheduled since. */
export async function rateCards(env: Env): Promise<RateCard[]> {
  const t = Date.now();
  if (cached && t - cached.at < CACHE_MS) return cached.cards;
  const { results } = await env.DB.prepare('SELECT card FROM rate_cards ORDER BY version').all<{ card: string }>();
  cached = { cards: [DEFAULT_RATE_CARD, ...results.map((r) => JSON.parse(r.card) as RateCard)], at: t };
  return cached.cards;
}

export function forgetRateCards(): void {
  cached = null;
}

export async function currentRateCard(env: Env): Promise<RateCard> {
  return rateCardAt(await rateCards(env), now());
}

export async function rateCardByVersion(env: Env, version: number): Promise<RateCard> {
  return (await rateCards(env)).find((c) => c.version === version) ?? DEFAULT_RATE_CARD;
}
