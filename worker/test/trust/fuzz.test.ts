import { env } from 'cloudflare:test';
import fc from 'fast-check';
import { Hono } from 'hono';
import { validator } from 'hono/validator';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { COMBO_WINDOW, findGift, IdempotencyKey } from '@giftstream/shared';
import { advanceClock, now } from '../../src/clock';
import { app } from '../../src/index';
import { routeTable, type RouteSpec } from '../../src/openapi';
import {
  ADMIN,
  call,
  creditQueueSize,
  inChunks,
  outboxSize,
  type Reply,
  reportCounts,
  retryRoomNow,
  roomLog,
  soakSetting,
  until,
  walletStub,
} from '../helpers';
import { makeEvent, sign } from '../stripe-fake';

const ROUTES = routeTable(app);

/**
 * A generated corpus of malformed requests against every money-moving route: each route whose definition
 * takes an Idempotency-Key (`routeTable(app)`), plus the Stripe webhook. At least PER_ROUTE requests each: wrong types and
 * ranges, bad encodings (invalid UTF-8, BOM, overlong numbers), unicode, huge bodies, duplicated JSON
 * keys, header abuse (Idempotency-Key, Content-Type, Authorization, Stripe-Signature). Every request is
 * built from a valid one that WOULD move money, and is checked to carry at least one real defect by the
 * same rules the worker applies (the body is read through Hono's own validator in this runtime). Every
 * answer must be a 4xx JSON error {error:{code,message}}, never a 5xx, and nothing may change: the
 * audit, every balance, the purchase, the payouts and the room's log read the same after each route.
 */

const PER_ROUTE = Number(soakSetting('FUZZ_PER_ROUTE') ?? 1_100);
const SEED = Number(soakSetting('FUZZ_SEED') ?? 424242);
const CHUNK = 25;
const MAX_BODY = 16 * 1024;
const MAX_WEBHOOK_BODY = 256 * 1024;
const PASSWORD = 'a long enough password';
const DESTINATION = 'FR76 3000 6000 0112 3456 7890 189';

interface Person {
  id: string;
  token: string;
  email: string;
}

const w = {} as { owner: Person; viewer: Person; revoked: string; handle: string; purchase: string; payout: string };

// ---- what the worker sees of a body: the same validator, in the same runtime ----

const mirror = new Hono().post(
  '/',
  validator('json', (v) => v),
  (c) => c.json({ value: c.req.valid('json') as unknown }),
);

type Seen = { ok: true; value: unknown } | { ok: false };

async function bodyAsSeen(contentType: string | null, bytes: Bytes): Promise<Seen> {
  const headers: Record<string, string> = contentType === null ? {} : { 'content-type': contentType };
  const res = await mirror.request('/', { method: 'POST', headers, body: bytes });
  if (res.status !== 200) return { ok: false };
  return { ok: true, value: ((await res.json()) as { value: unknown }).value };
}

// ---- the money-moving routes and what would make a request to them do something ----

interface Target {
  route: RouteSpec;
  path: string;
  token: () => string;
  base: Record<string, unknown>;
  /** The body (as the worker sees it) would be acted on: schema-valid and meaningful. */
  acts: (value: unknown) => boolean;
  /** Paths that name nothing. */
  strangers: string[];
}

const ULID_NOBODY = '01J00000000000000000000000';

function schemaOk(schema: ZodType | undefined, value: unknown): unknown {
  const r = schema!.safeParse(value);
  return r.success ? r.data : undefined;
}

