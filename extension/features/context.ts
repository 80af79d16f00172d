// What every background feature works with: the database, the server setting, the session, the API.
import { createApi, type Api, type ApiResult } from '../lib/api';
import type { GiftstreamDb, SessionRow } from '../lib/db';
import type { Reply } from '../lib/replies';
import type { GiftOutbox } from './gift-outbox';

export interface BackgroundContext {
  db: GiftstreamDb;
  getServer(): Promise<string>;
  setServer(server: string): Promise<void>;
  hasPermission(server: string): Promise<boolean>;
  session(): Promise<SessionRow | null>;
  outbox: GiftOutbox;
  fetch: typeof fetch;
  openTab(url: string): Promise<void>;
  now(): number;
}

export function apiFor(ctx: BackgroundContext, server: string, session?: SessionRow | null): Api {
  return createApi({
    baseUrl: server,
    token: session && session.server === server ? session.token : null,
    fetch: ctx.fetch,
  });
}

/** The API as the signed-in user, or a `signed_out` reply. */
export async function signedIn(
  ctx: BackgroundContext,
): Promise<{ session: SessionRow; api: Api } | { error: Reply<never> }> {
  const session = await ctx.session();
  if (!session) return { error: fail('signed_out', 'Sign in first.') };
  return { session, api: apiFor(ctx, session.server, session) };
}

export function fail(
  code: string,
  message: string,
  field?: string,
): { ok: false; error: { code: string; message: string; field?: string } } {
  return { ok: false, error: field ? { code, message, field } : { code, message } };
}

export function ok<T>(data: T): { ok: true; data: T } {
  return { ok: true, data };
}

/** An API result as a message reply; a 401 also ends the local session, since the token no longer works. */
export async function relay<T, U = T>(
  ctx: BackgroundContext,
  res: ApiResult<T>,
  map?: (data: T) => U,
): Promise<Reply<U>> {
  if (res.ok) return ok(map ? map(res.data) : (res.data as unknown as U));
  if (res.error.code === 'unauthorized') await ctx.db.session.delete('current');
  const { code, message, field } = res.error;
  return fail(code, message, field);
}

/** One API call as the signed-in user, its result relayed; signed out, the reply says so and nothing is called. */
export async function relayCall<T>(
  ctx: BackgroundContext,
  call: (api: Api) => Promise<ApiResult<T>>,
): Promise<Reply<T>> {
  const s = await signedIn(ctx);
  if ('error' in s) return s.error;
  return relay(ctx, await call(s.api));
}
