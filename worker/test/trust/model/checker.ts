/**
 * The checker: after every step the queued deliveries are settled (retried now instead of after their
 * backoff), then the real system is read back and compared with the model — each wallet's balances,
 * every account of its book and its history; each room's stored event log, leaderboard, goal, snapshot
 * and earnings; the purchases the step touched; payouts. `finish` ends a sequence: every combo closes,
 * the overlays' sockets must have seen every stored event once in order, and the global audit runs.
 */

import { COMBO_WINDOW, type StoredEvent } from '@giftstream/shared';
import { now } from '../../../src/clock';
import { clearFaults } from '../../../src/faults';
import { expect } from 'vitest';
import {
  ADMIN,
  call,
  creditQueueSize,
  outboxSize,
  type Reply,
  retryRoomNow,
  retryWalletNow,
  roomLog,
  tolerate,
  until,
  walletListed,
  walletStub,
} from '../../helpers';
import {
  advance,
  board,
  type Entry,
  GLOBAL_AUDIT_EVERY,
  type Model,
  type PayoutM,
  type PurchaseM,
  reached,
  type Real,
  type RoomM,
  RUNS,
  type SessionM,
  totals,
  type UserM,
} from './state';

const startedAt = Date.now();
/** How long the last settle took (printed with SOAK_PROFILE=1). */
export const timing = { lastSettle: 0 };

// ---- talking to the worker ----

export async function req(path: string, opts: Parameters<typeof call>[1] = {}): Promise<Reply> {
  totals.requests++;
  return call(path, opts);
}

export function describeReply(r: Reply): string {
  return `${r.status} ${r.text.slice(0, 300)}`;
}

export function expectError(r: Reply, status: number, code: string, what: string): void {
  reached(`${what.split(' ')[0]} ${code}`);
  expect(r.status, `${what}: ${describeReply(r)}`).toBe(status);
  expect(r.json?.error?.code, `${what}: ${describeReply(r)}`).toBe(code);
}

// ---- settling deliveries ----

/** Delivers everything queued (retrying "now" instead of after the backoff), then runs each room's alarm once. */
export async function settle(m: Model, full: boolean): Promise<number> {
  const started = Date.now();
  try {
    return await settleInner(m, full);
  } finally {
    m.busy.clear();
    timing.lastSettle = Date.now() - started;
  }
}
async function settleInner(m: Model, full: boolean): Promise<number> {
  const users = m.users.filter((u) => full || m.busy.has(u));
  const rooms = m.rooms.filter((r) => full || m.busy.has(r));
  for (let round = 0; ; round++) {
    const outs = await Promise.all(users.map(async (u) => ({ u, n: await tolerate(outboxSize(u.id)) })));
    const queues = await Promise.all(rooms.map(async (r) => ({ r, n: await tolerate(creditQueueSize(r.handle)) })));
    const busy = [
      ...outs.filter((o) => o.n !== 0).map((o) => tolerate(retryWalletNow(o.u.id))),
      ...queues.filter((q) => q.n !== 0).map((q) => tolerate(retryRoomNow(q.r.handle))),
    ];
    if (!busy.length) break;
    if (round > 60)
      throw new Error(
        `deliveries did not settle: outboxes ${JSON.stringify(outs.map((o) => o.n))}, credit queues ${JSON.stringify(queues.map((q) => q.n))}`,
      );
    await Promise.all(busy);
    if (round > 1) await new Promise((r) => setTimeout(r, 15));
  }
  clearFaults();
  const alarmAt = now();
  await Promise.all(m.rooms.map((r) => tolerate(retryRoomNow(r.handle))));
  return alarmAt;
}

// ---- checking the real system against the model ----
function sortEntries(entries: Entry[]): string[] {
  return entries.map((e) => JSON.stringify([e.kind, e.coins, e.diamonds, e.ref])).sort();
}

