// The background's own database (the extension's origin, so no content script or page can open it): the
// session token, the gift outbox, and caches that keep the popup readable offline.
import Dexie, { type EntityTable } from 'dexie';
import type { AuthUser, GiftBody, GiftSent, HistoryItem } from './api';

export interface SessionRow {
  id: 'current';
  server: string;
  token: string;
  user: AuthUser;
}

export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'expired';

/** One gift on its way: written with its idempotency key before the first request, so retries never double it. */
export interface OutboxGift {
  key: string;
  server: string;
  userId: string;
  handle: string;
  body: GiftBody;
  status: OutboxStatus;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  settledAt?: number;
  result?: GiftSent;
  error?: { code: string; message: string };
}

/** A wallet history entry, kept per account (`owner` = server + user id). */
export interface HistoryRow extends HistoryItem {
  owner: string;
}

export interface CacheRow {
  /** `${owner}:${what}` */
  name: string;
  value: unknown;
  at: number;
}

export class GiftstreamDb extends Dexie {
  session!: EntityTable<SessionRow, 'id'>;
  outbox!: EntityTable<OutboxGift, 'key'>;
  history!: EntityTable<HistoryRow, 'id'>;
  cache!: EntityTable<CacheRow, 'name'>;

  constructor(name = 'giftstream') {
    super(name);
    this.version(1).stores({
      session: 'id',
      outbox: 'key, status, createdAt',
      history: 'id, owner, [owner+at]',
      cache: 'name',
    });
  }
}

export const db = new GiftstreamDb();

export function ownerOf(session: Pick<SessionRow, 'server' | 'user'>): string {
  return `${session.server}|${session.user.id}`;
}
