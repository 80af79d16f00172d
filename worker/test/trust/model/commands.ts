/**
 * The commands fast-check draws sequences from, one class per kind of step: sign up, buy (sandbox or
 * Stripe), webhooks, gifts, combos, refunds, payouts, the operator's decisions, going live, goals,
 * deleting an account, moving the clock. Each `step` sends its requests and moves the model; `Step.run`
 * then settles and checks everything. `newRun` is the opening every sequence starts from.
 */

import type fc from 'fast-check';
import {
  AdminPayoutDecision,
  maskDestination,
  PayoutRequest,
  PurchaseRequest,
  type PurchaseStatus,
  REFUND_WINDOW,
} from '@giftstream/shared';
import { expect } from 'vitest';
import { now } from '../../../src/clock';
import { clearFaults } from '../../../src/faults';
import { ADMIN, Observer } from '../../helpers';
import { describeReply, expectError, req, timing, verify } from './checker';
import { buyBatch, deliverEvent, giftBatch, setLive, signupUser } from './operations';
import {
  accounted,
  advance,
  type BuyEl,
  DESTINATION,
  type FaultPlan,
  fingerprint,
  freshRefund,
  type GiftEl,
  type HookSpec,
  type KeyMode,
  MAX_ADVANCE,
  MAX_USERS,
  type Model,
  NO_FAULTS,
  newEvent,
  newKey,
  type PayoutAmount,
  type PurchaseM,
  PROFILE,
  prior,
  purchaseCoins,
  reached,
  type Real,
  remember,
  resolveTtl,
  type RoomM,
  type Span,
  type StripeEventM,
  since,
  totals,
  track,
  upcoming,
  type UserM,
  within,
} from './state';

export type Cmd = fc.AsyncCommand<Model, Real>;

/** Each step: run, settle, compare everything; a failure names the steps that led to it. */
abstract class Step implements Cmd {
  abstract check(m: Readonly<Model>): boolean;
  abstract step(m: Model, real: Real): Promise<void>;
  abstract toString(): string;
  async run(m: Model, real: Real): Promise<void> {
    m.trace.push(this.toString());
    totals.steps++;
    try {
      const t = Date.now();
      await this.step(m, real);
      const t2 = Date.now();
      await verify(m, false);
      if (PROFILE)
        console.log(
          `${Date.now() - t} ms (step ${t2 - t}, verify ${Date.now() - t2}, settle ${timing.lastSettle}) ${this.toString()}`,
        );
    } catch (e) {
      clearFaults();
      const err = e instanceof Error ? e : new Error(String(e));
      err.message = `${err.message}\n--- steps of run ${m.run} (model clock +${m.advanced} ms) ---\n${m.trace.join('\n')}`;
      throw err;
    }
  }
}

const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;

export class SignupCmd extends Step {
  constructor(readonly adult: boolean) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.users.length < MAX_USERS;
  }
  async step(m: Model) {
    const i = m.users.length;
    m.users.push(await signupUser(this.adult, `r${m.run}u${i}`, `${this.adult ? 'Fan' : 'Kid'} ${m.run}-${i}`));
  }
  toString() {
    return `signup(${this.adult ? 'adult' : 'under 18'})`;
  }
}

export class BuyCmd extends Step {
  constructor(
    readonly user: number,
    readonly body: Record<string, unknown>,
    readonly key: KeyMode,
    readonly copies: number,
    readonly alsoFresh: number,
  ) {
    super();
  }
  check() {
    return true;
  }
  async step(m: Model) {
    const u = pick(m.users, this.user);
    let key = newKey('buy');
    let body = this.body;
    if (this.key !== 'fresh' && u.lastBuy) {
      key = u.lastBuy.key;
      body =
        this.key === 'reuse'
          ? u.lastBuy.body
          : purchaseCoins(u.lastBuy.body) === 500
            ? { packId: 'pack_100' }
            : { packId: 'pack_500' };
    }
    if (this.key === 'fresh') u.lastBuy = { key, body };
    const els: BuyEl[] = [{ body, key, copies: this.copies }];
    for (let i = 0; i < this.alsoFresh; i++) els.push({ body: { packId: 'pack_100' }, key: newKey('buy') });
    m.trace.push(`  ${u.label} key ${key}`);
    await buyBatch(m, u, els);
  }
  toString() {
    return `buy(user ${this.user}, ${JSON.stringify(this.body)}, key ${this.key}, ×${this.copies}${this.alsoFresh ? ` +${this.alsoFresh} at once` : ''})`;
  }
}

