import { DEFAULT_RATE_CARD, rateCardAt, type RateCard } from '@giftstream/shared';
import { TtlCache, type Background } from './cache';
import { now } from './clock';
import type { Env } from './env';

/** The published cards, kept for 30 s per isolate under one key (they are read as a whole). */
const cached = new TtlCache<RateCard[]>(30_000);

/** Every published rate card: the built-in first version and any the operator scheduled since. */
export function rateCards(env: Env, background?: Background): Promise<RateCard[]> {
  return cached.get(
    'all',
    async () => {
      const { results } = await env.DB.prepare('SELECT card FROM rate_cards ORDER BY version').all<{ card: string }>();
      return [DEFAULT_RATE_CARD, ...results.map((r) => JSON.parse(r.card) as RateCard)];
    },
    background,
  );
}

export function forgetRateCards(): void {
  cached.clear();
}

export async function currentRateCard(env: Env, background?: Background): Promise<RateCard> {
  return rateCardAt(await rateCards(env, background), now());
}

export async function rateCardByVersion(env: Env, version: number): Promise<RateCard> {
  return (await rateCards(env)).find((c) => c.version === version) ?? DEFAULT_RATE_CARD;
}