function expectedBalances(u: UserM): Record<string, number> {
  const all: Record<string, number> = {
    'coins:user': u.balance,
    'coins:external': u.external,
    'coins:refund_pending': u.refundPending,
    'coins:platform': u.spent,
    'diamonds:user': u.diamonds,
    'diamonds:platform': u.issued,
    'diamonds:payout_pending': u.pending,
    'diamonds:external': u.paidOut,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== 0));
}

/** The audit asks only listed wallets, so a wallet that holds anything must be listed. */
async function expectListed(u: UserM): Promise<void> {
  expect(await walletListed(u.id), `${u.label} wallet listed for the audit`).toBe(true);
}

async function checkUser(u: UserM): Promise<void> {
  const [w, h, a] = await Promise.all([
    req('/v1/wallet', { token: u.token }),
    req('/v1/wallet/history?limit=200', { token: u.token }),
    walletStub(u.id).audit(),
  ]);
  expect(w.status, describeReply(w)).toBe(200);
  expect(
    { coins: w.json.coins, debt: w.json.debt, diamonds: w.json.diamonds, diamondsPending: w.json.diamondsPending },
    `${u.label} wallet`,
  ).toEqual({
    coins: Math.max(0, u.balance),
    debt: Math.max(0, -u.balance),
    diamonds: u.diamonds,
    diamondsPending: u.pending,
  });
  expect(w.json.giftLimits.stream, `${u.label} stream gift cap`).toBe(u.streamCap);
  expect(h.status).toBe(200);
  expect(h.json.next, `${u.label} history fits one page`).toBeNull();
  // Newest first: in the order the wallet applied them, so by time. Not by id: a gift's id is minted by
  // the request before the wallet orders it, so of two gifts sent at once the later id may land first.
  const ats = h.json.entries.map((e: { at: number }) => e.at);
  expect(ats, `${u.label} history newest first`).toEqual([...ats].sort((a, b) => b - a));
  expect(new Set(h.json.entries.map((e: { id: string }) => e.id)).size, `${u.label} history ids unique`).toBe(
    ats.length,
  );
  expect(sortEntries(h.json.entries), `${u.label} history`).toEqual(sortEntries(u.history));
  expect(a.violations, `${u.label} audit`).toEqual([]);
  const real = Object.fromEntries(Object.entries(a.balances).filter(([, v]) => v !== 0));
  expect(real, `${u.label} accounts`).toEqual(expectedBalances(u));
  if (Object.keys(real).length || h.json.entries.length) await expectListed(u);
}

/** A deleted account: its session is dead; its wallet balances as the model says and holds nothing spendable. */
async function checkClosed(u: UserM): Promise<void> {
  const a = await walletStub(u.id).audit();
  expect(a.violations, `${u.label} audit (closed)`).toEqual([]);
  expect(a.closedAt, `${u.label} is closed`).not.toBeNull();
  const real = Object.fromEntries(Object.entries(a.balances).filter(([, v]) => v !== 0));
  expect(real, `${u.label} accounts (closed)`).toEqual(expectedBalances(u));
  await expectListed(u);
}

function giftView(e: StoredEvent & { type: 'gift' }): Record<string, unknown> {
  const { v: _v, seq: _s, at: _a, type: _t, ...rest } = e;
  return rest;
}

