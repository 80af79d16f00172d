import Stripe from 'stripe';
import { afterEach, beforeEach, vi } from 'vitest';
import { now } from '../src/clock';
import { api, type Call, raw, type Reply, STRIPE_ENV } from './helpers';

/** A fake api.stripe.com behind globalThis.fetch (tests share the worker's isolate), for the worker in Stripe
 * mode (`STRIPE_ENV`). Events are signed with Stripe's own SDK and the test secret. */
export const WEBHOOK_SECRET = 'whsec_test_secret';

/** Through the app with the Stripe secret key configured. */
export function stripeCall(path: string, call: Call = {}) {
  return api(path, { ...call, env: STRIPE_ENV });
}

export interface StripeCall {
  method: string;
  url: string;
  path: string;
  params: URLSearchParams;
  headers: Headers;
}

/** Answers like api.stripe.com: one object per Idempotency-Key, as Stripe does for a replayed key. */
export class FakeStripe {
  calls: StripeCall[] = [];
  failing: null | 'http500' | 'throw' = null;
  /** The next K calls with a key not seen before answer 400, which the SDK does not retry: the provider did nothing. */
  failNext = 0;
  /** The next K refunds are refused for good, as Stripe refuses a charge already refunded. */
  refuseNext = 0;
  /** The next K transfers are refused for good (400), as Stripe refuses a transfer the platform balance cannot cover. */
  refuseTransfers = 0;
  /** Connect: accounts, transfers and reversals made at the provider, one per Idempotency-Key. */
  readonly madeAccounts: { id: string; email: string | null; type: string | null }[] = [];
  readonly madeTransfers: {
    id: string;
    amount: number;
    currency: string;
    destination: string;
    payoutId: string;
    userId: string;
  }[] = [];
  readonly madeReversals: { transferId: string; payoutId: string }[] = [];
  /** Refunds made at the provider: one per Idempotency-Key, however often the key was sent. */
  readonly madeRefunds: { paymentIntent: string; amount: number }[] = [];
  private byKey = new Map<string, unknown>();
  private n = 0;

