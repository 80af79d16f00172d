import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { COMBO_WINDOW, type GiftPayload } from '@giftstream/shared';
import type { LiveRoom } from '../src/objects/live-room';
import { advanceClock, now } from '../src/clock';
import {
  ADMIN,
  api,
  buy,
  connect,
  diamondsOf,
  expectCleanAudit,
  liveRoom,
  roomStub,
  sendGift,
  signup,
  uniqueKey,
  until,
  wallet,
  walletStub,
} from './helpers';

/** A gift as a viewer's wallet delivers it to the room: a 5-coin rose, unless `fields` say otherwise. */
function rose(
  creator: { id: string },
  handle: string,
  fields: Partial<GiftPayload> & Pick<GiftPayload, 'transferId' | 'fromName'>,
): GiftPayload {
  return {
    room: handle,
    creatorUserId: creator.id,
    fromUserId: `u_${fields.fromName}`,
    anonymous: false,
    giftId: 'rose',
    name: 'Rose',
    tier: 'small',
    unitCoins: 5,
    count: 1,
    coins: 5,
    diamonds: 2,
    rateVersion: 1,
    price: 5,
    sessionId: null,
    combo: { id: `c_${fields.fromName}`, count: 1 },
    at: now(),
    ...fields,
  };
}

describe('sending a gift', () => {
  it('takes the coins, credits the creator, and shows once on the stream', async () => {
    const { creator, handle, viewer } = await liveRoom({ coins: 1000 });
    const client = await connect(handle);
    const r = await sendGift(viewer, handle, { giftId: 'trophy', count: 2, message: 'gg <b>wp</b>' });
    expect(r.status).toBe(201);
    expect(r.json.gift).toMatchObject({ giftId: 'trophy', count: 2, coins: 500, message: 'gg <b>wp</b>' });
    expect(r.json.gift.combo).toEqual({ id: r.json.gift.id, count: 2 });
    // The spend meter rides along: $5.00 to this stream, $5.00 in the last 24 hours.
    const usd = (amount: number) => ({ amount, currency: 'USD' });
    expect(r.json.wallet).toEqual({ coins: 500, sent: { stream: usd(500), day: usd(500) } });
    await until(
      'diamonds',
      () => diamondsOf(creator),
      (d) => d === 500,
    );
    const gifts = await until(
      'gift event',
      () => client.events.filter((e) => e.type === 'gift'),
      (g) => g.length === 1,
    );
    expect(gifts[0]).toMatchObject({
      id: r.json.gift.id,
      from: 'Viewer One',
      giftId: 'trophy',
      name: 'Trophy',
      tier: 'medium',
      coins: 250,
      count: 2,
      total: 500,
      message: 'gg <b>wp</b>',
    });
    const hello = client.events[0]!;
    expect(hello.type).toBe('hello');
    const room = await api(`/v1/rooms/${handle}`);
    expect(room.json.room.leaderboard).toEqual([{ name: 'Viewer One', coins: 500 }]);
    expect(room.json.room.recentGifts).toHaveLength(1);
    const history = await api('/v1/wallet/history', { token: viewer.token });
    expect(history.json.entries[0]).toMatchObject({ kind: 'gift', coins: -500, counterparty: handle });
    await until(
      'settled',
      () => wallet(viewer),
      () => true,
    );
    await until(
      'audit',
      async () => (await api('/v1/admin/audit', { token: ADMIN })).json,
      (a) => a.ok,
    );
    client.close();
  });

  it('refuses with the codes the SPEC names', async () => {
    const { creator, handle, viewer } = await liveRoom({ coins: 100 });
    expect((await sendGift(viewer, handle, { giftId: 'nope' })).status).toBe(404);
    expect((await sendGift(viewer, 'no_such_room', { giftId: 'heart' })).status).toBe(404);
    const broke = await sendGift(viewer, handle, { giftId: 'fireworks' });
    expect(broke.status).toBe(402);
    expect(broke.json.error.code).toBe('insufficient_funds');
    await buy(creator, { packId: 'pack_100' });
    const self = await sendGift(creator, handle, { giftId: 'heart' });
    expect(self.status).toBe(403);
    expect(self.json.error.code).toBe('self_gift');
    const kid = await signup({ adult: false });
    const young = await sendGift(kid, handle, { giftId: 'heart' });
    expect(young.json.error.code).toBe('age_restricted');
    expect((await sendGift(viewer, handle, { giftId: 'heart', count: 100 })).status).toBe(400);
    expect((await sendGift(viewer, handle, { giftId: 'heart', message: 'x'.repeat(81) })).status).toBe(400);
    await api('/v1/creator/live', { body: { live: false }, token: creator.token });
    const offline = await sendGift(viewer, handle, { giftId: 'heart' });
    expect(offline.status).toBe(409);
    expect(offline.json.error.code).toBe('not_live');
    expect((await wallet(viewer)).coins).toBe(100);
  });

  it('replays a repeated Idempotency-Key without sending the gift twice', async () => {
    const { creator, handle, viewer } = await liveRoom({ coins: 1000 });
    const key = uniqueKey();
    const first = await sendGift(viewer, handle, { giftId: 'rose', count: 3 }, key);
    const again = await sendGift(viewer, handle, { giftId: 'rose', count: 3 }, key);
    expect(again.text).toBe(first.text);
    const other = await sendGift(viewer, handle, { giftId: 'rose', count: 4 }, key);
    expect(other.status).toBe(409);
    expect(other.json.error.code).toBe('idempotency_mismatch');
    await until(
      'diamonds',
      () => diamondsOf(creator),
      (d) => d === 15,
    );
    expect((await wallet(viewer)).coins).toBe(985);
  });

  it('refuses control characters in messages (SPEC: else 400) and keeps markup as text', async () => {
    const { handle, viewer } = await liveRoom({ coins: 100 });
    const r = await sendGift(viewer, handle, { giftId: 'heart', message: 'hi\u0000\u0007 there\u202e' });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'invalid_request', field: 'message' });
    const markup = await sendGift(viewer, handle, { giftId: 'heart', message: '<b>hi</b> there' });
    expect(markup.json.gift.message).toBe('<b>hi</b> there');
  });
});

