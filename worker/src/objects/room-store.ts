import {
  NOT_LIVE,
  type GiftPayload,
  type HiddenMessage,
  type LeaderboardEntry,
  type OpenCombo,
  type OwedGift,
  type RoomMeta,
  type RoomStore,
  type SessionRecord,
  type StoredEvent,
} from '@giftstream/shared';
import { LIVE_ROOM_MIGRATIONS } from './live-room-migrations';
import { migrate } from './migrate';
import { inserted, records } from './sql';

/** How each named value is stored in the meta table: its key, and its value as text (absent: the default). */
const META: { [K in keyof RoomMeta]: { key: string; json: boolean; empty: RoomMeta[K] } } = {
  live: { key: 'live', json: true, empty: NOT_LIVE },
  goal: { key: 'goal', json: true, empty: null },
  blockedWords: { key: 'blocked_words', json: true, empty: [] },
  overlayToken: { key: 'overlay_token', json: false, empty: null },
  creatorUserId: { key: 'creator_user_id', json: false, empty: null },
  stateDirty: { key: 'state_dirty', json: false, empty: null },
  creditedSeq: { key: 'credited_seq', json: true, empty: 0 },
  creditRetry: { key: 'credit_retry', json: true, empty: null },
};
type SessionRow = {
  id: string;
  title: string | null;
  started_at: number;
  ended_at: number | null;
  coins: number;
  diamonds: number;
  gifts: number;
};
type HiddenRow = { transfer_id: string; from_name: string; message: string; word: string; at: number };

/**
 * RoomStore over a Durable Object's SQLite storage (tables in live-room-migrations.ts). The meta table
 * is cached as read or written: every gift reads the live state, goal and word list. The object is its
 * only writer, and a transaction that throws drops the cache.
 */
export class SqlRoomStore implements RoomStore {
  private depth = 0;
  private readonly metaCache = new Map<string, string | null>();

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Brings the tables up to date; run once, before anything else, under blockConcurrencyWhile. */
  migrate(): void {
    migrate(this.sql, LIVE_ROOM_MIGRATIONS);
  }

