import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { advanceClock, now } from '../src/clock';
import { api, signup } from './helpers';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const PASSWORD = 'correct horse battery';

const hashOf = async (id: string) =>
  (await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?').bind(id).first<{ password_hash: string }>())!
    .password_hash;

async function pbkdf2(
  key: Uint8Array<ArrayBuffer>,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const material = await crypto.subtle.importKey('raw', key, 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material, 256),
  );
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const fromB64url = (s: string) =>
  Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (ch) => ch.charCodeAt(0));
let seq = 0;

function freshEmail(tag = 'auth'): string {
  return `${tag}${++seq}-${crypto.randomUUID().slice(0, 8)}@example.com`;
}

async function register(overrides: Record<string, unknown> = {}) {
  const body = {
    email: freshEmail(),
    password: PASSWORD,
    displayName: 'Ada Viewer',
    birthdate: '1990-05-17',
    ...overrides,
  };
  return { body, res: await api('/v1/auth/signup', { body }) };
}

function login(email: string, password: string) {
  return api('/v1/auth/login', { body: { email, password } });
}

function me(token: string) {
  return api('/v1/me', { token });
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Every row of every table of the D1 directory, as one string, to look for secrets in. */
async function dumpD1(): Promise<string> {
  const { results: tables } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['users', 'sessions', 'rate_limits']));
  const parts: string[] = [];
  for (const { name } of tables) {
    const { results } = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
    parts.push(`${name}:${JSON.stringify(results)}`);
  }
  return parts.join('\n');
}

/** A UTC date `years` before the clock's today, shifted by `days`, as YYYY-MM-DD. */
function birthdateYearsAgo(years: number, days = 0): string {
  const today = new Date(now());
  const d = new Date(Date.UTC(today.getUTCFullYear() - years, today.getUTCMonth(), today.getUTCDate() + days));
  return d.toISOString().slice(0, 10);
}

