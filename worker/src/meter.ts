import type { Env } from './env';

/**
 * What the platform bills, counted in a run, for the benchmarks' cost per gift (bench/run.mjs). Off
 * unless the bench sets the vars BENCH_METER=1 and TEST_HOOKS=1: then each hook below is one null check
 * and a stub is returned as it is. On, it counts Durable Object requests (stub calls by class and
 * method, alarms, incoming socket messages), SQL statements and the rows their cursors report, alarm
 * writes, D1 queries and their rows, WebSocket messages sent and worker requests. wrangler dev runs the
 * worker and its objects in one isolate, so one module-level meter sees them all; the bench reads it at
 * GET /v1/__test/meter and takes differences.
 */
export interface MeterCounts {
  workerRequests: number;
  /** 'Wallet.debitGift', 'LiveRoom.alarm', 'LiveRoom.webSocketMessage', ... */
  doRequests: Record<string, number>;
  /** By class; rows as SqlStorageCursor counts them (what Cloudflare bills). */
  sql: Record<string, { statements: number; rowsRead: number; rowsWritten: number }>;
  /** By class and statement (its first 80 characters): where the rows go. */
  bySql: Record<string, { statements: number; rowsRead: number; rowsWritten: number }>;
  /** setAlarm/deleteAlarm calls by class: each is billed as a row written. */
  alarmWrites: Record<string, number>;
  /** null when this runtime's D1 binding could not be hooked. */
  d1: {
    queries: number;
    roundTrips: number;
    rowsRead: number;
    rowsWritten: number;
    /** Queries by statement (its first 80 characters). */
    byQuery: Record<string, number>;
  } | null;
  wsSent: number;
}

let counts: MeterCounts | null = null;
/** Cursors not yet read: their rows are final once the next statement runs or the meter is read. */
let pending: { cursor: SqlStorageCursor<Record<string, SqlStorageValue>>; cls: string; query: string }[] = [];
const sqlClass = new WeakMap<object, string>();

function on(env: Env): MeterCounts | null {
  if (counts || env.BENCH_METER !== '1' || env.TEST_HOOKS !== '1') return counts;
  const c: MeterCounts = {
    workerRequests: 0,
    doRequests: {},
    sql: {},
    bySql: {},
    alarmWrites: {},
    d1: null,
    wsSent: 0,
  };
  counts = c;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
    c.wsSent++;
    return send.call(this, data);
  };
  hookD1(env.DB, c);
  return c;
}

const bump = (r: Record<string, number>, key: string) => {
  r[key] = (r[key] ?? 0) + 1;
};

/** Every D1 query and batch goes through the session's `_sendOrThrow`, whose answer carries rows read and written. */
function hookD1(db: D1Database, c: MeterCounts): void {
  // biome-ignore lint/suspicious/noExplicitAny: the binding's internals, reached only in a bench run.
  let proto: any = (db as any)?.alwaysPrimarySession;
  while (proto && !Object.hasOwn(proto, '_sendOrThrow')) proto = Object.getPrototypeOf(proto);
  if (!proto) return;
  const d1 = { queries: 0, roundTrips: 0, rowsRead: 0, rowsWritten: 0, byQuery: {} as Record<string, number> };
  c.d1 = d1;
  const sendOrThrow = proto._sendOrThrow;
  proto._sendOrThrow = async function (this: unknown, endpoint: string, query: unknown, ...rest: unknown[]) {
    const answer = await sendOrThrow.call(this, endpoint, query, ...rest);
    d1.roundTrips++;
    d1.queries += Array.isArray(query) ? query.length : 1;
    for (const q of Array.isArray(query) ? query : [query])
      bump(d1.byQuery, String(q).replace(/\s+/g, ' ').slice(0, 80));
    for (const r of Array.isArray(answer) ? answer : [answer]) {
      d1.rowsRead += r?.meta?.rows_read ?? 0;
      d1.rowsWritten += r?.meta?.rows_written ?? 0;
    }
    return answer;
  };
}

function harvest(c: MeterCounts): void {
  for (const { cursor, cls, query } of pending) {
    for (const s of [c.sql[cls], c.bySql[`${cls}: ${query}`]]) {
      if (!s) continue;
      s.rowsRead += cursor.rowsRead;
      s.rowsWritten += cursor.rowsWritten;
    }
  }
  pending = [];
}

/** Counts one worker request (the worker's fetch handler). */
export function meterRequest(env: Env): void {
  const c = on(env);
  if (c) c.workerRequests++;
}

/** The stub itself, or (metering) one that counts each call on it as a request to `cls`. */
export function meterStub<T extends object>(env: Env, cls: string, stub: T): T {
  const c = on(env);
  if (!c) return stub;
  return new Proxy(stub, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      // Called on the stub itself: an RPC call whose `this` is anything else sends that along.
      return (...args: unknown[]) => {
        bump(c.doRequests, `${cls}.${prop}`);
        return (target as Record<string, (...a: unknown[]) => unknown>)[prop]!(...args);
      };
    },
  });
}

/** Call first in a Durable Object's constructor: counts its alarms, socket messages, SQL and alarm writes. */
export function meterObject(object: object, cls: string, ctx: DurableObjectState, env: Env): void {
  const c = on(env);
  if (!c) return;
  // biome-ignore lint/suspicious/noExplicitAny: instance handlers shadow the class's, for this object only.
  const o = object as any;
  for (const handler of ['alarm', 'webSocketMessage']) {
    const original = o[handler];
    if (typeof original === 'function')
      o[handler] = (...args: unknown[]) => {
        bump(c.doRequests, `${cls}.${handler}`);
        return original.apply(object, args);
      };
  }
  sqlClass.set(ctx.storage.sql, cls);
  sqlClass.set(ctx.storage, cls);
  const sql = Object.getPrototypeOf(ctx.storage.sql);
  if (!Object.hasOwn(sql, '__metered')) {
    const exec = sql.exec;
    sql.exec = function (this: SqlStorage, ...args: unknown[]) {
      harvest(c);
      const cls = sqlClass.get(this) ?? 'unknown';
      const cursor = exec.apply(this, args);
      const query = String(args[0]).replace(/\s+/g, ' ').slice(0, 80);
      (c.sql[cls] ??= { statements: 0, rowsRead: 0, rowsWritten: 0 }).statements++;
      (c.bySql[`${cls}: ${query}`] ??= { statements: 0, rowsRead: 0, rowsWritten: 0 }).statements++;
      pending.push({ cursor, cls, query });
      return cursor;
    };
    sql.__metered = true;
  }
  const storage = Object.getPrototypeOf(ctx.storage);
  if (!Object.hasOwn(storage, '__metered')) {
    for (const name of ['setAlarm', 'deleteAlarm']) {
      const original = storage[name];
      storage[name] = function (this: DurableObjectStorage, ...args: unknown[]) {
        bump(c.alarmWrites, sqlClass.get(this) ?? 'unknown');
        return original.apply(this, args);
      };
    }
    storage.__metered = true;
  }
}

/** The counts so far, or null when metering is off. */
export function meterSnapshot(env: Env): MeterCounts | null {
  const c = on(env);
  if (c) harvest(c);
  return c && structuredClone(c);
}
