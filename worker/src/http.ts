import type { Context, MiddlewareHandler } from 'hono';
import {
  canonicalJson,
  errorBody,
  ERROR_STATUS,
  IdempotencyKey,
  type ApiReply,
  type ErrorCode,
} from '@giftstream/shared';
import type { Background } from './cache';
import type { AppEnv } from './env';

export function fail(c: Context, code: ErrorCode, message: string, field?: string, headers?: Record<string, string>) {
  return c.json(errorBody(code, message, field), ERROR_STATUS[code] as 400, headers);
}

/** Sends a reply computed (and possibly stored) by a Durable Object, byte for byte. */
export function send(r: ApiReply & { retryAfter?: number }): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (r.retryAfter !== undefined) headers['retry-after'] = String(r.retryAfter);
  return new Response(r.body, { status: r.status, headers });
}

export interface Keyed {
  key: string;
  fingerprint: string;
}

/**
 * The caller's Idempotency-Key and a fingerprint of what it names (method, path and canonical body). Keys
 * are scoped to the caller by living in the caller's own Wallet. The route's `IdempotencyHeader` has
 * already refused a missing or malformed key.
 */
export function idempotency(c: Context<AppEnv>, body: unknown): Keyed {
  const key = c.req.header('idempotency-key');
  if (key === undefined || !IdempotencyKey.safeParse(key).success)
    throw new Error(
      `${c.req.method} ${c.req.path} takes an Idempotency-Key but its route does not declare IdempotencyHeader`,
    );
  return { key, fingerprint: canonicalJson({ method: c.req.method, path: new URL(c.req.url).pathname, body }) };
}

export function clientAddress(c: Context): string {
  return c.req.header('cf-connecting-ip') ?? 'local';
}

/** How long a reply waits, past its own work, for the reloads that ran alongside it. */
export const ALONGSIDE_WAIT_MS = 10;

/**
 * Runs work alongside the rest of a request and holds the reply until it is done, or for at most
 * ALONGSIDE_WAIT_MS more: a cache entry reloads while the request goes on with the cached copy. A reload
 * still under way by then (D1 is busy: a burst of sign-ins queues its statements ahead of it) is handed to
 * waitUntil, so no gift waits on the directory. Handing every reload to waitUntil cost bench scenario 1 a
 * third of its throughput under wrangler dev (ratio 0.44 → 0.30 in 3 paired runs); holding every reply
 * made gifts wait behind the directory's queue (the mixed workload, docs/benchmarks.md §7).
 */
export const alongside: MiddlewareHandler<AppEnv> = async (c, next) => {
  const work: Promise<unknown>[] = [];
  c.set('alongside', work);
  try {
    await next();
  } finally {
    // Even when the request failed: a reload ends inside the request that started it, never cut off with it.
    if (work.length > 0) {
      const all = Promise.all(work);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), ALONGSIDE_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
      if (late) await handOff(c, all);
    }
  }
};

/** To waitUntil; a request made without an execution context (a test's `app.request`) waits instead. */
async function handOff(c: Context<AppEnv>, work: Promise<unknown>): Promise<void> {
  let ctx: ExecutionContext | undefined;
  try {
    ctx = c.executionCtx;
  } catch {}
  if (ctx) ctx.waitUntil(work);
  else await work;
}

/** Where a request's work alongside goes (every /v1 route has it); none outside `alongside`. */
export function background(c: Context<AppEnv>): Background | undefined {
  const work = c.get('alongside') as Promise<unknown>[] | undefined;
  return work && ((p) => void work.push(p));
}