export class StripeBuyCmd extends Step {
  constructor(
    readonly user: number,
    readonly pack: number,
    readonly outage: boolean,
    readonly replay: boolean,
  ) {
    super();
  }
  check() {
    return true;
  }
  async step(m: Model, real: Real) {
    const u = pick(m.users, this.user);
    const replayOf = this.replay ? m.purchases.filter((p) => p.owner === u && !p.sandbox).at(-1) : undefined;
    const key = replayOf?.key ?? newKey('checkout');
    const coins = replayOf?.coins ?? this.pack;
    const body = { packId: `pack_${coins}` };
    const fp = fingerprint('/v1/purchases', PurchaseRequest.parse(body));
    resolveTtl(m, u.keys, key);
    if (this.outage) real.stripe.failNext = 1;
    const t0 = now();
    let r = await req('/v1/purchases', { token: u.token, key, body, stripe: true });
    const what = `checkout ${JSON.stringify(body)} by ${u.label}`;
    const p = prior(u.keys, key, fp, since(t0));
    if (this.outage && u.adult && !p.replay && !p.mismatch) {
      expectError(r, 502, 'payment_provider_error', what);
      r = await req('/v1/purchases', { token: u.token, key, body, stripe: true });
    }
    real.stripe.failNext = 0;
    const at = since(t0);
    if (p.replay) {
      expect(r.text, `${what}: replay`).toBe(p.replay.text);
      return;
    }
    if (!u.adult) {
      expectError(r, 403, 'age_restricted', what);
      remember(u.keys, key, fp, r, at);
      return;
    }
    expect(r.status, `${what}: ${describeReply(r)}`).toBe(201);
    expect(r.json.purchase, what).toMatchObject({ status: 'pending', coins, sandbox: false });
    expect(r.json.purchase.checkoutUrl).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    remember(u.keys, key, fp, r, at);
    const pm: PurchaseM = {
      id: r.json.purchase.id,
      owner: u,
      coins,
      price: coins,
      sandbox: false,
      status: 'pending',
      completedAt: null,
      refundedCoins: 0,
      refundedAmount: 0,
      pendingRefund: null,
      clawedBackCoins: 0,
      writtenOff: 0,
      paymentIntent: `pi_${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`,
      sessionId: r.json.purchase.checkoutUrl.split('/').pop(),
      piIndexed: false,
      providerTotal: 0,
      events: [],
      key,
    };
    newEvent(pm, 'checkout.session.completed');
    m.purchases.push(pm);
    track(m, pm);
  }
  toString() {
    return `checkout(user ${this.user}, pack_${this.pack}${this.outage ? ', Stripe down once' : ''}${this.replay ? ', replay' : ''})`;
  }
}

