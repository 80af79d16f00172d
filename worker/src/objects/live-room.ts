import { DurableObject } from 'cloudflare:workers';
import { monotonicFactory } from 'ulidx';
import {
  ANONYMOUS,
  backoff,
  CLOSE_BAD_TOKEN,
  COMBO_WINDOW,
  findBlockedWord,
  frameWait,
  normalizeBlockedWords,
  PROTOCOL_VERSION,
  sortLeaderboard,
  type GiftFields,
  type GiftPayload,
  type GoalState,
  type LeaderboardEntry,
  type LiveState,
  type NewEvent,
  type RoomEvent,
  type StoredEvent,
} from '@giftstream/shared';
import { timingSafeEqualText } from '../auth';
import { now } from '../clock';
import type { Env } from '../env';
import { fault } from '../faults';
import { getWallet } from '../stubs';
import { Alarm } from './alarm';
import { LIVE_ROOM_MIGRATIONS } from './live-room-migrations';
import { migrate } from './migrate';

/** Events kept for resume: far more than the last 1,000 of a session. */
const KEEP_EVENTS = 5_000;
/**
 * The leaderboard and goal go out at most this often: the first gift after a quiet spell sends them at
 * once, a burst sends them again when the interval has passed (by a timer, or by the alarm after a
 * restart), so a busy room sends one of each per interval, not one per gift.
 */
const STATE_MS = 250;
/**
 * Diamonds are credited to the creator's wallet at most this often, in batches, by the alarm. Each round
 * costs the room alarm writes and a commit, and the creator's wallet a commit: at 200 ms a busy room
 * paid that about four times a second.
 */
const CREDIT_DELAY_MS = 1_000;
const CREDIT_BATCH = 500;
const RECENT_GIFTS = 20;

interface SocketState {
  overlay: boolean;
}

/** Gifts from one wallet's delivery, waiting for the next frame to be logged; then the wallet is answered. */
interface Delivery {
  gifts: GiftPayload[];
  logged: (ids: string[]) => void;
  failed: (e: unknown) => void;
}

const ulid = monotonicFactory();

/**
 * The 101 answer for a room socket, refusing per-message compression. The room sends each frame to
 * every socket, and deflating the same frame once per socket cost several times the rest of a gift
 * (bench scenario 2: p50 2.4 s with it, under 0.2 s without). workerd treats an empty header as unset
 * and negotiates from the client's offer; any other value that is not a permessage-deflate offer means
 * "agree to nothing", and the header never reaches the client.
 */
function upgraded(client: WebSocket): Response {
  return new Response(null, { status: 101, webSocket: client, headers: { 'sec-websocket-extensions': 'none' } });
}

function trySend(ws: WebSocket, data: string): void {
  try {
    ws.send(data);
  } catch {
    // A socket closing under us; it will not be sent to again.
  }
}

/**
 * One creator's live room: sessions, the gift log, combos, leaderboard, goal and the WebSocket hub.
 * It acknowledges a gift once it is logged and its diamonds are queued for the creator's wallet; the
 * queue is credited in batches, so a busy room makes one wallet call per batch, not one per gift.
 */
