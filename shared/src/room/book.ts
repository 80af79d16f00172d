import type { CreditItem } from '../money/wallet';
import { findBlockedWord, normalizeBlockedWords } from '../moderation';
import {
  PROTOCOL_VERSION,
  type GoalState,
  type LeaderboardEntry,
  type LiveState,
  type NewEvent,
  type StoredEvent,
} from '../protocol';
import type { GiftPayload } from './gift';
import { ANONYMOUS, backoff, COMBO_WINDOW, LEADERBOARD_SIZE, sortLeaderboard } from './rules';

/** Events kept for resume: far more than the last 1,000 of a session. */
export const KEEP_EVENTS = 5_000;
/**
 * The leaderboard and goal go out at most this often: the first gift after a quiet spell sends them at
 * once, a burst sends them again when the interval has passed (by a timer, or by the alarm after a
 * restart), so a busy room sends one of each per interval, not one per gift.
 */
export const STATE_MS = 250;
/**
 * Diamonds are credited to the creator's wallet at most this often, in batches, by the alarm. Each round
 * costs the room alarm writes and a commit, and the creator's wallet a commit: at 200 ms a busy room
 * paid that about four times a second.
 */
export const CREDIT_DELAY_MS = 1_000;
export const CREDIT_BATCH = 500;
export const RECENT_GIFTS = 20;
/** The supporters' scope that counts every session. */
export const ALL_TIME = '*';

export const NOT_LIVE: LiveState = { live: false, title: null, sessionId: null, startedAt: null };

/** The room's small named values, each with its value when never set. */
export interface RoomMeta {
  live: LiveState;
  goal: GoalState;
  blockedWords: string[];
  overlayToken: string | null;
  creatorUserId: string | null;
  /**
   * Set when gifts changed the leaderboard or goal since they last went out: the session the gifts
   * counted toward ('' for none). Null when nothing is held back.
   */
  stateDirty: string | null;
  /** Every gift whose event's seq is at most this has been credited to the creator's wallet. */
  creditedSeq: number;
  /** Set while crediting fails: the failed rounds so far, and when the next may go. */
  creditRetry: { attempts: number; at: number } | null;
}

export interface SessionRecord {
  id: string;
  title: string | null;
  startedAt: number;
  endedAt: number | null;
  coins: number;
  diamonds: number;
  gifts: number;
}

/** A gift's message hidden by the creator's word list: shown without it, readable by the creator. */
export interface HiddenMessage {
  giftId: string;
  from: string;
  message: string;
  word: string;
  at: number;
}

export interface OpenCombo {
  id: string;
  count: number;
  coins: number;
}

/** A logged gift not yet credited: its event's seq and time, and what the wallet delivered. */
export interface OwedGift {
  seq: number;
  at: number;
  gift: GiftPayload;
}

/** One round of credits for the creator's wallet, which dedupes each gift by transfer id. */
export interface CreditBatch {
  creator: string;
  id: string;
  items: CreditItem[];
  /**
   * Where its gifts came from: the gift log after the credit cursor (`through`: the last one's seq), or
   * the backlog a room queued before the cursor existed (`through: null`).
   */
  through: number | null;
  /** The all-time board's additions: each supporter's coins in it, under their latest name. */
  supporters: { supporter: string; name: string; coins: number }[];
  /** Failed rounds before this one, for the backoff. */
  attempts: number;
  /** A full batch: more may be waiting. */
  full: boolean;
}

/**
 * Where a room keeps its state. The Durable Object implements it over SQLite; tests over memory.
 * `transaction` must apply every write inside it or none.
 */