describe('signup', () => {
  it('answers 201 with a token and the public user, and the token signs the user in', async () => {
    const { body, res } = await register({ displayName: 'Ada Viewer' });
    expect(res.status).toBe(201);
    expect(res.json.token).toEqual(expect.any(String));
    expect(res.json.token.length).toBeGreaterThanOrEqual(32);
    expect(res.json.user).toMatchObject({ id: expect.any(String), displayName: 'Ada Viewer', adult: true });
    expect(res.json.user).not.toHaveProperty('password');
    expect(res.json.user).not.toHaveProperty('passwordHash');
    expect(res.json.user).not.toHaveProperty('birthdate');

    const m = await me(res.json.token);
    expect(m.status).toBe(200);
    expect(m.json.user).toMatchObject({ id: res.json.user.id, displayName: 'Ada Viewer', adult: true });
    expect(m.json.wallet).toMatchObject({ coins: 0, diamonds: 0, debt: 0 });

    const row = await env.DB.prepare('SELECT email, display_name, birthdate FROM users WHERE id = ?')
      .bind(res.json.user.id)
      .first();
    expect(row).toEqual({ email: body.email, display_name: 'Ada Viewer', birthdate: '1990-05-17' });
  });

  it('refuses a second account for the same email in any letter case (409 email_taken)', async () => {
    const local = `MixedCase${++seq}-${crypto.randomUUID().slice(0, 8)}`;
    const first = await register({ email: `${local}@Example.COM` });
    expect(first.res.status).toBe(201);
    for (const variant of [
      `${local}@Example.COM`,
      `${local.toLowerCase()}@example.com`,
      `${local.toUpperCase()}@EXAMPLE.COM`,
      `  ${local}@example.com  `,
    ]) {
      const again = await register({ email: variant, password: 'another password 123' });
      expect(again.res.status, variant).toBe(409);
      expect(again.res.json.error.code).toBe('email_taken');
      expect(again.res.json.token).toBeUndefined();
    }
    const { results } = await env.DB.prepare('SELECT id FROM users WHERE email_norm = ?')
      .bind(`${local}@example.com`.toLowerCase())
      .all();
    expect(results).toHaveLength(1);
    // The account still has its original password, and any letter case of the email signs in.
    expect((await login(`${local.toLowerCase()}@EXAMPLE.com`, PASSWORD)).status).toBe(200);
    expect((await login(`${local}@example.com`, 'another password 123')).status).toBe(401);
  });

  it('creates exactly one account when the same email signs up concurrently', async () => {
    const email = freshEmail('race');
    const results = await Promise.all(
      [email, email.toUpperCase(), email, email.toUpperCase(), email].map((e, i) =>
        register({ email: e, displayName: `Racer ${i}` }),
      ),
    );
    const statuses = results.map((r) => r.res.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409]);
    const { results: rows } = await env.DB.prepare('SELECT id FROM users WHERE email_norm = ?')
      .bind(email.toLowerCase())
      .all<{ id: string }>();
    expect(rows).toHaveLength(1);
    const winner = results.find((r) => r.res.status === 201)!;
    expect(rows[0]!.id).toBe(winner.res.json.user.id);
    expect((await me(winner.res.json.token)).json.user.displayName).toBe(winner.body.displayName);
  });

  it('stores a salted PBKDF2-SHA256 hash of 100,000 iterations in 10 nested rounds, never the password', async () => {
    const a = await register();
    const b = await register(); // same password, another account
    expect(a.res.status).toBe(201);
    expect(b.res.status).toBe(201);
    const ha = await hashOf(a.res.json.user.id);
    const hb = await hashOf(b.res.json.user.id);
    expect(ha).toMatch(/^pbkdf2-sha256-nested\$10x10000\$[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{40,}$/);
    expect(hb).toMatch(/^pbkdf2-sha256-nested\$10x10000\$/);
    expect(ha).not.toBe(hb); // a fresh salt per account
    expect(ha.split('$')[2]).not.toBe(hb.split('$')[2]);
    // The construction, pinned: round i is PBKDF2(previous round's 32 bytes, salt ‖ i, 10,000).
    const [, , salt, hash] = ha.split('$');
    let key = new TextEncoder().encode(PASSWORD) as Uint8Array<ArrayBuffer>;
    for (let i = 0; i < 10; i++) key = await pbkdf2(key, Uint8Array.from([...fromB64url(salt!), i]), 10_000);
    expect(b64url(key)).toBe(hash);
    const dump = await dumpD1();
    expect(dump).not.toContain(PASSWORD);
  });

  it('a hash stored before the rounds (one PBKDF2 of 100,000 iterations) still signs in, and only with its password', async () => {
    const { body, res } = await register();
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const old = `pbkdf2-sha256$100000$${b64url(salt)}$${b64url(await pbkdf2(new TextEncoder().encode(PASSWORD), salt, 100_000))}`;
    await env.DB.prepare('UPDATE users SET password_hash = ? WHERE id = ?').bind(old, res.json.user.id).run();
    expect((await login(body.email, PASSWORD)).status).toBe(200);
    expect((await login(body.email, `${PASSWORD}!`)).status).toBe(401);
    expect(await hashOf(res.json.user.id)).toBe(old);
  });

  it('stores only a hash of each session token; the token itself appears nowhere in D1', async () => {
    const { body, res } = await register();
    const signupToken: string = res.json.token;
    const l = await login(body.email, PASSWORD);
    expect(l.status).toBe(200);
    const loginToken: string = l.json.token;
    expect(loginToken).not.toBe(signupToken);

    const { results } = await env.DB.prepare('SELECT token_hash FROM sessions WHERE user_id = ? ORDER BY created_at')
      .bind(res.json.user.id)
      .all<{ token_hash: string }>();
    expect(results.map((r) => r.token_hash).sort()).toEqual(
      [await sha256Hex(signupToken), await sha256Hex(loginToken)].sort(),
    );
    const dump = await dumpD1();
    expect(dump).not.toContain(signupToken);
    expect(dump).not.toContain(loginToken);
    // Nor does any recognisable part of it (the random part after the prefix).
    expect(dump).not.toContain(signupToken.slice(-24));
  });
});

