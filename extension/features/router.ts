// The background's front door. Every message is checked for who sent it and validated with zod before any
// feature sees it: the popup (an extension page) may ask anything; a content script only what a stream
// page needs, for the channel its own page shows.
import type { Browser } from 'wxt/browser';
import { ContentMessage, PageMessage, type ParsedContentMessage, type ParsedPageMessage } from '../lib/messages';
import type { Reply } from '../lib/replies';
import { logError } from '../lib/log';
import { fail, ok, type BackgroundContext } from './context';
import * as channelConnect from './channel-connect';
import * as creator from './creator';
import { followGift, giftView, pageState, resolveChannel, resolveForPage, sendFromPage, sendGift } from './gifting';
import { sessionView, setServer, signIn, signOut, signUp } from './session';
import { normalizeServer, DEFAULT_SERVER } from './settings';
import * as wallet from './wallet';

type Sender = Browser.runtime.MessageSender;

/** Stream sites the content script runs on, by host suffix. */
const STREAM_HOSTS = ['twitch.tv', 'youtube.com', 'kick.com', 'tiktok.com'];

export type SenderKind = { kind: 'page' } | { kind: 'content'; url: string } | { kind: 'unknown' };

export function classifySender(sender: Sender, extensionId: string, extensionOrigin: string): SenderKind {
  if (sender.id !== extensionId) return { kind: 'unknown' };
  const url = sender.url ?? '';
  if (url.startsWith(extensionOrigin)) return { kind: 'page' };
  if (!sender.tab) return { kind: 'unknown' };
  try {
    const u = new URL(url);
    const host = u.hostname.toLowerCase();
    if (u.protocol === 'https:' && STREAM_HOSTS.some((h) => host === h || host.endsWith(`.${h}`)))
      return { kind: 'content', url };
  } catch {
    // not a URL: unknown sender
  }
  return { kind: 'unknown' };
}

export function createRouter(ctx: BackgroundContext, identity: { id: string; origin: string }) {
  return async function handle(message: unknown, sender: Sender): Promise<Reply<unknown>> {
    const who = classifySender(sender, identity.id, identity.origin);
    try {
      if (who.kind === 'page') {
        const parsed = PageMessage.safeParse(message);
        if (parsed.success) return await fromPage(ctx, parsed.data);
        if (ContentMessage.safeParse(message).success) return fail('forbidden', 'This message is for stream pages.');
        return fail('invalid_request', 'Malformed message.');
      }
      if (who.kind === 'content') {
        const parsed = ContentMessage.safeParse(message);
        if (!parsed.success) return fail('forbidden', 'Stream pages may not ask that.');
        return await fromContent(ctx, parsed.data, who.url);
      }
      return fail('forbidden', 'Unknown sender.');
    } catch (e) {
      logError('message handler', e);
      return fail('internal', 'Something went wrong in the extension.');
    }
  };
}

/** What the creator side of the popup asks: their room, earnings, payouts and settings. */
type CreatorMessage = Extract<ParsedPageMessage, { type: `creator.${string}` | 'room.get' }>;

function isCreatorMessage(m: ParsedPageMessage): m is CreatorMessage {
  return m.type.startsWith('creator.') || m.type === 'room.get';
}

function fromPage(ctx: BackgroundContext, m: ParsedPageMessage): Promise<Reply<unknown>> {
  return isCreatorMessage(m) ? fromCreatorPage(ctx, m) : fromViewerPage(ctx, m);
}

/** The session, settings, the wallet and gifting: what every signed-in (or signing-in) user asks. */
async function fromViewerPage(
  ctx: BackgroundContext,
  m: Exclude<ParsedPageMessage, CreatorMessage>,
): Promise<Reply<unknown>> {
  switch (m.type) {
    case 'session.get':
      return ok(sessionView(await ctx.session()));
    case 'session.signIn':
      return signIn(ctx, m.email, m.password);
    case 'session.signUp':
      return signUp(ctx, {
        email: m.email,
        password: m.password,
        displayName: m.displayName,
        birthdate: m.birthdate,
      });
    case 'session.signOut':
      return signOut(ctx);
    case 'settings.get':
      return ok({ server: await ctx.getServer(), defaultServer: DEFAULT_SERVER });
    case 'settings.setServer': {
      const server = normalizeServer(m.url);
      if (!server) return fail('invalid_request', 'Enter a server address starting with https:// or http://.', 'url');
      return setServer(ctx, server);
    }
    case 'me.get':
      return wallet.getMe(ctx);
    case 'wallet.get':
      return wallet.getWallet(ctx, m.room);
    case 'statement.get':
      return wallet.getStatement(ctx, m.month);
    case 'statement.csv':
      return wallet.getStatementCsv(ctx, m.month);
    case 'catalog.get':
      return wallet.getCatalog(ctx);
    case 'outbox.list':
      return ok((await ctx.outbox.recent()).map(giftView));
    case 'gift.follow':
      return followGift(ctx, m.key);
    case 'wallet.buy':
      return wallet.buy(ctx, m.purchase, m.key);
    case 'purchase.get':
      return wallet.getPurchase(ctx, m.id);
    case 'purchase.refund':
      return wallet.refund(ctx, m.id, m.key);
    case 'history.list':
      return wallet.listHistory(ctx);
    case 'limits.set':
      return wallet.setLimits(ctx, m.limits);
    case 'channel.resolve':
      return resolveChannel(ctx, m.url);
    case 'gift.send':
      return sendGift(ctx, m.handle, m.gift);
  }
}

async function fromCreatorPage(ctx: BackgroundContext, m: CreatorMessage): Promise<Reply<unknown>> {
  switch (m.type) {
    case 'creator.become':
      return creator.becomeCreator(ctx, m.handle, m.channels);
    case 'creator.connectSites':
      return channelConnect.connectSites(ctx);
    case 'creator.connect':
      return channelConnect.connect(ctx, m.site);
    case 'creator.live':
      return creator.setLive(ctx, m.live, m.title);
    case 'creator.goal':
      return creator.setGoal(ctx, m.goal);
    case 'creator.overlay':
      return creator.overlay(ctx, m.rotate);
    case 'creator.testAlert':
      return creator.testAlert(ctx);
    case 'creator.earnings':
      return creator.earnings(ctx);
    case 'creator.payouts':
      return creator.payouts(ctx);
    case 'creator.requestPayout':
      return creator.requestPayout(ctx, m.payout, m.key);
    case 'creator.payoutAccount':
      return creator.payoutAccount(ctx);
    case 'creator.setUpPayouts':
      return creator.setUpPayouts(ctx);
    case 'creator.moderation':
      return creator.moderation(ctx);
    case 'creator.setBlockedWords':
      return creator.setBlockedWords(ctx, m.blockedWords);
    case 'room.get':
      return creator.room(ctx, m.handle);
  }
}

/** A stream page's content script: only its own channel, and gifts to the creator claiming it. */
async function fromContent(ctx: BackgroundContext, m: ParsedContentMessage, pageUrl: string): Promise<Reply<unknown>> {
  switch (m.type) {
    case 'page.resolve':
      return resolveForPage(ctx, pageUrl, m.channelUrl);
    case 'page.state':
      return pageState(ctx, m.handle);
    case 'page.followGift':
      return followGift(ctx, m.key);
    case 'page.sendGift':
      return sendFromPage(ctx, pageUrl, m.channelUrl, m.handle, m.gift);
  }
}
