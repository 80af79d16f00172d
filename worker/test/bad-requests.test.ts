import { SELF } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '@giftstream/shared';
import {
  ADMIN,
  api,
  audit,
  buy,
  creditDiamonds,
  expectCleanAudit,
  makeCreator,
  refundPurchase,
  requestPayout,
  signup,
  uniqueKey,
  walletStub,
  type TestUser,
} from './helpers';

/**
 * A table of bad requests against the money routes. Every one must be answered with a 4xx and the API's
 * error shape, never a 5xx, and none may change anything a user or the operator can see.
 */

type Who = 'viewer' | 'other' | 'creator' | 'kid' | 'limited' | 'admin' | 'none';

interface Case {
  name: string;
  method: 'POST' | 'PUT';
  /** A path, or one computed from the fixtures once they exist. */
  path: string | (() => string);
  as: Who;
  /** A JSON value to send. */
  body?: unknown;
  /** A raw body, sent as is (with content-type application/json unless `headers` says otherwise). */
  raw?: string;
  /** Send this many bytes as a stream, without Content-Length. */
  stream?: number;
  headers?: Record<string, string>;
  /** undefined → a fresh key; null → no header; a string → that exact header value. */
  key?: string | null | (() => string);
  status: number;
  code: string;
  field?: string;
}

const fx = {} as {
  viewer: TestUser;
  other: TestUser;
  creator: TestUser;
  kid: TestUser;
  limited: TestUser;
  /** The viewer's completed, refundable purchase. */
  refundable: string;
  /** The viewer's fully refunded purchase. */
  refunded: string;
  /** Another user's purchase. */
  othersPurchase: string;
  /** The key the viewer's pack_500 purchase was made with. */
  usedKey: string;
  /** The creator's requested payout, still waiting for the operator. */
  payout: string;
  /** A payout key the operator already used on another request. */
  operatorKey: string;
  /** A payout key the creator already used for the requested payout. */
  payoutKey: string;
};

const DESTINATION = 'DE89 3704 0044 0532 0130 00';
const UNKNOWN_ULID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const BIG = 'x'.repeat(17 * 1024);

const purchases = '/v1/purchases';
const refund = (id: () => string) => () => `/v1/purchases/${id()}/refund`;
const refundable = refund(() => fx.refundable);
const limits = '/v1/wallet/limits';
const payouts = '/v1/creator/payouts';
const decide = () => `/v1/admin/payouts/${fx.payout}`;

