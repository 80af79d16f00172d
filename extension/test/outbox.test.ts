import { beforeEach, describe, expect, it } from 'vitest';
import { createApi } from '../lib/api';
import { GiftstreamDb, type SessionRow } from '../lib/db';
import { GIVE_UP_AFTER, GiftOutbox } from '../features/gift-outbox';
import { fakeServer } from './fake-server';

const SERVER = 'http://localhost:8787';
let dbName: string;
let clock: number;
let server: ReturnType<typeof fakeServer>;
let session: SessionRow | null;

/** A fresh background: what a browser restart (or a service worker being stopped) leaves behind is the database. */
function boot() {
  const db = new GiftstreamDb(dbName);
  let n = 0;
  const outbox = new GiftOutbox({
    db,
    session: async () => session,
    api: (s) => createApi({ baseUrl: s.server, token: s.token, fetch: server.fetch }),
    now: () => clock,
    newKey: () => `key-${dbName}-${++n}`,
    random: () => 0.5,
  });
  return { db, outbox };
}

beforeEach(() => {
  dbName = `outbox-${Math.random().toString(36).slice(2)}`;
  clock = 1_800_000_000_000;
  server = fakeServer();
  session = {
    id: 'current',
    server: SERVER,
    token: server.state.token,
    user: { id: 'u1', displayName: 'Viewer', adult: true },
  };
});

const rose = { giftId: 'rose', count: 2, anonymous: false };
const giftRequests = () => server.state.requests.filter((r) => r.path.endsWith('/gifts'));