export class WebhookCmd extends Step {
  constructor(readonly hooks: HookSpec[]) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.purchases.some((p) => !p.sandbox);
  }
  async step(m: Model) {
    const stripe = m.purchases.filter((p) => !p.sandbox);
    for (const h of this.hooks) {
      const p = pick(stripe, h.purchase);
      let e: StripeEventM | undefined;
      switch (h.action) {
        case 'complete':
          e = p.events.find((x) => x.type === 'checkout.session.completed');
          break;
        case 'expire':
          e = p.events.find((x) => x.type === 'checkout.session.expired') ?? newEvent(p, 'checkout.session.expired');
          break;
        case 'refund_half':
        case 'refund_full': {
          const amount =
            h.action === 'refund_full' ? p.price : Math.min(p.price, p.providerTotal + Math.floor(p.price / 2));
          if (amount <= p.providerTotal) break;
          p.providerTotal = amount;
          e = newEvent(p, 'charge.refunded', { amount, metadata: h.metadata });
          break;
        }
        case 'pending':
          e = p.events.find((x) => !x.delivered);
          break;
        case 'dispute':
          e =
            p.events.find((x) => x.type === 'charge.dispute.created') ??
            newEvent(p, 'charge.dispute.created', { metadata: false });
          break;
        case 'redeliver':
          e = p.events.filter((x) => x.delivered).at(-1);
          break;
      }
      if (!e) continue;
      m.trace.push(`  ${e.type} ${e.amount ?? ''} for ${p.id} (${p.owner.label})`);
      await deliverEvent(m, p, e, h.copies, h.concurrent);
    }
  }
  toString() {
    return `webhooks(${this.hooks.map((h) => `#${h.purchase} ${h.action}${h.metadata ? '' : ' no-metadata'} ×${h.copies}${h.concurrent ? ' at once' : ''}`).join('; ')})`;
  }
}

export class GiftsCmd extends Step {
  constructor(
    readonly specs: {
      sender: number;
      room: number;
      giftId: string;
      count: number | undefined;
      anonymous: boolean;
      message: string | undefined;
      key: KeyMode;
    }[],
    readonly concurrent: boolean,
    readonly copies: number,
    readonly plan: FaultPlan,
  ) {
    super();
  }
  check() {
    return true;
  }
  async step(m: Model) {
    const els: GiftEl[] = [];
    for (const [i, s] of this.specs.entries()) {
      const sender = pick(m.users, s.sender);
      let room = pick(m.rooms, s.room);
      let body: GiftEl['body'] = {
        giftId: s.giftId,
        ...(s.count === undefined ? {} : { count: s.count }),
        ...(s.anonymous ? { anonymous: true } : {}),
        ...(s.message === undefined ? {} : { message: s.message }),
      };
      let key = newKey('gift');
      if (s.key !== 'fresh' && sender.lastGift) {
        key = sender.lastGift.key;
        room = m.rooms.find((r) => r.handle === sender.lastGift!.handle)!;
        const last = sender.lastGift.body as GiftEl['body'];
        body = s.key === 'reuse' ? last : { ...last, count: ((last.count ?? 1) % 99) + 1 };
      }
      const clash = els.some(
        (e) => e.sender === sender && (e.key === key || (e.room === room && e.body.giftId === body.giftId)),
      );
      if (clash) continue;
      if (s.key === 'fresh') sender.lastGift = { key, handle: room.handle, body };
      els.push({ sender, room, body, key, copies: i === 0 ? this.copies : 1 });
    }
    m.trace.push(
      ...els.map(
        (e) =>
          `  ${e.sender.label} → ${e.room.handle} ${JSON.stringify(e.body)} key ${e.key}${e.copies > 1 ? ` ×${e.copies}` : ''}`,
      ),
    );
    if (this.concurrent) await giftBatch(m, els, this.plan);
    else {
      for (const [i, el] of els.entries()) await giftBatch(m, [el], i === 0 ? this.plan : NO_FAULTS);
    }
  }
  toString() {
    const p = this.plan;
    const armed = Object.entries(p).filter(([, v]) => v);
    return `gifts(${this.concurrent ? 'at once' : 'in turn'}, ${this.specs.map((s) => `u${s.sender}→r${s.room} ${s.giftId}×${s.count ?? 1}${s.anonymous ? ' anon' : ''} ${s.key}`).join(', ')}${this.copies > 1 ? `, first ×${this.copies}` : ''}${armed.length ? `, faults ${armed.map(([k, v]) => `${k}=${v}`).join(' ')}` : ''})`;
  }
}

