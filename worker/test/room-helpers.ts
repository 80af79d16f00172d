import { env, SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import { parseFrame, type RoomEvent } from '@giftstream/shared';
import { api, buy, makeCreator, signup, uniqueKey, type TestUser } from './helpers';

export function roomStub(handle: string) {
  return env.LIVE_ROOM.get(env.LIVE_ROOM.idFromName(handle));
}

let handles = 0;

/** A creator who is live, and a viewer with coins. */
export async function liveRoom(opts: { coins?: number } = {}) {
  const creatorUser = await signup({ name: 'Streamer' });
  const handle = `room_${++handles}_${crypto.randomUUID().slice(0, 6)}`;
  await makeCreator(creatorUser, handle);
  const live = await api('/v1/creator/live', {
    body: { live: true, title: 'Testing stream' },
    token: creatorUser.token,
  });
  expect(live.status).toBe(200);
  const viewer = await signup({ name: 'Viewer One' });
  if (opts.coins !== 0) await buy(viewer, { coins: opts.coins ?? 10_000 });
  return { creator: creatorUser, handle, viewer };
}

export async function sendGift(
  viewer: TestUser,
  handle: string,
  body: Record<string, unknown>,
  key = uniqueKey('gift'),
) {
  return api(`/v1/rooms/${handle}/gifts`, { body, token: viewer.token, key });
}

export interface Client {
  events: RoomEvent[];
  frames: number;
  closed: { code: number } | null;
  ws: WebSocket;
  close(): void;
}

export async function connect(handle: string, query = ''): Promise<Client> {
  const res = await SELF.fetch(`http://localhost/v1/rooms/${handle}/events${query}`, {
    headers: { upgrade: 'websocket' },
  });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const client: Client = { events: [], frames: 0, closed: null, ws, close: () => ws.close(1000, 'bye') };
  ws.accept();
  ws.addEventListener('message', (e) => {
    client.frames++;
    client.events.push(...parseFrame(e.data as string));
  });
  ws.addEventListener('close', (e) => {
    client.closed = { code: e.code };
  });
  return client;
}

/** Polls `probe` until `ok` holds; fails naming `what` and the last value seen. */
export async function until<T>(
  what: string,
  probe: () => Promise<T> | T,
  ok: (v: T) => boolean,
  timeoutMs = 15_000,
  pollMs = 25,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)?.slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export async function diamondsOf(user: TestUser): Promise<number> {
  return (await api('/v1/wallet', { token: user.token })).json.diamonds;
}

let spendingRoom: string | null = null;

/** A gift to a live room made once per test file, for tests that only need coins spent. */
export async function giftToSpendingRoom(user: TestUser, giftId: string, count: number) {
  if (!spendingRoom) {
    const streamer = await signup({ name: 'Streamer' });
    const handle = `spend_${crypto.randomUUID().slice(0, 8)}`;
    await makeCreator(streamer, handle);
    expect((await api('/v1/creator/live', { body: { live: true }, token: streamer.token })).status).toBe(200);
    spendingRoom = handle;
  }
  return sendGift(user, spendingRoom, { giftId, count });
}

/** Spends exactly `coins` of a viewer's coins on gifts (balloons, then hearts). */
export async function spendCoins(user: TestUser, coins: number): Promise<void> {
  const parts: [string, number][] = [];
  if (coins >= 100) parts.push(['balloon', Math.floor(coins / 100)]);
  if (coins % 100) parts.push(['heart', coins % 100]);
  for (const [giftId, count] of parts) {
    const r = await giftToSpendingRoom(user, giftId, count);
    expect(r.status, r.text).toBe(201);
  }
}
