import { describe, expect, it } from 'vitest';
import { alertCount, AlertQueue, catchUp, EXIT_MS, HOLD_MS, type Alert, type GiftInput } from './alert-queue';
import { giftFields } from './test-support';

/** Gifts of one combo, as the room sends them: the combo's count is cumulative. */
function combo(id: string, counts: number[], over: Partial<GiftInput> = {}): GiftInput[] {
  let total = 0;
  return counts.map((count, i) => {
    total += count;
    return { ...giftFields({ id: `${id}_${i}`, count, ...over }), combo: { id, count: total } };
  });
}

/** Runs the queue until idle, recording every alert the moment it is shown. */
function drain(q: AlertQueue, shown: Alert[], start: number, endCombos = true): number {
  let t = start;
  for (let i = 0; i < 100_000; i++) {
    if (endCombos)
      for (const lane of ['toast', 'stage'] as const)
        for (const a of q.visible(lane)) for (const p of a.parts) q.comboEnd({ comboId: p.comboId, count: p.count }, t);
    q.tick(t);
    const wake = q.nextWake(t);
    if (wake === null) return t;
    t = Math.max(t + 1, wake);
  }
  throw new Error('queue never drained');
}

describe('alert queue: tiers', () => {
  it('stacks small gifts as toasts, a few at a time, and puts bigger ones on the stage one at a time', () => {
    const q = new AlertQueue({ toastSlots: 3 });
    for (let i = 0; i < 5; i++) q.gift(giftFields({ giftId: 'heart', from: `v${i}` }), 0);
    q.gift(giftFields({ giftId: 'trophy' }), 0);
    q.gift(giftFields({ giftId: 'castle' }), 0);
    q.gift(giftFields({ giftId: 'galaxy' }), 0);
    q.tick(0);
    expect(q.visible('toast').map((a) => a.parts[0]!.from)).toEqual(['v0', 'v1', 'v2']);
    expect(q.waiting('toast')).toHaveLength(2);
    expect(q.visible('stage').map((a) => a.tier)).toEqual(['medium']);
    expect(q.waiting('stage').map((a) => a.tier)).toEqual(['large', 'epic']);
  });

  it('keeps each tier on screen at least its hold time when nothing waits', () => {
    for (const [giftId, tier] of [
      ['heart', 'small'],
      ['trophy', 'medium'],
      ['castle', 'large'],
      ['galaxy', 'epic'],
    ] as const) {
      const q = new AlertQueue();
      const g = giftFields({ giftId });
      q.gift(g, 0);
      q.comboEnd({ comboId: g.combo.id, count: 1 }, 10);
      q.tick(0);
      q.tick(HOLD_MS[tier] - 1);
      expect(q.visible(q.visible('toast').length ? 'toast' : 'stage')[0]!.leavingAt).toBeNull();
      q.tick(HOLD_MS[tier]);
      const [a] = [...q.visible('toast'), ...q.visible('stage')];
      expect(a!.leavingAt).toBe(HOLD_MS[tier]);
      q.tick(HOLD_MS[tier] + EXIT_MS);
      expect([...q.visible('toast'), ...q.visible('stage')]).toHaveLength(0);
    }
  });

  it('plays the next stage alert only after the previous one has left', () => {
    const shown: string[] = [];
    const q = new AlertQueue({ onShow: (a) => shown.push(a.parts[0]!.giftId) });
    const a = giftFields({ giftId: 'trophy' });
    const b = giftFields({ giftId: 'rocket' });
    q.gift(a, 0);
    q.gift(b, 0);
    q.tick(0);
    expect(shown).toEqual(['trophy']);
    q.comboEnd({ comboId: a.combo.id, count: 1 }, 100);
    const end = drain(q, [], 0);
    expect(shown).toEqual(['trophy', 'rocket']);
    expect(end).toBeGreaterThan(HOLD_MS.medium * catchUp(1));
  });
});