export class ComboCmd extends Step {
  constructor(
    readonly sender: number,
    readonly room: number,
    readonly giftId: string,
    readonly times: number,
    readonly count: number,
  ) {
    super();
  }
  check() {
    return true;
  }
  async step(m: Model) {
    const sender = pick(m.users, this.sender);
    const room = pick(m.rooms, this.room);
    for (let i = 0; i < this.times; i++) {
      const el: GiftEl = {
        sender,
        room,
        body: { giftId: this.giftId, count: this.count },
        key: newKey('combo'),
        copies: 1,
      };
      await giftBatch(m, [el], NO_FAULTS);
    }
  }
  toString() {
    return `combo(u${this.sender}→r${this.room} ${this.giftId}×${this.count}, ${this.times} times)`;
  }
}

export class RefundCmd extends Step {
  constructor(
    readonly purchase: number,
    readonly byOwner: boolean,
    readonly caller: number,
    readonly key: KeyMode,
    /** What Stripe does with the refund: accepts it, is down while the viewer asks (the wallet retries later), or refuses it for good. */
    readonly stripe: 'accepts' | 'down' | 'refuses',
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.purchases.length > 0;
  }
  async step(m: Model, real: Real) {
    let p = pick(m.purchases, this.purchase);
    const caller = this.byOwner ? p.owner : pick(m.users, this.caller);
    let key = newKey('refund');
    if (this.key !== 'fresh' && caller.lastRefund) {
      key = caller.lastRefund.key;
      if (this.key === 'reuse') p = caller.lastRefund.purchase;
      else if (p === caller.lastRefund.purchase) p = m.purchases.find((x) => x !== p) ?? p;
    }
    if (this.key === 'fresh') caller.lastRefund = { key, purchase: p };
    const path = `/v1/purchases/${p.id}/refund`;
    if (caller.closed) {
      // A deleted account's session is dead.
      expectError(
        await req(path, { token: caller.token, key, body: {}, stripe: !p.sandbox }),
        401,
        'unauthorized',
        `refund of ${p.id} by deleted ${caller.label}`,
      );
      return;
    }
    const fp = fingerprint(path, {});
    resolveTtl(m, caller.keys, key);
    if (p.completedAt && within(p.completedAt, upcoming(), REFUND_WINDOW, false) === 'either')
      advance(m, 3_600_000, 'off the refund window edge');
    m.trace.push(
      `  ${caller.label} refunds ${p.id} (${p.owner.label}, ${p.sandbox ? 'sandbox' : 'Stripe'}) key ${key}`,
    );
    const stripeMode = !p.sandbox;
    const t0 = now();
    const previewAt: Span = { lo: t0, hi: t0 };
    const pr = prior(caller.keys, key, fp, previewAt);
    // What a fresh request would do, decided before sending.
    const fresh = pr.replay || pr.mismatch ? null : freshRefund(caller, p);
    const willCallStripe = stripeMode && fresh?.status === 200;
    if (willCallStripe && this.stripe === 'down') real.stripe.failing = 'http500';
    if (willCallStripe && this.stripe === 'refuses') real.stripe.refuseNext = 1;
    const r = await req(path, { token: caller.token, key, body: {}, stripe: stripeMode });
    const what = `refund of ${p.id} by ${caller.label}`;
    real.stripe.failing = null;
    real.stripe.refuseNext = 0;
    const at = since(t0);
    track(m, p);
    if (pr.replay) {
      expect(r.text, `${what}: replay`).toBe(pr.replay.text);
      return;
    }
    if (pr.mismatch) {
      expectError(r, 409, 'idempotency_mismatch', what);
      return;
    }
    if (fresh!.status !== 200) {
      expectError(r, fresh!.status, fresh!.code!, what);
      remember(caller.keys, key, fp, r, at);
      return;
    }
    const coins = fresh!.coins!;
    reached(`refund 200 (${p.sandbox ? 'sandbox' : `Stripe ${this.stripe}`})`);
    const amount = Math.floor((p.price * coins) / p.coins);
    expect(r.status, `${what}: ${describeReply(r)}`).toBe(200);
    const before = p.status;
    p.refundedCoins += coins;
    p.refundedAmount += amount;
    // Real money goes back through Stripe: until its webhook confirms, the refund is on its way.
    p.status = stripeMode ? 'refund_pending' : accounted(p) >= p.coins ? 'refunded' : 'partially_refunded';
    expect(r.json.refund, what).toMatchObject({
      coins,
      amount: { amount, currency: 'USD' },
      status: stripeMode ? 'pending' : 'succeeded',
    });
    expect(r.json.purchase, what).toMatchObject({ id: p.id, status: p.status, refundedCoins: p.refundedCoins });
    expect(r.json.wallet.coins, what).toBe(Math.max(0, caller.balance - coins));
    remember(caller.keys, key, fp, r, at);
    this.applyRefund(m, caller, p, { coins, amount, before });
  }
  /** A refund that answered 200, in the model: sandbox refunds are done; Stripe's wait for its webhook. */
  private applyRefund(
    m: Model,
    caller: UserM,
    p: PurchaseM,
    x: { coins: number; amount: number; before: PurchaseStatus },
  ) {
    const { coins, amount, before } = x;
    const stripeMode = !p.sandbox;
    caller.balance -= coins;
    caller.history.push({ kind: 'refund', coins: -coins, diamonds: 0, ref: p.id });
    if (!stripeMode) {
      caller.external += coins;
      return;
    }
    if (this.stripe === 'refuses') {
      // Refused for good: the coins come back and the purchase is as it was.
      p.refundedCoins -= coins;
      p.refundedAmount -= amount;
      p.status = before;
      caller.balance += coins;
      caller.history.push({ kind: 'reversal', coins, diamonds: 0, ref: p.id });
      return;
    }
    // Stripe refunds the money (at once, or once the wallet's retry gets through); its charge.refunded
    // event will follow and settles the refund.
    caller.refundPending += coins;
    p.pendingRefund = { coins, amount };
    m.apiRefunds++;
    if (this.stripe === 'down') m.busy.add(caller);
    p.providerTotal += amount;
    newEvent(p, 'charge.refunded', { amount: p.providerTotal });
  }
  toString() {
    return `refund(purchase ${this.purchase}, ${this.byOwner ? 'owner' : `user ${this.caller}`}, key ${this.key}, Stripe ${this.stripe})`;
  }
}

