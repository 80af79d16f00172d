import type { Env } from '../env';

/** Stripe delivers an event at least once: the ids of those applied already. */
export async function eventSeen(env: Env, id: string): Promise<boolean> {
  return !!(await env.DB.prepare('SELECT 1 FROM stripe_events WHERE id = ?').bind(id).first());
}

export async function rememberEvent(env: Env, id: string, type: string, at: number): Promise<void> {
  await env.DB.prepare('INSERT INTO stripe_events (id, type, received_at) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING')
    .bind(id, type, at)
    .run();
}
