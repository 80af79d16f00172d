import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { now } from '../../src/clock';
import { app } from '../../src/index';
import { routeTable, type RouteSpec } from '../../src/openapi';
import {
  ADMIN,
  call,
  creditQueueSize,
  outboxSize,
  rateCardBody,
  type Reply,
  reportCounts,
  retryRoomNow,
  until,
  walletStub,
} from '../helpers';
import { makeEvent, postEvent } from '../stripe-fake';
import { DEFAULT_OVERLAY_CONFIG } from '@giftstream/shared';

const ROUTES = routeTable(app);

/**
 * The authorization matrix, generated from the app's own route definitions (`routeTable(app)`, which
 * route-table.test.ts holds equal to the routes the app serves): every route × every kind of caller, with the expected status derived
 * from the route's `access` and, for routes about someone's object (:id, :handle), from who owns it.
 * A route added to the app is in the matrix at once: its refusals are derived; its "allowed" cells
 * use the fixture below if there is one, else they must merely get past authorization (no 401/403, no 5xx).
 * Then every route that takes a body refuses fields a caller must never set (balance, role, diamonds, userId).
 */

type Principal = 'anonymous' | 'revoked' | 'viewer' | 'creator' | 'owner' | 'operator' | 'minor';
const PRINCIPALS: Principal[] = ['anonymous', 'revoked', 'viewer', 'creator', 'owner', 'operator', 'minor'];
/** Signed-in users (a session), as opposed to no token, a dead one, or the operator's secret. */
const USERS: Principal[] = ['viewer', 'creator', 'owner', 'minor'];

interface Person {
  id: string;
  token: string;
  email: string;
}

const PASSWORD = 'a long enough password';
const DESTINATION = 'NL91 ABNA 0417 1643 00';

/** The world the matrix runs in, built once. The owner owns the room, the purchase and the payout. */
const w = {} as {
  people: Record<'viewer' | 'creator' | 'owner' | 'minor', Person>;
  revoked: string;
  handle: string;
  otherHandle: string;
  channel: string;
  purchase: string;
  payout: string;
};

let keys = 0;
const key = () => `matrix-${++keys}-${crypto.randomUUID().slice(0, 8)}`;

async function signupPerson(name: string, adult: boolean): Promise<Person> {
  const email = `${name.toLowerCase().replace(/\W+/g, '-')}-${crypto.randomUUID().slice(0, 8)}@matrix.example`;
  const birthdate = adult ? '1985-03-03' : `${new Date(now()).getUTCFullYear() - 14}-01-01`;
  const r = await call('/v1/auth/signup', { body: { email, password: PASSWORD, displayName: name, birthdate } });
  expect(r.status, r.text).toBe(201);
  return { id: r.json.user.id, token: r.json.token, email };
}

async function ok(r: Promise<Reply>, status = 200): Promise<Reply> {
  const reply = await r;
  expect(reply.status, reply.text).toBe(status);
  return reply;
}

function tokenOf(p: Principal): string | undefined {
  switch (p) {
    case 'anonymous':
      return undefined;
    case 'revoked':
      return w.revoked;
    case 'operator':
      return ADMIN;
    default:
      return w.people[p].token;
  }
}

const isCreator = (p: Principal) => p === 'owner' || p === 'creator';

// ---- what an allowed caller sends, and gets, per route ----

interface Expect {
  status: number;
  code?: string;
  field?: string;
}

interface Fixture {
  /** The concrete path, query included. */
  path?: () => string;
  body?: (p: Principal) => unknown;
  headers?: () => Record<string, string>;
  /** What a caller who gets in receives. */
  allowed: (p: Principal) => Expect;
  /** The route is about the owner's object: others are answered as if it did not exist, or refused. */
  owned?: 'purchase' | 'room';
  /** Each cell signs in afresh (the route ends the session it is called with). */
  freshSession?: boolean;
}

const s = (status: number, code?: string, field?: string): Expect => ({ status, code, field });
const always = (e: Expect) => () => e;