async function checkRoom(room: RoomM, alarmAt: number): Promise<void> {
  const [log, snap, earnings] = await Promise.all([
    roomLog(room.handle),
    req(`/v1/rooms/${room.handle}`),
    room.owner.closed ? null : req('/v1/creator/earnings', { token: room.owner.token }),
  ]);
  const readAt = now();
  const what = `room ${room.handle}`;
  expect(
    log.map((e) => e.seq),
    `${what}: seq rises by one from 1`,
  ).toEqual(log.map((_, i) => i + 1));
  const gifts = log.filter((e): e is StoredEvent & { type: 'gift' } => e.type === 'gift');
  expect(new Set(gifts.map((g) => g.id)).size, `${what}: each gift logged once`).toBe(gifts.length);
  const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.id).localeCompare(String(b.id));
  expect(gifts.map(giftView).sort(byId), `${what}: the gift log`).toEqual([...room.gifts.values()].sort(byId));
  const ends = log.filter((e): e is StoredEvent & { type: 'combo_end' } => e.type === 'combo_end');
  expect(new Set(ends.map((e) => e.comboId)).size, `${what}: one combo_end per combo`).toBe(ends.length);
  for (const end of ends) {
    const c = room.combos.get(end.comboId);
    expect(c, `${what}: combo_end for a combo that exists`).toBeDefined();
    expect({ count: end.count, coins: end.coins }, `${what}: combo_end totals`).toEqual({
      count: c!.count,
      coins: c!.coins,
    });
    expect(
      readAt - c!.last.lo >= COMBO_WINDOW,
      `${what}: combo_end only ${COMBO_WINDOW} ms after the combo's last gift`,
    ).toBe(true);
  }
  for (const [id, c] of room.combos) {
    if (alarmAt - c.last.hi >= COMBO_WINDOW)
      expect(
        ends.some((e) => e.comboId === id),
        `${what}: combo ${id} has ended`,
      ).toBe(true);
  }
  expect(
    log.filter((e) => e.type === 'live').map((e) => (e as { live: boolean }).live),
    `${what}: live events`,
  ).toEqual(room.liveLog);
  const session = room.sessions.at(-1);
  const boards = log.filter((e): e is StoredEvent & { type: 'leaderboard' } => e.type === 'leaderboard');
  if (session)
    expect(boards.at(-1)?.leaderboard, `${what}: last leaderboard event`).toEqual(board(session.supporters.values()));
  if (room.goalTouched)
    expect(
      (log.filter((e) => e.type === 'goal').at(-1) as { goal: unknown } | undefined)?.goal,
      `${what}: last goal event`,
    ).toEqual(room.goal);

  expect(snap.status).toBe(200);
  expect(
    { live: snap.json.room.live.live, goal: snap.json.room.goal, leaderboard: snap.json.room.leaderboard },
    `${what}: snapshot`,
  ).toEqual({
    live: room.live,
    goal: room.goal,
    leaderboard: room.live && session ? board(session.supporters.values()) : [],
  });
  // A combo may close (by the room's own alarm) between the two reads, so the snapshot is at least as new.
  expect(snap.json.room.seq, `${what}: snapshot seq`).toBeGreaterThanOrEqual(log.length);

  if (!earnings) return;
  expect(earnings.status).toBe(200);
  expect(
    {
      diamonds: earnings.json.diamonds,
      pending: earnings.json.pendingPayouts.diamonds,
      sessions: earnings.json.sessions.map((s: SessionM) => ({ coins: s.coins, diamonds: s.diamonds, gifts: s.gifts })),
      topSupporters: earnings.json.topSupporters,
    },
    `${what}: earnings`,
  ).toEqual({
    diamonds: room.owner.diamonds,
    pending: room.owner.pending,
    sessions: [...room.sessions].reverse().map((s) => ({ coins: s.coins, diamonds: s.diamonds, gifts: s.gifts })),
    topSupporters: board(room.allTime.values()),
  });
}

async function checkPurchase(p: PurchaseM): Promise<void> {
  let view: { status: string; coins: number; refundedCoins: number; clawedBackCoins: number; sandbox: boolean } | null;
  if (p.owner.closed) view = await walletStub(p.owner.id).purchase(p.id);
  else {
    const r = await req(`/v1/purchases/${p.id}`, { token: p.owner.token });
    expect(r.status, describeReply(r)).toBe(200);
    view = r.json.purchase;
  }
  expect(view, `purchase ${p.id}`).not.toBeNull();
  const { status, coins, refundedCoins, clawedBackCoins, sandbox } = view!;
  expect({ status, coins, refundedCoins, clawedBackCoins, sandbox }, `purchase ${p.id}`).toEqual({
    status: p.status,
    coins: p.coins,
    refundedCoins: p.refundedCoins,
    clawedBackCoins: p.clawedBackCoins,
    sandbox: p.sandbox,
  });
}

