import { env, runInDurableObject, SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import { DEFAULT_RATE_CARD, parseFrame, type RoomEvent, type RoomStore, type StoredEvent } from '@giftstream/shared';
import { app } from '../src/index';

/**
 * What the worker's tests share: requests to the worker, users, creators and live rooms, viewer sockets,
 * direct looks into the Durable Objects, polling, and the trust suite's settings and counts.
 * The fake api.stripe.com and signed webhooks are `stripe-fake.ts`'s.
 */

/** The operator's token (ADMIN_TOKEN in vitest.config.ts). */
export const ADMIN = 'test-admin-token';

/** The worker with a Stripe secret key configured (Stripe mode) instead of the sandbox. */
export const STRIPE_ENV = { ...env, STRIPE_SECRET_KEY: 'sk_test_123' };

let seq = 0;

// ---- requests ----

export interface Call {
  method?: string;
  body?: unknown;
  token?: string;
  key?: string;
  headers?: Record<string, string>;
  raw?: string;
  /** Another environment for this one call (through Hono's app.request instead of SELF.fetch). */
  env?: typeof env;
}

export async function api(path: string, call: Call = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...call.headers };
  if (call.body !== undefined || call.raw !== undefined) headers['content-type'] ??= 'application/json';
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  if (call.key !== undefined) headers['idempotency-key'] = call.key;
  const init = {
    method: call.method ?? (call.body !== undefined || call.raw !== undefined ? 'POST' : 'GET'),
    headers,
    body: call.raw ?? (call.body === undefined ? undefined : JSON.stringify(call.body)),
  };
  return toReply(
    call.env ? await app.request(path, init, call.env) : await SELF.fetch(`http://localhost${path}`, init),
  );
}

export interface Reply {
  status: number;
  text: string;
  json: any;
  headers: Headers;
}

/** A response read whole: status, text, the JSON it holds (null if none) and headers. */
export async function toReply(res: Response): Promise<Reply> {
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, text, json, headers: res.headers };
}

export function uniqueKey(prefix = 'key'): string {
  return `${prefix}-${++seq}-${crypto.randomUUID()}`;
}

export interface Req {
  method?: string;
  token?: string;
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Through the app with a Stripe secret key (Stripe mode) instead of the worker (sandbox). */
  stripe?: boolean;
}

/**
 * The trust suite's requests go through `app.request(path, init, env)`: the same Hono app, bindings and
 * Durable Objects the worker's fetch handler uses (it is `app.fetch(request, env, ctx)` and nothing else).
 * Not `SELF.fetch`, because under vitest-pool-workers every SELF.fetch gets slower as a file sends more of
 * them (cloudflare/workers-sdk#15446), and the trust suite sends tens of thousands.
 */
export function call(path: string, req: Req = {}): Promise<Reply> {
  const { stripe, ...rest } = req;
  return api(path, { ...rest, env: stripe ? STRIPE_ENV : env });
}

/** A request exactly as given (bytes, headers), to the worker. */
export async function raw(
  method: string,
  path: string,
  headers: Headers | Record<string, string>,
  body?: BodyInit | null,
): Promise<Reply> {
  return toReply(await app.request(path, { method, headers, body: body ?? undefined }, env));
}

// ---- users and creators ----

export interface TestUser {
  token: string;
  id: string;
  email: string;
  password: string;
}

