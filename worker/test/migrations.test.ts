import { ALL_TIME, KEEP_EVENTS, RoomBook, type GiftPayload } from '@giftstream/shared';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { LIVE_ROOM_MIGRATIONS } from '../src/objects/live-room-migrations';
import { migrate } from '../src/objects/migrate';
import { SqlRoomStore } from '../src/objects/room-store';
import { WALLET_MIGRATIONS } from '../src/objects/wallet-migrations';
import { SqlWalletStore } from '../src/objects/wallet-store';
import { roomStub, uniqueKey, walletStub } from './helpers';

/** Drops every table the object made, so the test can bring it up step by step as an older object would. */
function wipe(sql: SqlStorage): void {
  const tables = sql
    .exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
    )
    .toArray();
  for (const { name } of tables) sql.exec(`DROP TABLE "${name}"`);
}

/** Every row of each table, in key order: what the object holds, compared before and after. */
function dump(sql: SqlStorage, tables: Record<string, string>): Record<string, unknown[]> {
  return Object.fromEntries(
    Object.entries(tables).map(([t, order]) => [t, sql.exec(`SELECT * FROM ${t} ORDER BY ${order}`).toArray()]),
  );
}

function withoutRowid(sql: SqlStorage, table: string): boolean {
  const r = sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", table).one();
  return /WITHOUT ROWID\s*$/i.test(r.sql);
}

const gift = (transferId: string, at: number) => ({ transferId, at, coins: 5 }) as unknown as GiftPayload;

