// Sending gifts, from the popup or from a stream page's gift button. Every send goes through the outbox.
import { catalog as defaultCatalog, DEFAULT_RATE_CARD, parseChannelUrl } from '@giftstream/shared';
import type { GiftBody, Resolved } from '../lib/api';
import type { OutboxGift } from '../lib/db';
import type { GiftView, PageState, Reply } from '../lib/replies';
import { fail, ok, apiFor, type BackgroundContext } from './context';
import { sameSite } from './channel-detect';
import { SignedOut } from './gift-outbox';
import { getCatalog } from './wallet';

// Who owns a channel rarely changes, but the answer also carries the creator's live state, which must not be
// shown older than STALE_AFTER: a short memory saves a request per page load without going stale.
const RESOLVE_TTL = 5_000;
/** How old an owner may be to let a gift wait in the outbox while the server is unreachable. */
const RESOLVE_OFFLINE_TTL = 10 * 60_000;
const resolved = new Map<string, { at: number; value: Resolved | null }>();

/**
 * The creator whose verified claim covers a channel page, or null; remembered for a minute. An unverified
 * claim counts as none: anyone can claim a famous streamer's channel, and a gift button for that claim
 * would send the streamer's gifts to the claimant. The server answers only verified claims; this holds
 * the line against a server from before it did.
 */
export async function resolveChannel(
  ctx: BackgroundContext,
  url: string,
  offline: 'fail' | 'remembered' = 'fail',
): Promise<Reply<Resolved | null>> {
  const channel = parseChannelUrl(url);
  if (!channel) return ok(null);
  const server = await ctx.getServer();
  const cacheKey = `${server}|${channel.key}`;
  const hit = resolved.get(cacheKey);
  if (hit && ctx.now() - hit.at < RESOLVE_TTL) return ok(hit.value);
  const res = await apiFor(ctx, server).resolve(channel.url);
  // A gift sent while the server is unreachable waits in the outbox: its owner was known minutes ago.
  const remembered = offline === 'remembered' && hit?.value && ctx.now() - hit.at < RESOLVE_OFFLINE_TTL;
  if (!res.ok && res.error.code === 'network' && remembered) return ok(hit.value);
  if (!res.ok && res.error.code !== 'not_found') return fail(res.error.code, res.error.message);
  const value = res.ok && res.data.channel.verified ? res.data : null;
  resolved.set(cacheKey, { at: ctx.now(), value });
  return ok(value);
}

export function forgetResolutions(): void {
  resolved.clear();
}

export function giftView(r: OutboxGift): GiftView {
  return {
    key: r.key,
    handle: r.handle,
    body: r.body,
    status: r.status,
    attempts: r.attempts,
    createdAt: r.createdAt,
    ...(r.result ? { result: r.result } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}

export async function sendGift(ctx: BackgroundContext, handle: string, gift: GiftBody): Promise<Reply<GiftView>> {
  try {
    return ok(giftView(await ctx.outbox.send(handle, gift)));
  } catch (e) {
    if (e instanceof SignedOut) return fail('signed_out', 'Sign in first.');
    throw e;
  }
}

/** A page may gift only to the creator who has proven the channel it shows, on its own site. */
export async function sendFromPage(
  ctx: BackgroundContext,
  pageUrl: string,
  channelUrl: string,
  handle: string,
  gift: GiftBody,
): Promise<Reply<GiftView>> {
  const channel = parseChannelUrl(channelUrl);
  if (!channel || !sameSite(pageUrl, channel))
    return fail('forbidden', 'This page cannot send gifts for that channel.');
  const r = await resolveChannel(ctx, channel.url, 'remembered');
  if (!r.ok) return r;
  if (r.data?.creator.handle !== handle) return fail('forbidden', 'This channel is not verified for that creator.');
  return sendGift(ctx, handle, gift);
}

export async function resolveForPage(
  ctx: BackgroundContext,
  pageUrl: string,
  channelUrl: string,
): Promise<Reply<Resolved | null>> {
  const channel = parseChannelUrl(channelUrl);
  if (!channel || !sameSite(pageUrl, channel)) return ok(null);
  return resolveChannel(ctx, channel.url);
}

/** A gift's outbox record as it is now; a panel that watches a waiting gift also hurries its next try. */
export async function followGift(ctx: BackgroundContext, key: string): Promise<Reply<GiftView>> {
  const record = await ctx.outbox.follow(key);
  return record ? ok(giftView(record)) : fail('not_found', 'No such gift in this browser.');
}

/**
 * What the page's gift panel needs: no token, no history, just enough to explain a send. Asked when the panel
 * opens, on focus and every few seconds while it is open, so the live state and the balance are fresh.
 */
export async function pageState(ctx: BackgroundContext, handle?: string): Promise<Reply<PageState>> {
  const session = await ctx.session();
  const server = session?.server ?? (await ctx.getServer());
  const [cat, creator, wallet] = await Promise.all([
    getCatalog(ctx),
    handle ? apiFor(ctx, server).creator(handle) : null,
    session ? apiFor(ctx, session.server, session).wallet(handle) : null,
  ]);
  const gifts = cat.ok ? cat.data.gifts : defaultCatalog();
  const confirmThreshold = cat.ok ? cat.data.rates.confirmThreshold.amount : DEFAULT_RATE_CARD.confirmThreshold;
  const live = creator?.ok ? creator.data.creator.live : null;
  const at = ctx.now();
  const meter = { sent: null, giftLimits: null };
  if (!session) return ok({ signedIn: false, adult: false, coins: null, live, at, gifts, confirmThreshold, ...meter });
  return ok({
    signedIn: true,
    adult: session.user.adult,
    coins: wallet?.ok ? wallet.data.coins : null,
    live,
    at,
    gifts,
    confirmThreshold,
    sent: wallet?.ok ? (wallet.data.room?.sent ?? null) : null,
    giftLimits: wallet?.ok ? wallet.data.giftLimits : null,
  });
}
