// What the popup and the content script may ask the background, validated with zod on arrival. The
// session token never appears in any of these messages or their replies.
import { z } from 'zod';
import {
  Birthdate,
  GiftRequest,
  Handle,
  LimitsRequest,
  ModerationRequest,
  PayoutRequest,
  StatementQuery,
} from '@giftstream/shared';

const Key = z.string().min(8).max(255);
const Empty = {} as const;

/** Messages only the extension's own pages (the popup) may send. */
export const PageMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('session.get'), ...Empty }),
  z.strictObject({
    type: z.literal('session.signIn'),
    email: z.string().min(3).max(254),
    password: z.string().min(1).max(256),
  }),
  z.strictObject({
    type: z.literal('session.signUp'),
    email: z.string().min(3).max(254),
    password: z.string().min(8).max(256),
    displayName: z.string().min(1).max(40),
    birthdate: Birthdate,
  }),
  z.strictObject({ type: z.literal('session.signOut') }),
  z.strictObject({ type: z.literal('settings.get') }),
  z.strictObject({ type: z.literal('settings.setServer'), url: z.string().min(1).max(300) }),
  z.strictObject({ type: z.literal('me.get') }),
  z.strictObject({ type: z.literal('wallet.get'), room: Handle.optional() }),
  z.strictObject({ type: z.literal('statement.get'), month: StatementQuery.shape.month }),
  z.strictObject({ type: z.literal('statement.csv'), month: StatementQuery.shape.month }),
  z.strictObject({ type: z.literal('catalog.get') }),
  z.strictObject({ type: z.literal('outbox.list') }),
  z.strictObject({ type: z.literal('gift.follow'), key: z.string().min(8).max(255) }),
  z.strictObject({
    type: z.literal('wallet.buy'),
    key: Key,
    purchase: z.union([
      z.strictObject({ packId: z.string().min(1).max(64) }),
      z.strictObject({ coins: z.int().positive() }),
    ]),
  }),
  z.strictObject({ type: z.literal('purchase.get'), id: z.string().min(1).max(64) }),
  z.strictObject({ type: z.literal('purchase.refund'), id: z.string().min(1).max(64), key: Key }),
  z.strictObject({ type: z.literal('history.list') }),
  z.strictObject({ type: z.literal('limits.set'), limits: LimitsRequest }),
  z.strictObject({ type: z.literal('channel.resolve'), url: z.string().min(1).max(2000) }),
  z.strictObject({ type: z.literal('gift.send'), handle: Handle, gift: GiftRequest }),
  z.strictObject({ type: z.literal('creator.become'), handle: Handle, channels: z.array(z.string().max(300)).max(10) }),
  z.strictObject({ type: z.literal('creator.connectSites') }),
  z.strictObject({ type: z.literal('creator.connect'), site: z.enum(['twitch', 'youtube', 'kick']) }),
  z.strictObject({ type: z.literal('creator.live'), live: z.boolean(), title: z.string().max(100).optional() }),
  z.strictObject({
    type: z.literal('creator.goal'),
    goal: z.strictObject({ label: z.string().min(1).max(60), coins: z.int().min(1).max(100_000_000) }).nullable(),
  }),
  z.strictObject({ type: z.literal('creator.overlay'), rotate: z.boolean() }),
  z.strictObject({ type: z.literal('creator.testAlert') }),
  z.strictObject({ type: z.literal('creator.earnings') }),
  z.strictObject({ type: z.literal('creator.payouts') }),
  z.strictObject({ type: z.literal('creator.requestPayout'), key: Key, payout: PayoutRequest }),
  z.strictObject({ type: z.literal('creator.payoutAccount') }),
  z.strictObject({ type: z.literal('creator.setUpPayouts') }),
  z.strictObject({ type: z.literal('creator.moderation') }),
  z.strictObject({ type: z.literal('creator.setBlockedWords'), blockedWords: ModerationRequest.shape.blockedWords }),
  z.strictObject({ type: z.literal('room.get'), handle: Handle }),
]);

/** Messages a content script on a stream page may send; the page's channel is checked against its URL. */
export const ContentMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('page.resolve'), channelUrl: z.string().min(1).max(300) }),
  z.strictObject({ type: z.literal('page.state'), handle: Handle.optional() }),
  z.strictObject({ type: z.literal('page.followGift'), key: z.string().min(8).max(255) }),
  z.strictObject({
    type: z.literal('page.sendGift'),
    channelUrl: z.string().min(1).max(300),
    handle: Handle,
    gift: GiftRequest,
  }),
]);

/** Both kinds: what goes over the wire. */
export const Message = z.union([PageMessage, ContentMessage]);
export type PageMessage = z.input<typeof PageMessage>;
export type ContentMessage = z.input<typeof ContentMessage>;
export type Message = PageMessage | ContentMessage;
/** What a handler gets: validated, with defaults filled in and typed text cleaned. */
export type ParsedPageMessage = z.output<typeof PageMessage>;
export type ParsedContentMessage = z.output<typeof ContentMessage>;
export type MessageType = Message['type'];
