import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { advanceClock } from '../src/clock';
import { api, buy, signup, wallet } from './helpers';
import { connect, liveRoom, sendGift } from './room-helpers';

// The test configuration sets GIFTS_PER_SECOND=50, WS_PER_ROOM=30, WS_PER_ADDRESS=20.
describe('limits on abuse', () => {
  it('gifts per viewer per second: the excess gets 429 with Retry-After and moves nothing; replays are not limited', async () => {
    const { handle, viewer } = await liveRoom({ coins: 1000 });
    const results = await Promise.all(Array.from({ length: 60 }, () => sendGift(viewer, handle, { giftId: 'heart' })));
    const ok = results.filter((r) => r.status === 201);
    const limited = results.filter((r) => r.status === 429);
    expect(ok.length).toBe(50);
    expect(limited.length).toBe(10);
    for (const r of limited) {
      expect(r.json.error.code).toBe('rate_limited');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect((await wallet(viewer)).coins).toBe(950);
    advanceClock(1000);
    const key = 'replay-after-burst';
    const first = await sendGift(viewer, handle, { giftId: 'rose' }, key);
    expect(first.status).toBe(201);
    const burst = await Promise.all(Array.from({ length: 60 }, () => sendGift(viewer, handle, { giftId: 'rose' }, key)));
    expect(burst.every((r) => r.text === first.text)).toBe(true);
  });

  it('WebSocket connections per address and per room', async () => {
    const { handle } = await liveRoom({ coins: 0 });
    const open = [];
    for (let i = 0; i < 20; i++) open.push(await connect(handle));
    const refused = await SELF.fetch(`http://localhost/v1/rooms/${handle}/events`, { headers: { upgrade: 'websocket' } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(((await refused.json()) as any).error.code).toBe('rate_limited');
    for (let i = 0; i < 10; i++) {
      const res = await SELF.fetch(`http://localhost/v1/rooms/${handle}/events`, { headers: { upgrade: 'websocket', 'cf-connecting-ip': `203.0.113.${i}` } });
      expect(res.status).toBe(101);
      res.webSocket!.accept();
    }
    const full = await SELF.fetch(`http://localhost/v1/rooms/${handle}/events`, { headers: { upgrade: 'websocket', 'cf-connecting-ip': '198.51.100.7' } });
    expect(full.status).toBe(429);
    for (const c of open) c.close();
  });

  it('sign-ups per address', async () => {
    const { app } = await import('../src/index');
    const { env } = await import('cloudflare:test');
    const limited = { ...env, SIGNUPS_PER_HOUR: '2' };
    const headers = { 'content-type': 'application/json', 'cf-connecting-ip': '192.0.2.44' };
    const body = (i: number) => JSON.stringify({ email: `abuse${i}-${crypto.randomUUID()}@example.com`, password: 'long enough pw', displayName: 'A', birthdate: '1990-01-01' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.request('/v1/auth/signup', { method: 'POST', headers, body: body(i) }, limited)).status);
    expect(statuses).toEqual([201, 201, 429]);
    const other = await app.request('/v1/auth/signup', { method: 'POST', headers: { ...headers, 'cf-connecting-ip': '192.0.2.45' }, body: body(9) }, limited);
    expect(other.status).toBe(201);
  });

  it('logins per address', async () => {
    const { app } = await import('../src/index');
    const { env } = await import('cloudflare:test');
    const u = await signup();
    const limited = { ...env, LOGINS_PER_MINUTE: '3' };
    const init = { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': '192.0.2.80' }, body: JSON.stringify({ email: u.email, password: u.password }) };
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.request('/v1/auth/login', init, limited)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('message length', async () => {
    const { handle, viewer } = await liveRoom({ coins: 100 });
    const long = await sendGift(viewer, handle, { giftId: 'heart', message: 'x'.repeat(81) });
    expect(long.status).toBe(400);
    expect(long.json.error.field).toBe('message');
    expect((await sendGift(viewer, handle, { giftId: 'heart', message: 'x'.repeat(80) })).status).toBe(201);
    await buy(viewer, { packId: 'pack_100' });
    expect((await api('/v1/wallet', { token: viewer.token })).json.coins).toBe(199);
  });
});