describe('combos', () => {
  it('group the same gift from the same viewer within 5 s, then end once', async () => {
    const { handle, viewer } = await liveRoom({ coins: 1000 });
    const client = await connect(handle);
    const a = await sendGift(viewer, handle, { giftId: 'rose', count: 1 });
    advanceClock(4_000);
    const b = await sendGift(viewer, handle, { giftId: 'rose', count: 2 });
    const other = await sendGift(viewer, handle, { giftId: 'heart', count: 1 });
    expect(b.json.gift.combo).toEqual({ id: a.json.gift.id, count: 3 });
    expect(other.json.gift.combo.id).not.toBe(a.json.gift.id);
    advanceClock(5_001);
    const c = await sendGift(viewer, handle, { giftId: 'rose', count: 1 });
    expect(c.json.gift.combo).toEqual({ id: c.json.gift.id, count: 1 });
    await until(
      'gifts',
      () => client.events.filter((e) => e.type === 'gift').length,
      (n) => n === 4,
    );
    advanceClock(5_001);
    await runDurableObjectAlarm(roomStub(handle));
    await runDurableObjectAlarm(roomStub(handle));
    const ends = await until(
      'combo ends',
      () => client.events.filter((e) => e.type === 'combo_end'),
      (e) => e.length === 3,
    );
    expect(ends.find((e) => e.type === 'combo_end' && e.comboId === a.json.gift.id)).toMatchObject({
      count: 3,
      coins: 15,
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(client.events.filter((e) => e.type === 'combo_end')).toHaveLength(3);
    client.close();
  });
});

describe('a combo with a gift waiting to be logged', () => {
  it('does not end under that gift: the gift joins it, and it ends once, after it', async () => {
    const { creator, handle } = await liveRoom({ coins: 0 });
    const client = await connect(handle);
    const gift = (i: number) =>
      rose(creator, handle, {
        transferId: `late_${handle}_${i}`,
        fromName: 'Late',
        combo: { id: `combo_${handle}`, count: i },
      });
    const stub = roomStub(handle);
    await stub.receiveGifts([gift(1)]);
    // The second gift was debited just inside the window; it reaches the room as the window closes.
    advanceClock(COMBO_WINDOW - 1);
    const second = gift(2);
    advanceClock(1);
    await runInDurableObject(stub, async (room: LiveRoom) => {
      const logged = room.receiveGifts([second]);
      const inbox = () => (room as unknown as { inbox: unknown[] }).inbox;
      while (!inbox().length) await new Promise((r) => setTimeout(r, 1));
      await room.alarm();
      await logged;
    });
    await until(
      'both gifts',
      () => client.events.filter((e) => e.type === 'gift'),
      (g) => g.length === 2,
    );
    expect(client.events.filter((e) => e.type === 'combo_end')).toEqual([]);
    advanceClock(COMBO_WINDOW);
    await runDurableObjectAlarm(stub);
    const ends = await until(
      'the end',
      () => client.events.filter((e) => e.type === 'combo_end'),
      (e) => e.length === 1,
    );
    expect(ends[0]).toMatchObject({ comboId: `combo_${handle}`, count: 2, coins: 10 });
    expect(client.events.map((e) => e.type).filter((t) => t === 'gift' || t === 'combo_end')).toEqual([
      'gift',
      'gift',
      'combo_end',
    ]);
    client.close();
  });
});

describe("crediting the creator's wallet", () => {
  it('takes every gift waiting in one round, not only those already due', async () => {
    const { creator, handle } = await liveRoom({ coins: 0 });
    const stub = roomStub(handle);
    await stub.receiveGifts([rose(creator, handle, { transferId: `first_${handle}`, fromName: 'First' })]);
    // Logged 0.9 s later: on its own, its credit would come due 0.9 s after the first one's.
    advanceClock(900);
    await stub.receiveGifts([rose(creator, handle, { transferId: `second_${handle}`, fromName: 'Second' })]);
    advanceClock(100);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await diamondsOf(creator)).toBe(4);
    const rounds = await runInDurableObject(
      walletStub(creator.id),
      (_w, ctx) => ctx.storage.sql.exec<{ n: number }>('SELECT COUNT(DISTINCT batch_id) AS n FROM credits').one().n,
    );
    expect(rounds).toBe(1);
  });
});

describe('goal and leaderboard', () => {
  it('progress with gifts and reach every watcher', async () => {
    const { creator, handle, viewer } = await liveRoom({ coins: 5000 });
    const second = await signup({ name: 'Second Fan' });
    await buy(second, { coins: 5000 });
    const goal = await api('/v1/creator/goal', {
      method: 'PUT',
      body: { label: 'New mic', coins: 3000 },
      token: creator.token,
    });
    expect(goal.json.goal).toEqual({ label: 'New mic', target: 3000, progress: 0 });
    const client = await connect(handle);
    await sendGift(viewer, handle, { giftId: 'fireworks' });
    await sendGift(second, handle, { giftId: 'diamond_ring', count: 3 });
    await until(
      'goal progress',
      async () => (await api(`/v1/rooms/${handle}`)).json.room.goal?.progress,
      (p) => p === 2500,
    );
    const room = (await api(`/v1/rooms/${handle}`)).json.room;
    expect(room.leaderboard).toEqual([
      { name: 'Second Fan', coins: 1500 },
      { name: 'Viewer One', coins: 1000 },
    ]);
    // Gifts that arrive together share one goal event, so there are one or two; the last one is where the gifts left it.
    const goals = await until(
      'goal events',
      () => client.events.filter((e) => e.type === 'goal'),
      (g) => g.at(-1)?.goal?.progress === 2500,
    );
    expect(goals.at(-1)).toMatchObject({ goal: { progress: 2500, target: 3000 } });
    const progress = goals.map((g) => g.goal?.progress);
    expect(progress).toEqual([...progress].sort((x, y) => x! - y!));
    expect(client.events.filter((e) => e.type === 'leaderboard').at(-1)).toMatchObject({
      leaderboard: room.leaderboard,
    });
    const cleared = await api('/v1/creator/goal', { method: 'DELETE', token: creator.token });
    expect(cleared.json.goal).toBeNull();
    client.close();
  });
});

describe('leaderboard and goal under a burst', () => {
  it('go out with the first gift, then at most once per interval; the alarm sends where the burst left them', async () => {
    const { creator, handle } = await liveRoom({ coins: 0 });
    await api('/v1/creator/goal', { method: 'PUT', body: { label: 'New mic', coins: 10_000 }, token: creator.token });
    const client = await connect(handle);
    const at = now();
    const gift = (i: number, from: string) =>
      rose(creator, handle, { transferId: `burst_${handle}_${i}`, fromName: from, at });
    const stub = roomStub(handle);
    // Three deliveries well inside one interval: only the first carries the leaderboard and goal.
    await stub.receiveGifts([gift(1, 'Ann')]);
    await stub.receiveGifts([gift(2, 'Ben'), gift(3, 'Ben')]);
    await stub.receiveGifts([gift(4, 'Cat')]);
    const types = () => client.events.filter((e) => e.type !== 'hello').map((e) => e.type);
    await until('four gifts', types, (t) => t.filter((x) => x === 'gift').length === 4);
    expect(types().slice(0, 6)).toEqual(['gift', 'goal', 'leaderboard', 'gift', 'gift', 'gift']);
    // Once the interval has passed they go out once more, as the burst left them (the room's timer, or
    // the alarm if the room restarted; whichever comes first sends them).
    await runDurableObjectAlarm(stub);
    const events = await until(
      'held-back state',
      () => client.events,
      (e) => e.filter((x) => x.type === 'leaderboard').length === 2,
    );
    expect(events.filter((e) => e.type === 'goal').at(-1)).toMatchObject({
      goal: { label: 'New mic', target: 10_000, progress: 20 },
    });
    expect(events.filter((e) => e.type === 'leaderboard').at(-1)).toMatchObject({
      leaderboard: [
        { name: 'Ben', coins: 10 },
        { name: 'Ann', coins: 5 },
        { name: 'Cat', coins: 5 },
      ],
    });
    // Nothing left over: another alarm sends nothing new.
    await runDurableObjectAlarm(stub);
    await new Promise((r) => setTimeout(r, 100));
    expect(client.events.filter((e) => e.type === 'leaderboard')).toHaveLength(2);
    client.close();
  });
});

describe('deliveries arriving together', () => {
  it('are logged in one transaction and sent as one frame; a bad one fails alone and leaves no gap in seq', async () => {
    const { creator, handle } = await liveRoom({ coins: 0 });
    const client = await connect(handle);
    await until(
      'hello',
      () => client.events.length,
      (n) => n === 1,
    );
    const seq0 = client.events[0]!.seq;
    const at = now();
    const gift = (i: number) =>
      rose(creator, handle, { transferId: `together_${handle}_${i}`, fromName: `Fan ${i}`, at });
    const ids = (...n: number[]) => n.map((i) => `together_${handle}_${i}`);
    const stub = roomStub(handle);
    const framesBefore = client.frames;
    // Four wallets' deliveries at once (called inside the object, so all four are in before the frame is due).
    const acks = await runInDurableObject(stub, (room: LiveRoom) =>
      Promise.all([1, 2, 3, 4].map((i) => room.receiveGifts([gift(i)]))),
    );
    expect(acks).toEqual([1, 2, 3, 4].map((i) => ids(i)));
    const four = await until(
      'four gifts',
      () => client.events.filter((e) => e.type === 'gift'),
      (g) => g.length === 4,
    );
    expect(four.map((g) => g.id).sort()).toEqual(ids(1, 2, 3, 4));
    expect(client.frames - framesBefore).toBe(1);
    // A delivery the room cannot log (no combo) is refused; the one beside it in the same frame is logged and shown.
    const bad = { ...gift(5), combo: undefined } as unknown as GiftPayload;
    const [refused, ok] = await runInDurableObject(stub, (room: LiveRoom) =>
      Promise.allSettled([room.receiveGifts([bad]), room.receiveGifts([gift(6)])]),
    );
    expect(refused.status).toBe('rejected');
    expect(ok).toEqual({ status: 'fulfilled', value: ids(6) });
    const gifts = await until(
      'the good gift',
      () => client.events.filter((e) => e.type === 'gift'),
      (g) => g.length === 5,
    );
    expect(gifts.at(-1)!.id).toBe(ids(6)[0]);
    const seqs = client.events.slice(1).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seq0 + 1 + i));
    client.close();
  });
});