export async function signup(opts: { adult?: boolean; name?: string } = {}): Promise<TestUser> {
  const email = `user${++seq}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const password = 'correct horse battery';
  const birthdate = opts.adult === false ? `${new Date().getUTCFullYear() - 15}-01-01` : '1990-05-17';
  const r = await api('/v1/auth/signup', {
    body: { email, password, displayName: opts.name ?? 'Test User', birthdate },
  });
  expect(r.status).toBe(201);
  return { token: r.json.token, id: r.json.user.id, email, password };
}

export async function buy(user: TestUser, body: unknown = { packId: 'pack_1000' }) {
  const r = await api('/v1/purchases', { body, token: user.token, key: uniqueKey('buy') });
  expect(r.status).toBe(201);
  return r.json;
}

/** Whether the directory lists the user's wallet for the audit (a wallet lists itself before its first change). */
export async function walletListed(userId: string): Promise<boolean> {
  const row = await env.DB.prepare('SELECT wallet_listed_at AS at FROM users WHERE id = ?')
    .bind(userId)
    .first<{ at: number | null }>();
  return row?.at != null;
}

export async function wallet(user: TestUser) {
  const r = await api('/v1/wallet', { token: user.token });
  expect(r.status).toBe(200);
  return r.json;
}

export async function diamondsOf(user: TestUser): Promise<number> {
  return (await api('/v1/wallet', { token: user.token })).json.diamonds;
}

export async function audit() {
  const r = await api('/v1/admin/audit', { token: ADMIN });
  expect(r.status).toBe(200);
  return r.json;
}

export async function expectCleanAudit() {
  const a = await audit();
  expect(a.violations).toEqual([]);
  expect(a.ok).toBe(true);
  return a;
}

export async function makeCreator(user: TestUser, handle: string, channels: string[] = []) {
  const r = await api('/v1/creators', { body: { handle, channels }, token: user.token });
  expect(r.status).toBe(201);
  return r.json.creator;
}

/**
 * A body for PUT /v1/admin/rates/next: the default card's terms, taking effect at `effectiveAt`, with the
 * fields in `over` put in (a test of refusals may put in anything).
 */
export function rateCardBody(effectiveAt: number, over: Record<string, unknown> = {}) {
  const { version: _version, ...terms } = DEFAULT_RATE_CARD;
  return { ...terms, effectiveAt, ...over };
}

/** Credits `diamonds` to a creator's wallet as one gift's credit would (the room's credit queue, skipped). */
export function creditDiamonds(user: { id: string }, diamonds: number, transferId: string = crypto.randomUUID()) {
  return walletStub(user.id).creditGifts(uniqueKey('batch'), [{ transferId, diamonds, rateVersion: 1, from: null }]);
}

/** POST /v1/purchases/:id/refund as `user`, with a fresh key; `env: STRIPE_ENV` for Stripe mode. */
export function refundPurchase(user: { token: string }, purchaseId: string, env?: typeof STRIPE_ENV) {
  return api(`/v1/purchases/${purchaseId}/refund`, {
    method: 'POST',
    token: user.token,
    key: uniqueKey('refund'),
    env,
  });
}

/** POST /v1/creator/payouts as `user`, with a fresh key unless `key` is given. */
export function requestPayout(
  user: { token: string },
  diamonds: number,
  destination = 'GB29 NWBK 6016 1331 9268 19',
  key = uniqueKey('payout'),
) {
  return api('/v1/creator/payouts', { body: { diamonds, destination }, token: user.token, key });
}

/** The operator decides a payout (POST /v1/admin/payouts/:id), with a fresh key unless `key` is given. */
export function decidePayout(id: string, decision: { status: string; reference?: string }, key = uniqueKey('decide')) {
  return api(`/v1/admin/payouts/${id}`, { body: decision, token: ADMIN, key });
}

// ---- rooms and gifts ----

let handles = 0;

/** A creator who is live, and a viewer with coins. */
export async function liveRoom(opts: { coins?: number } = {}) {
  const creatorUser = await signup({ name: 'Streamer' });
  const handle = `room_${++handles}_${crypto.randomUUID().slice(0, 6)}`;
  await makeCreator(creatorUser, handle);
  const live = await api('/v1/creator/live', {
    body: { live: true, title: 'Testing stream' },
    token: creatorUser.token,
  });
  expect(live.status).toBe(200);
  const viewer = await signup({ name: 'Viewer One' });
  if (opts.coins !== 0) await buy(viewer, { coins: opts.coins ?? 10_000 });
  return { creator: creatorUser, handle, viewer };
}

export async function sendGift(
  viewer: TestUser,
  handle: string,
  body: Record<string, unknown>,
  key = uniqueKey('gift'),
) {
  return api(`/v1/rooms/${handle}/gifts`, { body, token: viewer.token, key });
}

/** A live creator credited with one Heart from a new viewer whose display name is `name`. */
export async function heartFrom(name: string) {
  const { creator, handle } = await liveRoom({ coins: 0 });
  const viewer = await signup({ name });
  await buy(viewer, { coins: 100 });
  expect((await sendGift(viewer, handle, { giftId: 'heart' })).status).toBe(201);
  await until(
    'diamonds',
    () => diamondsOf(creator),
    (d) => d === 1,
  );
  return { creator, viewer };
}

/** GET /v1/wallet/history.csv as `user`. */
export function historyCsv(user: { token: string }) {
  return SELF.fetch('http://localhost/v1/wallet/history.csv', { headers: { authorization: `Bearer ${user.token}` } });
}

let spendingRoom: string | null = null;

/** A gift to a live room made once per test file, for tests that only need coins spent. */
export async function giftToSpendingRoom(user: TestUser, giftId: string, count: number) {
  if (!spendingRoom) {
    const streamer = await signup({ name: 'Streamer' });
    const handle = `spend_${crypto.randomUUID().slice(0, 8)}`;
    await makeCreator(streamer, handle);
    expect((await api('/v1/creator/live', { body: { live: true }, token: streamer.token })).status).toBe(200);
    spendingRoom = handle;
  }
  return sendGift(user, spendingRoom, { giftId, count });
}

/** Spends exactly `coins` of a viewer's coins on gifts (balloons, then hearts). */
export async function spendCoins(user: TestUser, coins: number): Promise<void> {
  const parts: [string, number][] = [];
  if (coins >= 100) parts.push(['balloon', Math.floor(coins / 100)]);
  if (coins % 100) parts.push(['heart', coins % 100]);
  for (const [giftId, count] of parts) {
    const r = await giftToSpendingRoom(user, giftId, count);
    expect(r.status, r.text).toBe(201);
  }
}

// ---- viewer sockets ----

export interface Client {
  events: RoomEvent[];
  frames: number;
  closed: { code: number } | null;
  ws: WebSocket;
  close(): void;
}

export async function connect(handle: string, query = ''): Promise<Client> {
  const res = await SELF.fetch(`http://localhost/v1/rooms/${handle}/events${query}`, {
    headers: { upgrade: 'websocket' },
  });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const client: Client = { events: [], frames: 0, closed: null, ws, close: () => ws.close(1000, 'bye') };
  ws.accept();
  ws.addEventListener('message', (e) => {
    client.frames++;
    client.events.push(...parseFrame(e.data as string));
  });
  ws.addEventListener('close', (e) => {
    client.closed = { code: e.code };
  });
  return client;
}

