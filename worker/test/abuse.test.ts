import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { hashPassword, hashStats, inPasswordTurn, PASSWORD_TURNS } from '../src/auth';
import { advanceClock } from '../src/clock';
import { api, buy, connect, liveRoom, sendGift, signup, wallet } from './helpers';

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
    const burst = await Promise.all(
      Array.from({ length: 60 }, () => sendGift(viewer, handle, { giftId: 'rose' }, key)),
    );
    expect(burst.every((r) => r.text === first.text)).toBe(true);
  });

  it('WebSocket connections per address and per room', async () => {
    const { handle } = await liveRoom({ coins: 0 });
    const open = [];
    for (let i = 0; i < 20; i++) open.push(await connect(handle));
    const refused = await SELF.fetch(`http://localhost/v1/rooms/${handle}/events`, {
      headers: { upgrade: 'websocket' },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(((await refused.json()) as any).error.code).toBe('rate_limited');
    for (let i = 0; i < 10; i++) {
      const res = await SELF.fetch(`http://localhost/v1/rooms/${handle}/events`, {
        headers: { upgrade: 'websocket', 'cf-connecting-ip': `203.0.113.${i}` },
      });
      expect(res.status).toBe(101);
      res.webSocket!.accept();
    }
    const full = await SELF.fetch(`http://localhost/v1/rooms/${handle}/events`, {
      headers: { upgrade: 'websocket', 'cf-connecting-ip': '198.51.100.7' },
    });
    expect(full.status).toBe(429);
    for (const c of open) c.close();
  });

  it('sign-ups per address', async () => {
    const { app } = await import('../src/index');
    const { env } = await import('cloudflare:test');
    const limited = { ...env, SIGNUPS_PER_HOUR: '2' };
    const headers = { 'content-type': 'application/json', 'cf-connecting-ip': '192.0.2.44' };
    const body = (i: number) =>
      JSON.stringify({
        email: `abuse${i}-${crypto.randomUUID()}@example.com`,
        password: 'long enough pw',
        displayName: 'A',
        birthdate: '1990-01-01',
      });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await app.request('/v1/auth/signup', { method: 'POST', headers, body: body(i) }, limited)).status);
    expect(statuses).toEqual([201, 201, 429]);
    const other = await app.request(
      '/v1/auth/signup',
      { method: 'POST', headers: { ...headers, 'cf-connecting-ip': '192.0.2.45' }, body: body(9) },
      limited,
    );
    expect(other.status).toBe(201);
  });

  it('logins per address', async () => {
    const { app } = await import('../src/index');
    const { env } = await import('cloudflare:test');
    const u = await signup();
    const limited = { ...env, LOGINS_PER_MINUTE: '3' };
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': '192.0.2.80' },
      body: JSON.stringify({ email: u.email, password: u.password }),
    };
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

const MINUTE = 60_000;
const statuses = (replies: { status: number }[]) => replies.map((r) => r.status).sort();

// Counters are one D1 statement that increments and returns the count; these would fail if they read
// first and counted later (60 simultaneous sign-ups once made 39 accounts past a limit of 20).
describe('limits hold under simultaneous requests', () => {
  it('60 simultaneous sign-ups from one address create exactly 20 accounts (SIGNUPS_PER_HOUR); the other 40 get 429', async () => {
    const limited = { ...env, SIGNUPS_PER_HOUR: '20' };
    const tag = crypto.randomUUID().slice(0, 8);
    const replies = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        api('/v1/auth/signup', {
          body: {
            email: `burst-${tag}-${i}@example.com`,
            password: 'long enough pw',
            displayName: 'B',
            birthdate: '1990-01-01',
          },
          headers: { 'cf-connecting-ip': '192.0.2.60' },
          env: limited,
        }),
      ),
    );
    expect(statuses(replies)).toEqual([...Array(20).fill(201), ...Array(40).fill(429)]);
    for (const r of replies.filter((r) => r.status === 429)) {
      expect(r.json.error.code).toBe('rate_limited');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    const made = await env.DB.prepare('SELECT COUNT(*) AS n FROM users WHERE email_norm LIKE ?')
      .bind(`burst-${tag}-%`)
      .first<{ n: number }>();
    expect(made!.n).toBe(20);
  });

  it('40 simultaneous wrong passwords for one account: 5 are checked (401), 35 get 429 unchecked; then even the right one waits out the 15 minutes', async () => {
    expect(env.LOGIN_FAILURES_PER_15_MIN).toBe('5');
    const u = await signup();
    const checked = hashStats.started;
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api('/v1/auth/login', { body: { email: u.email, password: `wrong password ${i}` } }),
      ),
    );
    expect(statuses(replies)).toEqual([...Array(5).fill(401), ...Array(35).fill(429)]);
    expect(replies.filter((r) => r.status === 401).every((r) => r.json.error.code === 'invalid_credentials')).toBe(
      true,
    );
    expect(
      replies
        .filter((r) => r.status === 429)
        .every((r) => r.json.error.code === 'rate_limited' && Number(r.headers.get('retry-after')) >= 1),
    ).toBe(true);
    // Each checked password is one PBKDF2 run: the other 35 never reached it.
    expect(hashStats.started - checked).toBe(5);
    const right = { body: { email: u.email, password: u.password } };
    expect((await api('/v1/auth/login', right)).status).toBe(429);
    advanceClock(14 * MINUTE);
    expect((await api('/v1/auth/login', right)).status).toBe(429);
    advanceClock(MINUTE);
    expect((await api('/v1/auth/login', right)).status).toBe(200);
  });

  it('a right password hands its slot back: only wrong passwords use up the 5', async () => {
    const u = await signup();
    const attempt = (password: string) =>
      api('/v1/auth/login', { body: { email: u.email, password } }).then((r) => r.status);
    for (let i = 0; i < 4; i++) expect(await attempt(`wrong ${i}`)).toBe(401);
    expect(await attempt(u.password)).toBe(200);
    expect(await attempt(u.password)).toBe(200);
    expect(await attempt('wrong 5')).toBe(401);
    expect(await attempt(u.password)).toBe(429);
    advanceClock(15 * MINUTE);
  });
});