export class PayoutCmd extends Step {
  constructor(
    readonly creator: number,
    readonly amount: PayoutAmount,
    readonly key: KeyMode,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return !pick(m.rooms, this.creator).owner.closed;
  }
  async step(m: Model) {
    const u = pick(m.rooms, this.creator).owner;
    const diamonds = {
      minimum: 1430,
      all: Math.max(1430, Math.floor(u.diamonds / 10) * 10),
      not_multiple: 1435,
      below_minimum: 1420,
      too_much: Math.floor(u.diamonds / 10) * 10 + 10_000,
    }[this.amount];
    let key = newKey('payout');
    let body: Record<string, unknown> = { diamonds, destination: DESTINATION };
    if (this.key !== 'fresh' && u.lastPayout) {
      key = u.lastPayout.key;
      body =
        this.key === 'reuse'
          ? u.lastPayout.body
          : { ...u.lastPayout.body, diamonds: (u.lastPayout.body.diamonds as number) + 10 };
    }
    if (this.key === 'fresh') u.lastPayout = { key, body };
    const parsed = PayoutRequest.parse(body);
    const fp = fingerprint('/v1/creator/payouts', parsed);
    resolveTtl(m, u.keys, key);
    const t0 = now();
    const r = await req('/v1/creator/payouts', { token: u.token, key, body });
    const at = since(t0);
    const what = `payout ${JSON.stringify(body)} by ${u.label} (has ${u.diamonds})`;
    const pr = prior(u.keys, key, fp, at);
    if (pr.replay) return void expect(r.text, `${what}: replay`).toBe(pr.replay.text);
    if (pr.mismatch) return expectError(r, 409, 'idempotency_mismatch', what);
    const d = parsed.diamonds;
    if (d % 10 !== 0 || Math.floor((d * 7) / 10) < 1000) return expectError(r, 400, 'invalid_request', what);
    remember(u.keys, key, fp, r, at);
    if (u.diamonds < d) return expectError(r, 402, 'insufficient_funds', what);
    expect(r.status, `${what}: ${describeReply(r)}`).toBe(201);
    reached('payout 201');
    expect(r.json.payout, what).toMatchObject({
      diamonds: d,
      amount: { amount: (d * 7) / 10, currency: 'USD' },
      status: 'requested',
      destination: maskDestination(DESTINATION),
      decidedAt: null,
      reference: null,
    });
    u.diamonds -= d;
    u.pending += d;
    u.history.push({ kind: 'payout', coins: 0, diamonds: -d, ref: r.json.payout.id });
    m.payouts.push({ id: r.json.payout.id, owner: u, diamonds: d, status: 'requested' });
  }
  toString() {
    return `payout(creator ${this.creator}, ${this.amount}, key ${this.key})`;
  }
}