describe('alert queue: combos', () => {
  it('shows a combo as one alert whose count rises in place', () => {
    const q = new AlertQueue();
    const gifts = combo('c1', [1, 1, 5, 1]);
    q.gift(gifts[0]!, 0);
    q.tick(0);
    const alert = q.visible('toast')[0]!;
    for (const [i, g] of gifts.slice(1).entries()) q.gift(g, 100 * (i + 1));
    q.tick(400);
    expect(q.visible('toast')).toEqual([alert]);
    expect(alertCount(alert)).toBe(8);
    expect(alert.events).toBe(4);
    expect(alert.bump).toBe(3);
  });

  it('never counts the same gift twice (counts come from the cumulative combo count)', () => {
    const q = new AlertQueue();
    const [g1, g2] = combo('c1', [2, 3]);
    q.gift(g1!, 0);
    q.gift(g2!, 1);
    q.gift(g2!, 2);
    q.gift(g1!, 3);
    expect(alertCount(q.waiting('toast')[0]!)).toBe(5);
  });

  it('keeps an open combo up until its combo_end, then lets it go', () => {
    const q = new AlertQueue();
    const [g1, g2] = combo('c1', [1, 1]);
    q.gift(g1!, 0);
    q.tick(0);
    q.gift(g2!, 4_000);
    q.tick(8_000);
    expect(q.visible('toast')[0]!.leavingAt).toBeNull();
    q.comboEnd({ comboId: 'c1', count: 2 }, 9_000);
    q.tick(9_000);
    expect(q.visible('toast')[0]!.leavingAt).toBe(9_000);
    q.tick(9_000 + EXIT_MS);
    expect(q.visible('toast')).toHaveLength(0);
  });

  it('does not wait forever for a combo_end that never comes', () => {
    const q = new AlertQueue();
    q.gift(combo('c1', [1])[0]!, 0);
    q.tick(0);
    const wake = q.nextWake(0)!;
    expect(wake).toBeGreaterThan(5_000);
    expect(wake).toBeLessThan(10_000);
    q.tick(wake);
    expect(q.visible('toast')[0]!.leavingAt).toBe(wake);
  });

  it('takes the final count from combo_end', () => {
    const q = new AlertQueue();
    q.gift(combo('c1', [1])[0]!, 0);
    q.comboEnd({ comboId: 'c1', count: 4 }, 10);
    expect(alertCount(q.waiting('toast')[0]!)).toBe(4);
  });

  it('brings a leaving combo alert back when the combo goes on', () => {
    const q = new AlertQueue();
    const [g1, g2] = combo('c1', [1, 1]);
    for (let i = 0; i < 3; i++) q.gift(giftFields({ from: `w${i}` }), 0);
    q.gift(g1!, 0);
    q.gift(giftFields({ from: 'late' }), 0);
    q.tick(0);
    const alert = q.visible('toast').find((a) => a.key === 'c1')!;
    // Someone is waiting, so the open combo yields after its (shortened) hold...
    const leaveAt = q.nextWake(0)!;
    q.tick(leaveAt);
    expect(alert.leavingAt).not.toBeNull();
    // ...but a gift of the combo during the exit keeps the same alert instead of starting another.
    q.gift(g2!, leaveAt + 10);
    expect(alert.leavingAt).toBeNull();
    expect(alertCount(alert)).toBe(2);
  });
});