describe('birthdate', () => {
  for (const bad of [
    '2023-02-30',
    'yesterday',
    '1990-13-01',
    '1990-00-10',
    '1990-1-5',
    '17/05/1990',
    '',
    '1990-05-17T00:00:00Z',
    '1899-12-31',
  ]) {
    it(`refuses ${JSON.stringify(bad)} with 400 naming the birthdate field, and creates nothing`, async () => {
      const { body, res } = await register({ birthdate: bad });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'invalid_request', field: 'birthdate' });
      expect(
        await env.DB.prepare('SELECT 1 FROM users WHERE email_norm = ?').bind(body.email.toLowerCase()).first(),
      ).toBeNull();
      // The email is still free.
      expect((await register({ email: body.email })).res.status).toBe(201);
    });
  }

  it('accepts a real leap day', async () => {
    const { res } = await register({ birthdate: '2000-02-29' });
    expect(res.status).toBe(201);
    expect(res.json.user.adult).toBe(true);
  });
});

describe('login', () => {
  it('answers 200 {token, user} for the right password and 401 invalid_credentials otherwise', async () => {
    const { body, res } = await register({ displayName: 'Login Person' });
    const ok = await login(body.email, PASSWORD);
    expect(ok.status).toBe(200);
    expect(ok.json.user).toMatchObject({ id: res.json.user.id, displayName: 'Login Person', adult: true });
    expect((await me(ok.json.token)).json.user.id).toBe(res.json.user.id);

    const wrong = await login(body.email, 'correct horse battery!');
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('invalid_credentials');
    expect(wrong.json.token).toBeUndefined();

    // An unknown email gets the very same answer: no account enumeration.
    const unknown = await login(freshEmail('nobody'), PASSWORD);
    expect(unknown.status).toBe(401);
    expect(unknown.json).toEqual(wrong.json);
  });

  it(`after ${env.LOGIN_FAILURES_PER_15_MIN} failures for an email answers 429 with Retry-After, even with the right password, until 15 minutes pass`, async () => {
    expect(env.LOGIN_FAILURES_PER_15_MIN).toBe('5');
    const { body } = await register();
    const other = await register();
    for (let i = 0; i < 5; i++) {
      const r = await login(i % 2 ? body.email.toUpperCase() : body.email, `wrong password ${i}`);
      expect(r.status, `failure ${i + 1}`).toBe(401);
      expect(r.json.error.code).toBe('invalid_credentials');
    }
    const blocked = await login(body.email, PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe('rate_limited');
    expect(blocked.json.token).toBeUndefined();
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // The lock is per email, whatever its letter case, and does not touch other accounts.
    expect((await login(body.email.toUpperCase(), PASSWORD)).status).toBe(429);
    expect((await login(other.body.email, PASSWORD)).status).toBe(200);

    advanceClock(5 * MINUTE);
    expect((await login(body.email, PASSWORD)).status).toBe(429);
    advanceClock(10 * MINUTE);
    const again = await login(body.email, PASSWORD);
    expect(again.status).toBe(200);
    expect((await me(again.json.token)).status).toBe(200);
  });
});

describe('sessions', () => {
  it('logout answers 204 and the token then gets 401, while other sessions keep working', async () => {
    const { body, res } = await register();
    const token: string = res.json.token;
    const second = (await login(body.email, PASSWORD)).json.token as string;
    expect((await me(token)).status).toBe(200);
    const out = await api('/v1/auth/logout', { method: 'POST', token });
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    const after = await me(token);
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('unauthorized');
    expect((await api('/v1/wallet', { token })).status).toBe(401);
    expect((await api('/v1/auth/logout', { method: 'POST', token })).status).toBe(401);
    expect((await me(second)).status).toBe(200);
  });

  it('rejects a missing, malformed or unknown token with 401 unauthorized', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer' },
      { authorization: 'Basic abc' },
      { authorization: `Bearer gs_${'A'.repeat(43)}` },
    ] as Record<string, string>[]) {
      const r = await api('/v1/me', { headers });
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe('unauthorized');
    }
  });

  it(`expires after SESSION_TTL_DAYS (${env.SESSION_TTL_DAYS}) days`, async () => {
    expect(env.SESSION_TTL_DAYS).toBe('30');
    const { body, res } = await register();
    const token: string = res.json.token;
    advanceClock(30 * DAY - MINUTE);
    expect((await me(token)).status).toBe(200);
    advanceClock(2 * MINUTE);
    const expired = await me(token);
    expect(expired.status).toBe(401);
    expect(expired.json.error.code).toBe('unauthorized');
    // Signing in again gives a fresh 30 days.
    const fresh = await login(body.email, PASSWORD);
    expect(fresh.status).toBe(200);
    expect((await me(fresh.json.token)).status).toBe(200);
  });
});