const FIXTURES: Record<string, Fixture> = {
  'GET /v1/health': { allowed: always(s(200)) },
  'GET /v1/rates': { allowed: always(s(200)) },
  'GET /v1/gifts': { allowed: always(s(200)) },
  'GET /v1/openapi.json': { allowed: always(s(200)) },
  'GET /v1/checkout/done': { path: () => '/v1/checkout/done?status=success', allowed: always(s(200)) },
  'POST /v1/auth/signup': {
    body: () => ({
      email: `new-${crypto.randomUUID().slice(0, 8)}@matrix.example`,
      password: PASSWORD,
      displayName: 'Newcomer',
      birthdate: '1990-01-01',
    }),
    allowed: always(s(201)),
  },
  'POST /v1/auth/login': {
    body: () => ({ email: w.people.viewer.email, password: PASSWORD }),
    allowed: always(s(200)),
  },
  'POST /v1/auth/logout': { freshSession: true, allowed: always(s(204)) },
  'GET /v1/me': { allowed: always(s(200)) },
  'PATCH /v1/me': { body: () => ({ displayName: 'Same Name' }), allowed: always(s(200)) },
  // Allowed callers reach the password check; nobody's account is deleted or re-keyed by the matrix.
  'DELETE /v1/me': { body: () => ({ password: 'not the password' }), allowed: always(s(403, 'forbidden', 'password')) },
  'POST /v1/me/password': {
    body: () => ({ currentPassword: 'not the password', newPassword: 'another long password' }),
    allowed: always(s(403, 'forbidden', 'currentPassword')),
  },
  'GET /v1/wallet': { path: () => `/v1/wallet?room=${w.handle}`, allowed: always(s(200)) },
  'GET /v1/wallet/history': { path: () => '/v1/wallet/history?limit=5', allowed: always(s(200)) },
  'GET /v1/wallet/history.csv': { allowed: always(s(200)) },
  // Each caller's own wallet: a room's handle only says whose stream to count, it opens nobody's wallet.
  'GET /v1/wallet/statement': { path: () => '/v1/wallet/statement?month=2026-12', allowed: always(s(200)) },
  'GET /v1/wallet/statement.csv': { path: () => '/v1/wallet/statement.csv?month=2026-12', allowed: always(s(200)) },
  'PUT /v1/wallet/limits': {
    body: () => ({ monthly: null, giftLimits: { stream: null, daily: null } }),
    allowed: always(s(200)),
  },
  'POST /v1/purchases': {
    body: () => ({ packId: 'pack_100' }),
    allowed: (p) => (p === 'minor' ? s(403, 'age_restricted') : s(201)),
  },
  'GET /v1/purchases/:id': { path: () => `/v1/purchases/${w.purchase}`, owned: 'purchase', allowed: always(s(200)) },
  'POST /v1/purchases/:id/refund': {
    path: () => `/v1/purchases/${w.purchase}/refund`,
    body: () => ({}),
    owned: 'purchase',
    allowed: always(s(200)),
  },
  // Stripe's signature is the only credential; a bearer token of any kind adds nothing (see the signed cells below).
  'POST /v1/webhooks/stripe': {
    body: () => makeEvent('customer.created', { id: 'cus_matrix', object: 'customer' }, `evt_matrix_${key()}`),
    allowed: always(s(400, 'invalid_request', 'Stripe-Signature')),
  },
  // The handle is taken, so an allowed caller is answered by the handler and nobody changes kind.
  'POST /v1/creators': {
    body: () => ({ handle: w.handle, channels: [] }),
    allowed: (p) =>
      p === 'minor' ? s(403, 'age_restricted') : isCreator(p) ? s(409, 'conflict') : s(409, 'handle_taken', 'handle'),
  },
  'GET /v1/creator/channels/connect': { allowed: always(s(200)) },
  // The test configuration registers no OAuth app, so a creator is told to ask the operator.
  'GET /v1/creator/channels/connect/:site': {
    path: () => '/v1/creator/channels/connect/twitch',
    allowed: always(s(404, 'not_found', 'site')),
  },
  // The browser arrives from the site with no session; an unknown state gets a page, whoever asks.
  'GET /v1/oauth/:site/callback': {
    path: () => '/v1/oauth/twitch/callback?code=matrix&state=matrix',
    allowed: always(s(400)),
  },
  'GET /v1/creators/:handle': { path: () => `/v1/creators/${w.handle}`, allowed: always(s(200)) },
  'GET /v1/channels/resolve': {
    path: () => `/v1/channels/resolve?url=${encodeURIComponent(w.channel)}`,
    allowed: always(s(200)),
  },
  'POST /v1/creator/live': { body: () => ({ live: true, title: 'Matrix' }), allowed: always(s(200)) },
  'PUT /v1/creator/goal': { body: () => ({ label: 'Matrix goal', coins: 1000 }), allowed: always(s(200)) },
  'DELETE /v1/creator/goal': { allowed: always(s(200)) },
  'GET /v1/creator/overlay-token': { allowed: always(s(200)) },
  'POST /v1/creator/overlay-token': { allowed: always(s(200)) },
  'POST /v1/creator/test-alert': { allowed: always(s(200)) },
  'GET /v1/creator/moderation': { allowed: always(s(200)) },
  'PUT /v1/creator/moderation': { body: () => ({ blockedWords: ['spoiler'] }), allowed: always(s(200)) },
  'GET /v1/creator/earnings': { allowed: always(s(200)) },
  'GET /v1/creator/overlay-config': { allowed: always(s(200)) },
  'PUT /v1/creator/overlay-config': { body: () => DEFAULT_OVERLAY_CONFIG, allowed: always(s(200)) },
  'GET /v1/creator/media': { allowed: always(s(200)) },
  // An empty body reaches the file check, and nothing is stored.
  'POST /v1/creator/media': { allowed: always(s(400, 'invalid_request')) },
  'DELETE /v1/creator/media/:id': {
    path: () => '/v1/creator/media/m_nobodys0000000000000000',
    allowed: always(s(404, 'not_found')),
  },
  'POST /v1/creator/studio-ticket': { allowed: always(s(201)) },
  // A well-formed ticket nobody was given: the same answer whoever asks, bearer token or not.
  'POST /v1/studio/session': {
    body: () => ({ ticket: `st_${'x'.repeat(43)}` }),
    allowed: always(s(401, 'unauthorized')),
  },
  'GET /v1/media/:id': { path: () => '/v1/media/m_nobodys0000000000000000', allowed: always(s(404, 'not_found')) },
  'GET /v1/rooms/:handle/overlay-config': {
    path: () => `/v1/rooms/${w.handle}/overlay-config`,
    allowed: always(s(200)),
  },
  'GET /v1/creator/payouts': { allowed: always(s(200)) },
  'POST /v1/creator/payouts': { body: () => ({ diamonds: 1430, destination: DESTINATION }), allowed: always(s(201)) },
  'POST /v1/rooms/:handle/gifts': {
    path: () => `/v1/rooms/${w.handle}/gifts`,
    body: () => ({ giftId: 'rose', count: 2 }),
    owned: 'room',
    allowed: (p) => (p === 'minor' ? s(403, 'age_restricted') : s(201)),
  },
  'GET /v1/rooms/:handle': { path: () => `/v1/rooms/${w.handle}`, allowed: always(s(200)) },
  'GET /v1/rooms/:handle/events': {
    path: () => `/v1/rooms/${w.handle}/events`,
    headers: () => ({ upgrade: 'websocket' }),
    allowed: always(s(101)),
  },
  'GET /v1/admin/payouts': { path: () => '/v1/admin/payouts?status=requested', allowed: always(s(200)) },
  'POST /v1/admin/payouts/:id': {
    path: () => `/v1/admin/payouts/${w.payout}`,
    body: () => ({ status: 'rejected', reference: 'matrix' }),
    allowed: always(s(200)),
  },
  'GET /v1/admin/channels': { allowed: always(s(200)) },
  'POST /v1/admin/channels/verify': { body: () => ({ url: w.channel, handle: w.handle }), allowed: always(s(200)) },
  'PUT /v1/admin/rates/next': { body: () => rateCardBody(now() + 365 * 86_400_000), allowed: always(s(200)) },
  'GET /admin': { allowed: always(s(200)) },
  'GET /admin/app.js': { allowed: always(s(200)) },
  'GET /v1/admin/audit': { allowed: always(s(200)) },
};