async function checkPayouts(u: UserM, m: Model): Promise<void> {
  const r = await req('/v1/creator/payouts', { token: u.token });
  expect(r.status).toBe(200);
  const mine = m.payouts.filter((p) => p.owner === u);
  expect(
    r.json.payouts
      .map((p: PayoutM) => ({ id: p.id, diamonds: p.diamonds, status: p.status }))
      .sort((a: PayoutM, b: PayoutM) => a.id.localeCompare(b.id)),
    `${u.label} payouts`,
  ).toEqual(
    mine.map((p) => ({ id: p.id, diamonds: p.diamonds, status: p.status })).sort((a, b) => a.id.localeCompare(b.id)),
  );
}

export async function verify(m: Model, full: boolean): Promise<void> {
  totals.checks++;
  const alarmAt = await settle(m, full);
  clearFaults();
  const purchases = full ? m.purchases : [...m.touched];
  m.touched.clear();
  await Promise.all([
    ...m.users.map((u) => checkUser(u)),
    ...m.closed.map((u) => checkClosed(u)),
    ...m.rooms.map((r) => checkRoom(r, alarmAt)),
    ...purchases.map((p) => checkPurchase(p)),
    ...(full ? m.rooms.filter((r) => !r.owner.closed).map((r) => checkPayouts(r.owner, m)) : []),
  ]);
}

export async function globalAudit(): Promise<void> {
  let cursor: string | undefined;
  do {
    const r = await req(`/v1/admin/audit${cursor ? `?cursor=${cursor}` : ''}`, { token: ADMIN });
    expect(r.status).toBe(200);
    expect(r.json.violations, 'global audit').toEqual([]);
    expect(r.json.ok).toBe(true);
    expect(r.json.sums).toEqual({ coins: 0, diamonds: 0 });
    cursor = r.json.next;
  } while (cursor);
}

/** The end of a sequence: every combo closes, then everything is checked, the overlays' view and the global audit too. */
export async function finish(m: Model, real: Real): Promise<void> {
  advance(m, COMBO_WINDOW + 1_000, 'close every combo');
  await verify(m, true);
  for (const room of m.rooms) {
    const log = await roomLog(room.handle);
    const last = log.at(-1)?.seq ?? 0;
    await room.observer.ensureOpen();
    await until(
      `the observer of ${room.handle} to see seq ${last}`,
      () => Math.max(0, ...room.observer.seqs),
      (s) => s >= last,
    );
    const seen = room.observer.seqs;
    const first = seen[0] ?? last + 1;
    expect(
      seen,
      `${room.handle}: the overlay saw every stored event once, in order (reconnects: ${room.observer.reconnects})`,
    ).toEqual(log.filter((e) => e.seq >= first).map((e) => e.seq));
    room.observer.close();
  }
  const d1 = await req('/v1/admin/payouts', { token: ADMIN });
  const indexed = new Map<string, string>(d1.json.payouts.map((p: { id: string; status: string }) => [p.id, p.status]));
  for (const p of m.payouts) expect(indexed.get(p.id), `payout ${p.id} in the operator's index`).toBe(p.status);
  const pis = new Set(m.purchases.filter((p) => !p.sandbox).map((p) => p.paymentIntent));
  expect(
    real.stripe.madeRefunds.filter((r) => pis.has(r.paymentIntent)).length,
    'refunds asked of Stripe, once each',
  ).toBe(m.apiRefunds);
  if (totals.sequences % GLOBAL_AUDIT_EVERY === 0) await globalAudit();
  totals.sequences++;
  if (RUNS > 10 && totals.sequences % 10 === 0)
    console.log(
      `soak progress: ${totals.sequences}/${RUNS} sequences, ${totals.steps} steps, ${Math.round((Date.now() - startedAt) / 1000)} s`,
    );
}
