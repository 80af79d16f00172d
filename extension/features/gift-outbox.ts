// Gifts are written to the outbox with their Idempotency-Key before the first request and retried with the
// same key until the server gives a final answer. The server replays the first final answer for a key, so a
// crash anywhere (before the request, after it, before the answer was stored) never loses or doubles a gift.
import { backoff } from '@giftstream/shared';
import { isRetryable, type Api, type GiftBody } from '../lib/api';
import type { GiftstreamDb, OutboxGift, SessionRow } from '../lib/db';

/** The server replays answers for at least 24 h; a gift still unanswered well before that stops trying. */
export const GIVE_UP_AFTER = 20 * 60 * 60 * 1000;
/** How often a gift someone is watching is tried while it waits. */
export const FOLLOW_EVERY = 2_000;

export interface OutboxDeps {
  db: GiftstreamDb;
  session: () => Promise<SessionRow | null>;
  api: (session: SessionRow) => Api;
  now?: () => number;
  newKey?: () => string;
  /** Called with the time of the next due retry, to wake the background then. */
  schedule?: (at: number) => void;
  random?: () => number;
}

export class GiftOutbox {
  private readonly inFlight = new Map<string, Promise<OutboxGift>>();
  /** When each gift was last tried, in this background's life (a watched gift is tried at most this often). */
  private readonly lastTry = new Map<string, number>();
  private readonly now: () => number;
  private readonly newKey: () => string;

  constructor(private readonly deps: OutboxDeps) {
    this.now = deps.now ?? Date.now;
    this.newKey = deps.newKey ?? (() => crypto.randomUUID());
  }

  /** Queues a gift and makes its first attempt; the record tells whether it was sent, failed, or waits. */
  async send(handle: string, body: GiftBody): Promise<OutboxGift> {
    const session = await this.deps.session();
    if (!session) throw new SignedOut();
    const t = this.now();
    const record: OutboxGift = {
      key: this.newKey(),
      server: session.server,
      userId: session.user.id,
      handle,
      body,
      status: 'pending',
      attempts: 0,
      createdAt: t,
      nextAttemptAt: t,
    };
    await this.deps.db.outbox.add(record);
    return this.attempt(record.key);
  }

  /** Attempts every pending gift of the signed-in account that is due. Safe to call any time, from anywhere. */
  async flush(): Promise<OutboxGift[]> {
    const session = await this.deps.session();
    const pending = await this.deps.db.outbox.where('status').equals('pending').toArray();
    const t = this.now();
    const done: OutboxGift[] = [];
    for (const record of pending) {
      if (t - record.createdAt > GIVE_UP_AFTER) {
        await this.settle(record.key, {
          status: 'expired',
          error: {
            code: 'expired',
            message: 'The server did not answer in time; check your history before sending again.',
          },
        });
        continue;
      }
      // Only the account that queued a gift may send it, and only to the server it was meant for.
      if (!session || record.server !== session.server || record.userId !== session.user.id) continue;
      if (record.nextAttemptAt > t) continue;
      done.push(await this.attempt(record.key));
    }
    await this.scheduleNext();
    return done;
  }

  /**
   * A gift's record, for a panel that shows it. While someone watches a waiting gift, it is tried again every
   * few seconds instead of on the lengthening backoff, so it turns to sent soon after the server is back.
   * Same key every time: the server applies it once whichever try lands.
   */
  async follow(key: string): Promise<OutboxGift | undefined> {
    const record = await this.deps.db.outbox.get(key);
    if (!record || record.status !== 'pending') return record;
    const last = this.lastTry.get(key) ?? 0;
    if (this.now() - last < FOLLOW_EVERY && record.nextAttemptAt > this.now()) return record;
    return this.attempt(key);
  }

  async recent(limit = 20): Promise<OutboxGift[]> {
    return this.deps.db.outbox.orderBy('createdAt').reverse().limit(limit).toArray();
  }

  private attempt(key: string): Promise<OutboxGift> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const p = this.tryOnce(key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async tryOnce(key: string): Promise<OutboxGift> {
    const record = await this.deps.db.outbox.get(key);
    if (!record) throw new Error(`no outbox record ${key}`);
    if (record.status !== 'pending') return record;
    const session = await this.deps.session();
    if (!session || session.server !== record.server || session.user.id !== record.userId) return record;
    this.lastTry.set(key, this.now());
    const res = await this.deps.api(session).sendGift(record.handle, record.body, record.key);
    if (res.ok) return this.settle(key, { status: 'sent', result: res.data });
    if (res.error.code === 'unauthorized') {
      // The session is gone; the gift waits for the same account to sign in again.
      return record;
    }
    if (isRetryable(res.error)) {
      const attempts = record.attempts + 1;
      const retryAt = this.now() + backoff(attempts, this.deps.random);
      await this.deps.db.outbox.update(key, { attempts, nextAttemptAt: retryAt });
      this.deps.schedule?.(retryAt);
      return { ...record, attempts, nextAttemptAt: retryAt };
    }
    return this.settle(key, { status: 'failed', error: { code: res.error.code, message: res.error.message } });
  }

  private async settle(key: string, change: Partial<OutboxGift>): Promise<OutboxGift> {
    await this.deps.db.outbox.update(key, { ...change, settledAt: this.now() });
    return (await this.deps.db.outbox.get(key))!;
  }

  private async scheduleNext(): Promise<void> {
    const pending = await this.deps.db.outbox.where('status').equals('pending').toArray();
    if (pending.length === 0 || !this.deps.schedule) return;
    this.deps.schedule(Math.min(...pending.map((r) => r.nextAttemptAt)));
  }
}

export class SignedOut extends Error {
  constructor() {
    super('signed out');
  }
}