function moneyRouteCases(): Case[] {
  const cases: Case[] = [];
  const bad = (c: Case) => cases.push(c);
  /** One route's cases, each named `${prefix}: …`; a case may still name its own `path` or `as`. */
  const route = (prefix: string, method: Case['method'], path: Case['path'], as: Who) => {
    type Rest = Omit<Case, 'name' | 'method' | 'path' | 'as'> & Partial<Pick<Case, 'path' | 'as'>>;
    const on = (name: string, c: Rest) => bad({ name: `${prefix}: ${name}`, method, path, as, ...c });
    return {
      bad: on,
      /** A body that fails validation: 400, naming `field` when given. */
      invalid: (name: string, body: unknown, field?: string) =>
        on(name, { body, status: 400, code: 'invalid_request', field }),
      /** A raw body that is not the JSON the route takes. */
      malformed: (name: string, raw: string, headers?: Record<string, string>) =>
        on(name, { raw, headers, status: 400, code: 'invalid_request' }),
      /** A missing, an empty and a 256-character Idempotency-Key, each refused naming the header. */
      badKeys: (body?: unknown) => {
        const keys = [
          ['missing', null],
          ['empty', ''],
          ['256-character', 'k'.repeat(256)],
        ] as const;
        for (const [what, key] of keys)
          on(`${what} Idempotency-Key`, { body, key, status: 400, code: 'invalid_request', field: 'Idempotency-Key' });
      },
    };
  };
  const onPurchase = route('purchase', 'POST', purchases, 'viewer');
  const onRefund = route('refund', 'POST', refundable, 'viewer');
  const onLimits = route('limits', 'PUT', limits, 'viewer');
  const onPayout = route('payout', 'POST', payouts, 'creator');
  const onDecision = route('decision', 'POST', decide, 'admin');

  // ---- POST /v1/purchases ----
  const P = onPurchase.invalid;
  P('empty object', {});
  P('array instead of object', []);
  P('array of a valid body', [{ packId: 'pack_100' }]);
  P('unknown pack id', { packId: 'pack_999' }, 'packId');
  P('pack id in another case', { packId: 'PACK_100' }, 'packId');
  P('empty pack id', { packId: '' });
  P('65-character pack id', { packId: 'p'.repeat(65) });
  P('number as pack id', { packId: 100 });
  P('null pack id', { packId: null });
  P('pack id in an array', { packId: ['pack_100'] });
  P('zero coins', { coins: 0 });
  P('negative coins', { coins: -100 });
  P('custom 99 coins', { coins: 99 }, 'coins');
  P('custom 100001 coins', { coins: 100_001 }, 'coins');
  P('fractional coins', { coins: 100.5 });
  P('2^53 coins', { coins: 2 ** 53 });
  P('1e308 coins', { coins: 1e308 });
  P('coins as a string', { coins: '500' });
  P('coins as a numeric string in exponent form', { coins: '1e3' });
  P('null coins', { coins: null });
  P('boolean coins', { coins: true });
  P('coins in an array', { coins: [500] });
  P('coins as an object', { coins: { amount: 500 } });
  P('both packId and coins', { packId: 'pack_100', coins: 100 });
  P('extra field balance', { packId: 'pack_100', balance: 1_000_000 });
  P('extra field userId', { coins: 500, userId: 'someone-else' });
  P('extra field role', { packId: 'pack_100', role: 'admin' });
  P('extra field diamonds', { coins: 500, diamonds: 500 });
  P('extra field price', { packId: 'pack_100', price: { amount: 1, currency: 'USD' } });
  P('extra field status', { packId: 'pack_100', status: 'completed' });
  onPurchase.malformed('1e400 coins (Infinity)', '{"coins": 1e400}');
  onPurchase.malformed('__proto__ smuggling', '{"__proto__": {"balance": 5}, "packId": "pack_100"}');
  onPurchase.malformed('JSON null', 'null');
  onPurchase.malformed('JSON string', '"pack_100"');
  onPurchase.malformed('JSON number', '1000');
  onPurchase.malformed('empty body', '');
  onPurchase.malformed('truncated JSON', '{"packId": ');
  onPurchase.malformed('NaN literal', '{"coins": NaN}');
  onPurchase.malformed('form-encoded body', 'packId=pack_100', {
    'content-type': 'application/x-www-form-urlencoded',
  });
  onPurchase.malformed('JSON sent as text/plain', '{"packId":"pack_100"}', {
    'content-type': 'text/plain',
  });
  onPurchase.bad('no body at all', { status: 400, code: 'invalid_request' });
  onPurchase.bad('17 KiB body', { body: { packId: 'pack_100', pad: BIG }, status: 413, code: 'payload_too_large' });
  onPurchase.bad('17 KiB streamed without Content-Length', {
    stream: 17 * 1024,
    status: 413,
    code: 'payload_too_large',
  });
  onPurchase.bad('16 KiB + 1 byte', {
    raw: JSON.stringify({ packId: 'pack_100', pad: 'x'.repeat(16 * 1024 - 30) }).padEnd(16 * 1024 + 1, ' '),
    status: 413,
    code: 'payload_too_large',
  });
  onPurchase.badKeys({ packId: 'pack_100' });
  onPurchase.bad('used key with another body', {
    body: { packId: 'pack_1000' },
    key: () => fx.usedKey,
    status: 409,
    code: 'idempotency_mismatch',
  });
  onPurchase.bad('under-18 buyer', { as: 'kid', body: { packId: 'pack_100' }, status: 403, code: 'age_restricted' });
  onPurchase.bad('over the daily limit', {
    as: 'limited',
    body: { packId: 'pack_100' },
    status: 403,
    code: 'spending_limit',
  });
  onPurchase.bad('no token', { as: 'none', body: { packId: 'pack_100' }, status: 401, code: 'unauthorized' });

  // ---- POST /v1/purchases/:id/refund ----
  onRefund.bad('unknown purchase id', { path: refund(() => UNKNOWN_ULID), status: 404, code: 'not_found' });
  onRefund.bad('id that is no purchase id', { path: refund(() => 'not-a-purchase'), status: 404, code: 'not_found' });
  onRefund.bad("someone else's purchase", { path: refund(() => fx.othersPurchase), status: 404, code: 'not_found' });
  onRefund.bad('an already refunded purchase', { path: refund(() => fx.refunded), status: 409, code: 'conflict' });
  onRefund.bad("another user's purchase, asked by an under-18 account", { as: 'kid', status: 404, code: 'not_found' });
  const R = onRefund.invalid;
  R('body with coins', { coins: 5 });
  R('body with amount', { amount: { amount: 1000, currency: 'USD' } });
  R('body with balance', { balance: 1_000_000 });
  R('body with userId', { userId: 'someone-else' });
  R('array body', []);
  onRefund.malformed('JSON null', 'null');
  onRefund.malformed('truncated JSON', '{"coins":');
  onRefund.malformed('empty JSON body', '');
  onRefund.bad('17 KiB body', { body: { pad: BIG }, status: 413, code: 'payload_too_large' });
  onRefund.badKeys();
  onRefund.bad('a key used to buy, reused to refund', {
    key: () => fx.usedKey,
    status: 409,
    code: 'idempotency_mismatch',
  });

  // ---- PUT /v1/wallet/limits ----
  const L = onLimits.invalid;
  L('empty object', {});
  L('zero', { daily: 0 }, 'daily');
  L('negative', { daily: -1 }, 'daily');
  L('fraction of a cent', { daily: 10.5 }, 'daily');
  L('string for a number', { weekly: '1000' }, 'weekly');
  L('2^53', { monthly: 2 ** 53 }, 'monthly');
  L('1e308', { daily: 1e308 }, 'daily');
  L('above the maximum', { daily: 100_000_001 }, 'daily');
  L('boolean', { daily: true }, 'daily');
  L('number in an array', { daily: [1000] }, 'daily');
  L('object amount', { weekly: { amount: 1000, currency: 'USD' } }, 'weekly');
  L('unknown period', { hourly: 1000 }, 'hourly');
  L('extra field balance', { daily: 1000, balance: 5 }, 'balance');
  L('extra field userId', { daily: 1000, userId: 'someone-else' }, 'userId');
  L('extra field role', { daily: 1000, role: 'admin' }, 'role');
  L('pendingLimits smuggled in', { pendingLimits: [] }, 'pendingLimits');
  L('gift caps: empty', { giftLimits: {} }, 'giftLimits');
  L('gift caps: zero', { giftLimits: { stream: 0 } }, 'giftLimits.stream');
  L('gift caps: fraction of a cent', { giftLimits: { daily: 99.5 } }, 'giftLimits.daily');
  L('gift caps: a purchase period', { giftLimits: { weekly: 1000 } }, 'giftLimits');
  L('gift caps: a number, not an object', { giftLimits: 1000 }, 'giftLimits');
  L('gift caps: spent smuggled in', { giftLimits: { stream: 1000, spent: 0 } }, 'giftLimits');
  L('array body', []);
  onLimits.malformed('JSON null', 'null');
  onLimits.malformed('JSON string', '"daily"');
  onLimits.malformed('truncated JSON', '{"daily": 10');
  onLimits.malformed('empty body', '');
  onLimits.bad('17 KiB body', { body: { daily: 1000, pad: BIG }, status: 413, code: 'payload_too_large' });

  // ---- POST /v1/creator/payouts ----
  const C = onPayout.invalid;
  C('empty object', {});
  C('missing destination', { diamonds: 1430 }, 'destination');
  C('missing diamonds', { destination: DESTINATION }, 'diamonds');
  C('zero diamonds', { diamonds: 0, destination: DESTINATION }, 'diamonds');
  C('negative diamonds', { diamonds: -1430, destination: DESTINATION }, 'diamonds');
  C('fractional diamonds', { diamonds: 1430.5, destination: DESTINATION }, 'diamonds');
  C('diamonds as a string', { diamonds: '1430', destination: DESTINATION }, 'diamonds');
  C('2^53 diamonds', { diamonds: 2 ** 53, destination: DESTINATION }, 'diamonds');
  C('1e308 diamonds', { diamonds: 1e308, destination: DESTINATION }, 'diamonds');
  C('1420 diamonds ($9.94, under the minimum)', { diamonds: 1420, destination: DESTINATION }, 'diamonds');
  C('1435 diamonds (not a multiple of 10)', { diamonds: 1435, destination: DESTINATION }, 'diamonds');
  C('destination of 2 characters', { diamonds: 1430, destination: 'ab' }, 'destination');
  C('destination of 201 characters', { diamonds: 1430, destination: 'd'.repeat(201) }, 'destination');
  C(
    'destination of control characters only',
    { diamonds: 1430, destination: '\u0000\u0001\u202e\u0007' },
    'destination',
  );
  C('destination of spaces only', { diamonds: 1430, destination: '      ' }, 'destination');
  C('destination as a number', { diamonds: 1430, destination: 12345678 }, 'destination');
  C('extra field balance', { diamonds: 1430, destination: DESTINATION, balance: 99_999 }, 'balance');
  C('extra field userId', { diamonds: 1430, destination: DESTINATION, userId: 'someone-else' }, 'userId');
  C('extra field role', { diamonds: 1430, destination: DESTINATION, role: 'admin' }, 'role');
  C('extra field status', { diamonds: 1430, destination: DESTINATION, status: 'paid' }, 'status');
  C(
    'extra field amount',
    { diamonds: 1430, destination: DESTINATION, amount: { amount: 1_000_000, currency: 'USD' } },
    'amount',
  );
  C('array body', [{ diamonds: 1430, destination: DESTINATION }]);
  onPayout.malformed('JSON null', 'null');
  onPayout.malformed('truncated JSON', '{"diamonds": 1430, "destination": ');
  onPayout.malformed('empty body', '');
  onPayout.bad('more diamonds than the balance', {
    body: { diamonds: 1440, destination: DESTINATION },
    status: 402,
    code: 'insufficient_funds',
  });
  onPayout.bad('2^53 - 2 diamonds (safe, a multiple of 10)', {
    body: { diamonds: 9_007_199_254_740_990, destination: DESTINATION },
    status: 402,
    code: 'insufficient_funds',
  });
  onPayout.bad('17 KiB body', { body: { diamonds: 1430, destination: BIG }, status: 413, code: 'payload_too_large' });
  onPayout.badKeys({ diamonds: 1430, destination: DESTINATION });
  onPayout.bad('used key with another body', {
    body: { diamonds: 1430, destination: 'another account' },
    key: () => fx.payoutKey,
    status: 409,
    code: 'idempotency_mismatch',
  });
  onPayout.bad('a viewer who is not a creator', {
    as: 'viewer',
    body: { diamonds: 1430, destination: DESTINATION },
    status: 403,
    code: 'forbidden',
  });
  onPayout.bad('an under-18 account', {
    as: 'kid',
    body: { diamonds: 1430, destination: DESTINATION },
    status: 403,
    code: 'forbidden',
  });

  // ---- POST /v1/admin/payouts/:id ----
  const A = onDecision.invalid;
  A('empty object', {}, 'status');
  A('status requested', { status: 'requested' }, 'status');
  A('status in capitals', { status: 'PAID' }, 'status');
  A('status processing', { status: 'processing' }, 'status');
  A('status failed', { status: 'failed' }, 'status');
  // `approved` is for Stripe Connect payouts; this one is paid by hand (sandbox mode).
  onDecision.bad('approved for a payout paid by hand', { body: { status: 'approved' }, status: 409, code: 'conflict' });
  A('boolean status', { status: true }, 'status');
  A('empty reference', { status: 'paid', reference: '' }, 'reference');
  A('201-character reference', { status: 'paid', reference: 'r'.repeat(201) }, 'reference');
  A('extra field diamonds', { status: 'paid', diamonds: 1 }, 'diamonds');
  A('extra field amount', { status: 'rejected', amount: { amount: 1, currency: 'USD' } }, 'amount');
  A('extra field userId', { status: 'paid', userId: 'someone-else' }, 'userId');
  A('extra field balance', { status: 'rejected', balance: 1_000_000 }, 'balance');
  A('array body', [{ status: 'paid' }]);
  onDecision.malformed('JSON null', 'null');
  onDecision.malformed('bare string', 'paid');
  onDecision.malformed('empty body', '');
  onDecision.bad('17 KiB body', { body: { status: 'paid', reference: BIG }, status: 413, code: 'payload_too_large' });
  onDecision.bad('unknown payout id', {
    path: `/v1/admin/payouts/${UNKNOWN_ULID}`,
    body: { status: 'paid' },
    status: 404,
    code: 'not_found',
  });
  onDecision.badKeys({ status: 'paid' });
  onDecision.bad('by the creator themself', {
    as: 'creator',
    body: { status: 'paid' },
    status: 401,
    code: 'unauthorized',
  });
  return cases;
}

