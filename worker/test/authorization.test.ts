import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { advanceClock } from '../src/clock';
import {
  ADMIN,
  api,
  buy,
  creditDiamonds,
  expectCleanAudit,
  makeCreator,
  rateCardBody,
  refundPurchase,
  requestPayout,
  signup,
  uniqueKey,
  wallet,
  type TestUser,
} from './helpers';

const DAY = 86_400_000;
const UNKNOWN_ULID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  path: string | (() => string);
  /** A body that would be accepted from someone allowed to call the route. */
  body?: unknown;
  /** The route requires an Idempotency-Key. */
  keyed?: boolean;
}

/** The fixtures, created once: a purchase and a payout exist so routes with ids have real targets. */
const fx = {} as { owner: TestUser; purchase: string; payout: string; creator: TestUser };

/** Every route of SPEC.md's table that takes a user's session and exists today. */
const USER_ROUTES: Route[] = [
  { method: 'GET', path: '/v1/me' },
  { method: 'PATCH', path: '/v1/me', body: { displayName: 'Hijacked' } },
  { method: 'POST', path: '/v1/auth/logout' },
  { method: 'GET', path: '/v1/wallet' },
  { method: 'GET', path: '/v1/wallet/history' },
  { method: 'GET', path: '/v1/wallet/history.csv' },
  { method: 'PUT', path: '/v1/wallet/limits', body: { daily: 100 } },
  { method: 'POST', path: '/v1/purchases', body: { packId: 'pack_100' }, keyed: true },
  { method: 'GET', path: () => `/v1/purchases/${fx.purchase}` },
  { method: 'POST', path: () => `/v1/purchases/${fx.purchase}/refund`, keyed: true },
  {
    method: 'POST',
    path: '/v1/creators',
    body: { handle: 'hijacked_handle', channels: ['https://twitch.tv/hijacked'] },
  },
  { method: 'GET', path: '/v1/creator/payouts' },
  {
    method: 'POST',
    path: '/v1/creator/payouts',
    body: { diamonds: 1430, destination: 'attacker account' },
    keyed: true,
  },
];

/** Every operator route that exists today. */
const ADMIN_ROUTES: Route[] = [
  { method: 'GET', path: '/v1/admin/payouts' },
  { method: 'GET', path: '/v1/admin/payouts?status=requested' },
  { method: 'POST', path: () => `/v1/admin/payouts/${fx.payout}`, body: { status: 'paid' }, keyed: true },
  { method: 'GET', path: '/v1/admin/channels' },
  { method: 'GET', path: '/v1/admin/channels?verified=false' },
  {
    method: 'POST',
    path: '/v1/admin/channels/verify',
    body: { url: 'https://twitch.tv/auth_creator', handle: 'auth_creator' },
  },
  { method: 'PUT', path: '/v1/admin/rates/next', body: rateCardBody(Date.now() + 365 * DAY) },
  { method: 'GET', path: '/v1/admin/audit' },
];

const pathOf = (r: Route) => (typeof r.path === 'function' ? r.path() : r.path);
const label = (r: Route) => `${r.method} ${pathOf(r)}`;

/** Calls a route with exactly this Authorization header (or none). */
async function call(r: Route, authorization: string | null) {
  const headers: Record<string, string> = {};
  if (authorization !== null) headers.authorization = authorization;
  if (r.keyed) headers['idempotency-key'] = uniqueKey('authz');
  return api(pathOf(r), { method: r.method, body: r.body, headers });
}

function expectUnauthorized(res: Awaited<ReturnType<typeof api>>, what: string) {
  expect(res.status, `${what}: ${res.text}`).toBe(401);
  expect(res.json?.error?.code, what).toBe('unauthorized');
  expect(typeof res.json.error.message).toBe('string');
}

async function sha256Hex(text: string) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** What the fixtures' owners can see; a refused request must leave all of it as it was. */
async function state(tokens: { owner: string; creator: string }) {
  const out: Record<string, string> = {};
  for (const [who, token] of Object.entries(tokens)) {
    for (const p of ['/v1/me', '/v1/wallet', '/v1/wallet/history?limit=200', '/v1/creator/payouts'])
      out[`${who} ${p}`] = (await api(p, { token })).text;
  }
  out.adminPayouts = (await api('/v1/admin/payouts', { token: ADMIN })).text;
  out.adminChannels = (await api('/v1/admin/channels', { token: ADMIN })).text;
  out.rates = (await api('/v1/rates')).text;
  return out;
}

