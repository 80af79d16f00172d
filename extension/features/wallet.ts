// The viewer's wallet: balance, buying coins, refunds, history and limits. Answers are cached per account in
// Dexie so the popup still shows the last known balance and history when the server cannot be reached.
import type { LimitsChange } from '@giftstream/shared';
import type { Catalog, Rates, Wallet } from '../lib/api';
import { ownerOf, type SessionRow } from '../lib/db';
import type { Replies, Reply } from '../lib/replies';
import { apiFor, ok, relay, relayCall, signedIn, type BackgroundContext } from './context';

async function remember(ctx: BackgroundContext, name: string, value: unknown): Promise<void> {
  await ctx.db.cache.put({ name, value, at: ctx.now() });
}

async function recall<T>(ctx: BackgroundContext, name: string): Promise<{ value: T; at: number } | null> {
  const row = await ctx.db.cache.get(name);
  return row ? { value: row.value as T, at: row.at } : null;
}

/** The wallet; with `room`, also what was sent to that creator's current stream (never shown from the cache). */
export async function getWallet(ctx: BackgroundContext, room?: string): Promise<Reply<Replies['wallet.get']>> {
  const s = await signedIn(ctx);
  if ('error' in s) return s.error;
  const name = `${ownerOf(s.session)}:wallet`;
  const res = await s.api.wallet(room);
  if (res.ok) {
    const { room: _, ...rest } = res.data;
    await remember(ctx, name, rest);
    return ok({ wallet: res.data, offline: false, at: ctx.now() });
  }
  const cached = res.error.code === 'network' ? await recall<Wallet>(ctx, name) : null;
  if (cached) return ok({ wallet: cached.value, offline: true, at: cached.at });
  return relay(ctx, res);
}

/** The gift catalog and the rate card, public and cached per server. */
export async function getCatalog(ctx: BackgroundContext): Promise<Reply<Replies['catalog.get']>> {
  const server = await ctx.getServer();
  const api = apiFor(ctx, server);
  const name = `${server}:catalog`;
  const [gifts, rates] = await Promise.all([api.gifts(), api.rates()]);
  if (gifts.ok && rates.ok) {
    const value = { gifts: gifts.data.gifts, rates: rates.data };
    await remember(ctx, name, value);
    return ok(value);
  }
  const cached = await recall<{ gifts: Catalog; rates: Rates }>(ctx, name);
  if (cached) return ok(cached.value);
  return relay(ctx, gifts.ok ? (rates as Extract<typeof rates, { ok: false }>) : gifts);
}

export async function buy(
  ctx: BackgroundContext,
  purchase: { packId: string } | { coins: number },
  key: string,
): Promise<Reply<Replies['wallet.buy']>> {
  const s = await signedIn(ctx);
  if ('error' in s) return s.error;
  const res = await s.api.buy(purchase, key);
  if (!res.ok) return relay(ctx, res);
  const { checkoutUrl } = res.data.purchase;
  // Stripe mode: pay in Checkout; the balance follows when Stripe's webhook reaches the server.
  const opened = res.data.purchase.status === 'pending' && !!checkoutUrl && /^https:\/\//.test(checkoutUrl);
  if (opened) await ctx.openTab(checkoutUrl!);
  return ok({ ...res.data, checkoutOpened: opened });
}

export async function getPurchase(ctx: BackgroundContext, id: string): Promise<Reply<Replies['purchase.get']>> {
  return relayCall(ctx, (api) => api.purchase(id));
}

export async function refund(
  ctx: BackgroundContext,
  id: string,
  key: string,
): Promise<Reply<Replies['purchase.refund']>> {
  return relayCall(ctx, (api) => api.refund(id, key));
}

/** The newest page of history, stored as it arrives; what is stored is what the popup shows when offline. */
export async function listHistory(ctx: BackgroundContext): Promise<Reply<Replies['history.list']>> {
  const s = await signedIn(ctx);
  if ('error' in s) return s.error;
  const owner = ownerOf(s.session);
  const res = await s.api.history();
  let offline = false;
  if (res.ok) {
    await ctx.db.transaction('rw', ctx.db.history, ctx.db.cache, async () => {
      await ctx.db.history.bulkPut(res.data.entries.map((e) => ({ ...e, owner })));
      await ctx.db.cache.put({ name: `${owner}:history-synced`, value: true, at: ctx.now() });
    });
  } else if (res.error.code === 'network') {
    offline = true;
  } else {
    return relay(ctx, res);
  }
  const rows = await ctx.db.history
    .where('[owner+at]')
    .between([owner, -Infinity], [owner, Infinity])
    .reverse()
    .limit(200)
    .toArray();
  const synced = await ctx.db.cache.get(`${owner}:history-synced`);
  return ok({ entries: rows.map(({ owner: _, ...e }) => e), offline, syncedAt: synced?.at ?? null });
}

export async function getStatement(ctx: BackgroundContext, month: string): Promise<Reply<Replies['statement.get']>> {
  const s = await signedIn(ctx);
  if ('error' in s) return s.error;
  const res = await s.api.statement(month);
  return res.ok ? ok({ statement: res.data }) : relay(ctx, res);
}

export async function getStatementCsv(ctx: BackgroundContext, month: string): Promise<Reply<Replies['statement.csv']>> {
  const s = await signedIn(ctx);
  if ('error' in s) return s.error;
  const res = await s.api.statementCsv(month);
  return res.ok ? ok({ csv: res.data, filename: `giftstream-statement-${month}.csv` }) : relay(ctx, res);
}

export async function setLimits(ctx: BackgroundContext, limits: LimitsChange): Promise<Reply<Replies['limits.set']>> {
  return relayCall(ctx, (api) => api.setLimits(limits));
}

export async function getMe(ctx: BackgroundContext): Promise<Reply<Replies['me.get']>> {
  const s = await signedIn(ctx);
  if ('error' in s) return s.error;
  const name = `${ownerOf(s.session)}:me`;
  const res = await s.api.me();
  if (res.ok) {
    await remember(ctx, name, res.data);
    // The account's age can change (a birthday); keep the stored user current.
    await ctx.db.session.update('current', {
      user: { ...s.session.user, ...res.data.user },
    } satisfies Partial<SessionRow>);
    return ok(res.data);
  }
  const cached = res.error.code === 'network' ? await recall<Replies['me.get']>(ctx, name) : null;
  return cached ? ok(cached.value) : relay(ctx, res);
}