describe('alert queue: bursts', () => {
  it('bounds the queue by aggregating waiting alerts, losing no gift', () => {
    const q = new AlertQueue({ maxPending: 10, toastSlots: 4 });
    const gifts = ['heart', 'rose', 'coffee', 'star', 'pizza'];
    let sent = 0;
    for (let i = 0; i < 500; i++) {
      const count = 1 + (i % 3);
      q.gift(giftFields({ giftId: gifts[i % 5]!, from: `viewer${i % 37}`, count }), i);
      sent += count;
      expect(q.waiting('toast').length).toBeLessThanOrEqual(10);
    }
    q.tick(500);
    const all = [...q.visible('toast'), ...q.waiting('toast')];
    expect(all.reduce((n, a) => n + alertCount(a), 0)).toBe(sent);
    expect(all.reduce((n, a) => n + a.events, 0)).toBe(500);
    expect(q.waiting('toast').filter((a) => a.parts.length > 1).length).toBeGreaterThan(0);
    // Aggregates group the same gift.
    for (const a of q.waiting('toast')) expect(new Set(a.parts.map((p) => p.giftId)).size).toBe(1);
  });

  it('routes later gifts of an aggregated combo to its aggregate', () => {
    const q = new AlertQueue({ maxPending: 2, toastSlots: 1 });
    q.gift(giftFields({ from: 'first' }), 0);
    q.tick(0);
    const [a1, a2] = combo('ca', [1, 1], { from: 'Ada' });
    q.gift(a1!, 1);
    q.gift(giftFields({ from: 'Bo' }), 2);
    q.gift(giftFields({ from: 'Cy' }), 3);
    // Three roses waiting with room for two: they become one aggregate.
    const [aggregate] = q.waiting('toast');
    expect(q.waiting('toast')).toHaveLength(1);
    q.gift(a2!, 4);
    expect(q.waiting('toast')).toEqual([aggregate]);
    expect(alertCount(aggregate!)).toBe(4);
    expect(aggregate!.events).toBe(4);
  });

  it('merges different gifts when no two waiting alerts share one, cheapest tier first', () => {
    const q = new AlertQueue({ maxPending: 3 });
    q.gift(giftFields({ giftId: 'trophy' }), 0);
    q.tick(0);
    for (const giftId of ['galaxy', 'balloon', 'castle', 'diamond_ring']) q.gift(giftFields({ giftId }), 1);
    const waiting = q.waiting('stage');
    expect(waiting).toHaveLength(3);
    const merged = waiting.find((a) => a.parts.length === 2)!;
    expect(merged.parts.map((p) => p.giftId).sort()).toEqual(['balloon', 'diamond_ring']);
  });

  it('catches up: alerts leave sooner while others wait, and everything is shown once', () => {
    const shown: Alert[] = [];
    const q = new AlertQueue({ maxPending: 8, toastSlots: 4, onShow: (a) => shown.push(a) });
    const combos = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const g = giftFields({ giftId: i % 2 ? 'heart' : 'rose', from: `v${i}`, count: 2 });
      combos.set(g.combo.id, 2);
      q.gift(g, 0);
    }
    const end = drain(q, shown, 0);
    const seen = new Map<string, number>();
    for (const a of shown) for (const p of a.parts) seen.set(p.comboId, (seen.get(p.comboId) ?? 0) + p.count);
    expect(seen).toEqual(combos);
    expect(shown.length).toBeLessThanOrEqual(4 + 8 + 1);
    // 200 gifts at a normal pace would take minutes; catch-up shows them in well under a minute.
    expect(end).toBeLessThan(30_000);
  });

  it('paces alerts normally again once the queue is empty', () => {
    expect(catchUp(0)).toBe(1);
    expect(catchUp(3)).toBeLessThan(1);
    expect(catchUp(1_000)).toBe(0.3);
  });
});

describe('alert queue: minCoins', () => {
  it('leaves out combos worth less than minCoins', () => {
    const q = new AlertQueue({ minCoins: 100 });
    q.gift(giftFields({ giftId: 'heart' }), 0);
    q.gift(giftFields({ giftId: 'pizza' }), 0);
    q.gift(giftFields({ giftId: 'balloon' }), 0);
    q.tick(0);
    expect([...q.visible('toast'), ...q.visible('stage')].map((a) => a.parts[0]!.giftId)).toEqual(['balloon']);
  });

  it('shows a combo once it is worth minCoins, with its whole count', () => {
    const q = new AlertQueue({ minCoins: 100 });
    const gifts = combo('c1', [1, 1, 1], { giftId: 'pizza' });
    q.gift(gifts[0]!, 0);
    expect(q.waiting('toast')).toHaveLength(0);
    q.gift(gifts[1]!, 1);
    expect(alertCount(q.waiting('toast')[0]!)).toBe(2);
  });

  it('always shows test alerts', () => {
    const q = new AlertQueue({ minCoins: 1_000_000 });
    q.gift({ ...giftFields({ giftId: 'rocket' }), test: true }, 0);
    expect(q.waiting('stage')[0]!.test).toBe(true);
  });
});
