/**
 * Operations the commands share, each sending real requests and moving the model by what the answers
 * must have been: sign-ups, sandbox purchases (several at once), going live, gift batches (concurrent,
 * replayed, with faults armed, redelivered), and Stripe events delivered once or in copies.
 */

import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { COMBO_WINDOW, findGift, type GiftPayload, GiftRequest, PurchaseRequest, tierOf } from '@giftstream/shared';
import { expect } from 'vitest';
import { now } from '../../../src/clock';
import { faults } from '../../../src/faults';
import { type Reply, roomStub, tolerate, walletStub } from '../../helpers';
import { chargeDispute, expiredSession, makeEvent, postEvent, refundedCharge } from '../../stripe-fake';
import { describeReply, expectError, req, settle } from './checker';
import {
  addTo,
  advance,
  type BuyEl,
  complete,
  dispute,
  type FaultPlan,
  fingerprint,
  type GiftEl,
  type Model,
  permutations,
  prior,
  providerRefund,
  type PurchaseM,
  purchaseCoins,
  reached,
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

// ---- accounts ----

/** Retries a request that failed with a 5xx, as a client would: same key, same body. */
export async function withRetries(send: () => Promise<Reply>, allowed: { n: number }, what: string): Promise<Reply> {
  let r = await send();
  while (r.status >= 500) {
    expect(allowed.n, `${what}: unexpected ${describeReply(r)}`).toBeGreaterThan(0);
    allowed.n--;
    r = await send();
  }
  return r;
}

export async function signupUser(adult: boolean, label: string, name: string): Promise<UserM> {
  const year = new Date(now()).getUTCFullYear();
  const email = `${label}-${crypto.randomUUID().slice(0, 8)}@trust.example`;
  const r = await req('/v1/auth/signup', {
    body: {
      email,
      password: 'a long enough password',
      displayName: name,
      birthdate: adult ? '1988-02-29' : `${year - 15}-06-01`,
    },
  });
  expect(r.status, describeReply(r)).toBe(201);
  expect(r.json.user).toMatchObject({ displayName: name, adult });
  return {
    label,
    id: r.json.user.id,
    token: r.json.token,
    name,
    adult,
    balance: 0,
    external: 0,
    refundPending: 0,
    closed: false,
    spent: 0,
    diamonds: 0,
    issued: 0,
    pending: 0,
    paidOut: 0,
    history: [],
    keys: new Map(),
    operatorKeys: new Map(),
    combos: new Map(),
    streamCap: null,
    sentTo: new Map(),
    takes: [],
    room: null,
    lastGift: null,
    lastBuy: null,
    lastRefund: null,
    lastPayout: null,
  };
}

// ---- purchases ----

/** Sandbox purchases, possibly several at once; a copy repeats the element's key. */
export async function buyBatch(m: Model, u: UserM, els: BuyEl[]): Promise<void> {
  for (const el of els) resolveTtl(m, u.keys, el.key);
  const t0 = now();
  const sends = els.map((el) =>
    Promise.all(
      Array.from({ length: el.copies ?? 1 }, () =>
        req('/v1/purchases', { token: u.token, key: el.key, body: el.body }),
      ),
    ),
  );
  const replies = await Promise.all(sends);
  const at = since(t0);
  const fresh: { el: BuyEl; r: Reply; coins: number }[] = [];
  for (const [i, el] of els.entries()) {
    const rs = replies[i]!;
    const r = rs[0]!;
    for (const other of rs) expect(other.text, 'copies under one key answer byte for byte the same').toBe(r.text);
    const coins = purchaseCoins(el.body);
    const fp = fingerprint('/v1/purchases', PurchaseRequest.parse(el.body));
    const what = `buy ${JSON.stringify(el.body)} by ${u.label}`;
    if (coins === null) {
      expectError(r, 400, 'invalid_request', what);
      continue;
    }
    const p = prior(u.keys, el.key, fp, at);
    if (p.replay) {
      expect(r.text, `${what}: replay`).toBe(p.replay.text);
      continue;
    }
    if (p.mismatch) {
      expectError(r, 409, 'idempotency_mismatch', what);
      continue;
    }
    if (!u.adult) {
      expectError(r, 403, 'age_restricted', what);
      remember(u.keys, el.key, fp, r, at);
      continue;
    }
    expect(r.status, `${what}: ${describeReply(r)}`).toBe(201);
    reached('buy 201');
    expect(r.json.purchase, what).toMatchObject({
      status: 'completed',
      coins,
      price: { amount: coins, currency: 'USD' },
      sandbox: true,
      rateVersion: 1,
      refundedCoins: 0,
      clawedBackCoins: 0,
    });
    fresh.push({ el, r, coins });
    remember(u.keys, el.key, fp, r, at);
  }
  recordBuys(m, u, fresh, at);
}

/** Concurrent purchases may commit in any order: some order must explain every reported balance. */
function recordBuys(m: Model, u: UserM, fresh: { el: BuyEl; r: Reply; coins: number }[], at: Span): void {
  const start = u.balance;
  const orders = permutations(fresh);
  const explained = orders.some((order) => {
    let b = start;
    return order.every((f) => {
      b += f.coins;
      return f.r.json.wallet.coins === Math.max(0, b);
    });
  });
  expect(explained, `reported balances ${JSON.stringify(fresh.map((f) => f.r.json.wallet.coins))} from ${start}`).toBe(
    true,
  );
  for (const f of fresh) {
    const pm: PurchaseM = {
      id: f.r.json.purchase.id,
      owner: u,
      coins: f.coins,
      price: f.coins,
      sandbox: true,
      status: 'pending',
      completedAt: null,
      refundedCoins: 0,
      refundedAmount: 0,
      pendingRefund: null,
      clawedBackCoins: 0,
      writtenOff: 0,
      paymentIntent: '',
      sessionId: '',
      piIndexed: false,
      providerTotal: 0,
      events: [],
      key: f.el.key,
    };
    complete(m, pm, at);
    m.purchases.push(pm);
    track(m, pm);
  }
}

// ---- rooms ----
export async function setLive(m: Model, room: RoomM, live: boolean): Promise<void> {
  const r = await req('/v1/creator/live', { token: room.owner.token, body: { live } });
  expect(r.status, describeReply(r)).toBe(200);
  expect(r.json.live.live).toBe(live);
  if (room.live !== live) {
    room.live = live;
    room.liveLog.push(live);
    if (live) room.sessions.push({ coins: 0, diamonds: 0, gifts: 0, supporters: new Map() });
  }
  m.trace.push(`  ${room.handle} ${live ? 'live' : 'offline'}`);
}

// ---- gifts ----
/** Sends delivered gifts to their room a second and third time, and their credits to the creator's wallet again. */
async function redeliver(m: Model, gifts: { room: RoomM; id: string }[]): Promise<void> {
  await settle(m, false);
  for (const room of new Set(gifts.map((g) => g.room))) {
    const ids = gifts.filter((g) => g.room === room).map((g) => g.id);
    m.busy.add(room);
    const payloads = await runInDurableObject(roomStub(room.handle), (_r, state) =>
      state.storage.sql
        .exec<{ data: string }>(`SELECT data FROM gifts WHERE transfer_id IN (${ids.map(() => '?').join(',')})`, ...ids)
        .toArray()
        .map((r) => JSON.parse(r.data) as GiftPayload),
    );
    expect(payloads.length, 'every gift of the batch reached its room').toBe(ids.length);
    const acks = await Promise.all([
      roomStub(room.handle).receiveGifts(payloads),
      roomStub(room.handle).receiveGifts(payloads),
    ]);
    for (const a of acks) expect([...a].sort(), 'a redelivery is acknowledged').toEqual([...ids].sort());
    const items = payloads.map((p) => ({
      transferId: p.transferId,
      diamonds: p.diamonds,
      rateVersion: p.rateVersion,
      from: p.anonymous ? null : p.fromName,
    }));
    const credit = await walletStub(room.owner.id).creditGifts(`replayed_${ids[0]}`, items);
    expect(credit, 'credits seen before are not credited again').toEqual({
      credited: 0,
      duplicates: items.length,
      forfeited: 0,
    });
  }
}

async function fireAlarms(senders: UserM[], rooms: RoomM[]): Promise<void> {
  totals.alarms += senders.length + rooms.length * 2;
  await Promise.all([
    ...senders.map((u) => tolerate(runDurableObjectAlarm(walletStub(u.id)))),
    ...senders.map((u) => tolerate(runInDurableObject(walletStub(u.id), (w) => w.alarm!()))),
    ...rooms.map((r) => tolerate(runDurableObjectAlarm(roomStub(r.handle)))),
    ...rooms.map((r) => tolerate(runInDurableObject(roomStub(r.handle), (room) => room.alarm!()))),
  ]);
}

/** Keeps a batch clear of the per-wallet gift rate limit (abuse.test.ts covers it) and of window edges. */
function clearOfEdges(m: Model, els: GiftEl[], sends: number): void {
  for (const u of new Set(els.map((e) => e.sender))) {
    u.takes = u.takes.filter((t) => now() - t < 1_100);
    if (u.takes.length + sends > 40) {
      advance(m, 1_100, 'gift rate window');
      for (const v of m.users) v.takes = [];
    }
  }
  for (const el of els) {
    resolveTtl(m, el.sender.keys, el.key);
    const c = el.sender.combos.get(`${el.room.handle}:${el.body.giftId}`);
    if (c && within(c.last, upcoming(), COMBO_WINDOW, false) === 'either')
      advance(m, COMBO_WINDOW + 1_000, 'off a combo window edge');
  }
}

function armFaults(plan: FaultPlan): void {
  Object.assign(faults, {
    roomRefusesDelivery: plan.roomRefusesDelivery,
    roomRestartsAfterLogging: plan.roomRestartsAfterLogging,
    walletRefusesCredit: plan.walletRefusesCredit,
    walletThrowsAfterDebit: plan.walletThrowsAfterDebit,
  });
  totals.faults +=
    plan.roomRefusesDelivery +
    plan.roomRestartsAfterLogging +
    plan.walletRefusesCredit +
    plan.walletThrowsAfterDebit +
    (plan.alarmsDuring ? 1 : 0) +
    (plan.alarmsTwice ? 1 : 0) +
    (plan.redeliver ? 1 : 0);
}

/**
 * Sends gifts at once (or one, for a sequential step). Outcomes that do not depend on the order are
 * predicted exactly; for debits that compete for one wallet's coins, some serial order must explain
 * every answer. Faults are armed for the batch; the settled outcome must be the fault-free one.
 */
export async function giftBatch(m: Model, els: GiftEl[], plan: FaultPlan): Promise<void> {
  const sends = els.reduce((n, e) => n + e.copies, 0);
  clearOfEdges(m, els, sends);
  armFaults(plan);
  const throws = { n: plan.walletThrowsAfterDebit };
  const senders = [...new Set(els.map((e) => e.sender))];
  const rooms = [...new Set(els.map((e) => e.room))];
  for (const x of [...senders, ...rooms]) m.busy.add(x);
  const t0 = now();
  const sending = Promise.all(
    els.map((el) =>
      Promise.all(
        Array.from({ length: el.copies }, () =>
          withRetries(
            () => req(`/v1/rooms/${el.room.handle}/gifts`, { token: el.sender.token, key: el.key, body: el.body }),
            throws,
            `gift by ${el.sender.label}`,
          ),
        ),
      ),
    ),
  );
  const [replies] = await Promise.all([sending, plan.alarmsDuring ? fireAlarms(senders, rooms) : Promise.resolve()]);
  const at = since(t0);
  totals.gifts += sends;
  for (const u of senders) u.takes.push(...Array.from({ length: sends }, () => at.hi));
  if (plan.alarmsTwice) {
    await fireAlarms(senders, rooms);
    await fireAlarms(senders, rooms);
  }
  const { debits, failures, capped } = judgeGifts(els, replies, at);
  checkStreamCaps(senders, debits, capped);
  const delivered = settleDebits(senders, debits, failures, at);
  if (plan.redeliver && delivered.length) await redeliver(m, delivered);
}

type Debit = { el: GiftEl; r: Reply; coins: number; fp: string };

/** Checks every answer that does not depend on the order; returns the debits and refusals for lack of coins. */
function judgeGifts(els: GiftEl[], replies: Reply[][], at: Span) {
  const debits = new Map<UserM, Debit[]>();
  const failures = new Map<UserM, Debit[]>();
  const capped = new Map<UserM, Debit[]>();
  for (const [i, el] of els.entries()) {
    const rs = replies[i]!;
    const r = rs[0]!;
    const what = `gift ${JSON.stringify(el.body)} by ${el.sender.label} to ${el.room.handle}`;
    for (const other of rs)
      expect(other.text, `${what}: copies under one key answer byte for byte the same`).toBe(r.text);
    const gift = findGift(el.body.giftId)!;
    const parsed = GiftRequest.parse(el.body);
    const coins = gift.coins * parsed.count;
    const fp = fingerprint(`/v1/rooms/${el.room.handle}/gifts`, parsed);
    if (el.sender === el.room.owner) {
      expectError(r, 403, 'self_gift', what);
      continue;
    }
    const p = prior(el.sender.keys, el.key, fp, at);
    if (p.replay) {
      expect(r.text, `${what}: replay`).toBe(p.replay.text);
      reached('gift replayed');
      continue;
    }
    if (p.mismatch) {
      expectError(r, 409, 'idempotency_mismatch', what);
      continue;
    }
    const fixed: [number, string] | null = !el.sender.adult
      ? [403, 'age_restricted']
      : !el.room.live
        ? [409, 'not_live']
        : el.sender.balance < 0
          ? [403, 'in_debt']
          : null;
    if (fixed) {
      expectError(r, fixed[0], fixed[1], what);
      remember(el.sender.keys, el.key, fp, r, at);
      continue;
    }
    const d: Debit = { el, r, coins, fp };
    if (r.status === 201) debits.set(el.sender, [...(debits.get(el.sender) ?? []), d]);
    else if (r.status === 403 && el.sender.streamCap !== null) {
      expectError(r, 403, 'gift_limit', what);
      capped.set(el.sender, [...(capped.get(el.sender) ?? []), d]);
    } else {
      expectError(r, 402, 'insufficient_funds', what);
      failures.set(el.sender, [...(failures.get(el.sender) ?? []), d]);
    }
    remember(el.sender.keys, el.key, fp, r, at);
  }
  return { debits, failures, capped };
}

/**
 * The per-stream gift cap (1 coin = 1 cent on the model's card): what each stream session received from a viewer,
 * with every gift accepted now, stays within the cap; a gift refused for the cap could not have fit beside them.
 */
function checkStreamCaps(senders: UserM[], debits: Map<UserM, Debit[]>, capped: Map<UserM, Debit[]>): void {
  for (const u of senders) {
    const cap = u.streamCap;
    const ok = debits.get(u) ?? [];
    const sentNow = (d: Debit) => {
      const session = d.el.room.sessions.at(-1)!;
      const accepted = ok.filter((o) => o.el.room.sessions.at(-1) === session).reduce((s, o) => s + o.coins, 0);
      return (u.sentTo.get(session) ?? 0) + accepted;
    };
    if (cap === null) continue;
    for (const d of ok)
      expect(sentNow(d), `${u.label}: a stream's gifts stay within the $${cap / 100} cap`).toBeLessThanOrEqual(cap);
    for (const d of capped.get(u) ?? []) {
      reached('gift over the stream cap refused');
      expect(d.coins, `${u.label}: a gift refused for the stream cap could not have fit`).toBeGreaterThan(
        cap - sentNow(d),
      );
    }
  }
}

/** Some serial order of each wallet's debits must explain every balance reported; applies them to the model. */
function settleDebits(
  senders: UserM[],
  debits: Map<UserM, Debit[]>,
  failures: Map<UserM, Debit[]>,
  at: Span,
): { room: RoomM; id: string }[] {
  const delivered: { room: RoomM; id: string }[] = [];
  for (const u of senders) {
    const ok = (debits.get(u) ?? []).sort((a, b) => b.r.json.wallet.coins - a.r.json.wallet.coins);
    const failed = failures.get(u) ?? [];
    const spent = ok.reduce((s, d) => s + d.coins, 0);
    expect(spent, `${u.label}: debits within the balance ${u.balance}`).toBeLessThanOrEqual(Math.max(0, u.balance));
    for (const f of failed)
      expect(
        f.coins,
        `${u.label}: a refused gift that the balance left after the others could have paid`,
      ).toBeGreaterThan(u.balance - spent);
    let b = u.balance;
    for (const d of ok) {
      b -= d.coins;
      expect(d.r.json.wallet.coins, `${u.label}: balances reported by concurrent gifts follow one serial order`).toBe(
        b,
      );
      applyGift(d.el, d.r, d.coins, at);
      delivered.push({ room: d.el.room, id: d.r.json.gift.id });
    }
  }
  return delivered;
}

function applyGift(el: GiftEl, r: Reply, coins: number, at: Span): void {
  const { sender, room } = el;
  reached('gift 201');
  const gift = findGift(el.body.giftId)!;
  const parsed = GiftRequest.parse(el.body);
  const id: string = r.json.gift.id;
  const comboKey = `${room.handle}:${gift.id}`;
  const prev = sender.combos.get(comboKey);
  const continues = prev ? within(prev.last, at, COMBO_WINDOW, false) : 'no';
  const got = r.json.gift.combo;
  if (continues === 'yes') reached('gift continues a combo');
  if (continues === 'yes')
    expect(got, 'gift continues its combo').toEqual({ id: prev!.id, count: prev!.count + parsed.count });
  else if (continues === 'no') expect(got, 'gift starts a combo').toEqual({ id, count: parsed.count });
  else expect([prev!.id, id], 'gift continues or starts a combo').toContain(got.id);
  const message = parsed.message || undefined;
  expect(r.json.gift, 'gift reply').toEqual({
    id,
    giftId: gift.id,
    count: parsed.count,
    coins,
    anonymous: parsed.anonymous,
    ...(message ? { message } : {}),
    combo: got,
  });

  sender.balance -= coins;
  sender.spent += coins;
  sender.history.push({ kind: 'gift', coins: -coins, diamonds: 0, ref: id });
  const owner = room.owner;
  owner.diamonds += coins;
  owner.issued -= coins;
  owner.history.push({ kind: 'creator_share', coins: 0, diamonds: coins, ref: id });

  const combo =
    got.id === prev?.id
      ? { ...prev!, count: got.count, last: at }
      : { id, count: parsed.count, coins: 0, last: at, room };
  sender.combos.set(comboKey, { ...combo, room });
  const roomCombo = room.combos.get(got.id) ?? { id: got.id, count: 0, coins: 0, last: at };
  room.combos.set(got.id, {
    id: got.id,
    count: roomCombo.count + parsed.count,
    coins: roomCombo.coins + coins,
    last: at,
  });

  const session = room.sessions.at(-1)!;
  sender.sentTo.set(session, (sender.sentTo.get(session) ?? 0) + coins);
  session.coins += coins;
  session.diamonds += coins;
  session.gifts += parsed.count;
  const supporter = parsed.anonymous ? `anon:${sender.id}` : sender.id;
  const name = parsed.anonymous ? 'Anonymous' : sender.name;
  addTo(session.supporters, supporter, name, coins);
  addTo(room.allTime, supporter, name, coins);
  if (room.goal) room.goal = { ...room.goal, progress: room.goal.progress + coins };
  room.gifts.set(id, {
    id,
    from: name,
    giftId: gift.id,
    name: gift.name,
    tier: tierOf(gift.coins),
    coins: gift.coins,
    count: parsed.count,
    ...(message ? { message } : {}),
    combo: got,
    total: coins,
  });
}

// ---- Stripe ----
function eventBody(p: PurchaseM, e: StripeEventM) {
  const metadata: Record<string, string> = e.metadata ? { purchaseId: p.id, userId: p.owner.id } : {};
  const side = { sessionId: p.sessionId, paymentIntent: p.paymentIntent, amount: p.price, metadata };
  switch (e.type) {
    case 'checkout.session.completed':
      return makeEvent(
        e.type,
        {
          id: p.sessionId,
          object: 'checkout.session',
          mode: 'payment',
          status: 'complete',
          payment_status: 'paid',
          amount_total: p.price,
          currency: 'usd',
          payment_intent: p.paymentIntent,
          metadata,
        },
        e.id,
      );
    case 'checkout.session.expired':
      return makeEvent(e.type, expiredSession(side), e.id);
    case 'charge.refunded':
      return makeEvent(e.type, refundedCharge(side, e.amount!), e.id);
    case 'charge.dispute.created':
      return makeEvent(e.type, chargeDispute(side), e.id);
  }
}

/** Delivers one event `copies` times (at once or one after another) and applies it to the model once. */
export async function deliverEvent(
  m: Model,
  p: PurchaseM,
  e: StripeEventM,
  copies: number,
  concurrent: boolean,
): Promise<void> {
  const body = eventBody(p, e);
  const t0 = now();
  let replies: Reply[];
  totals.webhooks += copies;
  totals.requests += copies;
  if (concurrent) replies = await Promise.all(Array.from({ length: copies }, () => postEvent(body)));
  else {
    replies = [];
    for (let i = 0; i < copies; i++) replies.push(await postEvent(body));
  }
  const at = since(t0);
  const what = `${e.type} ${e.id} for ${p.id} ×${copies}${concurrent ? ' at once' : ''}`;
  e.delivered = true;
  track(m, p);
  if (m.seenEvents.has(e.id)) {
    for (const r of replies)
      expect(r.json, `${what}: a duplicate changes nothing`).toEqual({ received: true, duplicate: true });
    return;
  }
  const findable = e.metadata || p.piIndexed;
  if (!findable) {
    // Stripe will retry: the purchase cannot be placed until its completion names the payment intent.
    for (const r of replies) expectError(r, 409, 'conflict', what);
    return;
  }
  for (const [i, r] of replies.entries()) {
    const ok = [
      JSON.stringify({ received: true, outcome: 'applied' }),
      ...(concurrent || i > 0 ? [JSON.stringify({ received: true, duplicate: true })] : []),
    ];
    expect(ok, `${what}: ${describeReply(r)}`).toContain(r.text);
    if (!concurrent && i > 0) expect(r.json.duplicate, `${what}: a later copy is a duplicate`).toBe(true);
  }
  m.seenEvents.add(e.id);
  reached(`webhook ${e.type}${concurrent && copies > 1 ? ' (copies at once)' : copies > 1 ? ' (copies)' : ''}`);
  if (p.status === 'pending' && e.type !== 'checkout.session.completed' && e.type !== 'checkout.session.expired')
    reached('webhook before its completion');
  const balanceBefore = p.owner.balance;
  switch (e.type) {
    case 'checkout.session.completed':
      p.piIndexed = true;
      complete(m, p, at);
      break;
    case 'checkout.session.expired':
      if (p.status === 'pending') p.status = 'expired';
      break;
    case 'charge.refunded':
      complete(m, p, at);
      providerRefund(p, e.amount!);
      break;
    case 'charge.dispute.created':
      complete(m, p, at);
      dispute(p);
      break;
  }
  if (p.owner.balance < 0 && balanceBefore >= 0) reached('clawback into debt');
  if (p.writtenOff > 0) reached('provider refund partly written off');
}
