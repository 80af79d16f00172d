import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../protocol';
import { ALL_TIME, RoomBook } from './book';
import type { GiftPayload } from './gift';
import { MemoryRoomStore } from './memory-store';
import { COMBO_WINDOW, nextCombo, type ComboState } from './rules';

/**
 * One room driven by random operations as its Durable Object drives it: viewers' wallets send gifts
 * (combos assigned at debit time, as the wallet does) and deliver them late, out of order, in batches and
 * more than once; sessions start and end; goals are set; the alarm ends combos and sends held-back state;
 * credit rounds succeed or fail. Whatever the order, every gift the room received counts once: in its
 * session's totals, the leaderboards, the goal, the credit queue and the event log; combos end once,
 * after their window, with what was logged in them; and a client resuming with `since` gets exactly the
 * stored events after it.
 */
const VIEWERS = 3;
const GIFTS = [
  { id: 'rose', name: 'Rose', coins: 1 },
  { id: 'star', name: 'Star', coins: 50 },
];

type Op =
  | { t: 'send'; from: number; gift: number; count: number; anonymous: boolean }
  | { t: 'deliver'; picks: number[] }
  | { t: 'bad' }
  | { t: 'tick'; ms: number }
  | { t: 'alarm' }
  | { t: 'live'; on: boolean }
  | { t: 'goal'; coins: number | null }
  | { t: 'credit'; ok: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('send' as const),
      from: fc.nat({ max: VIEWERS - 1 }),
      gift: fc.nat({ max: GIFTS.length - 1 }),
      count: fc.integer({ min: 1, max: 3 }),
      anonymous: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('deliver' as const),
      picks: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'bad' as const }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 4000 }) }) },
  { weight: 2, arbitrary: fc.constant({ t: 'alarm' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('live' as const), on: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('goal' as const),
      coins: fc.option(fc.integer({ min: 1, max: 500 }), { nil: null }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('credit' as const), ok: fc.boolean() }) },
);

/** What the room should hold, computed from the gifts alone. */
class Model {
  now = 1_000_000;
  readonly store = new MemoryRoomStore();
  private ids = 0;
  readonly book = new RoomBook(this.store, () => `s${String(++this.ids).padStart(6, '0')}`);
  /** Every event the book answered, in the order it stored them. */
  readonly emitted: StoredEvent[] = [];
  readonly sent: GiftPayload[] = [];
  private readonly combos = new Map<string, ComboState>();
  /** Gifts the room logged: the session each counted toward. */
  readonly logged = new Map<string, { gift: GiftPayload; session: string | null }>();
  goal: { target: number; progress: number } | null = null;
  readonly credited: string[] = [];
  /** Combo id → the gifts logged in it before it ended, and when it ended. */
  readonly ended = new Map<string, { count: number; coins: number; at: number }>();

  private record(events: StoredEvent[]): void {
    this.emitted.push(...events);
    for (const e of events) {
      if (e.type !== 'combo_end') continue;
      expect(this.ended.has(e.comboId), `combo ${e.comboId} ends once`).toBe(false);
      const mine = [...this.logged.values()].filter((l) => l.gift.combo.id === e.comboId);
      const lastAt = Math.max(...mine.map((l) => l.gift.at));
      expect(e.at, 'a combo ends only after its window').toBeGreaterThanOrEqual(lastAt + COMBO_WINDOW);
      expect({ count: e.count, coins: e.coins }).toEqual({
        count: mine.reduce((n, l) => n + l.gift.count, 0),
        coins: mine.reduce((n, l) => n + l.gift.coins, 0),
      });
      this.ended.set(e.comboId, { count: e.count, coins: e.coins, at: e.at });
    }
  }