// Not timed: PBKDF2 holds the isolate's thread, so what keeps other requests moving is that hashes take
// turns with them (40 simultaneous logins once held gifts for a second each).
describe('password work takes turns', () => {
  /** Takes every turn and keeps them `ms`; answers once they are given back. */
  const holdEveryTurn = (ms: number) =>
    Promise.all(
      Array.from({ length: PASSWORD_TURNS }, () => inPasswordTurn(() => new Promise((r) => setTimeout(r, ms)))),
    );

  it('at most PASSWORD_TURNS at a time in an isolate, and every password hash goes through a turn', async () => {
    let inFlight = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        inPasswordTurn(async () => {
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setTimeout(r, 2));
          inFlight--;
        }),
      ),
    );
    expect(most).toBe(PASSWORD_TURNS);
    // Every turn held open: password hashes asked for meanwhile wait for one.
    let startedDuring = -1;
    const at = hashStats.started;
    const held = holdEveryTurn(20).then(() => {
      startedDuring = hashStats.started - at;
    });
    const before = hashStats.started;
    await Promise.all([held, ...Array.from({ length: 3 }, (_, i) => hashPassword(`password ${i}`))]);
    expect(startedDuring).toBe(0);
    expect(hashStats.started - before).toBe(3);
  });

  it('a sign-in takes the turn for all its password work: its rate-limit statements wait too, and its own hash does not wait for itself', async () => {
    const u = await signup();
    const bucket = () =>
      env.DB.prepare("SELECT count FROM rate_limits WHERE bucket = 'login:local'")
        .first<{ count: number }>()
        .then((r) => r?.count ?? 0);
    let during = { counted: -1, hashed: -1 };
    const [counted, hashed] = [await bucket(), hashStats.started];
    const held = holdEveryTurn(50).then(async () => {
      during = { counted: (await bucket()) - counted, hashed: hashStats.started - hashed };
    });
    const [signedIn] = await Promise.all([
      api('/v1/auth/login', { body: { email: u.email, password: u.password } }),
      held,
    ]);
    expect(during).toEqual({ counted: 0, hashed: 0 });
    expect(signedIn.status).toBe(200);
    // Changing the password checks one and hashes another, one turn after the other.
    const changed = await api('/v1/me/password', {
      token: signedIn.json.token,
      body: { currentPassword: u.password, newPassword: 'another long password' },
    });
    expect(changed.status).toBe(200);
  });
});