export class LiveRoom extends DurableObject<Env> {
  private seq = 0;
  private frame: RoomEvent[] = [];
  private inbox: Delivery[] = [];
  private frameTimer: ReturnType<typeof setTimeout> | null = null;
  private stateTimer: ReturnType<typeof setTimeout> | null = null;
  /** Sockets at the last frame; sets the next frame's interval. */
  private sockets = 0;
  /** When the last frame went out (real time): the next one waits for what is left of its interval. */
  private frameAt = 0;
  private crediting = false;
  /** When the leaderboard and goal last went out (room clock). */
  private stateAt = 0;
  /** Whenever it is set, nothing it serves (credits, combo ends) is due before it. */
  private readonly alarmClock: Alarm;
  /** The meta table as read or written so far: every gift reads the live state, goal and word list. */
  private readonly metaCache = new Map<string, string | null>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.alarmClock = new Alarm(ctx.storage);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage.sql, LIVE_ROOM_MIGRATIONS);
      this.seq =
        this.sql.exec<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM events').one().seq ??
        Number(this.meta('seq') ?? 0);
    });
  }

  private get sql() {
    return this.ctx.storage.sql;
  }

  private meta(key: string): string | null {
    if (!this.metaCache.has(key))
      this.metaCache.set(
        key,
        this.sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0]?.value ?? null,
      );
    return this.metaCache.get(key)!;
  }

  private setMeta(key: string, value: string | null): void {
    if (this.metaCache.get(key) === value) return;
    if (value === null) this.sql.exec('DELETE FROM meta WHERE key = ?', key);
    else
      this.sql.exec(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
        key,
        value,
      );
    this.metaCache.set(key, value);
  }

  /** One SQLite transaction. If it throws, nothing was written, so what memory holds of it is dropped too. */
  private transaction<T>(fn: () => T): T {
    const seq = this.seq;
    try {
      return this.ctx.storage.transactionSync(fn);
    } catch (e) {
      this.seq = seq;
      this.metaCache.clear();
      throw e;
    }
  }

  // ---- state ----

  liveState(): LiveState {
    const raw = this.meta('live');
    return raw ? JSON.parse(raw) : { live: false, title: null, sessionId: null, startedAt: null };
  }

  private goal(): GoalState {
    const raw = this.meta('goal');
    return raw ? JSON.parse(raw) : null;
  }

  private leaderboard(sessionId: string | null): LeaderboardEntry[] {
    if (!sessionId) return [];
    const rows = this.sql
      .exec<{ name: string; coins: number }>(
        'SELECT name, coins FROM supporters WHERE session_id = ? ORDER BY coins DESC, name LIMIT 10',
        sessionId,
      )
      .toArray();
    return sortLeaderboard(rows);
  }

  /** Stores an event under the next seq and queues it for every socket. Call inside a transaction. */
  private emit(event: NewEvent): StoredEvent {
    const stored = { v: PROTOCOL_VERSION, seq: ++this.seq, ...event } as StoredEvent;
    this.sql.exec(
      'INSERT INTO events (seq, type, data) VALUES (?, ?, ?)',
      stored.seq,
      stored.type,
      JSON.stringify(stored),
    );
    if (stored.seq % 100 === 0) this.sql.exec('DELETE FROM events WHERE seq <= ?', stored.seq - KEEP_EVENTS);
    return stored;
  }

  /**
   * Emits the leaderboard and goal as gifts left them, if any gift changed them since they last went out.
   * `state_dirty` holds the session the gifts counted toward; a board for a session that has since been
   * replaced by a new one is dropped (the new session starts with its own, empty, board). Call inside a
   * transaction.
   */
  private emitState(): StoredEvent[] {
    const dirty = this.meta('state_dirty');
    if (dirty === null) return [];
    this.setMeta('state_dirty', null);
    this.stateAt = now();
    const out: StoredEvent[] = [];
    const goal = this.goal();
    if (goal) out.push(this.emit({ type: 'goal', at: now(), goal }));
    const current = this.liveState().sessionId;
    if (dirty !== '' && (current === null || current === dirty))
      out.push(this.emit({ type: 'leaderboard', at: now(), leaderboard: this.leaderboard(dirty) }));
    return out;
  }

  /** Sends events after their transaction committed, coalescing bursts into one frame. */
  private broadcast(events: StoredEvent[]): void {
    if (!events.length) return;
    this.frame.push(...events);
    this.frameSoon();
  }

  private frameSoon(): void {
    this.frameTimer ??= setTimeout(() => this.flushFrame(), frameWait(this.sockets, Date.now() - this.frameAt));
  }

  /**
   * Logs the gifts waiting in the inbox (one transaction, one commit for the lot), sends the frame and
   * answers their wallets. Sends and answers are held by the runtime until the commit is durable.
   */
  private flushFrame(): void {
    if (this.frameTimer) clearTimeout(this.frameTimer);
    this.frameTimer = null;
    let deliveries = this.inbox;
    this.inbox = [];
    if (deliveries.length) {
      try {
        this.frame.push(...this.logGifts(deliveries.flatMap((d) => d.gifts)));
      } catch {
        // One bad delivery must not hold up the others: each is tried alone, and only the bad one fails.
        deliveries = deliveries.filter((d) => {
          try {
            this.frame.push(...this.logGifts(d.gifts));
            return true;
          } catch (e) {
            d.failed(e);
            return false;
          }
        });
      }
      if (deliveries.length && fault(this.env, 'roomRestartsAfterLogging')) {
        // Abort drops writes that are not yet confirmed; wait for them, so the restart comes after the logging.
        void this.ctx.storage.sync().then(() => this.ctx.abort('injected: room restarted after logging'));
        return;
      }
    }
    if (this.frame.length) {
      const data = JSON.stringify(this.frame.length === 1 ? this.frame[0] : this.frame);
      this.frame = [];
      const sockets = [...this.ctx.getWebSockets('overlay'), ...this.ctx.getWebSockets('viewer')];
      this.sockets = sockets.length;
      this.frameAt = Date.now();
      for (const ws of sockets) trySend(ws, data);
    }
    for (const d of deliveries) d.logged(d.gifts.map((g) => g.transferId));
  }

  // ---- creator controls ----

  setLive(live: boolean, title: string | null): LiveState {
    const current = this.liveState();
    if (current.live === live && (!live || title === null || title === current.title)) return current;
    const t = now();
    const events = this.transaction(() => {
      let next: LiveState;
      if (live && current.live) {
        next = { ...current, title };
        this.sql.exec('UPDATE sessions SET title = ? WHERE id = ?', title, current.sessionId);
      } else if (live) {
        next = { live: true, title, sessionId: ulid(), startedAt: t };
        this.sql.exec('INSERT INTO sessions (id, title, started_at) VALUES (?, ?, ?)', next.sessionId, title, t);
      } else {
        next = { live: false, title: null, sessionId: null, startedAt: null };
        this.sql.exec('UPDATE sessions SET ended_at = ? WHERE id = ?', t, current.sessionId);
      }
      this.setMeta('live', JSON.stringify(next));
      const out = [this.emit({ type: 'live', at: t, ...next })];
      if (live && !current.live) out.push(this.emit({ type: 'leaderboard', at: t, leaderboard: [] }));
      return out;
    });
    this.broadcast(events);
    return this.liveState();
  }

  setGoal(goal: { label: string; coins: number } | null): GoalState {
    const t = now();
    const next: GoalState = goal ? { label: goal.label, target: goal.coins, progress: 0 } : null;
    const event = this.transaction(() => {
      this.setMeta('goal', next ? JSON.stringify(next) : null);
      return this.emit({ type: 'goal', at: t, goal: next });
    });
    this.broadcast([event]);
    return next;
  }

  /** The overlay token, created on first use; `rotate` replaces it and closes every overlay socket. */
  overlayToken(rotate: boolean): string {
    let token = this.meta('overlay_token');
    if (!token || rotate) {
      token = `ot_${[...crypto.getRandomValues(new Uint8Array(24))].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
      this.setMeta('overlay_token', token);
      if (rotate)
        for (const ws of this.ctx.getWebSockets('overlay')) ws.close(CLOSE_BAD_TOKEN, 'overlay token rotated');
    }
    return token;
  }

  /** A test gift on overlay connections only; nothing is stored and no money moves. */
  testAlert(from: string): void {
    this.flushFrame();
    const gift: GiftFields = {
      id: `test_${ulid()}`,
      from,
      giftId: 'rocket',
      name: 'Rocket',
      tier: 'epic',
      coins: 10_000,
      count: 1,
      combo: { id: `test_${ulid()}`, count: 1 },
      total: 10_000,
      message: 'This is a test alert',
    };
    const data = JSON.stringify({ v: PROTOCOL_VERSION, seq: this.seq, type: 'test', at: now(), test: true, ...gift });
    for (const ws of this.ctx.getWebSockets('overlay')) trySend(ws, data);
  }

  /** A saved overlay configuration, to overlay connections only; D1 keeps the config, nothing is stored here. */
  pushOverlayConfig(revision: number, config: unknown): void {
    const data = JSON.stringify({ v: PROTOCOL_VERSION, seq: this.seq, type: 'config', at: now(), revision, config });
    for (const ws of this.ctx.getWebSockets('overlay')) trySend(ws, data);
  }

  // ---- moderation ----

  private blockedWords(): string[] {
    return JSON.parse(this.meta('blocked_words') ?? '[]');
  }

  setBlockedWords(words: string[]): string[] {
    const list = normalizeBlockedWords(words);
    this.setMeta('blocked_words', JSON.stringify(list));
    return list;
  }

  moderation() {
    const hidden = this.sql
      .exec<{ transfer_id: string; from_name: string; message: string; word: string; at: number }>(
        'SELECT * FROM hidden_messages ORDER BY at DESC LIMIT 100',
      )
      .toArray()
      .map((h) => ({ giftId: h.transfer_id, from: h.from_name, message: h.message, word: h.word, at: h.at }));
    return { blockedWords: this.blockedWords(), hidden };
  }

  // ---- gifts ----

  /**
   * Takes gifts from a viewer's wallet; answers, once they are logged and their diamonds queued, with the
   * transfer ids it holds, which includes gifts it had already logged (a retried delivery), so the wallet
   * settles them either way. Deliveries arriving together are logged together, with the next frame.
   */
  async receiveGifts(gifts: GiftPayload[]): Promise<string[]> {
    if (fault(this.env, 'roomRefusesDelivery')) throw new Error('injected: room refused a delivery');
    // Set before the gifts are logged, so their credits are made even if the room restarts right after.
    // Combo ends are due later; the alarm reschedules itself for them.
    await this.alarmClock.wakeAt(now() + CREDIT_DELAY_MS);
    return new Promise((logged, failed) => {
      this.inbox.push({ gifts, logged, failed });
      this.frameSoon();
    });
  }

  /** Logs gifts (skipping those already logged) and queues their diamonds, in one transaction; returns their events. */
  private logGifts(gifts: GiftPayload[]): StoredEvent[] {
    return this.transaction(() => {
      const out: StoredEvent[] = [];
      const live = this.liveState();
      const sessionId =
        live.sessionId ??
        this.sql.exec<{ id: string }>('SELECT id FROM sessions ORDER BY started_at DESC LIMIT 1').toArray()[0]?.id ??
        null;
      let goal = this.goal();
      const blocked = this.blockedWords();
      let creator = this.meta('creator_user_id');
      const added = { coins: 0, diamonds: 0, gifts: 0 };
      for (const g of gifts) {
        // Logged under the seq its event takes next; a gift logged before is skipped.
        const logged = this.sql.exec(
          'INSERT INTO gifts (transfer_id, session_id, seq, at, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1',
          g.transferId,
          sessionId,
          this.seq + 1,
          g.at,
          JSON.stringify(g),
        );
        if (!logged.toArray().length) continue;
        if (g.creatorUserId !== creator) this.setMeta('creator_user_id', (creator = g.creatorUserId));
        const blockedWord = g.message ? findBlockedWord(g.message, blocked) : null;
        if (blockedWord) {
          // Shown without the message; the creator can still read what was hidden.
          this.sql.exec(
            'INSERT INTO hidden_messages (transfer_id, from_name, message, word, at) VALUES (?, ?, ?, ?, ?)',
            g.transferId,
            g.anonymous ? ANONYMOUS : g.fromName,
            g.message!,
            blockedWord,
            g.at,
          );
        }
        const event = this.emit({
          type: 'gift',
          at: now(),
          id: g.transferId,
          from: g.anonymous ? ANONYMOUS : g.fromName,
          giftId: g.giftId,
          name: g.name,
          tier: g.tier,
          coins: g.unitCoins,
          count: g.count,
          ...(g.message && !blockedWord ? { message: g.message } : {}),
          combo: g.combo,
          total: g.coins,
        });
        out.push(event);
        added.coins += g.coins;
        added.diamonds += g.diamonds;
        added.gifts += g.count;
        const supporter = g.anonymous ? `anon:${g.fromUserId}` : g.fromUserId;
        const name = g.anonymous ? ANONYMOUS : g.fromName;
        // This session's board and the all-time one ('*'), in one statement.
        const scopes = sessionId ? [sessionId, '*'] : ['*'];
        this.sql.exec(
          `INSERT INTO supporters (session_id, supporter, name, coins) VALUES ${scopes.map(() => '(?, ?, ?, ?)').join(', ')} ON CONFLICT(session_id, supporter) DO UPDATE SET coins = coins + excluded.coins, name = excluded.name`,
          ...scopes.flatMap((scope) => [scope, supporter, name, g.coins]),
        );
        this.sql.exec(
          'INSERT INTO combos (id, last_at, count, coins) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET last_at = MAX(last_at, excluded.last_at), count = count + excluded.count, coins = coins + excluded.coins',
          g.combo.id,
          g.at,
          g.count,
          g.coins,
        );
        this.sql.exec(
          'INSERT INTO credit_queue (transfer_id, diamonds, rate_version, from_name, next_attempt_at) VALUES (?, ?, ?, ?, ?)',
          g.transferId,
          g.diamonds,
          g.rateVersion,
          g.anonymous ? null : g.fromName,
          now() + CREDIT_DELAY_MS,
        );
        if (goal) goal = { ...goal, progress: goal.progress + g.coins };
      }
      if (added.gifts)
        this.sql.exec(
          'UPDATE sessions SET coins = coins + ?, diamonds = diamonds + ?, gifts = gifts + ? WHERE id = ?',
          added.coins,
          added.diamonds,
          added.gifts,
          sessionId,
        );
      if (out.length && (goal || sessionId)) {
        if (goal) this.setMeta('goal', JSON.stringify(goal));
        this.setMeta('state_dirty', sessionId ?? '');
        if (now() - this.stateAt >= STATE_MS) out.push(...this.emitState());
        else this.stateSoon();
      }
      return out;
    });
  }

  /** Sends the state a burst left behind once its interval has passed. */
  private stateSoon(): void {
    this.stateTimer ??= setTimeout(
      () => {
        this.stateTimer = null;
        this.broadcast(this.transaction(() => this.emitState()));
      },
      Math.max(0, this.stateAt + STATE_MS - now()),
    );
  }

  override async alarm(): Promise<void> {
    this.alarmClock.fired();
    this.endDueCombos();
    this.broadcast(this.transaction(() => this.emitState()));
    await this.creditCreator();
    await this.scheduleAlarm();
  }

  /**
   * Closes every combo whose last gift is COMBO_WINDOW old: one combo_end each, stored like any event.
   * A combo with a gift still waiting in the inbox goes on; the alarm looks again once it is logged.
   */
  private endDueCombos(): void {
    const waiting = new Set(this.inbox.flatMap((d) => d.gifts.map((g) => g.combo?.id)));
    const events = this.transaction(() =>
      this.sql
        .exec<{ id: string; count: number; coins: number }>(
          'SELECT id, count, coins FROM combos WHERE ended = 0 AND last_at + ? <= ? ORDER BY last_at',
          COMBO_WINDOW,
          now(),
        )
        .toArray()
        .filter((c) => !waiting.has(c.id))
        .map((c) => {
          this.sql.exec('UPDATE combos SET ended = 1 WHERE id = ?', c.id);
          return this.emit({ type: 'combo_end', at: now(), comboId: c.id, count: c.count, coins: c.coins });
        }),
    );
    this.broadcast(events);
  }

  /**
   * Credits queued diamonds to the creator's wallet in batches; each gift is deduped there by transfer id.
   * A round takes every gift waiting for its first try, not only those due: taking only the due ones
   * made a busy room credit a few gifts at a time, several rounds a second, each an alarm, a commit here
   * and a commit in the creator's wallet. Gifts that failed wait for their backoff.
   */
  private async creditCreator(): Promise<void> {
    const creator = this.meta('creator_user_id');
    if (!creator || this.crediting) return;
    this.crediting = true;
    try {
      for (;;) {
        const batch = this.sql
          .exec<{
            transfer_id: string;
            diamonds: number;
            rate_version: number;
            from_name: string | null;
            attempts: number;
          }>(
            'SELECT * FROM credit_queue WHERE attempts = 0 OR next_attempt_at <= ? ORDER BY transfer_id LIMIT ?',
            now(),
            CREDIT_BATCH,
          )
          .toArray();
        if (!batch.length) return;
        const ids = JSON.stringify(batch.map((r) => r.transfer_id));
        try {
          await getWallet(this.env, creator).creditGifts(
            `batch_${batch[0]!.transfer_id}_${batch.length}`,
            batch.map((r) => ({
              transferId: r.transfer_id,
              diamonds: r.diamonds,
              rateVersion: r.rate_version,
              from: r.from_name,
            })),
          );
          this.sql.exec('DELETE FROM credit_queue WHERE transfer_id IN (SELECT value FROM json_each(?))', ids);
        } catch (e) {
          console.warn('crediting the creator failed; retrying', String(e));
          const retryAt = now() + backoff(batch[0]!.attempts);
          this.sql.exec(
            'UPDATE credit_queue SET attempts = attempts + 1, next_attempt_at = ? WHERE transfer_id IN (SELECT value FROM json_each(?))',
            retryAt,
            ids,
          );
          return;
        }
        // Gifts logged while this batch was out wait for the next round.
        if (batch.length < CREDIT_BATCH) return;
      }
    } finally {
      this.crediting = false;
    }
  }

  /**
   * One alarm serves the credit queue and the combo timers: it is set for whichever is due first. Held-back
   * state has its own timer; after a restart the alarm sends it, as every gift that left it behind also
   * queued a credit.
   */
  private async scheduleAlarm(): Promise<void> {
    const credit = this.sql.exec<{ at: number | null }>('SELECT MIN(next_attempt_at) AS at FROM credit_queue').one().at;
    const combo = this.sql
      .exec<{ at: number | null }>('SELECT MIN(last_at) AS at FROM combos WHERE ended = 0')
      .one().at;
    await this.alarmClock.wakeAt(Math.min(credit ?? Infinity, combo === null ? Infinity : combo + COMBO_WINDOW));
  }

  // ---- reads ----

  snapshot() {
    const live = this.liveState();
    const recent = this.sql
      .exec<{ data: string }>("SELECT data FROM events WHERE type = 'gift' ORDER BY seq DESC LIMIT ?", RECENT_GIFTS)
      .toArray()
      .map((r) => JSON.parse(r.data));
    return {
      seq: this.seq,
      live,
      goal: this.goal(),
      leaderboard: this.leaderboard(live.sessionId),
      recentGifts: recent,
    };
  }

  earnings() {
    const sessions = this.sql
      .exec<{
        id: string;
        title: string | null;
        started_at: number;
        ended_at: number | null;
        coins: number;
        diamonds: number;
        gifts: number;
      }>('SELECT * FROM sessions ORDER BY started_at DESC')
      .toArray()
      .map((s) => ({
        id: s.id,
        title: s.title,
        startedAt: s.started_at,
        endedAt: s.ended_at,
        coins: s.coins,
        diamonds: s.diamonds,
        gifts: s.gifts,
      }));
    const topSupporters = sortLeaderboard(
      this.sql
        .exec<{ name: string; coins: number }>(
          "SELECT name, coins FROM supporters WHERE session_id = '*' ORDER BY coins DESC LIMIT 10",
        )
        .toArray(),
    );
    return { sessions, topSupporters };
  }

  /** Events after `since`, for resume; null when `since` is older than what is kept. */
  private eventsSince(since: number): StoredEvent[] | null {
    if (since >= this.seq) return [];
    const oldest = this.sql.exec<{ seq: number | null }>('SELECT MIN(seq) AS seq FROM events').one().seq;
    if (oldest === null || since < oldest - 1) return null;
    return this.sql
      .exec<{ data: string }>('SELECT data FROM events WHERE seq > ? ORDER BY seq', since)
      .toArray()
      .map((r) => JSON.parse(r.data));
  }

  // ---- sockets (Hibernation API) ----

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const token = url.searchParams.get('token');
    const sinceParam = url.searchParams.get('since');
    const since = sinceParam !== null && /^\d{1,15}$/.test(sinceParam) ? Number(sinceParam) : null;
    const address = request.headers.get('cf-connecting-ip') ?? 'local';
    const tooMany =
      this.ctx.getWebSockets().length >= Number(this.env.WS_PER_ROOM)
        ? 'This room has as many connections as it takes.'
        : this.ctx.getWebSockets(`addr:${address}`).length >= Number(this.env.WS_PER_ADDRESS)
          ? 'Too many connections to this room from your address.'
          : null;
    if (tooMany) {
      return new Response(JSON.stringify({ error: { code: 'rate_limited', message: tooMany } }), {
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '10' },
      });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    const overlay = token !== null;
    // Whatever is waiting to go out is sent first, so this socket's replay and the live stream never overlap.
    this.flushFrame();
    const expected = this.meta('overlay_token');
    if (overlay && (!expected || !timingSafeEqualText(token, expected))) {
      // Accepted, then closed with a code that tells the overlay not to retry.
      this.ctx.acceptWebSocket(server, ['rejected', `addr:${address}`]);
      server.close(CLOSE_BAD_TOKEN, 'invalid overlay token');
      return upgraded(client);
    }
    this.ctx.acceptWebSocket(server, [overlay ? 'overlay' : 'viewer', `addr:${address}`]);
    server.serializeAttachment({ overlay } satisfies SocketState);
    const replay = since === null ? [] : this.eventsSince(since);
    const { live, goal, leaderboard } = this.snapshot();
    server.send(
      JSON.stringify({
        v: PROTOCOL_VERSION,
        seq: this.seq,
        type: 'hello',
        at: now(),
        live,
        goal,
        leaderboard,
        ...(replay === null ? { reset: true } : {}),
      }),
    );
    if (replay?.length) server.send(JSON.stringify(replay));
    return upgraded(client);
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    // Clients only listen; a ping gets a pong so they can tell a dead connection from a quiet room.
    if (message === 'ping') ws.send('pong');
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    try {
      ws.close(code === 1005 ? 1000 : code, 'closing');
    } catch {
      // already closed
    }
  }
}