export class DecideCmd extends Step {
  constructor(
    readonly payout: number,
    readonly status: 'paid' | 'rejected',
    readonly key: KeyMode,
    readonly reference: boolean,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.payouts.length > 0;
  }
  async step(m: Model) {
    let payout = pick(m.payouts, this.payout);
    let key = newKey('decide');
    let body: Record<string, unknown> = {
      status: this.status,
      ...(this.reference ? { reference: `wire ${m.run}` } : {}),
    };
    const last = m.lastDecision;
    if (this.key !== 'fresh' && last) {
      key = last.key;
      if (this.key === 'reuse') {
        payout = last.payout;
        body = last.body;
      } else {
        // The same key for another request: another payout (another creator's, when there is one), else the other decision.
        const other =
          m.payouts.find((p) => p !== last.payout && p.owner !== last.payout.owner) ??
          m.payouts.find((p) => p !== last.payout);
        if (other) {
          payout = other;
          body = last.body;
        } else {
          payout = last.payout;
          body = { ...last.body, status: last.body.status === 'paid' ? 'rejected' : 'paid' };
        }
      }
    }
    if (this.key === 'fresh') m.lastDecision = { key, payout, body };
    const u = payout.owner;
    const path = `/v1/admin/payouts/${payout.id}`;
    const fp = fingerprint(path, AdminPayoutDecision.parse(body));
    resolveTtl(m, u.operatorKeys, key);
    const t0 = now();
    const r = await req(path, { token: ADMIN, key, body });
    const at = since(t0);
    const what = `operator marks ${payout.id} ${JSON.stringify(body)}`;
    const bound = m.operatorBindings.get(key);
    if (bound !== undefined && bound !== fp)
      return expectError(r, 409, 'idempotency_mismatch', `${what} (key bound to another request)`);
    m.operatorBindings.set(key, fp);
    const pr = prior(u.operatorKeys, key, fp, at);
    if (pr.replay) return void expect(r.text, `${what}: replay`).toBe(pr.replay.text);
    if (pr.mismatch) return expectError(r, 409, 'idempotency_mismatch', what);
    remember(u.operatorKeys, key, fp, r, at);
    if (payout.status !== 'requested') return expectError(r, 409, 'conflict', what);
    expect(r.status, `${what}: ${describeReply(r)}`).toBe(200);
    const status = body.status as 'paid' | 'rejected';
    reached(`decide ${status}`);
    expect(r.json.payout, what).toMatchObject({
      id: payout.id,
      diamonds: payout.diamonds,
      status,
      reference: (body.reference as string | undefined) ?? null,
    });
    payout.status = status;
    u.pending -= payout.diamonds;
    if (status === 'paid') {
      u.paidOut += payout.diamonds;
      u.history.push({ kind: 'payout', coins: 0, diamonds: 0, ref: payout.id });
    } else {
      u.diamonds += payout.diamonds;
      u.history.push({ kind: 'reversal', coins: 0, diamonds: payout.diamonds, ref: payout.id });
    }
  }
  toString() {
    return `decide(payout ${this.payout}, ${this.status}, key ${this.key})`;
  }
}

