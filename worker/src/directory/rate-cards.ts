import type { RateCard } from '@giftstream/shared';
import type { Env } from '../env';

/** Publishes the next rate card; a newer schedule replaces any version that has not taken effect by `at`. */
export async function publishRateCard(env: Env, card: RateCard, at: number): Promise<void> {
  await env.DB.batch([
    env.DB.prepare('DELETE FROM rate_cards WHERE effective_at > ?').bind(at),
    env.DB.prepare('INSERT INTO rate_cards (version, effective_at, card) VALUES (?, ?, ?)').bind(
      card.version,
      card.effectiveAt,
      JSON.stringify(card),
    ),
  ]);
}