function targets(): Target[] {
  const byId = (id: string) => ROUTES.find((r) => `${r.method} ${r.path}` === id)!;
  const list: Target[] = [];
  for (const route of ROUTES.filter((r) => r.idempotent)) {
    const id = `${route.method} ${route.path}`;
    switch (id) {
      case 'POST /v1/purchases':
        list.push({
          route,
          path: '/v1/purchases',
          token: () => w.viewer.token,
          base: { packId: 'pack_100' },
          acts: (v) => {
            const p = schemaOk(route.body, v) as { packId?: string; coins?: number } | undefined;
            if (!p) return false;
            if (p.packId !== undefined)
              return ['pack_100', 'pack_500', 'pack_1000', 'pack_2500', 'pack_5000', 'pack_10000'].includes(p.packId);
            return p.coins! >= 100 && p.coins! <= 100_000;
          },
          strangers: ['/v1/Purchases', '/v1/purchasesX'],
        });
        break;
      case 'POST /v1/purchases/:id/refund':
        list.push({
          route,
          path: `/v1/purchases/${w.purchase}/refund`,
          token: () => w.owner.token,
          base: {},
          acts: (v) => schemaOk(route.body, v) !== undefined,
          strangers: [
            `/v1/purchases/${ULID_NOBODY}/refund`,
            '/v1/purchases/%00/refund',
            `/v1/purchases/${'9'.repeat(300)}/refund`,
            `/v1/purchases/${w.purchase.toLowerCase()}/refund`,
            '/v1/purchases/..%2F..%2Fadmin/refund',
          ],
        });
        break;
      case 'POST /v1/creator/payouts':
        list.push({
          route,
          path: '/v1/creator/payouts',
          token: () => w.owner.token,
          base: { diamonds: 1430, destination: DESTINATION },
          acts: (v) => {
            const p = schemaOk(route.body, v) as { diamonds: number } | undefined;
            return !!p && p.diamonds % 10 === 0 && Math.floor((p.diamonds * 7) / 10) >= 1000;
          },
          strangers: ['/v1/creator/payout', '/v1/Creator/payouts'],
        });
        break;
      case 'POST /v1/rooms/:handle/gifts':
        list.push({
          route,
          path: `/v1/rooms/${w.handle}/gifts`,
          token: () => w.viewer.token,
          base: { giftId: 'rose', count: 1 },
          acts: (v) => {
            const p = schemaOk(route.body, v) as { giftId: string } | undefined;
            return !!p && findGift(p.giftId) !== undefined;
          },
          strangers: [
            '/v1/rooms/nobody_here/gifts',
            `/v1/rooms/${w.handle.toUpperCase()}/gifts`,
            '/v1/rooms/%F0%9F%92%B0/gifts',
            `/v1/rooms/${'a'.repeat(500)}/gifts`,
          ],
        });
        break;
      case 'POST /v1/admin/payouts/:id':
        list.push({
          route,
          path: `/v1/admin/payouts/${w.payout}`,
          token: () => ADMIN,
          base: { status: 'paid' },
          acts: (v) => schemaOk(route.body, v) !== undefined,
          strangers: [
            `/v1/admin/payouts/${ULID_NOBODY}`,
            `/v1/admin/payouts/${w.payout}x`,
            "/v1/admin/payouts/' OR 1=1 --",
          ],
        });
        break;
      default:
        throw new Error(`the fuzz corpus has no target for the money-moving route ${id}: add one`);
    }
  }
  list.push({
    route: byId('POST /v1/webhooks/stripe'),
    path: '/v1/webhooks/stripe',
    token: () => '',
    base: {},
    acts: () => true,
    strangers: [],
  });
  return list;
}

// ---- generators ----

const enc = new TextEncoder();
type Bytes = Uint8Array<ArrayBuffer>;
const utf8 = (s: string): Bytes => enc.encode(s) as Bytes;
const concat = (...parts: Uint8Array[]): Bytes => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) out.set(p, i), (i += p.length);
  return out;
};

const weird = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '\u202e\u202d',
  'ROSE',
  'rose ',
  ' rose',
  '🌹',
  'ℝ𝕠𝕤𝕖',
  'r\u200bose',
  '\ud800',
  '\udfff\ud800',
  '<script>alert(1)</script>',
  "'; DROP TABLE users; --",
  '../../etc/passwd',
  '%00',
  'x'.repeat(65),
  'x'.repeat(5000),
  'pack_100\u0000',
  'pack_１００',
  'null',
  'true',
  '1430',
);
const badNumber = fc.constantFrom<unknown>(
  0,
  -1,
  -0,
  1.5,
  0.1,
  99,
  100_001,
  1435,
  1420,
  2 ** 53,
  -(2 ** 53),
  1e21,
  '100',
  '1430',
  null,
  true,
  [],
  {},
  [100],
  { amount: 100 },
);
const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 3 }), badNumber, weird);
const field = fc.constantFrom(
  'packId',
  'coins',
  'giftId',
  'count',
  'message',
  'anonymous',
  'diamonds',
  'destination',
  'status',
  'reference',
  'balance',
  'role',
  'userId',
  '__proto__',
  'constructor',
  'PACKID',
  '',
);