export class LiveCmd extends Step {
  constructor(
    readonly creator: number,
    readonly live: boolean,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return !pick(m.rooms, this.creator).owner.closed;
  }
  async step(m: Model) {
    await setLive(m, pick(m.rooms, this.creator), this.live);
  }
  toString() {
    return `live(creator ${this.creator}, ${this.live})`;
  }
}

/**
 * A viewer lowers (or first sets) their per-stream gift cap, in cents: it applies at once. Raises wait 24 h and
 * are left to the route tests, so the model's cap is always the one in force.
 */
export class GiftCapCmd extends Step {
  constructor(
    readonly user: number,
    readonly cents: number,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.users.length > 0;
  }
  async step(m: Model) {
    const u = pick(m.users, this.user);
    const want = u.streamCap === null ? this.cents : Math.min(this.cents, u.streamCap - 1);
    if (want <= 0) return;
    const r = await req('/v1/wallet/limits', { method: 'PUT', token: u.token, body: { giftLimits: { stream: want } } });
    expect(r.status, describeReply(r)).toBe(200);
    expect(r.json.giftLimits.stream, `${u.label}: a lower stream cap applies at once`).toBe(want);
    expect(r.json.pendingLimits, `${u.label}: nothing waits after a lowering`).toEqual([]);
    u.streamCap = want;
  }
  toString() {
    return `giftCap(user ${this.user}, stream ≤ ${this.cents} cents)`;
  }
}

export class GoalCmd extends Step {
  constructor(
    readonly creator: number,
    readonly goal: { label: string; coins: number } | null,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return !pick(m.rooms, this.creator).owner.closed;
  }
  async step(m: Model) {
    const room = pick(m.rooms, this.creator);
    const r = this.goal
      ? await req('/v1/creator/goal', { method: 'PUT', token: room.owner.token, body: this.goal })
      : await req('/v1/creator/goal', { method: 'DELETE', token: room.owner.token });
    expect(r.status, describeReply(r)).toBe(200);
    room.goal = this.goal ? { label: this.goal.label, target: this.goal.coins, progress: 0 } : null;
    room.goalTouched = true;
    expect(r.json.goal).toEqual(room.goal);
  }
  toString() {
    return `goal(creator ${this.creator}, ${JSON.stringify(this.goal)})`;
  }
}

/**
 * A user deletes the account. In debt: 409 in_debt. Holding coins, diamonds or pending payouts without
 * forfeiting: 409 conflict. Else pending payouts are withdrawn, what is left is forfeited, the room goes
 * off air, the token dies, and the wallet stays to receive what is still on its way (and refund it).
 */
