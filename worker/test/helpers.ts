import { env, SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import { app } from '../src/index';

export const ADMIN = 'test-admin-token';
let seq = 0;

export interface Call {
  method?: string;
  body?: unknown;
  token?: string;
  key?: string;
  headers?: Record<string, string>;
  raw?: string;
  /** Another environment for this one call (through Hono's app.request instead of SELF.fetch). */
  env?: typeof env;
}

export async function api(path: string, call: Call = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...call.headers };
  if (call.body !== undefined || call.raw !== undefined) headers['content-type'] ??= 'application/json';
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  if (call.key !== undefined) headers['idempotency-key'] = call.key;
  const init = {
    method: call.method ?? (call.body !== undefined || call.raw !== undefined ? 'POST' : 'GET'),
    headers,
    body: call.raw ?? (call.body === undefined ? undefined : JSON.stringify(call.body)),
  };
  return toReply(
    call.env ? await app.request(path, init, call.env) : await SELF.fetch(`http://localhost${path}`, init),
  );
}

export interface Reply {
  status: number;
  text: string;
  json: any;
  headers: Headers;
}

/** A response read whole: status, text, the JSON it holds (null if none) and headers. */
export async function toReply(res: Response): Promise<Reply> {
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, text, json, headers: res.headers };
}

export function uniqueKey(prefix = 'key'): string {
  return `${prefix}-${++seq}-${crypto.randomUUID()}`;
}

export interface TestUser {
  token: string;
  id: string;
  email: string;
  password: string;
}

export async function signup(opts: { adult?: boolean; name?: string } = {}): Promise<TestUser> {
  const email = `user${++seq}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const password = 'correct horse battery';
  const birthdate = opts.adult === false ? `${new Date().getUTCFullYear() - 15}-01-01` : '1990-05-17';
  const r = await api('/v1/auth/signup', {
    body: { email, password, displayName: opts.name ?? 'Test User', birthdate },
  });
  expect(r.status).toBe(201);
  return { token: r.json.token, id: r.json.user.id, email, password };
}

export async function buy(user: TestUser, body: unknown = { packId: 'pack_1000' }) {
  const r = await api('/v1/purchases', { body, token: user.token, key: uniqueKey('buy') });
  expect(r.status).toBe(201);
  return r.json;
}

export async function wallet(user: TestUser) {
  const r = await api('/v1/wallet', { token: user.token });
  expect(r.status).toBe(200);
  return r.json;
}

export async function audit() {
  const r = await api('/v1/admin/audit', { token: ADMIN });
  expect(r.status).toBe(200);
  return r.json;
}

export async function expectCleanAudit() {
  const a = await audit();
  expect(a.violations).toEqual([]);
  expect(a.ok).toBe(true);
  return a;
}

export async function makeCreator(user: TestUser, handle: string, channels: string[] = []) {
  const r = await api('/v1/creators', { body: { handle, channels }, token: user.token });
  expect(r.status).toBe(201);
  return r.json.creator;
}

export function walletStub(userId: string) {
  return env.WALLET.get(env.WALLET.idFromName(userId));
}
