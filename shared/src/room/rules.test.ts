import { describe, expect, it } from 'vitest';
import { ulid } from 'ulidx';
import {
  backoff,
  frameWait,
  FRAME_MIN_MS,
  nextCombo,
  RateWindow,
  SESSION_CLOCK_SLACK,
  sessionGiftsSince,
  sortLeaderboard,
} from './rules';

describe('combos', () => {
  it('continue within 5 s of the previous gift and restart after', () => {
    const a = nextCombo(null, 1000, 1, 'a');
    const b = nextCombo(a, 6000, 2, 'b');
    expect(b).toEqual({ id: 'a', lastAt: 6000, count: 3 });
    expect(nextCombo(b, 11_001, 1, 'c')).toEqual({ id: 'c', lastAt: 11_001, count: 1 });
  });
});

describe('frames', () => {
  it('go out at most once per interval, which grows with the audience up to 100 ms', () => {
    expect(frameWait(1, 0)).toBe(10);
    expect(frameWait(500, 0)).toBe(50);
    expect(frameWait(1000, 0)).toBe(100);
    expect(frameWait(20_000, 0)).toBe(100);
  });
  it('count the interval from the last frame: a gift held up while it went out waits only for the rest', () => {
    expect(frameWait(1000, 30)).toBe(70);
    expect(frameWait(1000, 95)).toBe(FRAME_MIN_MS);
  });
  it('send the first gift after a quiet spell almost at once, whatever the audience', () => {
    expect(frameWait(1000, 60_000)).toBe(FRAME_MIN_MS);
    expect(frameWait(0, Date.now())).toBe(FRAME_MIN_MS);
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter and is capped at a minute', () => {
    expect(backoff(0, () => 0)).toBe(125);
    expect(backoff(0, () => 1)).toBe(250);
    expect(backoff(3, () => 1)).toBe(2000);
    expect(backoff(40, () => 1)).toBe(60_000);
  });
});

describe('rate windows', () => {
  it('allow `limit` events per window and say how long to wait', () => {
    const w = new RateWindow(2, 1000);
    expect(w.take(0)).toBeNull();
    expect(w.take(10)).toBeNull();
    expect(w.take(20)).toBe(980);
    expect(w.take(1000)).toBeNull();
  });
});

describe('leaderboard', () => {
  it('orders by coins, then name, and keeps ten', () => {
    const entries = Array.from({ length: 12 }, (_, i) => ({ name: `n${i}`, coins: i % 3 }));
    const top = sortLeaderboard(entries);
    expect(top).toHaveLength(10);
    expect(top.slice(0, 4).map((e) => e.name)).toEqual(['n11', 'n2', 'n5', 'n8']);
  });
});

describe('the earliest time a gift to a session can have', () => {
  it("is the session id's own time, less the clocks' slack; nothing is ruled out for an id that is not a ULID", () => {
    const startedAt = Date.UTC(2026, 11, 6, 4, 0);
    expect(sessionGiftsSince(ulid(startedAt))).toBe(startedAt - SESSION_CLOCK_SLACK);
    expect(sessionGiftsSince('s1')).toBe(0);
    expect(sessionGiftsSince('')).toBe(0);
  });
});
