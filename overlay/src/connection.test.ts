import type { RoomEvent } from '@giftstream/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reconnectDelay, RoomConnection, type ConnectionStatus } from './connection';
import { comboEnd, FakeSocket, gift, hello } from './test-support';

function connect(extra: Partial<ConstructorParameters<typeof RoomConnection>[0]> = {}) {
  const applied: RoomEvent[] = [];
  const statuses: ConnectionStatus[] = [];
  const c = new RoomConnection({
    url: (since) => `ws://overlay.test/v1/rooms/ada/events?token=t${since === null ? '' : `&since=${since}`}`,
    onEvents: (e) => applied.push(...e),
    onStatus: (s) => statuses.push(s),
    WebSocket: FakeSocket as never,
    random: () => 0.5,
    ...extra,
  });
  c.start();
  return { c, applied, statuses, seqs: () => applied.filter((e) => e.type !== 'hello').map((e) => e.seq) };
}

beforeEach(() => {
  FakeSocket.reset();
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('room connection', () => {
  it('starts fresh, takes the hello snapshot and applies live events in order', () => {
    const { applied, statuses, seqs } = connect();
    const ws = FakeSocket.last();
    expect(ws.since).toBeNull();
    ws.open();
    ws.frame(hello(7));
    ws.frame([gift(8), gift(9)]);
    ws.frame(comboEnd(10, 'x', 1));
    expect(applied[0]!.type).toBe('hello');
    expect(seqs()).toEqual([8, 9, 10]);
    expect(statuses.at(-1)).toEqual({ state: 'open' });
  });

  it('resumes with since=<last seq> after a drop and shows nothing twice', () => {
    const { seqs, applied } = connect();
    const first = FakeSocket.last();
    first.frame(hello(0));
    first.frame([gift(1), gift(2), gift(3)]);
    first.drop();
    vi.advanceTimersByTime(reconnectDelay(0, () => 0.5));
    const second = FakeSocket.last();
    expect(second).not.toBe(first);
    expect(second.since).toBe(3);
    // The room replays after `since`; an overlapping frame (seq 2, 3 again) must not show twice.
    second.frame(hello(5));
    second.frame([gift(2), gift(3), gift(4), gift(5)]);
    second.frame(gift(6));
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6]);
    // A resume does not re-apply the snapshot: the replay brings the state up to it.
    expect(applied.filter((e) => e.type === 'hello')).toHaveLength(1);
  });

  it('takes the snapshot again when the room cannot replay what was missed', () => {
    const { applied, seqs } = connect();
    FakeSocket.last().frame(hello(0));
    FakeSocket.last().frame(gift(1));
    FakeSocket.last().drop();
    vi.runOnlyPendingTimers();
    FakeSocket.last().frame(hello(9000, { reset: true }));
    FakeSocket.last().frame(gift(9001));
    expect(applied.filter((e) => e.type === 'hello')).toHaveLength(2);
    expect(seqs()).toEqual([1, 9001]);
  });

  it('resumes when it notices a missing seq instead of skipping it', () => {
    const { seqs } = connect();
    const ws = FakeSocket.last();
    ws.frame(hello(0));
    ws.frame([gift(1), gift(3)]);
    expect(seqs()).toEqual([1]);
    expect(ws.closed).not.toBeNull();
    vi.runOnlyPendingTimers();
    expect(FakeSocket.last().since).toBe(1);
  });

  it('passes test alerts through without touching the seq', () => {
    const { applied, c } = connect();
    const ws = FakeSocket.last();
    ws.frame(hello(4));
    ws.frame({ ...gift(4), type: 'test', test: true } as RoomEvent);
    ws.frame({ ...gift(4), type: 'test', test: true } as RoomEvent);
    expect(applied.filter((e) => e.type === 'test')).toHaveLength(2);
    expect(c.lastSeq).toBe(4);
  });

  it('stops for good on a rejected token (4401)', () => {
    const { statuses } = connect();
    FakeSocket.last().drop(4401);
    vi.advanceTimersByTime(120_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(statuses.at(-1)).toEqual({ state: 'stopped', reason: 'bad_token' });
  });

  it('backs off exponentially with jitter, and starts over after a good connection', () => {
    connect({ random: Math.random });
    const times: number[] = [];
    let t = 0;
    for (let i = 0; i < 6; i++) {
      const before = FakeSocket.all.length;
      FakeSocket.last().drop();
      let waited = 0;
      while (FakeSocket.all.length === before) {
        vi.advanceTimersByTime(10);
        waited += 10;
      }
      times.push(waited);
      t += waited;
    }
    for (const [i, w] of times.entries()) {
      const ceiling = Math.min(15_000, 500 * 2 ** i);
      expect(w).toBeGreaterThanOrEqual(ceiling / 2 - 10);
      expect(w).toBeLessThanOrEqual(ceiling + 10);
    }
    FakeSocket.last().frame(hello(0));
    FakeSocket.last().drop();
    const before = FakeSocket.all.length;
    vi.advanceTimersByTime(500);
    expect(FakeSocket.all.length).toBe(before + 1);
  });

  it('keeps the delay within [ceiling/2, ceiling] and caps it', () => {
    expect(reconnectDelay(0, () => 0)).toBe(250);
    expect(reconnectDelay(0, () => 1)).toBe(500);
    expect(reconnectDelay(3, () => 0.5)).toBe(3_000);
    expect(reconnectDelay(50, () => 1)).toBe(15_000);
  });

  it('asks whether the room exists after repeated failures and stops if it does not', async () => {
    const probe = vi.fn(async () => 'room_missing' as const);
    const { statuses } = connect({ onFailures: probe });
    for (let i = 0; i < 3; i++) {
      FakeSocket.last().drop();
      await vi.runOnlyPendingTimersAsync();
    }
    expect(probe).toHaveBeenCalledTimes(1);
    expect(statuses.at(-1)).toEqual({ state: 'stopped', reason: 'room_missing' });
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(3);
  });

  it('pings, and replaces a socket that has gone silent', () => {
    connect();
    const ws = FakeSocket.last();
    ws.open();
    ws.frame(hello(0));
    vi.advanceTimersByTime(15_000);
    expect(ws.sent).toContain('ping');
    vi.advanceTimersByTime(40_000);
    expect(ws.closed).not.toBeNull();
    vi.runOnlyPendingTimers();
    expect(FakeSocket.last()).not.toBe(ws);
    expect(FakeSocket.last().since).toBe(0);
  });

  it('treats an unreadable frame as a reason to resume, not to crash', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { seqs } = connect();
    FakeSocket.last().frame(hello(0));
    FakeSocket.last().frame(gift(1));
    FakeSocket.last().frame('{"v":1,"seq":2,"type":"gift"}');
    vi.runOnlyPendingTimers();
    expect(FakeSocket.last().since).toBe(1);
    expect(seqs()).toEqual([1]);
    warn.mockRestore();
  });

  it('reports how long it has been down, from the first loss', () => {
    let now = 1_000;
    const { statuses } = connect({ now: () => now });
    FakeSocket.last().frame(hello(0));
    now = 2_000;
    FakeSocket.last().drop();
    now = 3_000;
    vi.runOnlyPendingTimers();
    FakeSocket.last().drop();
    expect(statuses.filter((s) => s.state === 'down')).toEqual([
      { state: 'down', since: 2_000 },
      { state: 'down', since: 2_000 },
    ]);
  });

  it('does not reconnect after close()', () => {
    const { c } = connect();
    c.close();
    FakeSocket.last().drop();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });
});
