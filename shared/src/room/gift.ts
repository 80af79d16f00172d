import { tierOf, type Gift, type Tier } from '../catalog';
import { coinsPrice, diamondsForCoins, type Money, type RateCard } from '../money/rate-card';

/**
 * One gift send as the gift route decides it: who sends what to which room, at what price and rate.
 * The viewer's wallet debits it and carries it, with its combo and time, to the creator's room. Built
 * only by `giftCommand`; a new field (a room session, a cap) goes here and in the builder.
 */
export interface GiftCommand {
  transferId: string;
  /** The receiving creator's handle: the room's name. */
  room: string;
  creatorUserId: string;
  fromUserId: string;
  fromName: string;
  anonymous: boolean;
  giftId: string;
  name: string;
  tier: Tier;
  /** Coins per gift; `coins` is the whole send (unit × count). */
  unitCoins: number;
  count: number;
  coins: number;
  diamonds: number;
  rateVersion: number;
  /** What the whole send costs in minor units at that rate card: the viewer's gift caps count this. */
  price: number;
  /** The room's live session when the gift was asked (null if unknown): the per-stream gift cap counts per session. */
  sessionId: string | null;
  message?: string;
}

/** What a viewer's wallet sends the room for one gift (its outbox record's payload). */
export interface GiftPayload extends GiftCommand {
  combo: { id: string; count: number };
  at: number;
}

export interface GiftInput {
  transferId: string;
  room: string;
  creatorUserId: string;
  from: { userId: string; name: string };
  anonymous: boolean;
  gift: Gift;
  count: number;
  message?: string;
  card: RateCard;
  /** The room's live session, as the directory mirrors it. */
  sessionId: string | null;
}

/** The one place a gift command is put together: prices, tier and diamonds come from the catalog and card. */
export function giftCommand(input: GiftInput): GiftCommand {
  const coins = input.gift.coins * input.count;
  return {
    transferId: input.transferId,
    room: input.room,
    creatorUserId: input.creatorUserId,
    fromUserId: input.from.userId,
    fromName: input.from.name,
    anonymous: input.anonymous,
    giftId: input.gift.id,
    name: input.gift.name,
    tier: tierOf(input.gift.coins),
    unitCoins: input.gift.coins,
    count: input.count,
    coins,
    diamonds: diamondsForCoins(input.card, coins),
    rateVersion: input.card.version,
    price: coinsPrice(input.card, coins),
    sessionId: input.sessionId,
    ...(input.message ? { message: input.message } : {}),
  };
}

/** Combos continue per room and gift. */
export function comboKey(command: GiftCommand): string {
  return `${command.room}:${command.giftId}`;
}

/** The reply to a gift send: what was sent (with its combo) and the coins left. */
export interface GiftReceipt {
  gift: {
    id: string;
    giftId: string;
    count: number;
    coins: number;
    anonymous: boolean;
    message?: string;
    combo: { id: string; count: number };
  };
  /** `sent`: the spend meter after this gift, what this stream and the last 24 hours have cost the viewer. */
  wallet: { coins: number; sent: { stream: Money; day: Money } };
}

export function giftReceipt(
  command: GiftCommand,
  combo: { id: string; count: number },
  coinsLeft: number,
  sent: { stream: Money; day: Money },
): GiftReceipt {
  return {
    gift: {
      id: command.transferId,
      giftId: command.giftId,
      count: command.count,
      coins: command.coins,
      anonymous: command.anonymous,
      ...(command.message ? { message: command.message } : {}),
      combo,
    },
    wallet: { coins: coinsLeft, sent },
  };
}