const routeId = (r: RouteSpec) => `${r.method} ${r.path}`;

/** The status a caller gets on a route, derived from the table's `access` and the object's owner. */
function expected(route: RouteSpec, p: Principal, fx: Fixture | undefined): Expect | 'allowed' {
  const allowed = (): Expect | 'allowed' => (fx ? fx.allowed(p) : 'allowed');
  switch (route.access) {
    case 'public':
    case 'stripe':
      return allowed();
    case 'admin':
      return p === 'operator' ? allowed() : s(401, 'unauthorized');
    case 'user':
    case 'adult':
    case 'creator': {
      if (!USERS.includes(p)) return s(401, 'unauthorized');
      if (route.access === 'creator' && !isCreator(p)) return s(403, 'forbidden');
      if (fx?.owned === 'purchase' && p !== 'owner') return s(404, 'not_found');
      if (fx?.owned === 'room' && p === 'owner') return s(403, 'self_gift');
      return allowed();
    }
  }
}

/** A concrete path for a route without a fixture: parameters name the owner's objects. */
function pathFor(route: RouteSpec): string {
  return route.path.replace(':handle', w.handle).replace(':id', w.purchase);
}

async function send(
  route: RouteSpec,
  p: Principal,
  fx: Fixture | undefined,
  extra?: Record<string, unknown>,
): Promise<Reply> {
  let token = tokenOf(p);
  if (fx?.freshSession && USERS.includes(p)) {
    const login = await ok(
      call('/v1/auth/login', { body: { email: w.people[p as 'viewer'].email, password: PASSWORD } }),
    );
    token = login.json.token;
  }
  const path = fx?.path ? fx.path() : pathFor(route);
  let body = fx?.body ? fx.body(p) : route.body ? {} : undefined;
  if (extra) body = { ...(body as object), ...extra };
  const headers: Record<string, string> = { ...fx?.headers?.() };
  if (route.produces === 'websocket') {
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await app.request(path, { headers }, env);
    res.webSocket?.accept();
    res.webSocket?.close(1000, 'matrix');
    return { status: res.status, text: '', json: null, headers: res.headers };
  }
  return call(path, { method: route.method, token, body, headers, key: route.idempotent ? key() : undefined });
}

