import { COMBO_WINDOW, type GiftFields, type Tier } from '@giftstream/shared';

/**
 * What the alerts widget shows, and when: a pure state machine driven by events and an explicit `now`,
 * so it is tested without timers or a DOM.
 *
 * - Small gifts are compact toasts that stack (a few at once); medium, large and epic take the stage one
 *   at a time.
 * - A combo is one alert: later gifts of the combo raise its count in place, and `combo_end` lets it go.
 *   Counts come from the event's cumulative `combo.count`, so folding in the same gift twice cannot
 *   inflate them.
 * - A burst never grows the queue without bound: past `maxPending` waiting alerts in a lane, waiting
 *   alerts of the same gift are merged into one ("Rose ×37 from Ada, Bo +8"), and while alerts wait,
 *   the ones on screen leave sooner (catch-up). Nothing is dropped: every gift's count is in some alert.
 */
export type Lane = 'toast' | 'stage';

export interface AlertPart {
  comboId: string;
  from: string;
  giftId: string;
  name: string;
  tier: Tier;
  unitCoins: number;
  count: number;
  ended: boolean;
}

export interface Alert {
  /** Stable for the alert's life: the id of the first combo it showed. */
  key: string;
  lane: Lane;
  tier: Tier;
  test: boolean;
  /** One per combo; more than one once a burst was aggregated. */
  parts: AlertPart[];
  message: string | null;
  messageFrom: string | null;
  /** Gift events folded into this alert. */
  events: number;
  /** Rises whenever the shown count does, to replay the count's animation. */
  bump: number;
  shownAt: number | null;
  updatedAt: number;
  /** Set when the alert starts its exit animation. */
  leavingAt: number | null;
}

export type GiftInput = GiftFields & { test?: boolean };

export interface QueueOptions {
  minCoins?: number;
  toastSlots?: number;
  maxPending?: number;
  onShow?: (alert: Alert) => void;
  /** A gift raised the count of an alert (its combo went on). */
  onRaise?: (alert: Alert) => void;
  /** The creator's least time on screen for this alert, if their look sets one. */
  holdOf?: (alert: Alert) => number | null;
}

const TIER_RANK: Record<Tier, number> = { small: 0, medium: 1, large: 2, epic: 3 };
/** Least time on screen, by tier, when nothing is waiting. */
export const HOLD_MS: Record<Tier, number> = { small: 4_000, medium: 5_000, large: 6_000, epic: 8_000 };
/** Time to read a final count after the last change. */
const LINGER_MS = 2_500;
/** An open combo stays up this long after its last gift even if its combo_end never comes. */
const COMBO_WAIT_MS = COMBO_WINDOW + 2_000;
/** Matches the CSS exit animation; the alert keeps its slot until it has played. */
export const EXIT_MS = 400;

export function laneOf(tier: Tier): Lane {
  return tier === 'small' ? 'toast' : 'stage';
}

export function alertCount(a: Alert): number {
  return a.parts.reduce((n, p) => n + p.count, 0);
}

export function alertCoins(a: Alert): number {
  return a.parts.reduce((n, p) => n + p.count * p.unitCoins, 0);
}

/** Distinct senders, in the order they first gave. */
export function senders(a: Alert): string[] {
  return [...new Set(a.parts.map((p) => p.from))];
}

/** How much faster alerts leave while `waiting` others queue behind them (1 = normal pace). */
export function catchUp(waiting: number): number {
  return waiting <= 0 ? 1 : Math.max(0.3, 3 / (3 + waiting));
}

export class AlertQueue {
  /** Settable: a saved overlay configuration applies to alerts from then on. */
  minCoins: number;
  readonly toastSlots: number;
  readonly maxPending: number;
  private readonly pending: Record<Lane, Alert[]> = { toast: [], stage: [] };
  private readonly shown: Record<Lane, Alert[]> = { toast: [], stage: [] };
  private readonly byCombo = new Map<string, Alert>();
  private readonly onShow: (alert: Alert) => void;
  private readonly onRaise: (alert: Alert) => void;
  private readonly holdOf: (alert: Alert) => number | null;

  constructor(opts: QueueOptions = {}) {
    this.minCoins = opts.minCoins ?? 1;
    this.toastSlots = opts.toastSlots ?? 4;
    this.maxPending = Math.max(2, opts.maxPending ?? 20);
    this.onShow = opts.onShow ?? (() => {});
    this.onRaise = opts.onRaise ?? (() => {});
    this.holdOf = opts.holdOf ?? (() => null);
  }

  /** Alerts on screen (including ones playing their exit), oldest first. */
  visible(lane: Lane): readonly Alert[] {
    return this.shown[lane];
  }

  waiting(lane: Lane): readonly Alert[] {
    return this.pending[lane];
  }

