// What the background answers each message with. Types only: the popup imports this without zod.
import type {
  Catalog,
  ConnectSite,
  ConnectSites,
  Creator,
  Earnings,
  GiftLimits,
  GiftSent,
  GiftsSent,
  HistoryItem,
  Me,
  Moderation,
  Payout,
  PayoutAccount,
  Purchase,
  Rates,
  Refunded,
  Resolved,
  Room,
  Statement,
  Wallet,
} from './api';
import type { GiftBody } from './api';
import type { OutboxStatus } from './db';
import type { MessageType } from './messages';

export interface ReplyError {
  code: string;
  message: string;
  field?: string;
}
export type Reply<T> = { ok: true; data: T } | { ok: false; error: ReplyError };

export interface SessionView {
  server: string;
  user: { id: string; displayName: string; adult: boolean; email?: string };
}

export interface GiftView {
  key: string;
  handle: string;
  body: GiftBody;
  status: OutboxStatus;
  attempts: number;
  createdAt: number;
  result?: GiftSent;
  error?: ReplyError;
}

export interface PageState {
  signedIn: boolean;
  adult: boolean;
  coins: number | null;
  /** The creator's live state as the server said it at `at` (null: not asked, or no answer). */
  live: boolean | null;
  /** When the server answered (epoch ms); what is older than `STALE_AFTER` is not shown as current. */
  at: number;
  gifts: Catalog;
  confirmThreshold: number;
  /** The spend meter for this creator's current stream, from the wallet (null: not signed in or no answer). */
  sent: GiftsSent | null;
  giftLimits: GiftLimits | null;
}

export interface Replies {
  'session.get': SessionView | null;
  'session.signIn': SessionView;
  'session.signUp': SessionView;
  'session.signOut': null;
  'settings.get': { server: string; defaultServer: string };
  'settings.setServer': { server: string };
  'me.get': Me;
  'wallet.get': { wallet: Wallet; offline: boolean; at: number };
  'catalog.get': { gifts: Catalog; rates: Rates };
  'outbox.list': GiftView[];
  'gift.follow': GiftView;
  'wallet.buy': { purchase: Purchase; wallet: { coins: number }; checkoutOpened: boolean };
  'purchase.get': { purchase: Purchase };
  'purchase.refund': Refunded;
  'history.list': { entries: HistoryItem[]; offline: boolean; syncedAt: number | null };
  'limits.set': { limits: Wallet['limits']; giftLimits: GiftLimits; pendingLimits: Wallet['pendingLimits'] };
  'statement.get': { statement: Statement };
  'statement.csv': { csv: string; filename: string };
  'channel.resolve': Resolved | null;
  'gift.send': GiftView;
  'creator.become': { creator: Creator };
  'creator.connectSites': ConnectSites;
  /** `opened`: a tab with the site's sign-in page is open. */
  'creator.connect': { site: ConnectSite; opened: boolean };
  'creator.live': { live: Room['live'] };
  'creator.goal': { goal: Room['goal'] };
  'creator.overlay': { token: string; overlayUrl: string };
  'creator.testAlert': null;
  'creator.earnings': Earnings;
  'creator.payouts': { payouts: Payout[] };
  'creator.requestPayout': { payout: Payout };
  'creator.payoutAccount': { account: PayoutAccount };
  /** Stripe's onboarding opens in a new tab; the popup closes on the way. */
  'creator.setUpPayouts': { opened: boolean };
  'creator.moderation': Moderation;
  'creator.setBlockedWords': { blockedWords: string[] };
  'room.get': { room: Room };
  'page.resolve': Resolved | null;
  'page.state': PageState;
  'page.sendGift': GiftView;
  'page.followGift': GiftView;
}

export type ReplyOf<T extends MessageType> = Reply<Replies[T]>;
