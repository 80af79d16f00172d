// Shared by the browser tests: a real `wrangler dev` on a free port with its own storage, and Chromium.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ARTIFACTS = join(ROOT, 'artifacts');
export const ADMIN_TOKEN = 'e2e-admin-token';
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const QUIET = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_COLOR: '1' };

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface Server {
  url: string;
  port: number;
  adminToken: string;
  stop(): Promise<void>;
}

/** `wrangler dev` with the test configuration (settable clock, fault switches) and fresh local storage. */
export async function startServer(vars: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const inspector = await freePort();
  const persist = mkdtempSync(join(tmpdir(), 'giftstream-e2e-'));
  const url = `http://127.0.0.1:${port}`;
  const migrate = spawnSync(WRANGLER, ['d1', 'migrations', 'apply', 'giftstream', '--local', '--persist-to', persist], { cwd: ROOT, env: QUIET, encoding: 'utf8' });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr}\n${migrate.stdout}`);
  const allVars = { TEST_HOOKS: '1', ADMIN_TOKEN, PUBLIC_URL: url, SIGNUPS_PER_HOUR: '100000', LOGINS_PER_MINUTE: '100000', GIFTS_PER_SECOND: '1000', WS_PER_ADDRESS: '5000', ...vars };
  const args = ['dev', '--port', String(port), '--ip', '127.0.0.1', '--inspector-port', String(inspector), '--persist-to', persist, '--log-level', 'warn', '--show-interactive-dev-session=false'];
  for (const [k, v] of Object.entries(allVars)) args.push('--var', `${k}:${v}`);
  const child: ChildProcess = spawn(WRANGLER, args, { cwd: ROOT, env: QUIET, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const stop = async () => {
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {}
      await new Promise((r) => setTimeout(r, 300));
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    }
    rmSync(persist, { recursive: true, force: true });
  };
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}/v1/health`)).ok) return { url, port, adminToken: ADMIN_TOKEN, stop };
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`wrangler dev did not start:\n${log}`);
}

export interface Reply {
  status: number;
  json: any;
  text: string;
}

export async function api(base: string, path: string, opts: { method?: string; body?: unknown; token?: string; key?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.key) headers['idempotency-key'] = opts.key;
  const res = await fetch(`${base}${path}`, { method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'), headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {}
  return { status: res.status, json, text };
}

let n = 0;
export async function signup(base: string, displayName: string, adult = true) {
  const email = `e2e${++n}-${Date.now()}@example.com`;
  const r = await api(base, '/v1/auth/signup', { body: { email, password: 'e2e password 123', displayName, birthdate: adult ? '1990-01-01' : '2015-01-01' } });
  if (r.status !== 201) throw new Error(`signup failed: ${r.text}`);
  return { token: r.json.token as string, id: r.json.user.id as string, email, password: 'e2e password 123' };
}

/** A creator who is live with an overlay token, and a viewer with coins. */
export async function liveCreator(base: string, handle: string) {
  const creator = await signup(base, 'Streamer');
  const made = await api(base, '/v1/creators', { body: { handle, channels: [`https://www.twitch.tv/${handle}`] }, token: creator.token });
  if (made.status !== 201) throw new Error(made.text);
  await api(base, '/v1/creator/live', { body: { live: true, title: 'e2e stream' }, token: creator.token });
  const overlay = (await api(base, '/v1/creator/overlay-token', { token: creator.token })).json as { token: string; overlayUrl: string };
  return { creator, overlay };
}

export function artifactDir(name: string): string {
  const dir = join(ARTIFACTS, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Chromium with an unpacked extension loaded (Debian's build honours --load-extension headless). */
export async function launchWithExtension(extensionDir: string): Promise<{ context: BrowserContext; extensionId: string; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'giftstream-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: false,
    args: ['--headless=new', `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`, ...CHROMIUM_ARGS],
  });
  let [worker] = context.serviceWorkers();
  worker ??= await context.waitForEvent('serviceworker');
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    extensionId,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