  install() {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) =>
      this.handle(new Request(input, init)),
    );
  }

  sessionCalls() {
    return this.calls.filter((c) => c.method === 'POST' && c.path === '/v1/checkout/sessions');
  }

  refundCalls() {
    return this.calls.filter((c) => c.method === 'POST' && c.path === '/v1/refunds');
  }

  /** The parameters of each refund the worker asked for. */
  get refunds(): URLSearchParams[] {
    return this.refundCalls().map((c) => c.params);
  }

  callsTo(method: string, path: string | RegExp) {
    return this.calls.filter(
      (c) => c.method === method && (typeof path === 'string' ? c.path === path : path.test(c.path)),
    );
  }

  private async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.origin !== 'https://api.stripe.com') throw new Error(`unexpected outbound fetch ${req.method} ${req.url}`);
    const params = new URLSearchParams(new TextDecoder().decode(await req.arrayBuffer()));
    this.calls.push({ method: req.method, url: req.url, path: url.pathname, params, headers: req.headers });
    if (this.failing === 'throw') throw new TypeError('Network connection lost.');
    if (this.failing === 'http500')
      return json(500, { error: { type: 'api_error', message: 'An unknown error occurred' } });
    const key = req.headers.get('idempotency-key');
    if (key && this.byKey.has(key)) return json(200, this.byKey.get(key));
    if (this.failNext > 0) {
      this.failNext--;
      return json(400, { error: { type: 'api_error', message: 'injected outage' } });
    }
    let body: Record<string, unknown>;
    if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
      const id = `cs_test_${++this.n}${crypto.randomUUID().replace(/-/g, '')}`;
      body = {
        id,
        object: 'checkout.session',
        mode: 'payment',
        status: 'open',
        payment_status: 'unpaid',
        url: `https://checkout.stripe.com/c/pay/${id}`,
        amount_total: Number(params.get('line_items[0][price_data][unit_amount]')),
        currency: params.get('line_items[0][price_data][currency]'),
        client_reference_id: params.get('client_reference_id'),
        metadata: { purchaseId: params.get('metadata[purchaseId]'), userId: params.get('metadata[userId]') },
        payment_intent: null,
        livemode: false,
      };
    } else if (req.method === 'POST' && url.pathname === '/v1/refunds' && this.refuseNext > 0) {
      this.refuseNext--;
      return json(400, {
        error: {
          type: 'invalid_request_error',
          code: 'charge_already_refunded',
          message: 'Charge has already been refunded.',
        },
      });
    } else if (req.method === 'POST' && url.pathname === '/v1/refunds') {
      this.madeRefunds.push({
        paymentIntent: params.get('payment_intent') ?? '',
        amount: Number(params.get('amount')),
      });
      body = {
        id: `re_test_${++this.n}`,
        object: 'refund',
        amount: Number(params.get('amount')),
        currency: 'usd',
        payment_intent: params.get('payment_intent'),
        status: 'succeeded',
        metadata: { purchaseId: params.get('metadata[purchaseId]'), refundId: params.get('metadata[refundId]') },
      };
    } else if (req.method === 'POST' && url.pathname === '/v1/accounts') {
      const id = `acct_test_${++this.n}${crypto.randomUUID().replace(/-/g, '').slice(0, 8)}`;
      this.madeAccounts.push({ id, email: params.get('email'), type: params.get('type') });
      body = {
        id,
        object: 'account',
        type: params.get('type'),
        email: params.get('email'),
        details_submitted: false,
        charges_enabled: false,
        payouts_enabled: false,
        metadata: { userId: params.get('metadata[userId]') },
      };
    } else if (req.method === 'POST' && url.pathname === '/v1/account_links') {
      body = {
        object: 'account_link',
        created: 1,
        expires_at: 2,
        url: `https://connect.stripe.com/setup/e/${params.get('account')}/${++this.n}`,
      };
    } else if (req.method === 'POST' && url.pathname === '/v1/transfers' && this.refuseTransfers > 0) {
      this.refuseTransfers--;
      return json(400, {
        error: {
          type: 'invalid_request_error',
          code: 'balance_insufficient',
          message: 'You have insufficient available funds in your Stripe account.',
        },
      });
    } else if (req.method === 'POST' && url.pathname === '/v1/transfers') {
      const t = {
        id: `tr_test_${++this.n}`,
        amount: Number(params.get('amount')),
        currency: params.get('currency') ?? '',
        destination: params.get('destination') ?? '',
        payoutId: params.get('metadata[payoutId]') ?? '',
        userId: params.get('metadata[userId]') ?? '',
      };
      this.madeTransfers.push(t);
      body = {
        id: t.id,
        object: 'transfer',
        amount: t.amount,
        currency: t.currency,
        destination: t.destination,
        metadata: { payoutId: t.payoutId, userId: t.userId },
        reversed: false,
      };
    } else if (req.method === 'POST' && /^\/v1\/transfers\/[^/]+\/reversals$/.test(url.pathname)) {
      const transferId = url.pathname.split('/')[3]!;
      this.madeReversals.push({ transferId, payoutId: params.get('metadata[payoutId]') ?? '' });
      body = { id: `trr_test_${++this.n}`, object: 'transfer_reversal', transfer: transferId };
    } else {
      return json(404, {
        error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname})` },
      });
    }
    if (key) this.byKey.set(key, body);
    return json(200, body);
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'request-id': `req_${crypto.randomUUID()}` },
  });
}

/** A fresh fake Stripe for every test of the calling file. */
export function useFakeStripe(): { current: FakeStripe } {
  const holder = { current: new FakeStripe() };
  beforeEach(() => {
    holder.current = new FakeStripe();
    holder.current.install();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return holder;
}

// ---- signed webhooks ----

const stripe = new Stripe('sk_test_x', { httpClient: Stripe.createFetchHttpClient() });
const cryptoProvider = Stripe.createSubtleCryptoProvider();

export function eventId(): string {
  return `evt_${crypto.randomUUID().replace(/-/g, '')}`;
}

export function makeEvent(type: string, object: Record<string, unknown>, id = eventId(), account?: string) {
  return {
    id,
    ...(account ? { account } : {}),
    object: 'event',
    api_version: '2025-03-31.basil',
    created: Math.floor(now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

export function sign(payload: string, opts: { secret?: string; timestamp?: number } = {}) {
  return stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: opts.secret ?? WEBHOOK_SECRET,
    timestamp: opts.timestamp ?? Math.floor(now() / 1000),
    cryptoProvider,
  });
}

/** Signs and delivers one event as Stripe would; a Connect event names its connected account. */
export async function deliver(type: string, object: Record<string, unknown>, id = eventId(), account?: string) {
  const payload = JSON.stringify(makeEvent(type, object, id, account));
  return api('/v1/webhooks/stripe', { raw: payload, headers: { 'stripe-signature': await sign(payload) } });
}

/** Signs and posts an event built whole (e.g. by `makeEvent`) through `app.request`, as the trust suite sends. */
export async function postEvent(event: { id: string }): Promise<Reply> {
  const payload = JSON.stringify(event);
  return raw(
    'POST',
    '/v1/webhooks/stripe',
    { 'content-type': 'application/json', 'stripe-signature': await sign(payload) },
    payload,
  );
}

export function paidSession(
  p: { id: string; coins: number; price: { amount: number } },
  userId: string,
  sessionId: string,
  paymentIntent: string,
) {
  return {
    id: sessionId,
    object: 'checkout.session',
    mode: 'payment',
    status: 'complete',
    payment_status: 'paid',
    amount_total: p.price.amount,
    currency: 'usd',
    payment_intent: paymentIntent,
    client_reference_id: userId,
    metadata: { purchaseId: p.id, userId },
  };
}

/**
 * One purchase as Stripe's objects about it name it: its checkout session and payment intent, its price in
 * cents, and the metadata the worker put on it (`{}` for an object that arrives without it).
 */
export interface StripeSide {
  sessionId: string;
  paymentIntent: string;
  amount: number;
  metadata: Record<string, string>;
}

/** The purchase's checkout session, expired unpaid. */
export function expiredSession(s: StripeSide) {
  return {
    id: s.sessionId,
    object: 'checkout.session',
    mode: 'payment',
    status: 'expired',
    payment_status: 'unpaid',
    payment_intent: null,
    metadata: s.metadata,
  };
}

/** The purchase's charge after `amountRefunded` cents of it were refunded in all. */
export function refundedCharge(s: StripeSide, amountRefunded: number) {
  return {
    id: `ch_${s.paymentIntent.slice(3)}`,
    object: 'charge',
    amount: s.amount,
    amount_refunded: amountRefunded,
    refunded: amountRefunded >= s.amount,
    currency: 'usd',
    payment_intent: s.paymentIntent,
    metadata: s.metadata,
  };
}

/** A dispute of the purchase's charge; Stripe copies no metadata onto a dispute. */
export function chargeDispute(s: StripeSide) {
  return {
    id: `dp_${s.paymentIntent.slice(3)}`,
    object: 'dispute',
    amount: s.amount,
    currency: 'usd',
    charge: `ch_${s.paymentIntent.slice(3)}`,
    payment_intent: s.paymentIntent,
    reason: 'fraudulent',
    status: 'needs_response',
    metadata: {},
  };
}