/** One viewer socket that resumes with ?since= whenever it is closed, as the overlay does. */
export class Observer {
  readonly events: RoomEvent[] = [];
  reconnects = 0;
  private ws: WebSocket | null = null;
  private stopped = false;
  private lastSeq = 0;
  private opening: Promise<void> | null = null;

  constructor(private readonly handle: string) {}

  async open(): Promise<void> {
    const query = this.ws === null && this.reconnects === 0 ? '' : `?since=${this.lastSeq}`;
    const res = await app.request(
      `/v1/rooms/${this.handle}/events${query}`,
      { headers: { upgrade: 'websocket' } },
      env,
    );
    if (res.status !== 101) throw new Error(`observer for ${this.handle}: ${res.status}`);
    const ws = res.webSocket!;
    ws.accept();
    ws.addEventListener('message', (e) => {
      for (const ev of parseFrame(e.data as string)) {
        this.events.push(ev);
        if (ev.type !== 'hello' && ev.type !== 'test') this.lastSeq = Math.max(this.lastSeq, ev.seq);
        if (ev.type === 'hello' && this.lastSeq === 0 && this.reconnects === 0) this.lastSeq = ev.seq;
      }
    });
    ws.addEventListener('close', () => {
      if (this.stopped || this.ws !== ws) return;
      this.reconnects++;
      this.opening = this.open().catch(() => undefined);
    });
    this.ws = ws;
  }

  /** Makes sure a socket is open (after a room restart the close may not have been noticed yet). */
  async ensureOpen(): Promise<void> {
    if (this.opening) await this.opening;
  }

  get seqs(): number[] {
    return this.events.filter((e) => e.type !== 'hello' && e.type !== 'test').map((e) => e.seq);
  }