export class DeleteCmd extends Step {
  constructor(
    readonly user: number,
    readonly forfeit: boolean,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.users.length > 2;
  }
  async step(m: Model) {
    const u = pick(m.users, this.user);
    const what = `delete ${u.label}`;
    m.trace.push(`  ${what}${this.forfeit ? ' (forfeit)' : ''}`);
    const r = await req('/v1/me', {
      method: 'DELETE',
      token: u.token,
      body: { password: 'a long enough password', forfeit: this.forfeit },
    });
    if (u.balance < 0) {
      expectError(r, 409, 'in_debt', what);
      expect(r.json.closing.debt).toBe(-u.balance);
      return;
    }
    if (!this.forfeit && (u.balance > 0 || u.diamonds > 0 || u.pending > 0)) {
      expectError(r, 409, 'conflict', what);
      return;
    }
    reached(`delete 200${u.room ? ' (creator)' : ''}`);
    expect(r.status, `${what}: ${describeReply(r)}`).toBe(200);
    const withdrawn = m.payouts.filter((p) => p.owner === u && p.status === 'requested');
    for (const p of withdrawn) {
      p.status = 'rejected';
      u.pending -= p.diamonds;
      u.diamonds += p.diamonds;
    }
    expect(r.json, what).toEqual({
      deleted: true,
      forfeited: { coins: u.balance, diamonds: u.diamonds },
      withdrawnPayouts: expect.arrayContaining(withdrawn.map((p) => p.id)),
    });
    u.spent += u.balance;
    u.balance = 0;
    u.issued += u.diamonds;
    u.diamonds = 0;
    u.closed = true;
    m.users.splice(m.users.indexOf(u), 1);
    m.closed.push(u);
    const room = m.rooms.find((x) => x.owner === u);
    if (room?.live) {
      room.live = false;
      room.liveLog.push(false);
    }
    expectError(await req('/v1/me', { token: u.token }), 401, 'unauthorized', `${what}: the old session`);
  }
  toString() {
    return `delete(user ${this.user}${this.forfeit ? ', forfeit' : ''})`;
  }
}

export class ClockCmd extends Step {
  constructor(readonly ms: number) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.advanced + this.ms < MAX_ADVANCE;
  }
  async step(m: Model) {
    advance(m, this.ms, 'step');
  }
  toString() {
    return `clock(+${this.ms} ms)`;
  }
}

// ---- the opening of every sequence ----

let runCounter = 0;

/** Five people, two of them live creators, every viewer with coins; then everything is checked once. */
export async function newRun(real: Real): Promise<Model> {
  const run = ++runCounter;
  const m: Model = {
    run,
    users: [],
    closed: [],
    rooms: [],
    purchases: [],
    payouts: [],
    lastDecision: null,
    operatorBindings: new Map(),
    seenEvents: new Set(),
    advanced: 0,
    apiRefunds: 0,
    trace: [`run ${run}`],
    touched: new Set(),
    busy: new Set(),
  };
  const people = await Promise.all([
    signupUser(true, `r${run}c0`, `Streamer ${run}-A`),
    signupUser(true, `r${run}c1`, `Streamer ${run}-B`),
    signupUser(true, `r${run}v0`, `Fan ${run}-0`),
    signupUser(true, `r${run}v1`, `Fan ${run}-1`),
    signupUser(true, `r${run}v2`, `Fan ${run}-2`),
  ]);
  m.users.push(...people);
  for (const [i, creator] of people.slice(0, 2).entries()) {
    const handle = `t${run}_${i}_${crypto.randomUUID().slice(0, 6)}`;
    const r = await req('/v1/creators', { token: creator.token, body: { handle, channels: [] } });
    expect(r.status, describeReply(r)).toBe(201);
    const room: RoomM = {
      handle,
      owner: creator,
      live: false,
      liveLog: [],
      sessions: [],
      goal: null,
      goalTouched: false,
      gifts: new Map(),
      combos: new Map(),
      allTime: new Map(),
      observer: new Observer(handle),
    };
    creator.room = room;
    m.rooms.push(room);
    await room.observer.open();
    await setLive(m, room, true);
  }
  // Every viewer starts with coins, bought the ordinary way, so short sequences still move real amounts
  // (creators reach the payout minimum of 1,430 diamonds).
  // The first viewer pays through Stripe only, so a dispute after spending leaves a debt; the checkout of
  // the second is still waiting for its webhook.
  await new StripeBuyCmd(2, 5000, false, false).step(m, real);
  const paid = m.purchases.at(-1)!;
  await deliverEvent(m, paid, paid.events[0]!, 1, false);
  for (const v of people.slice(3)) await buyBatch(m, v, [{ body: { packId: 'pack_10000' }, key: newKey('buy') }]);
  await new StripeBuyCmd(3, 1000, false, false).step(m, real);
  await verify(m, false);
  return m;
}