  private get sql() {
    return this.storage.sql;
  }

  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.depth++;
    try {
      return this.storage.transactionSync(fn);
    } catch (e) {
      this.metaCache.clear();
      throw e;
    } finally {
      this.depth--;
    }
  }

  private raw(key: string): string | null {
    if (!this.metaCache.has(key))
      this.metaCache.set(
        key,
        this.sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0]?.value ?? null,
      );
    return this.metaCache.get(key)!;
  }

  meta<K extends keyof RoomMeta>(name: K): RoomMeta[K] {
    const { key, json, empty } = META[name];
    const raw = this.raw(key);
    if (raw === null) return structuredClone(empty);
    return (json ? JSON.parse(raw) : raw) as RoomMeta[K];
  }

  setMeta<K extends keyof RoomMeta>(name: K, value: RoomMeta[K]): void {
    const { key, json } = META[name];
    const text = value === null ? null : json ? JSON.stringify(value) : (value as string);
    if (this.metaCache.get(key) === text) return;
    if (text === null) this.sql.exec('DELETE FROM meta WHERE key = ?', key);
    else
      this.sql.exec(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
        key,
        text,
      );
    this.metaCache.set(key, text);
  }

  lastSeq(): number {
    return (
      this.sql.exec<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM events').one().seq ??
      Number(this.raw('seq') ?? 0)
    );
  }

  appendEvent(event: StoredEvent): void {
    this.sql.exec(
      'INSERT INTO events (seq, type, data) VALUES (?, ?, ?)',
      event.seq,
      event.type,
      JSON.stringify(event),
    );
  }

  dropEvents(seq: number): void {
    this.sql.exec('DELETE FROM events WHERE seq <= ?', seq);
  }

  oldestSeq(): number | null {
    return this.sql.exec<{ seq: number | null }>('SELECT MIN(seq) AS seq FROM events').one().seq;
  }

  eventsAfter(seq: number): StoredEvent[] {
    return records(this.sql, 'SELECT data FROM events WHERE seq > ? ORDER BY seq', seq);
  }

  recentGifts(limit: number): StoredEvent[] {
    return records(this.sql, "SELECT data FROM events WHERE type = 'gift' ORDER BY seq DESC LIMIT ?", limit);
  }

  latestSession(): string | null {
    return (
      this.sql.exec<{ id: string }>('SELECT id FROM sessions ORDER BY started_at DESC LIMIT 1').toArray()[0]?.id ?? null
    );
  }

  startSession(id: string, title: string | null, at: number): void {
    this.sql.exec('INSERT INTO sessions (id, title, started_at) VALUES (?, ?, ?)', id, title, at);
  }

  setSessionTitle(id: string, title: string | null): void {
    this.sql.exec('UPDATE sessions SET title = ? WHERE id = ?', title, id);
  }

  endSession(id: string, at: number): void {
    this.sql.exec('UPDATE sessions SET ended_at = ? WHERE id = ?', at, id);
  }

  addToSession(id: string, added: { coins: number; diamonds: number; gifts: number }): void {
    this.sql.exec(
      'UPDATE sessions SET coins = coins + ?, diamonds = diamonds + ?, gifts = gifts + ? WHERE id = ?',
      added.coins,
      added.diamonds,
      added.gifts,
      id,
    );
  }

  sessions(): SessionRecord[] {
    return this.sql
      .exec<SessionRow>('SELECT * FROM sessions ORDER BY started_at DESC')
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
  }

  logGift(gift: GiftPayload, sessionId: string | null, seq: number): boolean {
    return inserted(
      this.sql,
      'INSERT INTO gifts (transfer_id, session_id, seq, at, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1',
      gift.transferId,
      sessionId,
      seq,
      gift.at,
      JSON.stringify(gift),
    );
  }

  hideMessage(h: HiddenMessage): void {
    this.sql.exec(
      'INSERT INTO hidden_messages (transfer_id, from_name, message, word, at) VALUES (?, ?, ?, ?, ?)',
      h.giftId,
      h.from,
      h.message,
      h.word,
      h.at,
    );
  }

  hiddenMessages(limit: number): HiddenMessage[] {
    return this.sql
      .exec<HiddenRow>('SELECT * FROM hidden_messages ORDER BY at DESC LIMIT ?', limit)
      .toArray()
      .map((h) => ({ giftId: h.transfer_id, from: h.from_name, message: h.message, word: h.word, at: h.at }));
  }

  /** Every scope in one statement. */
  addSupporter(scopes: readonly string[], supporter: string, name: string, coins: number): void {
    this.sql.exec(
      `INSERT INTO supporters (session_id, supporter, name, coins) VALUES ${scopes.map(() => '(?, ?, ?, ?)').join(', ')} ON CONFLICT(session_id, supporter) DO UPDATE SET coins = coins + excluded.coins, name = excluded.name`,
      ...scopes.flatMap((scope) => [scope, supporter, name, coins]),
    );
  }

  supporters(scope: string, limit: number): LeaderboardEntry[] {
    return this.sql
      .exec<{ name: string; coins: number }>(
        'SELECT name, coins FROM supporters WHERE session_id = ? ORDER BY coins DESC, name LIMIT ?',
        scope,
        limit,
      )
      .toArray()
      .map((r) => ({ name: r.name, coins: r.coins }));
  }

  addToCombo(id: string, at: number, count: number, coins: number): void {
    this.sql.exec(
      'INSERT INTO combos (id, last_at, count, coins) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET last_at = MAX(last_at, excluded.last_at), count = count + excluded.count, coins = coins + excluded.coins',
      id,
      at,
      count,
      coins,
    );
  }

  combosLastBy(at: number): OpenCombo[] {
    return this.sql
      .exec<{ id: string; count: number; coins: number }>(
        'SELECT id, count, coins FROM combos WHERE ended = 0 AND last_at <= ? ORDER BY last_at',
        at,
      )
      .toArray()
      .map((c) => ({ id: c.id, count: c.count, coins: c.coins }));
  }

  endCombo(id: string): void {
    this.sql.exec('UPDATE combos SET ended = 1 WHERE id = ?', id);
  }

  firstOpenComboAt(): number | null {
    return this.sql.exec<{ at: number | null }>('SELECT MIN(last_at) AS at FROM combos WHERE ended = 0').one().at;
  }

  giftsAfter(seq: number, limit: number): OwedGift[] {
    return this.sql
      .exec<{ seq: number; at: number; gift: string }>(
        `SELECT e.seq, json_extract(e.data, '$.at') AS at, g.data AS gift FROM events e
         JOIN gifts g ON g.transfer_id = json_extract(e.data, '$.id')
         WHERE e.seq > ? AND e.type = 'gift' ORDER BY e.seq LIMIT ?`,
        seq,
        limit,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, at: r.at, gift: JSON.parse(r.gift) as GiftPayload }));
  }

  creditBacklog(limit: number): GiftPayload[] {
    return records(
      this.sql,
      'SELECT g.data FROM credit_backlog b JOIN gifts g ON g.transfer_id = b.transfer_id ORDER BY b.transfer_id LIMIT ?',
      limit,
    );
  }

  dropCreditBacklog(transferIds: readonly string[]): void {
    this.sql.exec(
      'DELETE FROM credit_backlog WHERE transfer_id IN (SELECT value FROM json_each(?))',
      JSON.stringify(transferIds),
    );
  }
}