/** A success answers what the route's definition says it answers (the schema the extension parses with). */
function checkAnswer(route: RouteSpec, cell: string, r: Reply): void {
  if (!route.response || r.status !== (route.status ?? 200)) return;
  const parsed = route.response.safeParse(r.json);
  expect(parsed.success, `${cell}: fits its schema: ${parsed.error?.message} in ${r.text.slice(0, 300)}`).toBe(true);
  counts.schemaCheckedCells++;
  schemaChecked.add(routeId(route));
}

const schemaChecked = new Set<string>();

function checkCell(route: RouteSpec, p: Principal, r: Reply, want: Expect | 'allowed'): void {
  const cell = `${routeId(route)} as ${p}`;
  checkAnswer(route, cell, r);
  if (want === 'allowed') {
    expect(r.status, `${cell}: gets past authorization (${r.text.slice(0, 200)})`).not.toBe(401);
    expect(r.status, cell).not.toBe(403);
    expect(r.status, cell).toBeLessThan(500);
    return;
  }
  expect(r.status, `${cell}: ${r.text.slice(0, 300)}`).toBe(want.status);
  if (want.code) expect(r.json?.error?.code, cell).toBe(want.code);
  if (want.field) expect(r.json?.error?.field, cell).toBe(want.field);
  // Routes that answer pages (the OAuth callback) refuse with a page; every JSON route with the error shape.
  if (want.status >= 400 && !route.produces)
    expect(Object.keys(r.json?.error ?? {}).sort(), `${cell}: {error:{code,message}}`).toEqual(
      expect.arrayContaining(['code', 'message']),
    );
}

const counts = {
  routes: ROUTES.length,
  principals: PRINCIPALS.length,
  cells: 0,
  exactCells: 0,
  genericCells: 0,
  signedWebhookCells: 0,
  extraFieldCells: 0,
  schemaCheckedCells: 0,
};