  gift(g: GiftInput, now: number): void {
    const existing = this.byCombo.get(g.combo.id);
    if (existing) {
      const part = existing.parts.find((p) => p.comboId === g.combo.id)!;
      if (g.combo.count > part.count) {
        part.count = g.combo.count;
        existing.bump++;
        if (existing.shownAt !== null) this.onRaise(existing);
      }
      existing.events++;
      existing.updatedAt = now;
      if (g.message) [existing.message, existing.messageFrom] = [g.message, g.from];
      // A combo that continues while its alert was leaving brings it back rather than starting another.
      existing.leavingAt = null;
      return;
    }
    if (!g.test && g.coins * g.combo.count < this.minCoins) return;
    const alert: Alert = {
      key: g.combo.id,
      lane: laneOf(g.tier),
      tier: g.tier,
      test: g.test === true,
      parts: [
        {
          comboId: g.combo.id,
          from: g.from,
          giftId: g.giftId,
          name: g.name,
          tier: g.tier,
          unitCoins: g.coins,
          count: g.combo.count,
          ended: g.test === true,
        },
      ],
      message: g.message ?? null,
      messageFrom: g.message ? g.from : null,
      events: 1,
      bump: 0,
      shownAt: null,
      updatedAt: now,
      leavingAt: null,
    };
    this.byCombo.set(g.combo.id, alert);
    const queue = this.pending[alert.lane];
    queue.push(alert);
    while (queue.length > this.maxPending) this.aggregate(queue);
  }

  comboEnd(e: { comboId: string; count: number }, _now: number): void {
    const alert = this.byCombo.get(e.comboId);
    const part = alert?.parts.find((p) => p.comboId === e.comboId);
    if (!alert || !part) return;
    if (e.count > part.count) {
      part.count = e.count;
      alert.bump++;
    }
    part.ended = true;
  }

  /** Advances to `now`: alerts that are done leave, waiting ones take free slots. */
  tick(now: number): void {
    for (const lane of ['toast', 'stage'] as const) {
      const shown = this.shown[lane];
      const waiting = this.pending[lane].length;
      for (let i = shown.length - 1; i >= 0; i--) {
        const a = shown[i]!;
        if (a.leavingAt !== null && now >= a.leavingAt + EXIT_MS) {
          shown.splice(i, 1);
          for (const p of a.parts) if (this.byCombo.get(p.comboId) === a) this.byCombo.delete(p.comboId);
        } else if (a.leavingAt === null && now >= this.expiry(a, waiting)) {
          a.leavingAt = now;
        }
      }
      const slots = lane === 'toast' ? this.toastSlots : 1;
      while (shown.length < slots && this.pending[lane].length) {
        const a = this.pending[lane].shift()!;
        a.shownAt = now;
        shown.push(a);
        this.onShow(a);
      }
    }
  }

  /** When `tick` next has something to do; null when idle. */
  nextWake(now: number): number | null {
    let wake = Infinity;
    for (const lane of ['toast', 'stage'] as const) {
      const shown = this.shown[lane];
      const waiting = this.pending[lane].length;
      if (waiting && shown.length < (lane === 'toast' ? this.toastSlots : 1)) return now;
      for (const a of shown)
        wake = Math.min(wake, a.leavingAt !== null ? a.leavingAt + EXIT_MS : this.expiry(a, waiting));
    }
    return Number.isFinite(wake) ? Math.max(now, wake) : null;
  }

  private expiry(a: Alert, waiting: number): number {
    const pace = catchUp(waiting);
    const shownAt = a.shownAt ?? a.updatedAt;
    const earliest = shownAt + (this.holdOf(a) ?? HOLD_MS[a.tier]) * pace;
    const open = a.parts.some((p) => !p.ended);
    // With nobody waiting, an open combo keeps the stage until its combo_end; with a queue, it yields.
    if (open && !waiting) return Math.max(earliest, a.updatedAt + COMBO_WAIT_MS);
    return Math.max(earliest, a.updatedAt + LINGER_MS * pace);
  }

  /** Merges waiting alerts to make room: same gift first, the lowest tier first. */
  private aggregate(queue: Alert[]): void {
    const groups = new Map<string, Alert[]>();
    for (const a of queue) {
      const gifts = new Set(a.parts.map((p) => p.giftId));
      const k = `${a.test}:${gifts.size === 1 ? a.parts[0]!.giftId : '*'}`;
      groups.set(k, [...(groups.get(k) ?? []), a]);
    }
    let best: Alert[] | null = null;
    for (const g of groups.values()) {
      if (g.length < 2) continue;
      if (
        !best ||
        TIER_RANK[g[0]!.tier] < TIER_RANK[best[0]!.tier] ||
        (g[0]!.tier === best[0]!.tier && g.length > best.length)
      )
        best = g;
    }
    if (!best) {
      // Every waiting alert is a different gift: merge the two cheapest-tier ones.
      const byTier = [...queue].sort((x, y) => TIER_RANK[x.tier] - TIER_RANK[y.tier]);
      best = byTier.slice(0, 2).sort((x, y) => queue.indexOf(x) - queue.indexOf(y));
    }
    const [target, ...rest] = best as [Alert, ...Alert[]];
    for (const a of rest) {
      target.parts.push(...a.parts);
      target.events += a.events;
      if (a.message && (!target.message || a.updatedAt >= target.updatedAt))
        [target.message, target.messageFrom] = [a.message, a.messageFrom];
      target.updatedAt = Math.max(target.updatedAt, a.updatedAt);
      if (TIER_RANK[a.tier] > TIER_RANK[target.tier]) target.tier = a.tier;
      for (const p of a.parts) this.byCombo.set(p.comboId, target);
      queue.splice(queue.indexOf(a), 1);
    }
    target.bump++;
  }
}