export interface RoomStore {
  transaction<T>(fn: () => T): T;
  meta<K extends keyof RoomMeta>(key: K): RoomMeta[K];
  setMeta<K extends keyof RoomMeta>(key: K, value: RoomMeta[K]): void;
  /** The highest seq ever stored (its event may since have been dropped), 0 for none. */
  lastSeq(): number;
  appendEvent(event: StoredEvent): void;
  /** Drops stored events up to and including `seq`. */
  dropEvents(seq: number): void;
  oldestSeq(): number | null;
  /** Oldest first. */
  eventsAfter(seq: number): StoredEvent[];
  /** Gift events, newest first. */
  recentGifts(limit: number): StoredEvent[];
  /** The session started last, ended or not. */
  latestSession(): string | null;
  startSession(id: string, title: string | null, at: number): void;
  setSessionTitle(id: string, title: string | null): void;
  endSession(id: string, at: number): void;
  addToSession(id: string, added: { coins: number; diamonds: number; gifts: number }): void;
  /** Newest first. */
  sessions(): SessionRecord[];
  /** Logs a gift under the seq its event takes, unless it was logged before; whether it is new. */
  logGift(gift: GiftPayload, sessionId: string | null, seq: number): boolean;
  hideMessage(hidden: HiddenMessage): void;
  /** Newest first. */
  hiddenMessages(limit: number): HiddenMessage[];
  /** Adds a supporter's coins in each scope (a session id, or ALL_TIME), under their latest name. */
  addSupporter(scopes: readonly string[], supporter: string, name: string, coins: number): void;
  /** Most coins first, then by name. */
  supporters(scope: string, limit: number): LeaderboardEntry[];
  addToCombo(id: string, at: number, count: number, coins: number): void;
  /** Open combos whose last gift is at or before `at`, oldest first. */
  combosLastBy(at: number): OpenCombo[];
  endCombo(id: string): void;
  /** The last gift of the open combo that ends first, or null. */
  firstOpenComboAt(): number | null;
  /** Logged gifts whose events come after `seq`, oldest first. */
  giftsAfter(seq: number, limit: number): OwedGift[];
  /**
   * Gifts a room had queued for credit when the credit cursor replaced its queue (live-room migration 4),
   * by transfer id; empty ever after, once credited.
   */
  creditBacklog(limit: number): GiftPayload[];
  dropCreditBacklog(transferIds: readonly string[]): void;
}

/**
 * One creator's room: live sessions, the numbered event log, gifts logged once each, combos, supporters,
 * the goal, and a cursor over the gift log (what lies after it is owed to the creator's wallet). Pure: the
 * clock is a parameter and storage an interface; sockets and timers belong to the object around it. A
 * method that writes does so in one transaction and answers the events it stored, for the caller to send.
 */
export class RoomBook {
  private seq: number | null = null;
  /** When the leaderboard and goal last went out (room clock); held in memory, as a restart may send them early. */
  private stateAt = 0;

  constructor(
    private readonly store: RoomStore,
    private readonly newId: () => string,
  ) {}

  /** The seq of the last stored event. */
  get lastSeq(): number {
    this.seq ??= this.store.lastSeq();
    return this.seq;
  }

  /** One transaction; if it throws, what memory holds of it is dropped too. */
  private atomically<T>(fn: () => T): T {
    const { seq, stateAt } = this;
    try {
      return this.store.transaction(fn);
    } catch (e) {
      this.seq = seq;
      this.stateAt = stateAt;
      throw e;
    }
  }

  /** Stores an event under the next seq. Call inside a transaction. */
  private emit(event: NewEvent): StoredEvent {
    const stored = { v: PROTOCOL_VERSION, seq: this.lastSeq + 1, ...event } as StoredEvent;
    this.seq = stored.seq;
    this.store.appendEvent(stored);
    if (stored.seq % 100 === 0) this.dropEventsUpTo(stored.seq - KEEP_EVENTS);
    return stored;
  }

  /** A gift's event is its place in the credit queue: none is dropped before its gift is credited. */
  private dropEventsUpTo(seq: number): void {
    const owed = this.store.giftsAfter(this.store.meta('creditedSeq'), 1)[0];
    this.store.dropEvents(owed ? Math.min(seq, owed.seq - 1) : seq);
  }

  // ---- reads ----

  liveState(): LiveState {
    return this.store.meta('live');
  }

  goal(): GoalState {
    return this.store.meta('goal');
  }

  leaderboard(sessionId: string | null): LeaderboardEntry[] {
    return sessionId ? sortLeaderboard(this.store.supporters(sessionId, LEADERBOARD_SIZE)) : [];
  }

  overlayTokenIfSet(): string | null {
    return this.store.meta('overlayToken');
  }

  snapshot() {
    const live = this.liveState();
    return {
      seq: this.lastSeq,
      live,
      goal: this.goal(),
      leaderboard: this.leaderboard(live.sessionId),
      recentGifts: this.store.recentGifts(RECENT_GIFTS),
    };
  }

  earnings() {
    return {
      sessions: this.store.sessions(),
      topSupporters: sortLeaderboard(this.store.supporters(ALL_TIME, LEADERBOARD_SIZE)),
    };
  }

  moderation() {
    return { blockedWords: this.store.meta('blockedWords'), hidden: this.store.hiddenMessages(100) };
  }

  /** Events after `since`, for resume; null when `since` is older than what is kept. */
  eventsSince(since: number): StoredEvent[] | null {
    if (since >= this.lastSeq) return [];
    const oldest = this.store.oldestSeq();
    if (oldest === null || since < oldest - 1) return null;
    return this.store.eventsAfter(since);
  }

  // ---- creator controls ----