describe('gift outbox', () => {
  it('writes the gift with its key before the request, then records the answer', async () => {
    const { db, outbox } = boot();
    const sent = await outbox.send('streamer', rose);
    expect(sent.status).toBe('sent');
    expect(sent.result?.wallet.coins).toBe(990);
    expect(giftRequests()).toHaveLength(1);
    expect(giftRequests()[0]!.key).toBe(sent.key);
    expect((await db.outbox.get(sent.key))?.status).toBe('sent');
    expect(server.state.gifts).toHaveLength(1);
  });

  it('keeps a gift whose request never arrived and retries it with the same key', async () => {
    const { outbox } = boot();
    server.state.failBefore = 1;
    const first = await outbox.send('streamer', rose);
    expect(first.status).toBe('pending');
    expect(first.attempts).toBe(1);
    expect(server.state.gifts).toHaveLength(0);
    // not due yet: nothing is sent
    expect(await outbox.flush()).toHaveLength(0);
    clock = first.nextAttemptAt;
    const [retried] = await outbox.flush();
    expect(retried!.status).toBe('sent');
    expect(giftRequests().map((r) => r.key)).toEqual([first.key, first.key]);
    expect(server.state.gifts).toHaveLength(1);
    expect(server.state.coins).toBe(990);
  });

  it('never doubles a gift whose answer was lost after the server applied it', async () => {
    const { outbox } = boot();
    server.state.failAfter = 1;
    const first = await outbox.send('streamer', rose);
    expect(first.status).toBe('pending');
    expect(server.state.gifts).toHaveLength(1);
    clock += 60_000;
    const [retried] = await outbox.flush();
    expect(retried!.status).toBe('sent');
    expect(retried!.result?.wallet.coins).toBe(990);
    expect(server.state.gifts).toHaveLength(1);
    expect(server.state.coins).toBe(990);
  });

  it('after a crash between writing the gift and sending it, a restarted background sends it exactly once', async () => {
    const before = boot();
    // The crash: the record is written, the request is never made.
    server.state.failBefore = 1;
    const queued = await before.outbox.send('streamer', { ...rose, message: 'hello' });
    before.db.close();
    const after = boot();
    clock = queued.nextAttemptAt;
    const [sent] = await after.outbox.flush();
    expect(sent!.key).toBe(queued.key);
    expect(sent!.status).toBe('sent');
    expect(server.state.gifts).toEqual([
      { key: queued.key, handle: 'streamer', giftId: 'rose', count: 2, message: 'hello' },
    ]);
    // and flushing again (another wake-up) sends nothing more
    expect(await after.outbox.flush()).toHaveLength(0);
    expect(server.state.gifts).toHaveLength(1);
  });

  it('after a crash once the request reached the server, the restarted background gets the replay, not a second gift', async () => {
    const before = boot();
    server.state.failAfter = 1;
    const queued = await before.outbox.send('streamer', rose);
    before.db.close();
    const after = boot();
    clock += 10 * 60_000;
    await after.outbox.flush();
    expect((await after.db.outbox.get(queued.key))?.status).toBe('sent');
    expect(server.state.gifts).toHaveLength(1);
    expect(server.state.coins).toBe(990);
  });

  it('retries server errors with backoff, and stops at a final answer', async () => {
    const { outbox } = boot();
    server.state.unavailable = 2;
    const first = await outbox.send('streamer', rose);
    expect(first.status).toBe('pending');
    clock = first.nextAttemptAt;
    const [second] = await outbox.flush();
    expect(second!.status).toBe('pending');
    expect(second!.attempts).toBe(2);
    expect(second!.nextAttemptAt - clock).toBeGreaterThan(first.nextAttemptAt - 1_800_000_000_000);
    clock = second!.nextAttemptAt;
    const [third] = await outbox.flush();
    expect(third!.status).toBe('sent');
    expect(server.state.gifts).toHaveLength(1);
  });

  it('records final refusals (not live, not enough coins) without retrying them', async () => {
    const { outbox } = boot();
    server.state.live = false;
    const r = await outbox.send('streamer', rose);
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('not_live');
    server.state.live = true;
    clock += 3_600_000;
    expect(await outbox.flush()).toHaveLength(0);
    const big = await outbox.send('streamer', { giftId: 'galaxy', count: 1, anonymous: false });
    expect(big.error?.code).toBe('insufficient_funds');
    expect(server.state.gifts).toHaveLength(0);
  });

  it('sends a queued gift only as the account that queued it', async () => {
    const { outbox } = boot();
    server.state.failBefore = 1;
    const queued = await outbox.send('streamer', rose);
    session = { ...session!, user: { id: 'someone-else', displayName: 'Other', adult: true } };
    clock += 3_600_000;
    expect(await outbox.flush()).toHaveLength(0);
    session = null;
    expect(await outbox.flush()).toHaveLength(0);
    session = {
      id: 'current',
      server: SERVER,
      token: server.state.token,
      user: { id: 'u1', displayName: 'Viewer', adult: true },
    };
    const [sent] = await outbox.flush();
    expect(sent!.key).toBe(queued.key);
    expect(server.state.gifts).toHaveLength(1);
  });

  it('keeps a gift pending while the session is refused, then sends it once signed in again', async () => {
    const { outbox } = boot();
    session = { ...session!, token: 'gs_revoked' };
    const queued = await outbox.send('streamer', rose);
    expect(queued.status).toBe('pending');
    session = { ...session!, token: server.state.token };
    const [sent] = await outbox.flush();
    expect(sent!.status).toBe('sent');
    expect(server.state.gifts).toHaveLength(1);
  });

  it('gives up on a gift the server never answered before its replay window closes', async () => {
    const { outbox } = boot();
    server.state.failBefore = 1000;
    const queued = await outbox.send('streamer', rose);
    clock += GIVE_UP_AFTER + 1;
    await outbox.flush();
    const { db } = boot();
    const record = await db.outbox.get(queued.key);
    expect(record?.status).toBe('expired');
    expect(server.state.gifts).toHaveLength(0);
  });

  it('tells the background when the next retry is due', async () => {
    const db = new GiftstreamDb(dbName);
    const scheduled: number[] = [];
    const outbox = new GiftOutbox({
      db,
      session: async () => session,
      api: (s) => createApi({ baseUrl: s.server, token: s.token, fetch: server.fetch }),
      now: () => clock,
      schedule: (at) => scheduled.push(at),
      random: () => 0,
    });
    server.state.failBefore = 1;
    const q = await outbox.send('streamer', rose);
    expect(scheduled).toContain(q.nextAttemptAt);
    expect(q.nextAttemptAt).toBeGreaterThan(clock);
  });
});