/** A mutation of the valid body, as JSON text (some are not JSON at all). */
function bodyText(base: Record<string, unknown>): fc.Arbitrary<{ text: string; what: string }> {
  const json = (v: unknown, what: string) => ({ text: JSON.stringify(v), what });
  return fc.oneof(
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...Object.keys(base), 'giftId'), anyJson)
        .map(([k, v]) => json({ ...base, [k]: v }, `${k} = ${JSON.stringify(v)?.slice(0, 40)}`)),
    },
    { weight: 2, arbitrary: fc.tuple(field, anyJson).map(([k, v]) => json({ ...base, [k]: v }, `extra ${k}`)) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...Object.keys(base), 'x')
        .map((k) => json(Object.fromEntries(Object.entries(base).filter(([key]) => key !== k)), `without ${k}`)),
    },
    { weight: 1, arbitrary: anyJson.map((v) => json(v, `the body is ${JSON.stringify(v)?.slice(0, 30)}`)) },
    {
      weight: 1,
      arbitrary: fc
        .dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 4 })
        .map((d) => json(d, 'random object')),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          // Duplicated keys: JSON.parse keeps the last.
          ['{"packId":"pack_100","packId":"pack_1"}', 'duplicate key, bad last'],
          ['{"packId":"pack_1","packId":"pack_100"}', 'duplicate key, good last'],
          ['{"giftId":"rose","giftId":"unicorn","count":1}', 'duplicate giftId'],
          ['{"giftId":"rose","count":1,"count":100}', 'duplicate count'],
          ['{"diamonds":1430,"diamonds":1435,"destination":"FR76 3000 6000 0112"}', 'duplicate diamonds'],
          ['{"status":"paid","status":"approved"}', 'duplicate status'],
          // Overlong and odd numbers.
          ['{"coins":100000000000000000000000000000}', 'overlong number'],
          ['{"coins":1e400}', 'number overflows to Infinity'],
          ['{"coins":100.0000000000000000001}', 'number with a long fraction'],
          ['{"count":1.0000000000000002}', 'nearly an integer'],
          ['{"giftId":"rose","count":0x10}', 'hex number'],
          ['{"giftId":"rose","count":+1}', 'plus sign'],
          ['{"giftId":"rose","count":01}', 'leading zero'],
          ['{"diamonds":NaN,"destination":"x"}', 'NaN'],
          // Not JSON.
          ['', 'empty'],
          ['   ', 'blank'],
          ['{', 'truncated'],
          ['{"packId":"pack_100",}', 'trailing comma'],
          ["{'packId':'pack_100'}", 'single quotes'],
          ['{"packId":"pack_100"}{"packId":"pack_100"}', 'two documents'],
          ['packId=pack_100', 'form encoding'],
          ['<xml/>', 'xml'],
          ['{"status":"paid"}\u0000', 'trailing NUL'],
          ['[{"giftId":"rose"}]', 'array of the body'],
          [`${'['.repeat(2000)}${']'.repeat(2000)}`, 'deep nesting'],
          ['{"giftId":"rose","message":"\\ud800"}', 'lone surrogate escape'],
          ['{"giftId":"\\u0072\\u006f\\u0073\\u0065\\u0000"}', 'escaped NUL'],
        )
        .map(([text, what]) => ({ text, what })),
    },
  );
}

/** Byte-level variants of a text: as is, a BOM, invalid UTF-8, or padded past the size limit. */
const encoding = fc.constantFrom('utf8', 'utf8', 'utf8', 'bom', 'invalid-utf8', 'overlong-utf8', 'latin1', 'huge');