  setLive(live: boolean, title: string | null, now: number): { state: LiveState; events: StoredEvent[] } {
    const current = this.liveState();
    if (current.live === live && (!live || title === null || title === current.title))
      return { state: current, events: [] };
    const events = this.atomically(() => {
      let next: LiveState;
      if (live && current.live) {
        next = { ...current, title };
        this.store.setSessionTitle(current.sessionId!, title);
      } else if (live) {
        next = { live: true, title, sessionId: this.newId(), startedAt: now };
        this.store.startSession(next.sessionId!, title, now);
      } else {
        next = NOT_LIVE;
        this.store.endSession(current.sessionId!, now);
      }
      this.store.setMeta('live', next);
      const out = [this.emit({ type: 'live', at: now, ...next })];
      if (live && !current.live) out.push(this.emit({ type: 'leaderboard', at: now, leaderboard: [] }));
      return out;
    });
    return { state: this.liveState(), events };
  }

  setGoal(goal: { label: string; coins: number } | null, now: number): { goal: GoalState; events: StoredEvent[] } {
    const next: GoalState = goal ? { label: goal.label, target: goal.coins, progress: 0 } : null;
    const event = this.atomically(() => {
      this.store.setMeta('goal', next);
      return this.emit({ type: 'goal', at: now, goal: next });
    });
    return { goal: next, events: [event] };
  }

  /** The overlay token, minted on first use; `rotate` mints a new one (the caller closes the old sockets). */
  overlayToken(rotate: boolean, mint: () => string): string {
    let token = this.store.meta('overlayToken');
    if (!token || rotate) {
      token = mint();
      this.store.setMeta('overlayToken', token);
    }
    return token;
  }

  setBlockedWords(words: string[]): string[] {
    const list = normalizeBlockedWords(words);
    this.store.setMeta('blockedWords', list);
    return list;
  }

  // ---- gifts ----

  /**
   * Logs gifts (skipping those already logged) and queues their diamonds, in one transaction; answers
   * their events, and when the leaderboard and goal they changed are held back, when those are due.
   */
  logGifts(gifts: readonly GiftPayload[], now: number): { events: StoredEvent[]; stateDueAt: number | null } {
    return this.atomically(() => {
      const events: StoredEvent[] = [];
      const sessionId = this.liveState().sessionId ?? this.store.latestSession();
      let goal = this.goal();
      const blocked = this.store.meta('blockedWords');
      const added = { coins: 0, diamonds: 0, gifts: 0 };
      for (const g of gifts) {
        // Logged under the seq its event takes next; a gift logged before is skipped.
        if (!this.store.logGift(g, sessionId, this.lastSeq + 1)) continue;
        events.push(this.logGift(g, sessionId, blocked, now));
        added.coins += g.coins;
        added.diamonds += g.diamonds;
        added.gifts += g.count;
        if (goal) goal = { ...goal, progress: goal.progress + g.coins };
      }
      if (added.gifts && sessionId) this.store.addToSession(sessionId, added);
      let stateDueAt: number | null = null;
      if (events.length && (goal || sessionId)) {
        if (goal) this.store.setMeta('goal', goal);
        this.store.setMeta('stateDirty', sessionId ?? '');
        if (now - this.stateAt >= STATE_MS) events.push(...this.takeState(now));
        else stateDueAt = this.stateAt + STATE_MS;
      }
      return { events, stateDueAt };
    });
  }

  /**
   * One new gift: its event (which queues its credit: the cursor passes it once credited), session board
   * and combo. The all-time board counts it when it is credited, a batch's gifts per supporter in one row.
   */
  private logGift(g: GiftPayload, sessionId: string | null, blocked: string[], now: number): StoredEvent {
    if (g.creatorUserId !== this.store.meta('creatorUserId')) this.store.setMeta('creatorUserId', g.creatorUserId);
    const from = g.anonymous ? ANONYMOUS : g.fromName;
    const blockedWord = g.message ? findBlockedWord(g.message, blocked) : null;
    // Shown without the message; the creator can still read what was hidden.
    if (blockedWord)
      this.store.hideMessage({ giftId: g.transferId, from, message: g.message!, word: blockedWord, at: g.at });
    const event = this.emit({
      type: 'gift',
      at: now,
      id: g.transferId,
      from,
      giftId: g.giftId,
      name: g.name,
      tier: g.tier,
      coins: g.unitCoins,
      count: g.count,
      ...(g.message && !blockedWord ? { message: g.message } : {}),
      combo: g.combo,
      total: g.coins,
    });
    if (sessionId) this.store.addSupporter([sessionId], supporterOf(g), from, g.coins);
    this.store.addToCombo(g.combo.id, g.at, g.count, g.coins);
    return event;
  }

  /** Emits the leaderboard and goal as gifts left them, if any gift changed them since they last went out. */
  emitState(now: number): StoredEvent[] {
    return this.atomically(() => this.takeState(now));
  }

