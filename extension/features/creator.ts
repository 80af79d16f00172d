// The creator's controls: going live, the goal, the overlay URL, test alerts, earnings, payouts and the
// blocked words that hide gift messages.
import type { Replies, Reply } from '../lib/replies';
import { apiFor, ok, relay, relayCall, signedIn, type BackgroundContext } from './context';
import { forgetResolutions } from './gifting';

type Creator = { [K in keyof Replies as K extends `creator.${string}` ? K : never]: Replies[K] };

export async function becomeCreator(
  ctx: BackgroundContext,
  handle: string,
  channels: string[],
): Promise<Reply<Creator['creator.become']>> {
  const s = await signedIn(ctx);
  if ('error' in s) return s.error;
  const res = await s.api.becomeCreator({ handle, channels });
  if (res.ok) forgetResolutions();
  return relay(ctx, res);
}

export async function setLive(
  ctx: BackgroundContext,
  live: boolean,
  title?: string,
): Promise<Reply<Creator['creator.live']>> {
  const s = await signedIn(ctx);
  if ('error' in s) return s.error;
  const res = await s.api.setLive(title ? { live, title } : { live });
  if (res.ok) forgetResolutions();
  return relay(ctx, res);
}

export async function setGoal(
  ctx: BackgroundContext,
  goal: { label: string; coins: number } | null,
): Promise<Reply<Creator['creator.goal']>> {
  const s = await signedIn(ctx);
  if ('error' in s) return s.error;
  return relay(ctx, goal ? await s.api.setGoal(goal) : await s.api.clearGoal());
}

export async function overlay(ctx: BackgroundContext, rotate: boolean): Promise<Reply<Creator['creator.overlay']>> {
  return relayCall(ctx, (api) => api.overlayToken(rotate));
}

export async function testAlert(ctx: BackgroundContext): Promise<Reply<null>> {
  const s = await signedIn(ctx);
  if ('error' in s) return s.error;
  return relay(ctx, await s.api.testAlert(), () => null);
}

/**
 * Opens the overlay studio signed in: a single-use ticket that expires in two minutes, in the address's
 * fragment (never sent to a server or a referrer); the popup's own session token never leaves the extension.
 */
export async function openStudio(ctx: BackgroundContext): Promise<Reply<Creator['creator.studio']>> {
  const s = await signedIn(ctx);
  if ('error' in s) return s.error;
  const res = await s.api.studioTicket();
  if (!res.ok) return relay(ctx, res);
  // The ticket goes only to the server it came from, whatever address the reply names.
  const studio = new URL('/studio/', s.session.server);
  studio.hash = `ticket=${encodeURIComponent(res.data.ticket)}`;
  await ctx.openTab(studio.toString());
  return ok({ opened: true });
}

export async function earnings(ctx: BackgroundContext): Promise<Reply<Creator['creator.earnings']>> {
  return relayCall(ctx, (api) => api.earnings());
}

export async function payouts(ctx: BackgroundContext): Promise<Reply<Creator['creator.payouts']>> {
  return relayCall(ctx, (api) => api.payouts());
}

export async function requestPayout(
  ctx: BackgroundContext,
  payout: { diamonds: number; destination?: string },
  key: string,
): Promise<Reply<Creator['creator.requestPayout']>> {
  return relayCall(ctx, (api) => api.requestPayout(payout, key));
}

export async function payoutAccount(ctx: BackgroundContext): Promise<Reply<Creator['creator.payoutAccount']>> {
  return relayCall(ctx, (api) => api.payoutAccount());
}

/** Stripe mode: a fresh onboarding link, opened in a tab (only an https one: it is Stripe's page). */
export async function setUpPayouts(ctx: BackgroundContext): Promise<Reply<Creator['creator.setUpPayouts']>> {
  const s = await signedIn(ctx);
  if ('error' in s) return s.error;
  const res = await s.api.setUpPayoutAccount();
  const opened = res.ok && /^https:\/\//.test(res.data.url);
  if (res.ok && opened) await ctx.openTab(res.data.url);
  return relay(ctx, res, () => ({ opened }));
}

export async function moderation(ctx: BackgroundContext): Promise<Reply<Creator['creator.moderation']>> {
  return relayCall(ctx, (api) => api.moderation());
}

export async function setBlockedWords(
  ctx: BackgroundContext,
  blockedWords: string[],
): Promise<Reply<Creator['creator.setBlockedWords']>> {
  return relayCall(ctx, (api) => api.setBlockedWords({ blockedWords }));
}

export async function room(ctx: BackgroundContext, handle: string): Promise<Reply<Replies['room.get']>> {
  const server = await ctx.getServer();
  return relay(ctx, await apiFor(ctx, server).room(handle));
}

export { ok };
