import { env, runInDurableObject } from 'cloudflare:test';
import { parseFrame, type RoomEvent, type StoredEvent } from '@giftstream/shared';
import { app } from '../../src/index';
import { api, toReply, type Reply } from '../helpers';
import { sign, STRIPE_ENV } from '../stripe-fake';
import { until as pollUntil } from '../room-helpers';

/**
 * Helpers the trust suite shares: raw requests, signed Stripe deliveries, object probes, counts.
 *
 * Requests go through `app.request(path, init, env)`: the same Hono app, bindings and Durable Objects the
 * worker's fetch handler uses (it is `app.fetch(request, env, ctx)` and nothing else). `SELF.fetch` is not
 * used because under vitest-pool-workers every SELF.fetch gets slower as a file sends more of them
 * (cloudflare/workers-sdk#15446): measured here, 50 health checks took 0.1 s at first and 3 s after 400;
 * the trust suite sends tens of thousands.
 */

export const ADMIN = 'test-admin-token';

export type { Reply };

export interface Req {
  method?: string;
  token?: string;
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Through the app with a Stripe secret key (Stripe mode) instead of the worker (sandbox). */
  stripe?: boolean;
}

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

// ---- Stripe: the fake API and signed events are test/stripe-fake.ts's ----

export async function deliver(event: { id: string }): Promise<Reply> {
  const payload = JSON.stringify(event);
  return raw(
    'POST',
    '/v1/webhooks/stripe',
    { 'content-type': 'application/json', 'stripe-signature': await sign(payload) },
    payload,
  );
}

// ---- reading objects directly ----

export function walletOf(userId: string) {
  return env.WALLET.get(env.WALLET.idFromName(userId));
}

export function roomOf(handle: string) {
  return env.LIVE_ROOM.get(env.LIVE_ROOM.idFromName(handle));
}

/** The room's stored events, oldest first. */
export async function roomLog(handle: string): Promise<StoredEvent[]> {
  return runInDurableObject(roomOf(handle), (_room, state) =>
    state.storage.sql
      .exec<{ data: string }>('SELECT data FROM events ORDER BY seq')
      .toArray()
      .map((r) => JSON.parse(r.data) as StoredEvent),
  );
}

/** Gifts and effects a wallet has not yet delivered or applied. */
export async function outboxSize(userId: string): Promise<number> {
  return runInDurableObject(
    walletOf(userId),
    (_w, state) =>
      state.storage.sql
        .exec<{ n: number }>('SELECT (SELECT COUNT(*) FROM outbox) + (SELECT COUNT(*) FROM effects) AS n')
        .one().n,
  );
}

export async function creditQueueSize(handle: string): Promise<number> {
  return runInDurableObject(
    roomOf(handle),
    (_r, state) => state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM credit_queue').one().n,
  );
}

/**
 * Runs a wallet's alarm handler now, with every queued delivery due (as if its backoff had passed), then
 * settles what the rooms acknowledged (as its settle timer would a moment later).
 */
export async function retryWalletNow(userId: string): Promise<void> {
  await runInDurableObject(walletOf(userId), async (wallet, state) => {
    state.storage.sql.exec('UPDATE outbox SET next_attempt_at = 0');
    state.storage.sql.exec('UPDATE effects SET next_attempt_at = 0');
    await wallet.alarm!();
    (wallet as unknown as { settleAcknowledged?: () => void }).settleAcknowledged?.();
  });
}

/** Runs a room's alarm handler now, with every queued credit due; combos end only when due by the clock. */
export async function retryRoomNow(handle: string): Promise<void> {
  await runInDurableObject(roomOf(handle), async (room, state) => {
    state.storage.sql.exec('UPDATE credit_queue SET next_attempt_at = 0');
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

// ---- a room observer: one viewer socket that resumes with ?since= whenever it is closed ----

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

/** The trust suites wait at most 5 s for anything, polling every 10 ms. */
export function until<T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean): Promise<T> {
  return pollUntil(what, probe, ok, 5_000, 10);
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

// ---- counts, for the summary at the end of `npm test` ----

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