  /**
   * A board for a session that has since been replaced by a new one is dropped (the new session starts
   * with its own, empty, board). Call inside a transaction.
   */
  private takeState(now: number): StoredEvent[] {
    const dirty = this.store.meta('stateDirty');
    if (dirty === null) return [];
    this.store.setMeta('stateDirty', null);
    this.stateAt = now;
    const out: StoredEvent[] = [];
    const goal = this.goal();
    if (goal) out.push(this.emit({ type: 'goal', at: now, goal }));
    const current = this.liveState().sessionId;
    if (dirty !== '' && (current === null || current === dirty))
      out.push(this.emit({ type: 'leaderboard', at: now, leaderboard: this.leaderboard(dirty) }));
    return out;
  }

  /**
   * Closes every combo whose last gift is COMBO_WINDOW old: one combo_end each, stored like any event.
   * A combo with a gift still `waiting` to be logged goes on; it is looked at again once it is logged.
   */
  endDueCombos(now: number, waiting: ReadonlySet<string> = new Set()): StoredEvent[] {
    return this.atomically(() =>
      this.store
        .combosLastBy(now - COMBO_WINDOW)
        .filter((c) => !waiting.has(c.id))
        .map((c) => {
          this.store.endCombo(c.id);
          return this.emit({ type: 'combo_end', at: now, comboId: c.id, count: c.count, coins: c.coins });
        }),
    );
  }

  // ---- the credit queue: the gift log after the cursor ----

  /**
   * The next batch for the creator's wallet: the gifts after the cursor, however recent (taking only those
   * due made a busy room credit a few gifts at a time, several rounds a second, each an alarm, a commit here
   * and a commit in the creator's wallet), or none while a failed round waits for its backoff.
   */
  creditBatch(now: number): CreditBatch | null {
    const creator = this.store.meta('creatorUserId');
    const retry = this.store.meta('creditRetry');
    if (!creator || (retry && retry.at > now)) return null;
    const backlog = this.store.creditBacklog(CREDIT_BATCH);
    const owed = backlog.length ? [] : this.store.giftsAfter(this.store.meta('creditedSeq'), CREDIT_BATCH);
    const gifts = backlog.length ? backlog : owed.map((o) => o.gift);
    if (!gifts.length) return null;
    const supporters = new Map<string, CreditBatch['supporters'][number]>();
    // The backlog's gifts were on the all-time board when they were logged.
    for (const g of owed.map((o) => o.gift)) {
      const s = supporterOf(g);
      const name = g.anonymous ? ANONYMOUS : g.fromName;
      supporters.set(s, { supporter: s, name, coins: (supporters.get(s)?.coins ?? 0) + g.coins });
    }
    return {
      creator,
      id: `batch_${gifts[0]!.transferId}_${gifts.length}`,
      items: gifts.map((g) => ({
        transferId: g.transferId,
        diamonds: g.diamonds,
        rateVersion: g.rateVersion,
        from: g.anonymous ? null : g.fromName,
      })),
      through: owed.length ? owed[owed.length - 1]!.seq : null,
      supporters: [...supporters.values()],
      attempts: retry?.attempts ?? 0,
      full: gifts.length === CREDIT_BATCH,
    };
  }

  credited(batch: CreditBatch): void {
    this.atomically(() => {
      if (batch.through === null) this.store.dropCreditBacklog(batch.items.map((i) => i.transferId));
      else this.store.setMeta('creditedSeq', batch.through);
      for (const s of batch.supporters) this.store.addSupporter([ALL_TIME], s.supporter, s.name, s.coins);
      this.store.setMeta('creditRetry', null);
    });
  }

  /** The batch failed: the next round goes after a backoff. */
  creditFailed(batch: CreditBatch, now: number, random?: () => number): void {
    this.atomically(() =>
      this.store.setMeta('creditRetry', { attempts: batch.attempts + 1, at: now + backoff(batch.attempts, random) }),
    );
  }

  /** When the room next has work for its alarm: a credit due or a combo to end; Infinity for none. */
  nextWake(): number {
    const combo = this.store.firstOpenComboAt();
    return Math.min(this.nextCreditAt(), combo === null ? Infinity : combo + COMBO_WINDOW);
  }

  private nextCreditAt(): number {
    const retry = this.store.meta('creditRetry');
    if (retry) return retry.at;
    if (this.store.creditBacklog(1).length) return 0;
    const first = this.store.giftsAfter(this.store.meta('creditedSeq'), 1)[0];
    return first ? first.at + CREDIT_DELAY_MS : Infinity;
  }
}

/** A gift's place on the supporters' boards: an anonymous gift counts apart from its sender's named ones. */
function supporterOf(g: GiftPayload): string {
  return g.anonymous ? `anon:${g.fromUserId}` : g.fromUserId;
}
