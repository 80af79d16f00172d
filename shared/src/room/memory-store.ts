import type { LeaderboardEntry, StoredEvent } from '../protocol';
import {
  NOT_LIVE,
  type HiddenMessage,
  type OpenCombo,
  type OwedGift,
  type RoomMeta,
  type RoomStore,
  type SessionRecord,
} from './book';
import type { GiftPayload } from './gift';
import { InMemoryTransactions } from '../memory-transaction';

interface State {
  meta: RoomMeta;
  events: StoredEvent[];
  maxSeq: number;
  sessions: SessionRecord[];
  gifts: Map<string, { sessionId: string | null; seq: number; gift: GiftPayload }>;
  hidden: HiddenMessage[];
  supporters: Map<string, { name: string; coins: number }>;
  combos: Map<string, OpenCombo & { lastAt: number; ended: boolean }>;
  /** Transfer ids of gifts queued before the credit cursor (only a migrated SQL room has any). */
  backlog: string[];
}

/** A RoomStore in memory, for pure tests and models. A throwing transaction leaves nothing behind. */
export class MemoryRoomStore extends InMemoryTransactions<State> implements RoomStore {
  constructor() {
    super({
      meta: {
        live: NOT_LIVE,
        goal: null,
        blockedWords: [],
        overlayToken: null,
        creatorUserId: null,
        stateDirty: null,
        creditedSeq: 0,
        creditRetry: null,
      },
      events: [],
      maxSeq: 0,
      sessions: [],
      gifts: new Map(),
      hidden: [],
      supporters: new Map(),
      combos: new Map(),
      backlog: [],
    });
  }

  meta<K extends keyof RoomMeta>(key: K): RoomMeta[K] {
    return structuredClone(this.s.meta[key]);
  }
  setMeta<K extends keyof RoomMeta>(key: K, value: RoomMeta[K]): void {
    this.s.meta[key] = structuredClone(value);
  }
  lastSeq(): number {
    return this.s.maxSeq;
  }
  appendEvent(event: StoredEvent): void {
    this.s.events.push(structuredClone(event));
    this.s.maxSeq = Math.max(this.s.maxSeq, event.seq);
  }
  dropEvents(seq: number): void {
    this.s.events = this.s.events.filter((e) => e.seq > seq);
  }
  oldestSeq(): number | null {
    return this.s.events[0]?.seq ?? null;
  }
  eventsAfter(seq: number): StoredEvent[] {
    return structuredClone(this.s.events.filter((e) => e.seq > seq));
  }
  recentGifts(limit: number): StoredEvent[] {
    return structuredClone(
      this.s.events
        .filter((e) => e.type === 'gift')
        .reverse()
        .slice(0, limit),
    );
  }
  latestSession(): string | null {
    return this.s.sessions.at(-1)?.id ?? null;
  }
  startSession(id: string, title: string | null, at: number): void {
    this.s.sessions.push({ id, title, startedAt: at, endedAt: null, coins: 0, diamonds: 0, gifts: 0 });
  }
  private session(id: string): SessionRecord | undefined {
    return this.s.sessions.find((s) => s.id === id);
  }
  setSessionTitle(id: string, title: string | null): void {
    const s = this.session(id);
    if (s) s.title = title;
  }
  endSession(id: string, at: number): void {
    const s = this.session(id);
    if (s) s.endedAt = at;
  }
  addToSession(id: string, added: { coins: number; diamonds: number; gifts: number }): void {
    const s = this.session(id);
    if (!s) return;
    s.coins += added.coins;
    s.diamonds += added.diamonds;
    s.gifts += added.gifts;
  }
  sessions(): SessionRecord[] {
    return structuredClone([...this.s.sessions].reverse());
  }
  logGift(gift: GiftPayload, sessionId: string | null, seq: number): boolean {
    if (this.s.gifts.has(gift.transferId)) return false;
    this.s.gifts.set(gift.transferId, { sessionId, seq, gift: structuredClone(gift) });
    return true;
  }
  hideMessage(hidden: HiddenMessage): void {
    if (!this.s.hidden.some((h) => h.giftId === hidden.giftId)) this.s.hidden.push({ ...hidden });
  }
  hiddenMessages(limit: number): HiddenMessage[] {
    return [...this.s.hidden]
      .sort((a, b) => b.at - a.at)
      .slice(0, limit)
      .map((h) => ({ ...h }));
  }
  addSupporter(scopes: readonly string[], supporter: string, name: string, coins: number): void {
    for (const scope of scopes) {
      const key = JSON.stringify([scope, supporter]);
      const prior = this.s.supporters.get(key);
      this.s.supporters.set(key, { name, coins: (prior?.coins ?? 0) + coins });
    }
  }
  supporters(scope: string, limit: number): LeaderboardEntry[] {
    return [...this.s.supporters]
      .filter(([key]) => JSON.parse(key)[0] === scope)
      .map(([, v]) => ({ ...v }))
      .sort((a, b) => b.coins - a.coins || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .slice(0, limit);
  }
  addToCombo(id: string, at: number, count: number, coins: number): void {
    const c = this.s.combos.get(id);
    if (!c) this.s.combos.set(id, { id, lastAt: at, count, coins, ended: false });
    else Object.assign(c, { lastAt: Math.max(c.lastAt, at), count: c.count + count, coins: c.coins + coins });
  }
  combosLastBy(at: number): OpenCombo[] {
    return [...this.s.combos.values()]
      .filter((c) => !c.ended && c.lastAt <= at)
      .sort((a, b) => a.lastAt - b.lastAt)
      .map(({ id, count, coins }) => ({ id, count, coins }));
  }
  endCombo(id: string): void {
    const c = this.s.combos.get(id);
    if (c) c.ended = true;
  }
  firstOpenComboAt(): number | null {
    const open = [...this.s.combos.values()].filter((c) => !c.ended).map((c) => c.lastAt);
    return open.length ? Math.min(...open) : null;
  }
  giftsAfter(seq: number, limit: number): OwedGift[] {
    return this.s.events
      .flatMap((e) => (e.type === 'gift' && e.seq > seq ? [{ seq: e.seq, at: e.at, id: e.id }] : []))
      .slice(0, limit)
      .map(({ id, ...e }) => ({ ...e, gift: structuredClone(this.s.gifts.get(id)!.gift) }));
  }
  creditBacklog(limit: number): GiftPayload[] {
    return this.s.backlog.slice(0, limit).map((id) => structuredClone(this.s.gifts.get(id)!.gift));
  }
  dropCreditBacklog(transferIds: readonly string[]): void {
    this.s.backlog = this.s.backlog.filter((id) => !transferIds.includes(id));
  }
}