describe('the rows-written migrations keep what was there', () => {
  it("a wallet's balances, idempotent replies, outbox, credits and gift spends read the same after the rebuilds", async () => {
    const WALLET_TABLES = {
      balances: 'account',
      idempotency: 'key',
      outbox: 'transfer_id',
      credits: 'transfer_id',
      transfers: 'rowid',
    };
    await runInDurableObject(walletStub(uniqueKey('migrated-wallet')), (_w, ctx) => {
      const sql = ctx.storage.sql;
      wipe(sql);
      migrate(sql, WALLET_MIGRATIONS.slice(0, 4)); // the wallet as it stood before the rebuild
      const before = new SqlWalletStore(ctx.storage);
      before.transaction(() => {
        before.setBalance('coins:user', 700);
        before.setBalance('coins:in_transit', 300);
        before.appendTransfers([
          {
            id: 't1',
            kind: 'gift',
            debit: 'coins:user',
            credit: 'coins:in_transit',
            amount: 300,
            rateVersion: 1,
            at: 5,
            ref: 't1',
          },
        ] as never);
        before.putIdempotent('idem-1', { fingerprint: 'fp', reply: { status: 201, body: '{"ok":true}' }, at: 5 });
        before.putOutbox({
          transferId: 't1',
          coins: 300,
          payload: '{"p":1}',
          attempts: 2,
          nextAttemptAt: 9,
          createdAt: 5,
        });
        before.putCredit('c1', 'batch-1');
        sql.exec("INSERT INTO combos (key, id, last_at, count) VALUES ('room:rose', 'combo-1', 5, 3)");
        // A gift from before the caps (migration 3): its transfer has no spend row.
        before.appendTransfers([
          {
            id: 'tOld',
            kind: 'gift',
            debit: 'coins:user',
            credit: 'coins:in_transit',
            amount: 20,
            rateVersion: 1,
            at: 0,
            ref: 'tOld',
          },
          {
            id: 'sOld',
            kind: 'gift',
            debit: 'coins:in_transit',
            credit: 'coins:platform',
            amount: 20,
            rateVersion: 0,
            at: 0,
            ref: 'tOld',
          },
        ] as never);
        const spend = 'INSERT INTO gift_spend (transfer_id, room, session_id, amount, at) VALUES (?, ?, ?, ?, ?)';
        sql.exec(spend, 't1', 'room', 's1', 300, 5);
        sql.exec(spend, 't0', 'room', null, 40, 1);
      });
      const old = dump(sql, WALLET_TABLES);

      migrate(sql, WALLET_MIGRATIONS); // the new entries run on the old data
      expect(dump(sql, WALLET_TABLES)).toEqual(old);
      for (const t of ['balances', 'idempotency', 'outbox', 'credits', 'gift_spend'])
        expect(withoutRowid(sql, t)).toBe(true);

      const after = new SqlWalletStore(ctx.storage);
      expect(after.balances()).toEqual({ 'coins:user': 700, 'coins:in_transit': 300 });
      expect(after.getIdempotent('idem-1')).toEqual({
        fingerprint: 'fp',
        reply: { status: 201, body: '{"ok":true}' },
        at: 5,
      });
      expect(after.outbox()).toEqual([
        { transferId: 't1', coins: 300, payload: '{"p":1}', attempts: 2, nextAttemptAt: 9, createdAt: 5 },
      ]);
      // The combos table is gone: a gift's combo is on its spend row. The combo open at the migration ends.
      expect(sql.exec("SELECT name FROM sqlite_master WHERE name = 'combos'").toArray()).toEqual([]);
      expect(after.lastCombo('room:rose', 0)).toBeNull();
      // Each spend row has its gift's coins (a row whose transfer is gone, none); the gift from before the
      // caps has one now, with its coins and no money, so the caps count what they counted before.
      expect(after.giftSpent({ since: 0 })).toBe(340);
      expect(after.giftSpent({ room: 'room', session: 's1', since: 0 })).toBe(300);
      expect(after.giftSpent({ room: 'room', session: null, since: 0 })).toBe(40);
      expect(after.giftSpent({ room: 'room', session: 's1', since: 6 })).toBe(0);
      expect(after.giftsSince(0)).toEqual([
        { at: 0, amount: 0, coins: 20 },
        { at: 1, amount: 40, coins: 0 },
        { at: 5, amount: 300, coins: 300 },
      ]);
      const indexes = sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")
        .toArray()
        .map((r) => r.name)
        .sort();
      // transfers_kind_at, gift_spend_at and gift_spend_session are gone: their rows were written on every gift.
      expect(indexes).toEqual(['purchases_created']);
      expect(() =>
        after.putGiftSpend({
          transferId: 't1',
          room: 'room',
          session: 's1',
          amount: 1,
          coins: 1,
          at: 5,
          combo: { key: 'room:rose', id: 't1', count: 1 },
        }),
      ).toThrow(/UNIQUE/);
      // A new gift's combo is found again by its key: the latest of the key, the higher count of a tie.
      const rose = (at: number, id: string, count: number) =>
        after.putGiftSpend({
          transferId: id,
          room: 'room',
          session: 's1',
          amount: 1,
          coins: 1,
          at,
          combo: { key: 'room:rose', id: 'c7', count },
        });
      rose(7, 'c7', 1);
      rose(7, 'c7b', 2);
      expect(after.lastCombo('room:rose', 2)).toEqual({ id: 'c7', lastAt: 7, count: 2 });
      expect(after.lastCombo('room:rose', 8)).toBeNull();
      expect(after.lastCombo('room:lily', 0)).toBeNull();
      // Exactly-once still holds: a credit already taken is refused, a new one is taken once.
      expect(after.putCredit('c1', 'batch-2')).toBe(false);
      expect(after.putCredit('c2', 'batch-2')).toBe(true);
      expect(after.putCredit('c2', 'batch-3')).toBe(false);
      expect(after.deleteOutbox('t1')).toBe(300);
      expect(after.deleteOutbox('t1')).toBeNull();
      // The keys stay required and unique.
      expect(() => sql.exec("INSERT INTO balances (account, value) VALUES ('coins:user', 1)")).toThrow(/UNIQUE/);
      expect(() => sql.exec('INSERT INTO credits (transfer_id, batch_id) VALUES (NULL, ?)', 'b')).toThrow(/NOT NULL/);
    });
  });

  it("a room's gifts, supporters and combos read the same after the rebuild, and its queued credits wait in the backlog", async () => {
    const ROOM_TABLES = {
      gifts: 'transfer_id',
      supporters: 'session_id, supporter',
      combos: 'id',
      sessions: 'id',
      events: 'seq',
    };
    await runInDurableObject(roomStub(uniqueKey('migrated-room')), (_r, ctx) => {
      const sql = ctx.storage.sql;
      wipe(sql);
      migrate(sql, LIVE_ROOM_MIGRATIONS.slice(0, 2)); // the room as it stood before the rebuild
      const before = new SqlRoomStore(ctx.storage);
      before.transaction(() => {
        before.startSession('s1', 'First', 1);
        expect(before.logGift(gift('g1', 2), 's1', 1)).toBe(true);
        expect(before.logGift(gift('g2', 3), null, 2)).toBe(true);
        before.addSupporter(['s1', 'all'], 'u1', 'Ann', 50);
        before.addSupporter(['all'], 'u2', 'Bob', 20);
        before.addToCombo('combo-1', 2, 1, 5);
        before.addToCombo('combo-2', 3, 2, 10);
        before.endCombo('combo-2');
        const queue =
          'INSERT INTO credit_queue (transfer_id, diamonds, rate_version, from_name, attempts, next_attempt_at)';
        sql.exec(`${queue} VALUES ('g1', 4, 1, 'Ann', 0, 2)`);
        sql.exec(`${queue} VALUES ('g2', 8, 1, NULL, 3, 99)`);
      });
      const old = dump(sql, ROOM_TABLES);

      migrate(sql, LIVE_ROOM_MIGRATIONS);
      expect(dump(sql, ROOM_TABLES)).toEqual(old);
      for (const t of ['gifts', 'supporters', 'combos', 'credit_backlog']) expect(withoutRowid(sql, t)).toBe(true);

      const after = new SqlRoomStore(ctx.storage);
      // A gift logged before is still recognised: delivered twice, counted once.
      expect(after.logGift(gift('g1', 2), 's1', 3)).toBe(false);
      expect(after.logGift(gift('g3', 4), 's1', 3)).toBe(true);
      expect(after.supporters('all', 10)).toEqual([
        { name: 'Ann', coins: 50 },
        { name: 'Bob', coins: 20 },
      ]);
      expect(after.supporters('s1', 10)).toEqual([{ name: 'Ann', coins: 50 }]);
      expect(after.combosLastBy(10)).toEqual([{ id: 'combo-1', count: 1, coins: 5 }]);
      expect(after.firstOpenComboAt()).toBe(2);
      // What was queued waits in the backlog (room migration 4), however its retries stood; the cursor
      // stands at the last gift logged, so nothing before it is owed twice.
      expect(after.creditBacklog(10).map((g) => g.transferId)).toEqual(['g1', 'g2']);
      expect(after.meta('creditedSeq')).toBe(2);
      expect(sql.exec("SELECT name FROM sqlite_master WHERE name = 'credit_queue'").toArray()).toEqual([]);
      // The open-combo index is still there and still chosen.
      const plan = sql
        .exec<{ detail: string }>('EXPLAIN QUERY PLAN SELECT id FROM combos WHERE ended = 0 AND last_at <= 10')
        .toArray();
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/combos_open/);
      // On `ended` alone (room migration 3): a gift that goes on with a combo no longer moves its entry.
      expect(sql.exec<{ name: string }>("SELECT name FROM pragma_index_info('combos_open')").toArray()).toEqual([
        { name: 'ended' },
      ]);
      expect(() =>
        sql.exec("INSERT INTO supporters (session_id, supporter, name, coins) VALUES ('all', 'u1', 'X', 1)"),
      ).toThrow(/UNIQUE/);
    });
  });

  it("a room's backlog from before the credit cursor is credited first and once; then the gifts after the cursor", async () => {
    await runInDurableObject(roomStub(uniqueKey('migrated-credits')), (_r, ctx) => {
      const sql = ctx.storage.sql;
      wipe(sql);
      migrate(sql, LIVE_ROOM_MIGRATIONS.slice(0, 3)); // the room with its credit queue
      const payload = (transferId: string, from: string, coins: number): GiftPayload =>
        ({
          ...{ transferId, room: 'room', creatorUserId: 'creator', fromUserId: from, fromName: `Name ${from}` },
          ...{ anonymous: false, giftId: 'rose', name: 'Rose', tier: 'small', unitCoins: coins, count: 1, coins },
          ...{
            diamonds: coins,
            rateVersion: 1,
            price: coins,
            sessionId: null,
            combo: { id: `c-${transferId}`, count: 1 },
          },
          at: 1,
        }) as GiftPayload;
      const old = new SqlRoomStore(ctx.storage);
      old.transaction(() => {
        // g1 was credited before the upgrade; g2 still queued.
        for (const [seq, g] of [payload('g1', 'u1', 5), payload('g2', 'u2', 7)].entries()) {
          old.logGift(g, null, seq + 1);
          old.appendEvent({ v: 1, seq: seq + 1, type: 'gift', at: 1, id: g.transferId } as never);
        }
        sql.exec(
          "INSERT INTO credit_queue (transfer_id, diamonds, rate_version, from_name, attempts, next_attempt_at) VALUES ('g2', 7, 1, 'Name u2', 2, 99)",
        );
        old.addSupporter([ALL_TIME], 'u1', 'Name u1', 5);
        old.addSupporter([ALL_TIME], 'u2', 'Name u2', 7);
        old.setMeta('creatorUserId', 'creator');
      });

      migrate(sql, LIVE_ROOM_MIGRATIONS);
      const store = new SqlRoomStore(ctx.storage);
      const book = new RoomBook(store, () => 'id');
      expect(book.nextWake(), 'the backlog is due at once').toBe(0);
      const first = book.creditBatch(10)!;
      expect(first.items.map((i) => [i.transferId, i.diamonds, i.from])).toEqual([['g2', 7, 'Name u2']]);
      expect(first.supporters, 'counted on the board when it was logged').toEqual([]);
      book.credited(first);
      expect(book.creditBatch(10), 'nothing before the cursor is owed again').toBeNull();
      expect(book.nextWake()).toBe(Infinity);

      // Gifts logged since: owed after the cursor, the all-time board counting them once credited.
      const { events } = book.logGifts([payload('g3', 'u1', 3), payload('g4', 'u1', 4), payload('g5', 'u3', 1)], 20);
      expect(events.map((e) => e.seq)).toEqual([3, 4, 5]);
      expect(book.nextWake()).toBe(20 + 1_000);
      const failed = book.creditBatch(30)!;
      book.creditFailed(failed, 30, () => 0);
      expect(book.creditBatch(31), 'a failed round waits for its backoff').toBeNull();
      expect(book.nextWake()).toBe(30 + 125);
      const next = book.creditBatch(30 + 125)!;
      expect(next.id).toBe(failed.id);
      expect(next.attempts).toBe(1);
      expect(next.items.map((i) => i.transferId)).toEqual(['g3', 'g4', 'g5']);
      expect(next.supporters).toEqual([
        { supporter: 'u1', name: 'Name u1', coins: 7 },
        { supporter: 'u3', name: 'Name u3', coins: 1 },
      ]);
      book.credited(next);
      expect(store.meta('creditedSeq')).toBe(5);
      expect(store.meta('creditRetry')).toBeNull();
      expect(book.creditBatch(1_000_000)).toBeNull();
      expect(store.supporters(ALL_TIME, 10)).toEqual([
        { name: 'Name u1', coins: 12 },
        { name: 'Name u2', coins: 7 },
        { name: 'Name u3', coins: 1 },
      ]);
    });
  });
});