describe('authorization matrix, generated from the route table', () => {
  beforeAll(async () => {
    const [viewer, creator, owner, minor] = await Promise.all([
      signupPerson('Matrix Viewer', true),
      signupPerson('Matrix Creator', true),
      signupPerson('Matrix Owner', true),
      signupPerson('Matrix Kid', false),
    ]);
    w.people = { viewer, creator, owner, minor };
    w.handle = `matrix_${crypto.randomUUID().slice(0, 6)}`;
    w.otherHandle = `matrix_b_${crypto.randomUUID().slice(0, 6)}`;
    w.channel = `https://www.twitch.tv/${w.handle}`;
    await ok(call('/v1/creators', { token: owner.token, body: { handle: w.handle, channels: [w.channel] } }), 201);
    // Only a verified claim resolves, so the resolve cells need the operator's verification.
    await ok(call('/v1/admin/channels/verify', { token: ADMIN, body: { url: w.channel, handle: w.handle } }));
    await ok(call('/v1/creators', { token: creator.token, body: { handle: w.otherHandle, channels: [] } }), 201);
    for (const c of [owner, creator]) await ok(call('/v1/creator/live', { token: c.token, body: { live: true } }));
    for (const u of [viewer, creator, owner])
      await ok(call('/v1/purchases', { token: u.token, key: key(), body: { packId: 'pack_10000' } }), 201);
    w.purchase = (
      await ok(call('/v1/purchases', { token: owner.token, key: key(), body: { packId: 'pack_500' } }), 201)
    ).json.purchase.id;
    // Both creators earn enough diamonds for two payouts each.
    await ok(call(`/v1/rooms/${w.handle}/gifts`, { token: viewer.token, key: key(), body: { giftId: 'castle' } }), 201);
    await ok(
      call(`/v1/rooms/${w.otherHandle}/gifts`, { token: viewer.token, key: key(), body: { giftId: 'castle' } }),
      201,
    );
    for (const c of [owner, creator])
      await until(
        'diamonds',
        async () => (await call('/v1/wallet', { token: c.token })).json.diamonds,
        (d) => d === 5000,
      );
    w.payout = (
      await ok(
        call('/v1/creator/payouts', {
          token: owner.token,
          key: key(),
          body: { diamonds: 1430, destination: DESTINATION },
        }),
        201,
      )
    ).json.payout.id;
    // A session of the owner's that has ended.
    w.revoked = (await ok(call('/v1/auth/login', { body: { email: owner.email, password: PASSWORD } }))).json.token;
    await ok(call('/v1/auth/logout', { token: w.revoked, method: 'POST' }), 204);
  });

  const table = ROUTES.map((r) => ({ route: r, fx: FIXTURES[routeId(r)] }));

  it.each(table.map((t) => [routeId(t.route), t] as const))('%s × every caller', async (_name, { route, fx }) => {
    for (const p of PRINCIPALS) {
      const want = expected(route, p, fx);
      const r = await send(route, p, fx);
      checkCell(route, p, r, want);
      counts.cells++;
      if (want === 'allowed') counts.genericCells++;
      else counts.exactCells++;
    }
  });

  it('the fixtures name only routes that exist (a stale fixture would hide a renamed route)', () => {
    const ids = new Set(ROUTES.map(routeId));
    expect(Object.keys(FIXTURES).filter((k) => !ids.has(k))).toEqual([]);
    const missing = ROUTES.filter((r) => !FIXTURES[routeId(r)]).map(routeId);
    if (missing.length)
      console.warn(
        `authz matrix: routes checked only generically (add a fixture for exact statuses): ${missing.join(', ')}`,
      );
  });

  it('a Stripe signature, not a bearer token, is what lets an event in: every caller with a valid signature gets 200', async () => {
    for (const p of PRINCIPALS) {
      const event = makeEvent('customer.created', { id: 'cus_matrix', object: 'customer' }, `evt_signed_${key()}`);
      const r = await postEvent(event);
      expect(r.status, `${p}: ${r.text}`).toBe(200);
      counts.signedWebhookCells++;
      counts.cells++;
    }
  });

  it('fields a caller must never set (balance, role, diamonds, userId) are refused with 400 on every route that takes a body', async () => {
    const extras: Record<string, unknown> = {
      balance: 1_000_000,
      role: 'admin',
      diamonds: 999_999,
      userId: w.people.viewer.id,
    };
    // The matrix's own gifts are still on their way to the owner: let them land first.
    await until(
      'deliveries settled',
      async () => {
        await retryRoomNow(w.handle);
        return (
          await Promise.all([creditQueueSize(w.handle), ...USERS.map((p) => outboxSize(w.people[p as 'viewer'].id))])
        ).reduce((a, b) => a + b, 0);
      },
      (n) => n === 0,
    );
    const before = await Promise.all(USERS.map((p) => walletStub(w.people[p as 'viewer'].id).audit()));
    for (const t of table.filter((t) => t.route.body)) {
      const caller: Principal =
        t.route.access === 'admin' ? 'operator' : t.route.access === 'public' ? 'anonymous' : 'owner';
      const base = t.fx?.body ? t.fx.body(caller) : {};
      for (const [field, value] of Object.entries(extras)) {
        // A field the schema itself accepts (a payout's `diamonds`) is not an extra field there.
        if (t.route.body!.safeParse({ ...(base as object), [field]: value }).success) continue;
        const r = await send(t.route, caller, t.fx, { [field]: value });
        const cell = `${routeId(t.route)} with "${field}"`;
        expect(r.status, `${cell}: ${r.text.slice(0, 200)}`).toBe(400);
        expect(r.json.error.code, cell).toBe('invalid_request');
        counts.extraFieldCells++;
        counts.cells++;
      }
    }
    const after = await Promise.all(USERS.map((p) => walletStub(w.people[p as 'viewer'].id).audit()));
    expect(after.map((a) => a.balances)).toEqual(before.map((a) => a.balances));
    for (const a of after) expect(a.violations).toEqual([]);
  });

  it('counts', ({ task }) => {
    const unchecked = ROUTES.filter((r) => r.response && !schemaChecked.has(routeId(r))).map(routeId);
    if (unchecked.length)
      console.warn(`authz matrix: answers never checked against their schema: ${unchecked.join(', ')}`);
    Object.assign(counts, { schemaCheckedRoutes: schemaChecked.size });
    expect(counts.exactCells + counts.genericCells).toBe(ROUTES.length * PRINCIPALS.length);
    reportCounts(task, 'authz-matrix', counts);
  });
});