  apply(o: Op): void {
    switch (o.t) {
      case 'send': {
        const gift = GIFTS[o.gift]!;
        const key = `${o.from}:${gift.id}`;
        const transferId = `t${String(this.sent.length).padStart(6, '0')}`;
        const combo = nextCombo(this.combos.get(key) ?? null, this.now, o.count, transferId);
        this.combos.set(key, combo);
        this.sent.push({
          transferId,
          room: 'room',
          creatorUserId: 'creator',
          fromUserId: `u${o.from}`,
          fromName: `Viewer ${o.from}`,
          anonymous: o.anonymous,
          giftId: gift.id,
          name: gift.name,
          tier: 'small',
          unitCoins: gift.coins,
          count: o.count,
          coins: gift.coins * o.count,
          diamonds: gift.coins * o.count,
          rateVersion: 1,
          price: gift.coins * o.count,
          sessionId: null,
          combo: { id: combo.id, count: combo.count },
          at: this.now,
        });
        return;
      }
      case 'deliver': {
        if (!this.sent.length) return;
        const batch = o.picks.map((p) => this.sent[p % this.sent.length]!);
        const session = this.book.liveState().sessionId ?? this.store.latestSession();
        const fresh = new Map(batch.filter((g) => !this.logged.has(g.transferId)).map((g) => [g.transferId, g]));
        const r = this.book.logGifts(batch, this.now);
        for (const g of fresh.values()) {
          this.logged.set(g.transferId, { gift: g, session });
          if (this.goal) this.goal.progress += g.coins;
        }
        expect(r.events.filter((e) => e.type === 'gift').map((e) => (e.type === 'gift' ? e.id : ''))).toEqual([
          ...fresh.keys(),
        ]);
        this.record(r.events);
        return;
      }
      case 'bad': {
        // A delivery the room cannot log (no combo) fails whole, leaving nothing behind.
        const before = { seq: this.book.lastSeq, snapshot: this.book.snapshot(), earnings: this.book.earnings() };
        const good = this.sent.find((g) => !this.logged.has(g.transferId));
        const bad = { ...this.sent[0], transferId: 'bad', combo: undefined } as unknown as GiftPayload;
        expect(() => this.book.logGifts(good ? [good, bad] : [bad], this.now)).toThrow();
        expect({ seq: this.book.lastSeq, snapshot: this.book.snapshot(), earnings: this.book.earnings() }).toEqual(
          before,
        );
        return;
      }
      case 'tick':
        this.now += o.ms;
        return;
      case 'alarm':
        this.record(this.book.endDueCombos(this.now));
        this.record(this.book.emitState(this.now));
        return;
      case 'live':
        this.record(this.book.setLive(o.on, null, this.now).events);
        return;
      case 'goal': {
        const r = this.book.setGoal(o.coins === null ? null : { label: 'Goal', coins: o.coins }, this.now);
        this.goal = o.coins === null ? null : { target: o.coins, progress: 0 };
        this.record(r.events);
        return;
      }
      case 'credit': {
        const batch = this.book.creditBatch(this.now);
        if (!batch) return;
        if (o.ok) {
          this.book.credited(batch);
          this.credited.push(...batch.items.map((i) => i.transferId));
        } else this.book.creditFailed(batch, this.now, () => 0.5);
        return;
      }
    }
  }

  /** Sums a supporter scope straight from the gifts. */
  /** A session's board counts its gifts as they are logged; the all-time board, gifts once credited. */
  private expectedSupporters(scope: string): Map<string, number> {
    const out = new Map<string, number>();
    const counted = scope === ALL_TIME ? this.credited.map((id) => this.logged.get(id)!) : this.logged.values();
    for (const { gift, session } of counted) {
      if (scope !== ALL_TIME && session !== scope) continue;
      const name = gift.anonymous ? 'Anonymous' : gift.fromName;
      out.set(name, (out.get(name) ?? 0) + gift.coins);
    }
    return out;
  }