function encode(text: string, how: string, limit: number): Bytes {
  switch (how) {
    case 'bom':
      return concat(new Uint8Array([0xef, 0xbb, 0xbf]), utf8(text));
    case 'invalid-utf8': {
      const b = utf8(text);
      const at = Math.max(0, text.indexOf('"', 2));
      return concat(b.slice(0, at + 1), new Uint8Array([0xff, 0xfe, 0xc3]), b.slice(at + 1));
    }
    case 'overlong-utf8': {
      const b = utf8(text);
      const at = Math.max(0, text.indexOf('"', 2));
      // "/" as an overlong two-byte sequence, which a correct decoder must not read as "/".
      return concat(b.slice(0, at + 1), new Uint8Array([0xc0, 0xaf]), b.slice(at + 1));
    }
    case 'latin1':
      return Uint8Array.from([...text].map((ch) => ch.charCodeAt(0) & 0xff)) as Bytes;
    case 'huge':
      return utf8(`{"pad":"${'x'.repeat(limit + 10)}",${text.replace(/^\{/, '')}`);
    default:
      return utf8(text);
  }
}

const contentType = fc.constantFrom<string | null>(
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/json; charset=utf-16',
  'application/jsonp',
  'application/json, text/plain',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  '',
  null,
);

type Auth = { kind: 'valid' } | { kind: 'bad'; header: string | null; why: string };
function authArb(t: Target): fc.Arbitrary<Auth> {
  const valid = t.token();
  const user = t.route.access !== 'admin';
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant<Auth>({ kind: 'valid' }) },
    {
      weight: 4,
      arbitrary: fc
        .constantFrom<[string | null, string]>(
          [null, 'no Authorization'],
          ['', 'empty'],
          ['Bearer', 'scheme only'],
          ['Bearer ', 'empty token'],
          ['Bearer gs_not_a_real_token', 'unknown token'],
          [`Bearer ${'A'.repeat(201)}`, 'token too long'],
          [`Bearer ${'A'.repeat(8000)}`, 'huge token'],
          ['Basic dXNlcjpwYXNzd29yZA==', 'Basic auth'],
          [`bearer ${valid}`, 'lowercase scheme'],
          [valid, 'no scheme'],
          [`Bearer  ${valid}`, 'two spaces'],
          [`Bearer ${valid} x`, 'trailing junk'],
          [`Bearer ${valid}, Bearer ${valid}`, 'doubled header'],
          [`Bearer ${valid}!`, 'punctuation in the token'],
          [`Bearer\t${valid}`, 'tab instead of space'],
          [`Bearer ${valid.slice(0, -1)}`, 'one character short'],
          [`Bearer ${w.revoked}`, 'revoked session'],
          [
            `Bearer ${user ? ADMIN : w.owner.token}`,
            user ? 'the operator secret on a user route' : "a creator's session on an operator route",
          ],
          ['Bearer test-admin-token.', 'operator secret with a dot'],
          ['Bearer TEST-ADMIN-TOKEN', 'operator secret in capitals'],
        )
        .map(([header, why]): Auth => ({ kind: 'bad', header, why })),
    },
  );
}