describe('overlay connections', () => {
  it('need the overlay token; rotating it closes old overlays with 4401', async () => {
    const { creator, handle } = await liveRoom({ coins: 0 });
    const t = await api('/v1/creator/overlay-token', { token: creator.token });
    expect(t.json.overlayUrl).toContain(`/overlay/?room=${handle}&token=${t.json.token}`);
    expect((await api('/v1/creator/overlay-token', { token: creator.token })).json.token).toBe(t.json.token);
    const wrong = await connect(handle, '?token=nope');
    await until(
      'close',
      () => wrong.closed,
      (c) => c !== null,
    );
    expect(wrong.closed!.code).toBe(4401);
    expect(wrong.events).toEqual([]);
    const overlay = await connect(handle, `?token=${t.json.token}`);
    const viewerSocket = await connect(handle);
    await until(
      'hello',
      () => overlay.events.length,
      (n) => n === 1,
    );
    await api('/v1/creator/test-alert', { method: 'POST', token: creator.token });
    const test = await until(
      'test alert',
      () => overlay.events.filter((e) => e.type === 'test'),
      (e) => e.length === 1,
    );
    expect(test[0]).toMatchObject({ test: true, tier: 'epic' });
    await new Promise((r) => setTimeout(r, 50));
    expect(viewerSocket.events.filter((e) => e.type === 'test')).toEqual([]);
    const rotated = await api('/v1/creator/overlay-token', { method: 'POST', token: creator.token });
    expect(rotated.json.token).not.toBe(t.json.token);
    await until(
      'old overlay closed',
      () => overlay.closed,
      (c) => c !== null,
    );
    expect(overlay.closed!.code).toBe(4401);
    const fresh = await connect(handle, `?token=${rotated.json.token}`);
    await until(
      'hello',
      () => fresh.events.length,
      (n) => n === 1,
    );
    expect(fresh.closed).toBeNull();
    fresh.close();
    viewerSocket.close();
  });
});

