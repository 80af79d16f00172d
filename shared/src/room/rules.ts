import { decodeTime } from 'ulidx';
import type { LeaderboardEntry } from '../protocol';

/** Gifts of the same gift from the same viewer at most this far apart form one combo. */
export const COMBO_WINDOW = 5_000;
export const LEADERBOARD_SIZE = 10;

export interface ComboState {
  id: string;
  lastAt: number;
  count: number;
}

/**
 * The viewer's wallet assigns combos at debit time, so retried deliveries never regroup: the same gift
 * to the same room within COMBO_WINDOW of the previous one continues its combo, anything else starts one.
 */
export function nextCombo(previous: ComboState | null, at: number, count: number, newId: string): ComboState {
  if (previous && at - previous.lastAt <= COMBO_WINDOW && at >= previous.lastAt) {
    return { id: previous.id, lastAt: at, count: previous.count + count };
  }
  return { id: newId, lastAt: at, count };
}

/**
 * How long a room holds events before it sends them as one frame. A frame costs the room (and every hop
 * after it) once per socket, so frames go out at most once per interval, which grows with the audience:
 * 10 ms up to 100 sockets, 100 ms for a thousand or more (at most 10 frames a second per socket; in
 * bench scenario 2, 1,000 sockets and 100 gifts/s, frames every 50 ms kept the thread so busy that the
 * runtime took in gift requests late, request p99 150–380 ms). The interval runs from the last frame,
 * not from the first event waiting: the first gift after a quiet spell waits only FRAME_MIN_MS, and
 * gifts held up while the last frame went out (sending to a thousand sockets keeps the thread busy for
 * tens of milliseconds) wait only for what is left of the interval.
 */
export const FRAME_MIN_MS = 10;
export function frameWait(sockets: number, sinceLastFrame: number): number {
  const interval = Math.min(100, Math.max(FRAME_MIN_MS, Math.round(sockets / 10)));
  return Math.max(FRAME_MIN_MS, interval - sinceLastFrame);
}

/** Retry delay after `attempts` failed deliveries: exponential from 250 ms to 60 s, with jitter. */
export function backoff(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(60_000, 250 * 2 ** Math.min(attempts, 16));
  return Math.round(base / 2 + (random() * base) / 2);
}

export function sortLeaderboard(entries: LeaderboardEntry[], size = LEADERBOARD_SIZE): LeaderboardEntry[] {
  return [...entries].sort((a, b) => b.coins - a.coins || a.name.localeCompare(b.name)).slice(0, size);
}

export const ANONYMOUS = 'Anonymous';

/**
 * A sliding-window counter: at most `limit` events in any `windowMs`. `take` answers null when the
 * event is allowed (and counts it), else how many ms until it would be.
 */
export class RateWindow {
  private times: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  take(now: number): number | null {
    while (this.times.length && this.times[0]! <= now - this.windowMs) this.times.shift();
    if (this.times.length >= this.limit) return this.times[0]! + this.windowMs - now;
    this.times.push(now);
    return null;
  }
}

/** How far a wallet's clock may run behind the clock of the room that started a session, and still be right. */
export const SESSION_CLOCK_SLACK = 10 * 60_000;

/**
 * No gift to a live session was debited before this: a session id is a ULID minted when the session starts
 * (`RoomBook.setLive`), and a viewer's wallet learns it only after. It lets the stream cap read a time range of
 * the viewer's spends instead of keeping an index of them by session. 0 for an id that is not a ULID.
 */
export function sessionGiftsSince(sessionId: string): number {
  try {
    return Math.max(0, decodeTime(sessionId) - SESSION_CLOCK_SLACK);
  } catch {
    return 0;
  }
}