type Key = { header: string | null; why: string };
const keyArb: fc.Arbitrary<Key> = fc.oneof(
  { weight: 6, arbitrary: fc.uuid().map((u) => ({ header: `fuzz-${u}`, why: 'fresh key' })) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<Key>(
      { header: null, why: 'no key' },
      { header: '', why: 'empty key' },
      { header: '   ', why: 'blank key' },
      { header: 'k'.repeat(256), why: 'key of 256' },
      { header: 'k'.repeat(9000), why: 'key of 9000' },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Key>(
      { header: 'tab\tinside', why: 'key with a tab' },
      { header: 'a, b', why: 'comma key' },
      { header: 'k'.repeat(255), why: 'key of 255' },
      { header: '"quoted"', why: 'quoted key' },
    ),
  },
);

type Noise = { cookie?: string; ip?: string; query?: string; strangePath: number };
const noise: fc.Arbitrary<Noise> = fc.record({
  cookie: fc.option(fc.constantFrom('session=1', `c=${'x'.repeat(6000)}`), { nil: undefined }),
  ip: fc.option(fc.constantFrom('203.0.113.9', '::1', 'not an ip', '1.1.1.1, 2.2.2.2'), { nil: undefined }),
  query: fc.option(fc.constantFrom('?balance=1', '?userId=x&role=admin', '?__proto__=1', `?q=${'%ff'.repeat(50)}`), {
    nil: undefined,
  }),
  strangePath: fc.nat({ max: 9 }),
});

interface Case {
  method: string;
  path: string;
  headers: Headers;
  body: Bytes;
  /** Why this request must be refused. */
  defects: string[];
}

async function apiCase(
  t: Target,
  spec: { auth: Auth; key: Key; ct: string | null; body: { text: string; what: string }; how: string; noise: Noise },
): Promise<Case> {
  const headers = new Headers();
  const defects: string[] = [];
  if (spec.auth.kind === 'valid') headers.set('authorization', `Bearer ${t.token()}`);
  else {
    if (spec.auth.header !== null) headers.set('authorization', spec.auth.header);
    defects.push(`auth: ${spec.auth.why}`);
  }
  if (spec.key.header !== null) headers.set('idempotency-key', spec.key.header);
  if (spec.key.header === null || !IdempotencyKey.safeParse(spec.key.header.trim()).success)
    defects.push(`key: ${spec.key.why}`);
  if (spec.ct !== null) headers.set('content-type', spec.ct);
  if (spec.noise.cookie) headers.set('cookie', spec.noise.cookie);
  if (spec.noise.ip) headers.set('cf-connecting-ip', spec.noise.ip);
  const body = encode(spec.body.text, spec.how, MAX_BODY);
  if (body.length > MAX_BODY) defects.push(`body of ${body.length} bytes`);
  else {
    const seen = await bodyAsSeen(spec.ct, body);
    if (!seen.ok) defects.push(`body: not JSON (${spec.body.what}, ${spec.how}, ${spec.ct})`);
    else if (!t.acts(seen.value)) defects.push(`body: ${spec.body.what} (${spec.how}, ${spec.ct})`);
  }
  let path = t.path;
  if (spec.noise.strangePath < t.strangers.length && spec.noise.strangePath < 2) {
    path = t.strangers[spec.noise.strangePath]!;
    defects.push(`path ${path.slice(0, 60)}`);
  }
  if (!defects.length) {
    // Everything about it was valid: it would move money. Take its key away so it must not.
    headers.delete('idempotency-key');
    defects.push('key: removed from an otherwise valid request');
  }
  return { method: 'POST', path: path + (spec.noise.query ?? ''), headers, body, defects };
}

// ---- the webhook: the signature is the credential ----

type SigSpec = { kind: string };
const sigArb = fc.constantFrom(
  'missing',
  'empty',
  'garbage',
  'wrong secret',
  'stale 301 s',
  'stale 1 day',
  't not a number',
  'v0 only',
  'signature of another body',
  'huge header',
  'body changed after signing',
  'invalid UTF-8 added after signing',
  'whitespace added after signing',
  'key duplicated after signing',
  'body too large',
  'signed, not JSON',
  'signed, not an event',
  'signed, fields of the wrong type',
);

async function webhookCase(kind: string, ct: string | null, variant: number): Promise<Case> {
  const event = makeEvent(
    'charge.dispute.created',
    {
      id: `dp_fuzz_${variant}`,
      object: 'dispute',
      amount: 500,
      currency: 'usd',
      payment_intent: `pi_fuzz_${variant}`,
      metadata: { purchaseId: w.purchase, userId: w.owner.id },
    },
    `evt_fuzz_${variant}_${crypto.randomUUID().slice(0, 8)}`,
  );
  let payload = JSON.stringify(event);
  const t = Math.floor(now() / 1000);
  let signature: string | null = await sign(payload);
  let body = utf8(payload);
  switch (kind) {
    case 'missing':
      signature = null;
      break;
    case 'empty':
      signature = '';
      break;
    case 'garbage':
      signature = [
        'nonsense',
        't=,v1=',
        'v1=abc',
        `t=${t}`,
        `t=${t},v1=${'0'.repeat(64)}`,
        ',,,,',
        `t=${t},t=${t},v1=`,
      ][variant % 7]!;
      break;
    case 'wrong secret':
      signature = await sign(payload, { secret: 'whsec_someone_else' });
      break;
    case 'stale 301 s':
      signature = await sign(payload, { timestamp: t - 301 });
      break;
    case 'stale 1 day':
      signature = await sign(payload, { timestamp: t - 86_400 });
      break;
    case 't not a number':
      signature = signature.replace(/^t=\d+/, 't=soon');
      break;
    case 'v0 only':
      signature = signature.replace('v1=', 'v0=');
      break;
    case 'signature of another body':
      signature = await sign(payload.replace('"amount":500', '"amount":5'));
      break;
    case 'huge header':
      signature = `${signature},${Array.from({ length: 200 }, () => `v1=${'a'.repeat(64)}`).join(',')}`.replace(
        /v1=[0-9a-f]{64}/,
        `v1=${'b'.repeat(64)}`,
      );
      break;
    case 'body changed after signing':
      body = utf8(payload.replace(w.purchase, w.purchase.slice(0, -1) + (w.purchase.endsWith('A') ? 'B' : 'A')));
      break;
    case 'invalid UTF-8 added after signing': {
      // (A leading BOM is not a change: UTF-8 decoding drops it, and the signed text is the same event.)
      const at = payload.indexOf('fraudulent') >= 0 ? payload.indexOf('"usd"') + 2 : 10;
      body = concat(body.slice(0, at), new Uint8Array([0xff]), body.slice(at));
      break;
    }
    case 'whitespace added after signing':
      body = utf8(JSON.stringify(event, null, 1));
      break;
    case 'key duplicated after signing':
      body = utf8(payload.replace('{"id"', '{"type":"customer.created","id"'));
      break;
    case 'body too large':
      payload = JSON.stringify({ ...event, pad: 'x'.repeat(MAX_WEBHOOK_BODY) });
      body = utf8(payload);
      signature = await sign(payload);
      break;
    case 'signed, fields of the wrong type': {
      const meta = { purchaseId: w.purchase, userId: w.owner.id };
      const objects: [string, Record<string, unknown>][] = [
        [
          'charge.refunded',
          { object: 'charge', amount: 500, amount_refunded: 'all', payment_intent: 'pi_x', metadata: meta },
        ],
        [
          'charge.refunded',
          { object: 'charge', amount: 500, amount_refunded: -500, payment_intent: 'pi_x', metadata: meta },
        ],
        [
          'charge.refunded',
          { object: 'charge', amount: 500, amount_refunded: 1.5, payment_intent: 'pi_x', metadata: meta },
        ],
        [
          'charge.refunded',
          { object: 'charge', amount: 500, amount_refunded: 1e308, payment_intent: 'pi_x', metadata: meta },
        ],
        [
          'charge.refunded',
          { object: 'charge', amount: 500, amount_refunded: null, payment_intent: 'pi_x', metadata: meta },
        ],
        ['charge.refunded', { object: 'charge', amount_refunded: 100, payment_intent: 5, metadata: 'not an object' }],
        [
          'charge.dispute.created',
          { object: 'dispute', payment_intent: { id: 5 }, metadata: { purchaseId: 5, userId: [] } },
        ],
        [
          'checkout.session.completed',
          {
            object: 'checkout.session',
            payment_status: 'paid',
            payment_intent: 5,
            metadata: { purchaseId: w.purchase, userId: 7 },
          },
        ],
        [
          'checkout.session.completed',
          {
            object: 'checkout.session',
            payment_status: 'paid',
            metadata: { purchaseId: { $ne: null }, userId: w.owner.id },
          },
        ],
        ['checkout.session.expired', { object: 'checkout.session', metadata: [w.purchase] }],
      ];
      const [type, object] = objects[variant % objects.length]!;
      payload = JSON.stringify(makeEvent(type, object, `evt_typed_${variant}_${crypto.randomUUID().slice(0, 6)}`));
      body = utf8(payload);
      signature = await sign(payload);
      break;
    }
    case 'signed, not JSON':
    case 'signed, not an event': {
      const texts =
        kind === 'signed, not JSON'
          ? ['', '{', 'null]', '{"id":"evt_x",}', "{'id':1}", '\u0000']
          : [
              'null',
              '[]',
              '"evt"',
              '42',
              '{}',
              '{"id":5,"type":"charge.refunded"}',
              `{"id":"evt_nodata_${variant}","type":"charge.dispute.created"}`,
              `{"id":"evt_nullobj_${variant}","type":"charge.refunded","data":{"object":null}}`,
              `{"type":"checkout.session.completed","data":{"object":{}}}`,
              `{"id":["evt"],"type":"x","data":{"object":{}}}`,
            ];
      payload = texts[variant % texts.length]!;
      body = utf8(payload);
      signature = await sign(payload);
      break;
    }
  }
  const headers = new Headers();
  if (signature !== null) headers.set('stripe-signature', signature);
  if (ct !== null) headers.set('content-type', ct);
  return { method: 'POST', path: '/v1/webhooks/stripe', headers, body, defects: [`signature/body: ${kind}`] };
}

// ---- state that must not move ----

async function snapshot() {
  const [audit, owner, viewer, ownerAudit, viewerAudit, purchase, payouts, log, events] = await Promise.all([
    call('/v1/admin/audit', { token: ADMIN }),
    call('/v1/wallet', { token: w.owner.token }),
    call('/v1/wallet', { token: w.viewer.token }),
    walletStub(w.owner.id).audit(),
    walletStub(w.viewer.id).audit(),
    call(`/v1/purchases/${w.purchase}`, { token: w.owner.token }),
    call('/v1/admin/payouts', { token: ADMIN }),
    roomLog(w.handle),
    env.DB.prepare('SELECT COUNT(*) AS n FROM stripe_events').first<{ n: number }>(),
  ]);
  expect(audit.json.violations).toEqual([]);
  return {
    totals: audit.json.totals,
    owner: {
      coins: owner.json.coins,
      diamonds: owner.json.diamonds,
      debt: owner.json.debt,
      pending: owner.json.diamondsPending,
    },
    viewer: { coins: viewer.json.coins, diamonds: viewer.json.diamonds, debt: viewer.json.debt },
    books: [ownerAudit.balances, viewerAudit.balances],
    purchase: purchase.json.purchase,
    payouts: payouts.json.payouts.map((p: { id: string; status: string; diamonds: number }) => [
      p.id,
      p.status,
      p.diamonds,
    ]),
    seq: log.length,
    stripeEvents: events?.n,
  };
}

const counts: Record<string, number> = {};
const statuses: Record<string, number> = {};

async function settle(): Promise<void> {
  await until(
    'deliveries settled',
    async () => {
      await retryRoomNow(w.handle);
      return (await Promise.all([creditQueueSize(w.handle), outboxSize(w.viewer.id), outboxSize(w.owner.id)])).reduce(
        (a, b) => a + b,
        0,
      );
    },
    (n) => n === 0,
  );
}

async function signupPerson(name: string): Promise<Person> {
  const email = `${name}-${crypto.randomUUID().slice(0, 8)}@fuzz.example`;
  const r = await call('/v1/auth/signup', {
    body: { email, password: PASSWORD, displayName: name, birthdate: '1979-11-30' },
  });
  expect(r.status, r.text).toBe(201);
  return { id: r.json.user.id, token: r.json.token, email };
}

describe('fuzzing the money-moving routes', () => {
  beforeAll(async () => {
    const [owner, viewer] = await Promise.all([signupPerson('owner'), signupPerson('viewer')]);
    Object.assign(w, { owner, viewer, handle: `fuzz_${crypto.randomUUID().slice(0, 6)}` });
    expect((await call('/v1/creators', { token: owner.token, body: { handle: w.handle } })).status).toBe(201);
    expect((await call('/v1/creator/live', { token: owner.token, body: { live: true } })).status).toBe(200);
    for (const u of [owner, viewer])
      expect(
        (await call('/v1/purchases', { token: u.token, key: `setup-${u.id}`, body: { packId: 'pack_10000' } })).status,
      ).toBe(201);
    w.purchase = (
      await call('/v1/purchases', { token: owner.token, key: `setup-p-${owner.id}`, body: { packId: 'pack_500' } })
    ).json.purchase.id;
    expect(
      (
        await call(`/v1/rooms/${w.handle}/gifts`, {
          token: viewer.token,
          key: `setup-g-${viewer.id}`,
          body: { giftId: 'castle' },
        })
      ).status,
    ).toBe(201);
    await until(
      'diamonds',
      async () => (await call('/v1/wallet', { token: owner.token })).json.diamonds,
      (d) => d === 5000,
    );
    w.payout = (
      await call('/v1/creator/payouts', {
        token: owner.token,
        key: `setup-q-${owner.id}`,
        body: { diamonds: 1430, destination: DESTINATION },
      })
    ).json.payout.id;
    const login = await call('/v1/auth/login', { body: { email: owner.email, password: PASSWORD } });
    w.revoked = login.json.token;
    expect((await call('/v1/auth/logout', { token: w.revoked, method: 'POST' })).status).toBe(204);
    // The setup gift's combo closes now, not in the middle of a route's run.
    advanceClock(COMBO_WINDOW + 1_000);
    await settle();
    expect((await roomLog(w.handle)).at(-1)?.type).toBe('combo_end');
  });

  it('covers every money-moving route the app defines', () => {
    const names = targets().map((t) => `${t.route.method} ${t.route.path}`);
    expect(names).toEqual([
      ...ROUTES.filter((r) => r.idempotent).map((r) => `${r.method} ${r.path}`),
      'POST /v1/webhooks/stripe',
    ]);
  });

  it.each([
    'POST /v1/purchases',
    'POST /v1/purchases/:id/refund',
    'POST /v1/creator/payouts',
    'POST /v1/rooms/:handle/gifts',
    'POST /v1/admin/payouts/:id',
    'POST /v1/webhooks/stripe',
  ])('%s: malformed requests get a 4xx JSON error and change nothing', async (name) => {
    const t = targets().find((x) => `${x.route.method} ${x.route.path}` === name)!;
    const before = await snapshot();
    const seed = SEED + name.length;
    let cases: Case[];
    if (t.route.access === 'stripe') {
      const specs = fc.sample(fc.tuple(sigArb, contentType), { numRuns: PER_ROUTE, seed });
      cases = await inChunks(specs, CHUNK, ([kind, ct], i) => webhookCase(kind, ct, i));
    } else {
      const arb = fc.record({
        auth: authArb(t),
        key: keyArb,
        ct: contentType,
        body: bodyText(t.base),
        how: encoding,
        noise,
      });
      const specs = fc.sample(arb, { numRuns: PER_ROUTE, seed });
      cases = await inChunks(specs, CHUNK, (spec) => apiCase(t, spec));
    }
    const distinct = new Set(
      cases.map((c) => `${c.path}|${headerList(c.headers)}|${new TextDecoder().decode(c.body)}`),
    );
    const failures: string[] = [];
    const replies = await inChunks(cases, CHUNK, async (c) => {
      const res = await app.request(c.path, { method: c.method, headers: c.headers, body: c.body }, env);
      const text = await res.text();
      return { status: res.status, text, json: safeJson(text), headers: res.headers } satisfies Reply;
    });
    replies.forEach((r, i) => {
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      const ok =
        r.status >= 400 &&
        r.status < 500 &&
        /application\/json/.test(r.headers.get('content-type') ?? '') &&
        typeof r.json?.error?.code === 'string' &&
        typeof r.json?.error?.message === 'string';
      if (!ok)
        failures.push(
          `${r.status} ${r.text.slice(0, 160)}  ←  ${cases[i]!.defects.join(' + ')}  [${cases[i]!.path.slice(0, 80)}]`,
        );
    });
    await settle();
    const after = await snapshot();
    expect(failures.slice(0, 25), `${failures.length} of ${cases.length} answers were not a 4xx JSON error`).toEqual(
      [],
    );
    expect(after, 'nothing changed').toEqual(before);
    expect(cases.length).toBeGreaterThanOrEqual(1_000);
    counts[name] = cases.length;
    counts[`${name} (distinct)`] = distinct.size;
  });

  it('counts', ({ task }) => {
    const total = Object.entries(counts)
      .filter(([k]) => !k.endsWith('(distinct)'))
      .reduce((s, [, n]) => s + n, 0);
    const perRoute = Object.fromEntries(Object.entries(counts).filter(([k]) => !k.endsWith('(distinct)')));
    reportCounts(task, 'fuzz', {
      routes: Object.keys(perRoute).length,
      requests: total,
      minPerRoute: Math.min(...Object.values(perRoute)),
      byStatus: JSON.stringify(statuses),
    });
  });
});

function headerList(h: Headers): string {
  const out: string[] = [];
  h.forEach((v, k) => {
    out.push(`${k}=${v}`);
  });
  return out.join(';');
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