describe("a room's event log", () => {
  it('keeps the event of a gift not yet credited past KEEP_EVENTS, and drops the old ones once it is', async () => {
    await runInDurableObject(roomStub(uniqueKey('kept-events')), (_r, ctx) => {
      const store = new SqlRoomStore(ctx.storage);
      store.migrate();
      const book = new RoomBook(store, () => 'id');
      const gift = {
        ...{ transferId: 'g1', room: 'room', creatorUserId: 'creator', fromUserId: 'u1', fromName: 'Ann' },
        ...{ anonymous: false, giftId: 'rose', name: 'Rose', tier: 'small', unitCoins: 1, count: 1, coins: 1 },
        ...{ diamonds: 1, rateVersion: 1, price: 1, sessionId: null, combo: { id: 'c1', count: 1 }, at: 1 },
      } as GiftPayload;
      expect(book.logGifts([gift], 1).events.map((e) => e.seq)).toEqual([1]);
      // Far more events than are kept, while the creator's wallet has not taken the gift.
      for (let i = 2; i <= KEEP_EVENTS + 200; i++) book.setGoal({ label: 'Goal', coins: i }, i);
      expect(store.oldestSeq(), 'the owed gift keeps its place').toBe(1);
      const batch = book.creditBatch(10_000)!;
      expect(batch.items.map((i) => i.transferId)).toEqual(['g1']);
      book.credited(batch);
      for (let i = 1; i <= 100; i++) book.setGoal({ label: 'Goal', coins: i }, 10_000 + i);
      expect(store.oldestSeq(), 'once credited, the log keeps the last KEEP_EVENTS again').toBe(301);
    });
  });
});