const CASES = moneyRouteCases();

function tokenOf(who: Who): string | undefined {
  if (who === 'none') return undefined;
  if (who === 'admin') return ADMIN;
  return fx[who].token;
}

async function send(c: Case) {
  const path = typeof c.path === 'function' ? c.path() : c.path;
  const key = c.key === undefined ? uniqueKey('bad') : typeof c.key === 'function' ? c.key() : c.key;
  const headers: Record<string, string> = { ...c.headers };
  if (key !== null) headers['idempotency-key'] = key;
  if (c.stream !== undefined) {
    const chunk = new TextEncoder().encode('x'.repeat(1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= c.stream!) return controller.close();
        controller.enqueue(chunk);
        sent += chunk.length;
      },
    });
    const token = tokenOf(c.as);
    const res = await SELF.fetch(`http://localhost${path}`, {
      method: c.method,
      headers: {
        ...headers,
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body,
    });
    const text = await res.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.status, json, text };
  }
  return api(path, { method: c.method, token: tokenOf(c.as), headers, body: c.body, raw: c.raw });
}

/** Everything a user or the operator can see that these requests might have changed. */
async function snapshot() {
  const users: TestUser[] = [fx.viewer, fx.other, fx.creator, fx.kid, fx.limited];
  const seen: Record<string, string> = {};
  for (const [i, u] of users.entries()) {
    for (const path of ['/v1/wallet', '/v1/wallet/history?limit=200', '/v1/me']) {
      const r = await api(path, { token: u.token });
      expect(r.status).toBe(200);
      seen[`user${i} ${path}`] = r.text;
    }
  }
  for (const id of [fx.refundable, fx.refunded])
    seen[`purchase ${id}`] = (await api(`/v1/purchases/${id}`, { token: fx.viewer.token })).text;
  seen.othersPurchase = (await api(`/v1/purchases/${fx.othersPurchase}`, { token: fx.other.token })).text;
  seen.creatorPayouts = (await api('/v1/creator/payouts', { token: fx.creator.token })).text;
  seen.adminPayouts = (await api('/v1/admin/payouts', { token: ADMIN })).text;
  const a = await audit();
  seen.auditTotals = JSON.stringify(a.totals);
  return seen;
}