describe('authorization', () => {
  let before: Record<string, string>;

  beforeAll(async () => {
    fx.owner = await signup({ name: 'Owner' });
    fx.purchase = (await buy(fx.owner, { packId: 'pack_1000' })).purchase.id;
    fx.creator = await signup({ name: 'Auth Creator' });
    await makeCreator(fx.creator, 'auth_creator', ['https://www.twitch.tv/auth_creator']);
    await creditDiamonds(fx.creator, 3000);
    const p = await requestPayout(fx.creator, 1430, 'NL91ABNA0417164300');
    expect(p.status).toBe(201);
    fx.payout = p.json.payout.id;
    before = await state({ owner: fx.owner.token, creator: fx.creator.token });
  });

  it('refuses every user route without a token (401), and nothing changes', async () => {
    for (const r of USER_ROUTES) expectUnauthorized(await call(r, null), `${label(r)} without a token`);
    expect(await state({ owner: fx.owner.token, creator: fx.creator.token })).toEqual(before);
  });

  it('refuses every user route with a garbage token (401), and nothing changes', async () => {
    const real = fx.owner.token;
    const garbage = [
      'Bearer garbage',
      `Bearer gs_${'A'.repeat(43)}`,
      'Bearer ',
      'Bearer',
      'garbage',
      real, // the token without its scheme
      `Basic ${btoa(`${fx.owner.email}:${fx.owner.password}`)}`,
      `Bearer ${real.toUpperCase()}`,
      `Bearer ${real.slice(0, -1)}`,
      `Bearer ${real}x`,
      `Bearer ${real} ${real}`,
      `Bearer ${'a'.repeat(201)}`,
      `Bearer ${await sha256Hex(real)}`, // what the database stores must not work as a token
      `Bearer ${ADMIN}`, // the operator's token is not a user session
    ];
    for (const r of USER_ROUTES) {
      for (const auth of garbage) expectUnauthorized(await call(r, auth), `${label(r)} with "${auth.slice(0, 40)}"`);
    }
    expect(await state({ owner: fx.owner.token, creator: fx.creator.token })).toEqual(before);
  });

  it('refuses a token after /v1/auth/logout on every user route, and only that token', async () => {
    const u = await signup({ name: 'Leaving' });
    await buy(u, { packId: 'pack_500' });
    const login = await api('/v1/auth/login', { body: { email: u.email, password: u.password } });
    expect(login.status).toBe(200);
    const second = login.json.token as string;
    expect(second).not.toBe(u.token);

    const out = await api('/v1/auth/logout', { method: 'POST', token: u.token });
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    for (const r of USER_ROUTES) {
      // The revoked user's own objects: their purchase, their profile.
      expectUnauthorized(await call(r, `Bearer ${u.token}`), `${label(r)} after logout`);
    }
    // Logging out again with the ended token is refused too.
    expectUnauthorized(await api('/v1/auth/logout', { method: 'POST', token: u.token }), 'second logout');

    // The other session of the same user still works, and saw nothing change.
    const me = await api('/v1/me', { token: second });
    expect(me.status).toBe(200);
    expect(me.json.user.displayName).toBe('Leaving');
    expect(me.json.creator).toBeNull();
    const w = await api('/v1/wallet', { token: second });
    expect(w.json).toMatchObject({
      coins: 500,
      limits: { daily: null, weekly: null, monthly: null },
      pendingLimits: [],
    });
  });

  it("refuses to show or refund another user's purchase, without revealing that it exists", async () => {
    const intruder = await signup({ name: 'Intruder' });
    await buy(intruder, { packId: 'pack_100' });
    const ownerBefore = await wallet(fx.owner);
    const intruderBefore = await wallet(intruder);

    const read = await api(`/v1/purchases/${fx.purchase}`, { token: intruder.token });
    const readMissing = await api(`/v1/purchases/${UNKNOWN_ULID}`, { token: intruder.token });
    expect(read.status).toBe(404);
    expect(read.json.error.code).toBe('not_found');
    expect(read.text).toBe(readMissing.text); // the same answer as for an id that does not exist
    expect(read.text).not.toContain(fx.owner.id);

    const key = uniqueKey('steal');
    const steal = await api(`/v1/purchases/${fx.purchase}/refund`, { method: 'POST', token: intruder.token, key });
    const stealMissing = await refundPurchase(intruder, UNKNOWN_ULID);
    expect(steal.status).toBe(404);
    expect(steal.json.error.code).toBe('not_found');
    expect(steal.text).toBe(stealMissing.text);

    // Nothing moved for either of them.
    expect(await wallet(fx.owner)).toEqual(ownerBefore);
    expect(await wallet(intruder)).toEqual(intruderBefore);
    const owned = await api(`/v1/purchases/${fx.purchase}`, { token: fx.owner.token });
    expect(owned.json.purchase).toMatchObject({ id: fx.purchase, status: 'completed', refundedCoins: 0 });
    // The intruder's history shows only the intruder's own purchase.
    const history = (await api('/v1/wallet/history', { token: intruder.token })).json.entries;
    expect(history.map((e: { kind: string; coins: number }) => [e.kind, e.coins])).toEqual([['purchase', 100]]);
    expect(JSON.stringify(history)).not.toContain(fx.purchase);

    // Keys are scoped to the caller: the owner's own request under the intruder's key is a new request.
    const mine = await api(`/v1/purchases/${fx.purchase}/refund`, { method: 'POST', token: fx.owner.token, key });
    expect(mine.status).toBe(200);
    expect(mine.json.refund.coins).toBe(1000);
    expect((await wallet(fx.owner)).coins).toBe(0);
    expect((await wallet(intruder)).coins).toBe(100);
    await expectCleanAudit();
  });

  it("keeps a creator's payouts and diamonds out of another creator's reach", async () => {
    const rival = await signup({ name: 'Rival' });
    await makeCreator(rival, 'auth_rival');
    const list = await api('/v1/creator/payouts', { token: rival.token });
    expect(list.status).toBe(200);
    expect(list.json.payouts).toEqual([]);
    // A payout request spends only the caller's own diamonds.
    const r = await requestPayout(rival, 1430, 'rival account');
    expect(r.status).toBe(402);
    expect(r.json.error.code).toBe('insufficient_funds');
    const w = await wallet(fx.creator);
    expect(w).toMatchObject({ diamonds: 3000 - 1430, diamondsPending: 1430 });
    const mine = (await api('/v1/creator/payouts', { token: fx.creator.token })).json.payouts;
    expect(mine.map((p: { id: string; status: string }) => [p.id, p.status])).toEqual([[fx.payout, 'requested']]);
  });

  it('refuses /v1/creator/payouts to signed-in users who are not creators (403 forbidden)', async () => {
    const viewer = await signup({ name: 'Just Watching' });
    const kid = await signup({ adult: false, name: 'Kid' });
    for (const u of [viewer, kid]) {
      const list = await api('/v1/creator/payouts', { token: u.token });
      expect(list.status).toBe(403);
      expect(list.json.error.code).toBe('forbidden');
      const ask = await requestPayout(u, 1430, 'my account');
      expect(ask.status).toBe(403);
      expect(ask.json.error.code).toBe('forbidden');
      expect((await wallet(u)).diamondsPending).toBe(0);
    }
  });

  it('does not let a user rewrite their birthdate, adulthood or id through PATCH /v1/me', async () => {
    const kid = await signup({ adult: false, name: 'Young' });
    for (const body of [
      { displayName: 'Grown Up', birthdate: '1990-01-01' },
      { displayName: 'Grown Up', adult: true },
      { displayName: 'Grown Up', id: fx.owner.id },
      { displayName: 'Grown Up', email: fx.owner.email },
      { birthdate: '1990-01-01' },
    ]) {
      const r = await api('/v1/me', { method: 'PATCH', body, token: kid.token });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('invalid_request');
    }
    const me = (await api('/v1/me', { token: kid.token })).json;
    expect(me.user).toMatchObject({ id: kid.id, displayName: 'Young', adult: false });
    const buyAttempt = await api('/v1/purchases', { body: { packId: 'pack_100' }, token: kid.token, key: uniqueKey() });
    expect(buyAttempt.status).toBe(403);
    expect(buyAttempt.json.error.code).toBe('age_restricted');
    // Renaming oneself is allowed and changes only oneself.
    const ok = await api('/v1/me', { method: 'PATCH', body: { displayName: 'Still Young' }, token: kid.token });
    expect(ok.status).toBe(200);
    expect(ok.json.user).toMatchObject({ id: kid.id, displayName: 'Still Young', adult: false });
    expect((await api('/v1/me', { token: fx.owner.token })).json.user.displayName).toBe('Owner');
  });

  it('refuses every operator route to no token, garbage, viewers and creators (401), and nothing changes', async () => {
    const snapshot = await state({ owner: fx.owner.token, creator: fx.creator.token });
    const refused = [
      null,
      'Bearer ',
      'Bearer garbage',
      ADMIN, // without its scheme
      `Basic ${btoa(`admin:${ADMIN}`)}`,
      `Bearer ${ADMIN}x`,
      `Bearer ${ADMIN.slice(0, -1)}`,
      `Bearer ${ADMIN.toUpperCase()}`,
      `Bearer x${ADMIN}`,
      `Bearer ${fx.owner.token}`, // a viewer
      `Bearer ${fx.creator.token}`, // a creator, on their own payout too
    ];
    for (const r of ADMIN_ROUTES) {
      for (const auth of refused)
        expectUnauthorized(
          await call(r, auth),
          `${label(r)} with ${auth === null ? 'no token' : `"${auth.slice(0, 30)}"`}`,
        );
    }
    expect(await state({ owner: fx.owner.token, creator: fx.creator.token })).toEqual(snapshot);
    const p = (await api('/v1/admin/payouts?status=requested', { token: ADMIN })).json.payouts;
    expect(p.map((x: { id: string }) => x.id)).toContain(fx.payout);
    expect((await api('/v1/rates')).json.next).toBeNull();
  });

  it('accepts the ADMIN token on every operator route', async () => {
    const ok = async (path: string, init: Parameters<typeof api>[1] = {}) => api(path, { token: ADMIN, ...init });
    const payouts = await ok('/v1/admin/payouts');
    expect(payouts.status).toBe(200);
    expect(payouts.json.payouts.find((p: { id: string }) => p.id === fx.payout)).toMatchObject({
      handle: 'auth_creator',
      diamonds: 1430,
      status: 'requested',
    });
    expect((await ok('/v1/admin/payouts?status=requested')).status).toBe(200);
    const channels = await ok('/v1/admin/channels?verified=false');
    expect(channels.status).toBe(200);
    expect(channels.json.channels).toContainEqual(
      expect.objectContaining({ url: 'https://twitch.tv/auth_creator', handle: 'auth_creator', verified: false }),
    );
    const a = await ok('/v1/admin/audit');
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ ok: true, violations: [] });
    // The write routes get past authorization to their own checks.
    const unknown = await ok(`/v1/admin/payouts/${UNKNOWN_ULID}`, { body: { status: 'paid' }, key: uniqueKey() });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('not_found');
    const past = await ok('/v1/admin/rates/next', { method: 'PUT', body: rateCardBody(Date.now() - DAY) });
    expect(past.status).toBe(400);
    expect(past.json.error.field).toBe('effectiveAt');
    const verify = await ok('/v1/admin/channels/verify', {
      body: { url: 'https://twitch.tv/auth_creator', handle: 'auth_creator' },
    });
    expect(verify.status).toBe(200);
    expect(verify.json.channel).toMatchObject({
      url: 'https://twitch.tv/auth_creator',
      handle: 'auth_creator',
      verified: true,
    });
    const decide = await ok(`/v1/admin/payouts/${fx.payout}`, { body: { status: 'rejected' }, key: uniqueKey() });
    expect(decide.status).toBe(200);
    expect(decide.json.payout).toMatchObject({ id: fx.payout, status: 'rejected' });
    expect(await wallet(fx.creator)).toMatchObject({ diamonds: 3000, diamondsPending: 0 });
    await expectCleanAudit();
  });

  it('refuses a session after it expires', async () => {
    const u = await signup({ name: 'Expiring' });
    expect((await api('/v1/wallet', { token: u.token })).status).toBe(200);
    advanceClock(31 * DAY);
    for (const r of USER_ROUTES)
      expectUnauthorized(await call(r, `Bearer ${u.token}`), `${label(r)} with an expired session`);
    const again = await api('/v1/auth/login', { body: { email: u.email, password: u.password } });
    expect(again.status).toBe(200);
    expect((await api('/v1/wallet', { token: again.json.token })).status).toBe(200);
  });

  it('answers 401 with the JSON error shape, not HTML or an empty body', async () => {
    const res = await SELF.fetch('http://localhost/v1/wallet');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized', message: expect.any(String) } });
  });
});