  check(): void {
    const log = this.store.eventsAfter(0);
    expect(
      log.map((e) => e.seq),
      'seq rises by one from 1',
    ).toEqual(log.map((_, i) => i + 1));
    expect(log, 'the log holds exactly the events the book answered').toEqual(this.emitted);
    const giftIds = log.flatMap((e) => (e.type === 'gift' ? [e.id] : []));
    expect([...giftIds].sort(), 'every gift logged once').toEqual([...this.logged.keys()].sort());
    for (const s of this.store.sessions()) {
      const mine = [...this.logged.values()].filter((l) => l.session === s.id).map((l) => l.gift);
      expect({ coins: s.coins, diamonds: s.diamonds, gifts: s.gifts }).toEqual({
        coins: mine.reduce((n, g) => n + g.coins, 0),
        diamonds: mine.reduce((n, g) => n + g.diamonds, 0),
        gifts: mine.reduce((n, g) => n + g.count, 0),
      });
    }
    // Supporters are keyed by viewer (anonymous gifts apart); names stand in for them here as each viewer has one.
    const supporters = (scope: string) => {
      const out = new Map<string, number>();
      for (const e of this.store.supporters(scope, 1000)) out.set(e.name, (out.get(e.name) ?? 0) + e.coins);
      return out;
    };
    expect(supporters(ALL_TIME)).toEqual(this.expectedSupporters(ALL_TIME));
    for (const s of this.store.sessions()) expect(supporters(s.id)).toEqual(this.expectedSupporters(s.id));
    expect(this.book.goal()?.progress ?? null).toEqual(this.goal?.progress ?? null);
    expect(new Set(this.credited).size, 'no gift credited twice').toBe(this.credited.length);
    for (const id of this.credited) expect(this.logged.has(id)).toBe(true);
  }

  /** Time passes, the alarm runs and credits succeed: everything owed is settled. */
  drain(): void {
    this.now += COMBO_WINDOW + 60_000;
    this.apply({ t: 'alarm' });
    for (let i = 0; i < 20 && this.book.creditBatch(this.now); i++) this.apply({ t: 'credit', ok: true });
    expect(this.book.creditBatch(this.now)).toBeNull();
    expect([...this.credited].sort(), 'every logged gift credited once').toEqual([...this.logged.keys()].sort());
    const combos = new Set([...this.logged.values()].map((l) => l.gift.combo.id));
    expect([...this.ended.keys()].sort(), 'every combo ended').toEqual([...combos].sort());
    expect(this.book.nextWake()).toBe(Infinity);
  }
}

describe('a room under random deliveries', () => {
  it('counts every gift once in totals, leaderboards, goal, credits and log; combos end once; resume is exact', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.array(fc.nat(), { maxLength: 5 }), (ops, sinces) => {
        const m = new Model();
        for (const o of ops) {
          m.apply(o);
          m.check();
        }
        m.drain();
        m.check();
        const last = m.book.lastSeq;
        for (const s of [0, last, ...sinces.map((n) => n % (last + 1))])
          expect(m.book.eventsSince(s), `resume after ${s}`).toEqual(m.emitted.filter((e) => e.seq > s));
      }),
      { numRuns: 200 },
    );
  });

  it('logs the same deliveries to the same totals whatever their order and repeats', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
        (counts, order) => {
          const run = (picks: number[][]) => {
            const m = new Model();
            m.apply({ t: 'live', on: true });
            m.apply({ t: 'goal', coins: 1000 });
            for (const [i, count] of counts.entries())
              m.apply({ t: 'send', from: i % VIEWERS, gift: i % 2, count, anonymous: false });
            for (const p of picks) m.apply({ t: 'deliver', picks: p });
            m.apply({ t: 'deliver', picks: counts.map((_, i) => i) });
            m.drain();
            m.check();
            return { earnings: m.book.earnings(), goal: m.book.goal(), board: m.book.snapshot().leaderboard };
          };
          const inOrder = run([counts.map((_, i) => i)]);
          const shuffled = run(order.map((n) => [n, n + 1]));
          expect(shuffled).toEqual(inOrder);
        },
      ),
      { numRuns: 100 },
    );
  });
});