let before: Record<string, string>;
const answered: { name: string; status: number; code: string }[] = [];

describe(`bad requests on the money routes (${CASES.length} cases)`, () => {
  beforeAll(async () => {
    fx.viewer = await signup({ name: 'Viewer' });
    fx.other = await signup({ name: 'Other' });
    fx.creator = await signup({ name: 'Creator' });
    fx.kid = await signup({ adult: false, name: 'Kid' });
    fx.limited = await signup({ name: 'Limited' });

    fx.refundable = (await buy(fx.viewer, { packId: 'pack_1000' })).purchase.id;
    fx.usedKey = uniqueKey('used');
    const used = await api(purchases, { body: { packId: 'pack_500' }, token: fx.viewer.token, key: fx.usedKey });
    expect(used.status).toBe(201);
    fx.refunded = (await buy(fx.viewer, { packId: 'pack_100' })).purchase.id;
    const r = await refundPurchase(fx.viewer, fx.refunded);
    expect(r.status).toBe(200);
    fx.othersPurchase = (await buy(fx.other, { coins: 250 })).purchase.id;

    const lim = await api(limits, { method: 'PUT', body: { daily: 1000 }, token: fx.limited.token });
    expect(lim.status).toBe(200);
    await buy(fx.limited, { packId: 'pack_1000' });

    await makeCreator(fx.creator, 'bad_request_creator');
    await creditDiamonds(fx.creator, 2000);
    fx.payoutKey = uniqueKey('payout');
    const p = await requestPayout(fx.creator, 1430, DESTINATION, fx.payoutKey);
    expect(p.status).toBe(201);
    fx.payout = p.json.payout.id;

    before = await snapshot();
    const w = JSON.parse(before['user0 /v1/wallet']!);
    expect(w.coins).toBe(1500);
    expect(JSON.parse(before['user2 /v1/wallet']!)).toMatchObject({ diamonds: 570, diamondsPending: 1430 });
  });

  afterAll(() => {
    console.log(
      `bad-requests: ${CASES.length} distinct bad requests sent, ${answered.length} answered; by status: ${JSON.stringify(answered.reduce<Record<number, number>>((m, a) => ((m[a.status] = (m[a.status] ?? 0) + 1), m), {}))}`,
    );
  });

  it('has at least 60 distinct cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await send(c);
    answered.push({ name: c.name, status: r.status, code: r.json?.error?.code });
    expect(r.status, r.text).toBeGreaterThanOrEqual(400);
    expect(r.status, r.text).toBeLessThan(500);
    expect(r.json, r.text).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    expect(r.json.error.message.length).toBeGreaterThan(0);
    expect(Object.keys(ERROR_STATUS)).toContain(r.json.error.code);
    expect(ERROR_STATUS[r.json.error.code as keyof typeof ERROR_STATUS]).toBe(r.status);
    expect({ status: r.status, code: r.json.error.code }).toEqual({ status: c.status, code: c.code });
    if (c.field !== undefined) expect(r.json.error.field).toBe(c.field);
  });

  // SPEC "400 invalid_request (with field)": a purchase body is a union (packId or coins), whose one
  // invalid_union issue has an empty path; the error must still name the field that is wrong.
  it('a purchase with one bad field names that field', async () => {
    for (const [field, body] of [
      ['coins', { coins: '500' }],
      ['coins', { coins: 100.5 }],
      ['coins', { coins: 2 ** 53 }],
      ['packId', { packId: 100 }],
      ['packId', { packId: null }],
    ] as const) {
      const r = await api(purchases, { body, token: fx.viewer.token, key: uniqueKey() });
      expect(r.status).toBe(400);
      expect(r.json.error.field, JSON.stringify(body)).toBe(field);
    }
  });

  it('changed nothing: wallets, histories, purchases and payouts read the same, and the audit is clean', async () => {
    const after = await snapshot();
    for (const k of Object.keys(before)) expect(after[k], k).toBe(before[k]);
    await expectCleanAudit();
    const requested = (await api('/v1/admin/payouts?status=requested', { token: ADMIN })).json.payouts;
    expect(requested.map((p: { id: string }) => p.id)).toEqual([fx.payout]);
    expect((await walletStub(fx.creator.id).audit()).violations).toEqual([]);
  });
});