describe('resume', () => {
  it('a client that drops out during a burst and reconnects with since ends with every event once, in order', async () => {
    const { handle, viewer } = await liveRoom({ coins: 10_000 });
    const first = await connect(handle);
    for (let i = 0; i < 10; i++) await sendGift(viewer, handle, { giftId: 'coffee' });
    await until(
      'first half',
      () => first.events.filter((e) => e.type === 'gift').length,
      (n) => n === 10,
    );
    // The last seq this client saw before its socket closed (the room's held-back leaderboard may still arrive).
    first.close();
    await until(
      'closed',
      () => first.closed,
      (c) => c !== null,
    );
    const lastSeq = Math.max(...first.events.map((e) => e.seq));
    await Promise.all(Array.from({ length: 20 }, () => sendGift(viewer, handle, { giftId: 'star' })));
    const second = await connect(handle, `?since=${lastSeq}`);
    for (let i = 0; i < 5; i++) await sendGift(viewer, handle, { giftId: 'pizza' });
    const all = () => [...first.events, ...second.events].filter((e) => e.type !== 'hello');
    await until(
      'all gifts',
      () => all().filter((e) => e.type === 'gift').length,
      (n) => n === 35,
    );
    const seqs = all().map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.at(-1)! - seqs[0]! + 1).toBe(seqs.length);
    second.close();
  });

  it('says reset when since is older than what is kept', async () => {
    const { handle } = await liveRoom({ coins: 0 });
    const c = await connect(handle, '?since=0');
    await until(
      'hello',
      () => c.events.length,
      (n) => n >= 1,
    );
    expect(c.events[0]).toMatchObject({ type: 'hello' });
    c.close();
  });
});

describe('earnings', () => {
  it('show diamonds, money, per-session totals and top supporters', async () => {
    const { creator, handle, viewer } = await liveRoom({ coins: 5000 });
    await sendGift(viewer, handle, { giftId: 'castle' });
    await until(
      'diamonds',
      () => diamondsOf(creator),
      (d) => d === 5000,
    );
    const e = await api('/v1/creator/earnings', { token: creator.token });
    expect(e.status).toBe(200);
    expect(e.json).toMatchObject({
      diamonds: 5000,
      value: { amount: 3500, currency: 'USD' },
      topSupporters: [{ name: 'Viewer One', coins: 5000 }],
    });
    expect(e.json.sessions[0]).toMatchObject({
      title: 'Testing stream',
      coins: 5000,
      diamonds: 5000,
      gifts: 1,
      value: { amount: 3500 },
    });
    expect((await api('/v1/creator/earnings', { token: viewer.token })).status).toBe(403);
    await expectCleanAudit();
  });
});