  close(): void {
    this.stopped = true;
    try {
      this.ws?.close(1000, 'done');
    } catch {
      // already closed
    }
  }
}

// ---- the Durable Objects, read directly ----

export function walletStub(userId: string) {
  return env.WALLET.get(env.WALLET.idFromName(userId));
}

export function roomStub(handle: string) {
  return env.LIVE_ROOM.get(env.LIVE_ROOM.idFromName(handle));
}

/** The room's stored events, oldest first. */
export async function roomLog(handle: string): Promise<StoredEvent[]> {
  return runInDurableObject(roomStub(handle), (_room, state) =>
    state.storage.sql
      .exec<{ data: string }>('SELECT data FROM events ORDER BY seq')
      .toArray()
      .map((r) => JSON.parse(r.data) as StoredEvent),
  );
}

/** Gifts and effects a wallet has not yet delivered or applied. */
export async function outboxSize(userId: string): Promise<number> {
  return runInDurableObject(
    walletStub(userId),
    (_w, state) =>
      state.storage.sql
        .exec<{ n: number }>('SELECT (SELECT COUNT(*) FROM outbox) + (SELECT COUNT(*) FROM effects) AS n')
        .one().n,
  );
}

/** Gifts a room has logged and not yet credited: those after its credit cursor, and any backlog. */
export async function creditQueueSize(handle: string): Promise<number> {
  return runInDurableObject(
    roomStub(handle),
    (_r, state) =>
      state.storage.sql
        .exec<{ n: number }>(
          `SELECT (SELECT COUNT(*) FROM events WHERE type = 'gift'
             AND seq > COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'credited_seq'), 0))
           + (SELECT COUNT(*) FROM credit_backlog) AS n`,
        )
        .one().n,
  );
}

/**
 * Runs a wallet's alarm handler now, with every queued delivery due (as if its backoff had passed), then
 * settles what the rooms acknowledged (as its settle timer would a moment later).
 */
export async function retryWalletNow(userId: string): Promise<void> {
  await runInDurableObject(walletStub(userId), async (wallet, state) => {
    state.storage.sql.exec('UPDATE outbox SET next_attempt_at = 0');
    state.storage.sql.exec('UPDATE effects SET next_attempt_at = 0');
    await wallet.alarm!();
    (wallet as unknown as { settleAcknowledged?: () => void }).settleAcknowledged?.();
  });
}

/** Runs a room's alarm handler now, with its credits due (as if a failed round's backoff had passed); combos end only when due by the clock. */
export async function retryRoomNow(handle: string): Promise<void> {
  await runInDurableObject(roomStub(handle), async (room) => {
    (room as unknown as { book: { store: RoomStore } }).book.store.setMeta('creditRetry', null);
    await room.alarm!();
  });
}

/** Calls that may meet an object restarted by an injected fault: the failure is the point, not an error. */
export async function tolerate<T>(p: Promise<T>): Promise<T | 'failed'> {
  try {
    return await p;
  } catch {
    return 'failed';
  }
}

// ---- waiting and batching ----

/** Polls `probe` until `ok` holds; fails naming `what` and the last value seen. */
export async function until<T>(
  what: string,
  probe: () => Promise<T> | T,
  ok: (v: T) => boolean,
  timeoutMs = 15_000,
  pollMs = 25,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)?.slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export async function inChunks<T, R>(
  items: readonly T[],
  size: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))));
  return out;
}

// ---- the trust suite's settings and counts ----

/** Vitest carries task.meta to the host, where scripts/trust-reporter.mjs writes it to .trust-counts.json. */
export function reportCounts(task: { meta: object }, file: string, counts: Record<string, number | string>): void {
  (task.meta as Record<string, unknown>).trustCounts = { file, ...counts };
  console.log(
    `trust ${file}: ${Object.entries(counts)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  );
}

/** Settings a soak run passes in (Vite exposes VITE_-prefixed variables to the tests). */
export function soakSetting(name: string): string | undefined {
  const e = (import.meta as unknown as { env?: Record<string, string | undefined> }).env;
  const v = e?.[`VITE_${name}`];
  return v === undefined || v === '' ? undefined : v;
}