describe('profile', () => {
  it('PATCH /v1/me changes the display name everywhere', async () => {
    const u = await signup({ name: 'Before' });
    const r = await api('/v1/me', { method: 'PATCH', body: { displayName: '  After Name  ' }, token: u.token });
    expect(r.status).toBe(200);
    expect(r.json.user).toMatchObject({ id: u.id, displayName: 'After Name', adult: true });
    expect((await me(u.token)).json.user.displayName).toBe('After Name');
    expect((await login(u.email, u.password)).json.user.displayName).toBe('After Name');
    const row = await env.DB.prepare('SELECT display_name FROM users WHERE id = ?')
      .bind(u.id)
      .first<{ display_name: string }>();
    expect(row!.display_name).toBe('After Name');
  });

  it('refuses an empty or too long display name, and any other field such as the birthdate', async () => {
    const u = await signup({ name: 'Stays' });
    for (const body of [
      { displayName: '' },
      { displayName: '   ' },
      { displayName: 'x'.repeat(41) },
      {},
      { displayName: 'Ok', birthdate: '1950-01-01' },
    ]) {
      const r = await api('/v1/me', { method: 'PATCH', body, token: u.token });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('invalid_request');
    }
    const birth = await api('/v1/me', {
      method: 'PATCH',
      body: { displayName: 'Ok', birthdate: '1950-01-01' },
      token: u.token,
    });
    expect(birth.json.error.field).toBe('birthdate');
    expect((await me(u.token)).json.user.displayName).toBe('Stays');
    expect(
      (await env.DB.prepare('SELECT birthdate FROM users WHERE id = ?').bind(u.id).first<{ birthdate: string }>())!
        .birthdate,
    ).toBe('1990-05-17');
    expect((await api('/v1/me', { method: 'PATCH', body: { displayName: 'Nope' } })).status).toBe(401);
  });
});

describe('under-18 accounts', () => {
  it('sign up and sign in, and GET /v1/me shows adult:false', async () => {
    const { body, res } = await register({ birthdate: birthdateYearsAgo(15) });
    expect(res.status).toBe(201);
    expect(res.json.user.adult).toBe(false);
    const l = await login(body.email, PASSWORD);
    expect(l.status).toBe(200);
    expect(l.json.user.adult).toBe(false);
    const m = await me(l.json.token);
    expect(m.status).toBe(200);
    expect(m.json.user.adult).toBe(false);
    expect(m.json.wallet.coins).toBe(0);
  });

  it('become adults on their 18th birthday, not a day before', async () => {
    const today = new Date(now());
    if (today.getUTCMonth() === 1 && today.getUTCDate() === 29) return; // no such day 18 years ago
    const turnsToday = await register({ birthdate: birthdateYearsAgo(18) });
    expect(turnsToday.res.status).toBe(201);
    expect(turnsToday.res.json.user.adult).toBe(true);
    const turnsTomorrow = await register({ birthdate: birthdateYearsAgo(18, 1) });
    expect(turnsTomorrow.res.status).toBe(201);
    expect(turnsTomorrow.res.json.user.adult).toBe(false);
  });
});
