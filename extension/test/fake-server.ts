// An in-memory stand-in for the worker's API, with Stripe-style idempotency, for unit tests. Shapes come from
// the shared package's own functions so they match what the worker sends.
import {
  canonicalJson,
  catalog,
  DEFAULT_RATE_CARD,
  findGift,
  normalizeBlockedWords,
  publicRates,
} from '@giftstream/shared';
import { walletOf } from './helpers';

export interface FakeServerOptions {
  coins?: number;
  live?: boolean;
  adult?: boolean;
}

export function fakeServer(opts: FakeServerOptions = {}) {
  const state = {
    coins: opts.coins ?? 1000,
    live: opts.live ?? true,
    adult: opts.adult ?? true,
    token: 'gs_secret_token_value',
    /** Gifts the server applied, one per distinct idempotency key. */
    gifts: [] as { key: string; handle: string; giftId: string; count: number; message?: string }[],
    requests: [] as { method: string; path: string; key: string | null; auth: string | null; body: unknown }[],
    idem: new Map<string, { fingerprint: string; status: number; body: string }>(),
    /** The next N requests fail before reaching the server (a dropped connection). */
    failBefore: 0,
    /** The next N requests are applied, then the reply is lost (a crash or drop after the request). */
    failAfter: 0,
    /** The next N requests answer 503. */
    unavailable: 0,
    /** The creator's blocked words (kept normalized, as the worker does) and the messages they hid. */
    blockedWords: [] as string[],
    hidden: [] as { giftId: string; from: string; message: string; word: string; at: number }[],
    /** When set, GET /v1/creator/moderation answers this instead (a server that answers something else). */
    moderationAnswer: undefined as unknown,
    claims: new Map<string, { handle: string; verified: boolean }>([
      ['twitch.tv/streamer', { handle: 'streamer', verified: true }],
    ]),
  };

  function json(status: number, value: unknown) {
    return { status, body: JSON.stringify(value) };
  }
  function error(status: number, code: string, message: string) {
    return json(status, { error: { code, message } });
  }

  function handle(method: string, url: URL, headers: Headers, body: unknown): { status: number; body: string } {
    const path = url.pathname;
    const authed = headers.get('authorization') === `Bearer ${state.token}`;
    if (path === '/v1/rates') return json(200, publicRates([DEFAULT_RATE_CARD], Date.now()));
    if (path === '/v1/gifts') return json(200, { gifts: catalog() });
    if (path === '/v1/auth/login' || path === '/v1/auth/signup') {
      const b = body as { email: string; password: string };
      if (b.password !== 'right password') return error(401, 'invalid_credentials', 'Email or password is wrong.');
      return json(path.endsWith('signup') ? 201 : 200, {
        token: state.token,
        user: { id: 'u1', displayName: 'Viewer', adult: state.adult, email: b.email },
      });
    }
    if (path === '/v1/channels/resolve') {
      const target = url.searchParams.get('url') ?? '';
      const key = target.replace(/^https:\/\//, '');
      const claim = state.claims.get(key);
      if (!claim) return error(404, 'not_found', 'No creator has claimed this channel.');
      return json(200, {
        creator: {
          handle: claim.handle,
          displayName: 'Streamer',
          live: state.live,
          channels: [{ url: target, site: 'twitch', verified: claim.verified }],
        },
        channel: { url: target, site: 'twitch', verified: claim.verified },
      });
    }
    const profile = path.match(/^\/v1\/creators\/([a-z0-9_]+)$/);
    if (profile && method === 'GET')
      return json(200, { creator: { handle: profile[1], displayName: 'Streamer', live: state.live, channels: [] } });
    if (!authed) return error(401, 'unauthorized', 'Sign in.');
    if (path === '/v1/auth/logout') return { status: 204, body: '' };
    const wallet = () => walletOf(state.coins);
    if (path === '/v1/wallet') return json(200, wallet());
    if (path === '/v1/me')
      return json(200, {
        user: { id: 'u1', displayName: 'Viewer', adult: state.adult },
        wallet: wallet(),
        creator: null,
      });
    if (path === '/v1/wallet/history') return json(200, { entries: [], next: null });
    if (path === '/v1/creator/moderation' && method === 'PUT') {
      state.blockedWords = normalizeBlockedWords((body as { blockedWords: string[] }).blockedWords);
      return json(200, { blockedWords: state.blockedWords });
    }
    if (path === '/v1/creator/moderation' && method === 'GET')
      return json(200, state.moderationAnswer ?? { blockedWords: state.blockedWords, hidden: state.hidden });
    const gift = path.match(/^\/v1\/rooms\/([a-z0-9_]+)\/gifts$/);
    if (gift && method === 'POST') {
      const key = headers.get('idempotency-key');
      if (!key) return error(400, 'invalid_request', 'An Idempotency-Key header is required.');
      const fingerprint = canonicalJson({ method, path, body });
      const prior = state.idem.get(key);
      if (prior)
        return prior.fingerprint === fingerprint ? prior : error(409, 'idempotency_mismatch', 'Different request.');
      const b = body as { giftId: string; count: number; message?: string; anonymous?: boolean };
      const g = findGift(b.giftId);
      let reply: ReturnType<typeof error>;
      if (!g) reply = error(404, 'not_found', 'No such gift.');
      else if (!state.adult) reply = error(403, 'age_restricted', 'You must be 18 or older.');
      else if (!state.live) reply = error(409, 'not_live', 'Not live.');
      else if (g.coins * b.count > state.coins) reply = error(402, 'insufficient_funds', 'Not enough coins.');
      else {
        state.coins -= g.coins * b.count;
        state.gifts.push({
          key,
          handle: gift[1]!,
          giftId: b.giftId,
          count: b.count,
          ...(b.message ? { message: b.message } : {}),
        });
        const id = `T${state.gifts.length}`;
        reply = json(201, {
          gift: {
            id,
            giftId: b.giftId,
            count: b.count,
            coins: g.coins * b.count,
            anonymous: !!b.anonymous,
            combo: { id, count: b.count },
          },
          wallet: { coins: state.coins },
        });
      }
      state.idem.set(key, { fingerprint, ...reply });
      return reply;
    }
    return error(404, 'not_found', `No route ${method} ${path}`);
  }

  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const headers = new Headers(init.headers);
    const method = init.method ?? 'GET';
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    state.requests.push({
      method,
      path: url.pathname,
      key: headers.get('idempotency-key'),
      auth: headers.get('authorization'),
      body,
    });
    if (state.failBefore > 0) {
      state.failBefore--;
      throw new TypeError('Failed to fetch');
    }
    if (state.unavailable > 0) {
      state.unavailable--;
      return new Response(JSON.stringify({ error: { code: 'internal_error', message: 'down' } }), { status: 503 });
    }
    const r = handle(method, url, headers, body);
    if (state.failAfter > 0) {
      state.failAfter--;
      throw new TypeError('Failed to fetch');
    }
    return new Response(r.body || null, { status: r.status, headers: { 'content-type': 'application/json' } });
  };

  return { state, fetch: fetch as typeof globalThis.fetch };
}
