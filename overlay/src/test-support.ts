// Test doubles for the component and connection tests (not part of the build: nothing in main imports it).
import { findGift, tierOf, type GiftFields, type RoomEvent } from '@giftstream/shared';

export class FakeSocket {
  static all: FakeSocket[] = [];
  static last(): FakeSocket {
    return FakeSocket.all[FakeSocket.all.length - 1]!;
  }
  static reset(): void {
    FakeSocket.all = [];
  }
  onopen: ((e: unknown) => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  sent: string[] = [];
  closed: number | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  get since(): number | null {
    const s = new URL(this.url).searchParams.get('since');
    return s === null ? null : Number(s);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code = 1000) {
    this.closed = code;
  }
  open() {
    this.onopen?.({});
  }
  frame(events: RoomEvent | RoomEvent[] | string) {
    this.onmessage?.({ data: typeof events === 'string' ? events : JSON.stringify(events) });
  }
  /** The server (or the network) ends the connection. */
  drop(code = 1006) {
    this.onclose?.({ code });
  }
}

let at = 1_700_000_000_000;

export function hello(seq: number, extra: Partial<Extract<RoomEvent, { type: 'hello' }>> = {}): RoomEvent {
  return {
    v: 1,
    seq,
    type: 'hello',
    at: at++,
    live: { live: true, title: null, sessionId: 's1', startedAt: 1 },
    goal: null,
    leaderboard: [],
    ...extra,
  };
}

export function giftFields(over: Partial<GiftFields> & { giftId?: string } = {}): GiftFields {
  const giftId = over.giftId ?? 'rose';
  const catalog = findGift(giftId);
  const coins = over.coins ?? catalog?.coins ?? 5;
  const count = over.count ?? 1;
  const id = over.id ?? `t${at++}`;
  return {
    id,
    from: 'Ada',
    giftId,
    name: catalog?.name ?? giftId,
    tier: tierOf(coins),
    coins,
    count,
    combo: { id: `c_${id}`, count },
    total: coins * count,
    ...over,
  };
}

export function gift(seq: number, over: Partial<GiftFields> = {}): RoomEvent {
  return { v: 1, seq, type: 'gift', at: at++, ...giftFields(over) };
}

export function comboEnd(seq: number, comboId: string, count: number, coins = count): RoomEvent {
  return { v: 1, seq, type: 'combo_end', at: at++, comboId, count, coins };
}
