// Shared by the browser tests: a real `wrangler dev` on a free port with its own storage, and Chromium.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { applyMigrations, devArgs, freePort, QUIET, wranglerIn } from '../scripts/wrangler-dev.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ARTIFACTS = join(ROOT, 'artifacts');
export const ADMIN_TOKEN = 'e2e-admin-token';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WRANGLER = wranglerIn(ROOT);
export { freePort };

export interface Server {
  url: string;
  port: number;
  adminToken: string;
  stop(): Promise<void>;
  /** Stops the server as a crash would, keeping its storage; `up` starts it again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
}

/**
 * `wrangler dev` with the test configuration (settable clock, fault switches) and fresh local storage, on a
 * free port unless `port` names one (a build that has the server's address in it needs it known first).
 */
export async function startServer(
  vars: Record<string, string> = {},
  { port: wanted }: { port?: number } = {},
): Promise<Server> {
  const port = wanted ?? (await freePort());
  const inspector = await freePort();
  const persist = freshStorage();
  const url = `http://127.0.0.1:${port}`;
  const allVars = {
    TEST_HOOKS: '1',
    ADMIN_TOKEN,
    PUBLIC_URL: url,
    SIGNUPS_PER_HOUR: '100000',
    LOGINS_PER_MINUTE: '100000',
    GIFTS_PER_SECOND: '1000',
    WS_PER_ADDRESS: '5000',
    ...vars,
  };
  const args = devArgs({ port, inspector, persist, vars: allVars });
  let child!: ChildProcess;
  let log = '';
  const spawnDev = () => {
    log = '';
    child = spawn(WRANGLER, args, { cwd: ROOT, env: QUIET, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
  };
  const kill = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {}
      await Promise.race([exited, new Promise((r) => setTimeout(r, 300))]);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    }
  };
  const stop = async () => {
    await kill();
    rmSync(persist, { recursive: true, force: true });
  };
  const healthy = async () => {
    for (let i = 0; i < 240; i++) {
      if (child.exitCode !== null) break;
      try {
        if ((await fetch(`${url}/v1/health`)).ok) return true;
      } catch {}
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  };
  // A server crash and restart with the same storage and port: `down` stops it, `up` starts it again.
  const down = () => kill();
  const up = async () => {
    spawnDev();
    if (!(await healthy())) throw new Error(`wrangler dev did not restart:\n${log}`);
  };
  spawnDev();
  if (await healthy()) return { url, port, adminToken: ADMIN_TOKEN, stop, down, up };
  await stop();
  throw new Error(`wrangler dev did not start:\n${log}`);
}

/**
 * New local storage with the D1 migrations applied: a copy of the storage e2e/global-setup.ts migrated once for
 * the run (the same files a migration of empty storage writes), or, outside it, migrated here.
 */
function freshStorage(): string {
  const persist = mkdtempSync(join(tmpdir(), 'giftstream-e2e-'));
  const migrated = inject('migratedStorage');
  if (migrated) cpSync(migrated, persist, { recursive: true });
  else applyMigrations(ROOT, persist);
  return persist;
}

export interface Reply {
  status: number;
  json: any;
  text: string;
}

/**
 * wrangler dev's own proxy now and then drops a request with this 503 (seen under the benchmarks' load).
 * A request with an Idempotency-Key is resent under the same key, as a client would; one without is not,
 * since it may have been carried out. The worker itself never answers 503.
 */
const DROPPED_BY_DEV_PROXY = 'Your worker restarted mid-request';

export async function api(
  base: string,
  path: string,
  opts: { method?: string; body?: unknown; token?: string; key?: string } = {},
): Promise<Reply> {
  // A new connection per call: a kept-alive one that the dev server closes as idle just when it is reused fails with
  // "other side closed" before the request was read (seen once with two test files at a time on two cores).
  const headers: Record<string, string> = { connection: 'close' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.key) headers['idempotency-key'] = opts.key;
  let res: Response;
  let text: string;
  for (let attempt = 1; ; attempt++) {
    res = await fetch(`${base}${path}`, {
      method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    text = await res.text();
    if (!(res.status === 503 && text.includes(DROPPED_BY_DEV_PROXY) && opts.key && attempt < 3)) break;
  }
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {}
  return { status: res.status, json, text };
}

let n = 0;
export async function signup(base: string, displayName: string, adult = true) {
  const email = `e2e${++n}-${Date.now()}@example.com`;
  const r = await api(base, '/v1/auth/signup', {
    body: { email, password: 'e2e password 123', displayName, birthdate: adult ? '1990-01-01' : '2015-01-01' },
  });
  if (r.status !== 201) throw new Error(`signup failed: ${r.text}`);
  return { token: r.json.token as string, id: r.json.user.id as string, email, password: 'e2e password 123' };
}

/** A creator with a verified channel, not live yet. */
export async function verifiedCreator(base: string, handle: string, displayName = 'Streamer') {
  const creator = await signup(base, displayName);
  const made = await api(base, '/v1/creators', {
    body: { handle, channels: [`https://www.twitch.tv/${handle}`] },
    token: creator.token,
  });
  if (made.status !== 201) throw new Error(made.text);
  // Only a verified channel gets a gift button, so the operator verifies it, as scripts/start.mjs does.
  const verified = await api(base, '/v1/admin/channels/verify', {
    body: { url: `https://www.twitch.tv/${handle}`, handle },
    token: ADMIN_TOKEN,
  });
  if (verified.status !== 200) throw new Error(verified.text);
  return creator;
}

/** A creator who is live with a verified channel and an overlay token. */
export async function liveCreator(base: string, handle: string) {
  const creator = await verifiedCreator(base, handle);
  await api(base, '/v1/creator/live', { body: { live: true, title: 'e2e stream' }, token: creator.token });
  const overlay = (await api(base, '/v1/creator/overlay-token', { token: creator.token })).json as {
    token: string;
    overlayUrl: string;
  };
  return { creator, overlay };
}

export function artifactDir(name: string): string {
  const dir = join(ARTIFACTS, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A fresh server and a plain Chromium, for pages of the built overlay workspace (`built` is a file of its build). */
export interface PageRig {
  server: Server;
  browser: Browser;
  stop(): Promise<void>;
}

export async function startPageRig(built: string): Promise<PageRig> {
  if (!existsSync(join(ROOT, built)))
    throw new Error(`${built} is missing; build the overlay first: npm run build -w overlay`);
  const [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const stop = async () => {
    await browser.close();
    await server.stop();
  };
  return { server, browser, stop };
}

/** Chromium with an unpacked extension loaded (Debian's build honours --load-extension headless). */
export async function launchWithExtension(
  extensionDir: string,
): Promise<{ context: BrowserContext; extensionId: string; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'giftstream-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: false,
    args: [
      '--headless=new',
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      ...CHROMIUM_ARGS,
    ],
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

// ---- Shared by the story test and free for the others: the built extension, its popup, the stream page's
// gift button, and a record of what an overlay page showed.

export const EXTENSION_DIR = join(ROOT, 'extension', '.output', 'chrome-mv3');
const OUTPUT_DIRS = { chrome: EXTENSION_DIR, firefox: join(ROOT, 'extension', '.output', 'firefox-mv2') };

/**
 * `npx wxt build` in extension/, for `browser`, with the build variables in `env` (GIFTSTREAM_SERVER…). Builds
 * in one checkout take turns (test files run two at a time): each rewrites extension/.output/.
 */
export function runExtensionBuild(browser: 'chrome' | 'firefox' = 'chrome', env: Record<string, string> = {}) {
  return withBuildLock(() => runExtensionBuildUnlocked(browser, env));
}

function runExtensionBuildUnlocked(browser: 'chrome' | 'firefox', env: Record<string, string>) {
  // The operator's variables come from `env` only, never from the shell that runs the tests.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIFTSTREAM_')));
  return spawnSync('npx', ['wxt', 'build', '-b', browser], {
    cwd: join(ROOT, 'extension'),
    encoding: 'utf8',
    env: { ...base, NO_COLOR: '1', ...env },
  });
}

const BUILD_LOCK = join(ROOT, 'extension', '.output.lock');

/** Runs `fn` holding a lock on extension/.output/ shared by every process of this checkout (a directory). */
function withBuildLock<T>(fn: () => T): T {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A holder that died (a killed run) leaves the lock behind: no build takes two minutes.
      if (waited >= 120_000) rmSync(BUILD_LOCK, { recursive: true, force: true });
      Atomics.wait(pause, 0, 0, 100);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

/** Builds the extension and returns a private copy of the build (see `buildExtension`). */
export function buildExtensionNow(browser: 'chrome' | 'firefox', env: Record<string, string>): string {
  let failure = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const copy = mkdtempSync(join(tmpdir(), 'giftstream-extension-'));
    try {
      withBuildLock(() => {
        const build = runExtensionBuildUnlocked(browser, env);
        if (build.status !== 0) throw new Error(`${build.stdout}\n${build.stderr}`);
        cpSync(OUTPUT_DIRS[browser], copy, { recursive: true });
      });
      checkBuild(copy);
      return copy;
    } catch (e) {
      failure = String(e);
      rmSync(copy, { recursive: true, force: true });
    }
  }
  throw new Error(`extension build failed:\n${failure}`);
}

function checkBuild(dir: string) {
  for (const file of ['manifest.json', 'popup.html', 'background.js'])
    if (!existsSync(join(dir, file))) throw new Error(`${file} missing from the build`);
}

/**
 * Builds the extension from the sources under test (`npx wxt build`) and returns a private copy of the
 * build to load: other builds in the same checkout (a `npm run build`, another test file) rewrite
 * `.output/` and would pull the files from under a running browser. Remove the copy when done. The plain
 * Chrome build (no `env`) is built once per run, by e2e/global-setup.ts, and copied from there.
 */
export function buildExtension({
  browser = 'chrome',
  env = {},
}: {
  browser?: 'chrome' | 'firefox';
  env?: Record<string, string>;
} = {}): string {
  const plain = browser === 'chrome' && Object.keys(env).length === 0 ? inject('plainExtension') : undefined;
  if (!plain) return buildExtensionNow(browser, env);
  const copy = mkdtempSync(join(tmpdir(), 'giftstream-extension-'));
  cpSync(plain, copy, { recursive: true });
  checkBuild(copy);
  return copy;
}

/** A local stand-in for a creator's stream page; route the real URL (https://www.twitch.tv/<handle>) to it. */
export function streamPageHtml(handle: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${handle} - Twitch</title></head>
<body style="margin:0;background:#0e0e10;color:#efeff1;font-family:sans-serif">
<div style="height:100vh;display:flex;align-items:center;justify-content:center"><div style="width:70%;aspect-ratio:16/9;background:#18181b;display:flex;align-items:center;justify-content:center">${handle} is live (a local stand-in for the stream page)</div></div>
</body></html>`;
}

/** The extension's popup opened as a tab, popup-sized. */
export async function openPopup(context: BrowserContext, extensionId: string, tab?: string): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width: 380, height: 640 });
  await page.goto(`chrome-extension://${extensionId}/popup.html${tab ? `?tab=${tab}` : ''}`);
  return page;
}

/** Serves the local stand-in for `handle`'s stream page wherever the context opens a Twitch URL. */
export function serveStreamPage(context: BrowserContext, handle: string) {
  return context.route('https://www.twitch.tv/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: streamPageHtml(handle) }),
  );
}

/** The extension built from the sources under test, loaded in Chromium against a fresh `wrangler dev`. */
export interface ExtensionRig {
  server: Server;
  context: BrowserContext;
  extensionId: string;
  /** The popup opened as a tab (see `openPopup`). */
  openPopup(tab?: string): Promise<Page>;
  /** Closes the browser, stops the server and removes the build's copy. */
  stop(): Promise<void>;
}

/**
 * Builds the extension, starts a server with `vars`, runs `prepare` on it (a live creator, say), then loads the
 * build in Chromium with `streamPage`'s stream page served locally. What it started is stopped if a step fails.
 */
export async function startExtensionRig({
  streamPage,
  vars = {},
  prepare,
}: {
  streamPage: string;
  vars?: Record<string, string>;
  prepare?: (server: Server) => Promise<unknown>;
}): Promise<ExtensionRig> {
  let server: Server | undefined;
  let browser: Awaited<ReturnType<typeof launchWithExtension>> | undefined;
  const build = buildExtension();
  const stop = async () => {
    await browser?.close();
    await server?.stop();
    rmSync(build, { recursive: true, force: true });
  };
  try {
    server = await startServer(vars);
    await prepare?.(server);
    browser = await launchWithExtension(build);
    const { context, extensionId } = browser;
    await serveStreamPage(context, streamPage);
    return { server, context, extensionId, openPopup: (tab) => openPopup(context, extensionId, tab), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** What the popup's Create account form asks for. */
export interface NewAccount {
  email: string;
  password: string;
  displayName: string;
  birthdate: string;
}

/** Signed out, in the popup: point the extension at `server` in its settings, then create an account. */
export async function popupSignUp(popup: Page, server: string, who: NewAccount) {
  await popup.getByRole('button', { name: 'Server settings' }).click();
  const serverInput = popup.getByLabel('Server');
  await serverInput.waitFor();
  await popup.waitForFunction(
    () => (document.querySelector('input[name="server"]') as HTMLInputElement | null)?.value !== '',
  );
  await serverInput.fill(server);
  await popup.getByRole('button', { name: 'Save server' }).click();
  await popup.getByText('Saved.').waitFor();
  await popup.getByRole('button', { name: 'Back to sign in' }).click();
  await popupCreateAccount(popup, who);
}

/** Signed out, in the popup: create an account on the server the extension points at, and wait for the wallet. */
export async function popupCreateAccount(popup: Page, who: NewAccount) {
  await popup.getByRole('button', { name: 'Create account' }).first().click();
  await popup.getByLabel('Email').fill(who.email);
  await popup.getByLabel('Password').fill(who.password);
  await popup.getByLabel('Display name').fill(who.displayName);
  await popup.getByLabel('Birthdate').fill(who.birthdate);
  await popup.getByRole('form', { name: 'Create account' }).getByRole('button', { name: 'Create account' }).click();
  await popup.getByTestId('balance').waitFor();
}

/** The stream page's gift button lives in a closed shadow root: find, read and click in it through the DevTools protocol. */
export async function giftRoot(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  async function shadowRootId(): Promise<number | null> {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const stack = [root];
    while (stack.length) {
      const node = stack.pop()!;
      if (node.nodeName === 'GIFTSTREAM-GIFT' && node.shadowRoots?.length) return node.shadowRoots[0]!.nodeId;
      stack.push(...(node.children ?? []), ...(node.shadowRoots ?? []));
    }
    return null;
  }
  /** The element's border box on the page, as it is now (scrolled into view first with `scroll`). */
  async function rect(selector: string, scroll = false) {
    const rootId = await shadowRootId();
    if (rootId === null) return null;
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: rootId, selector });
    if (!nodeId) return null;
    if (scroll) await cdp.send('DOM.scrollIntoViewIfNeeded', { nodeId });
    const { model } = await cdp.send('DOM.getBoxModel', { nodeId });
    const q = model.border;
    return { left: q[0]!, top: q[1]!, right: q[4]!, bottom: q[5]! };
  }
  async function box(selector: string) {
    const r = await rect(selector, true);
    return r && { x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2 };
  }
  async function text(): Promise<string> {
    const rootId = await shadowRootId();
    if (rootId === null) return '';
    const { outerHTML } = await cdp.send('DOM.getOuterHTML', { nodeId: rootId });
    return outerHTML
      .replace(/<style[\s\S]*?<\/style>/g, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
      .replace(/\s+/g, ' ');
  }
  return {
    text,
    /** The root's markup, to check that typed text never became elements. */
    async html(): Promise<string> {
      const rootId = await shadowRootId();
      return rootId === null ? '' : (await cdp.send('DOM.getOuterHTML', { nodeId: rootId })).outerHTML;
    },
    rect: (selector: string) => rect(selector),
    /** A real (trusted) mouse click on the element, once it exists. */
    async click(selector: string, timeout = 20_000) {
      const until = Date.now() + timeout;
      let at = await box(selector);
      while (!at && Date.now() < until) {
        await page.waitForTimeout(100);
        at = await box(selector);
      }
      if (!at) throw new Error(`not found in the gift root: ${selector}`);
      await page.mouse.click(at.x, at.y);
    },
    /** Replaces an input's value by typing, as a person would. */
    async type(selector: string, value: string) {
      await this.click(selector);
      await page.keyboard.press('Control+A');
      await page.keyboard.type(value);
    },
    async waitForText(wanted: string | RegExp, timeout = 30_000) {
      const until = Date.now() + timeout;
      let last = '';
      while (Date.now() < until) {
        last = await text();
        if (typeof wanted === 'string' ? last.includes(wanted) : wanted.test(last)) return last;
        await page.waitForTimeout(150);
      }
      throw new Error(`${String(wanted)} did not appear in the gift root; it shows: ${last}`);
    },
  };
}

/** One alert element as an overlay page showed it over its life (highest count, every combo it carried). */
export interface ShownAlert {
  key: string;
  tier: string;
  what: string;
  message: string | null;
  count: number;
  events: number;
  combos: Record<string, number>;
}

/**
 * An init script for an overlay page: records every alert element ever rendered (see `shownAlerts`), and
 * counts the frames its WebSockets received (`window.__frames`, > 0 once the hello has arrived).
 */
export function recordOverlay() {
  const w = window as any;
  w.__frames = 0;
  const Native = WebSocket;
  w.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', () => w.__frames++);
    }
  };
  w.__alerts = [];
  const seen = new WeakMap<Element, any>();
  const scan = () => {
    for (const el of document.querySelectorAll<HTMLElement>('[data-alert]')) {
      let a = seen.get(el);
      if (!a) {
        a = { key: el.dataset.alert, tier: '', what: '', message: null, count: 0, events: 0, combos: {} };
        seen.set(el, a);
        w.__alerts.push(a);
      }
      a.tier = [...el.classList].find((c) => /^alert-(small|medium|large|epic)$/.test(c))?.slice(6) ?? '';
      a.what = el.querySelector('.what')?.textContent ?? '';
      a.message = el.querySelector('.message')?.textContent ?? a.message;
      a.count = Math.max(a.count, Number(el.dataset.count));
      a.events = Math.max(a.events, Number(el.dataset.events));
      for (const part of (el.dataset.combos ?? '').split(' ').filter(Boolean)) {
        const [combo, n] = part.split('=') as [string, string];
        a.combos[combo] = Math.max(a.combos[combo] ?? 0, Number(n));
      }
    }
  };
  new MutationObserver(scan).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    characterData: true,
  });
}

export const shownAlerts = (page: Page) => page.evaluate(() => (window as any).__alerts as ShownAlert[]);

/** Once the element's entrance animations (and the count's bump) have played; endless ones are ignored. */
export async function settled(page: Page, selector: string) {
  await page.locator(selector).first().waitFor();
  await page.waitForFunction(
    (sel) => {
      const el = document.querySelector(sel);
      return (
        !!el &&
        el
          .getAnimations({ subtree: true })
          .every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity)
      );
    },
    selector,
    { polling: 100 },
  );
}
