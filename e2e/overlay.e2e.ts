// The stream overlay in Debian's Chromium against a real `wrangler dev`: gifts sent through the API appear,
// the page is transparent, user text stays text, and a socket killed mid-burst loses and repeats nothing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, artifactDir, liveCreator, signup, startPageRig, type PageRig } from './harness';

let rig: PageRig;
const shots = artifactDir('overlay');
let handles = 0;

beforeAll(async () => {
  rig = await startPageRig('overlay/dist/overlay/index.html');
});
afterAll(() => rig?.stop());

async function room() {
  const handle = `ov_${Date.now().toString(36)}_${++handles}`;
  return { handle, ...(await liveCreator(rig.server.url, handle)) };
}

async function viewer(displayName: string) {
  const v = await signup(rig.server.url, displayName);
  const bought = await api(rig.server.url, '/v1/purchases', {
    body: { packId: 'pack_10000' },
    token: v.token,
    key: `buy-${v.id}`,
  });
  expect(bought.status).toBe(201);
  return v;
}

let keys = 0;
async function sendGift(token: string, handle: string, giftId: string, count = 1, message?: string) {
  const r = await api(rig.server.url, `/v1/rooms/${handle}/gifts`, {
    body: { giftId, count, ...(message ? { message } : {}) },
    token,
    key: `gift-${++keys}-${Date.now()}`,
  });
  expect(r.status, r.text).toBe(201);
  return r.json.gift as { id: string; combo: { id: string; count: number } };
}

/**
 * Before the page runs: keep every WebSocket the overlay opens (so a test can kill one) and record every
 * alert element ever rendered, with the highest count, events and per-combo counts it showed.
 */
function instrument() {
  const w = window as any;
  w.__sockets = [];
  w.__dialogs = 0;
  const Native = WebSocket;
  w.WebSocket = class extends Native {
    frames = 0;
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      w.__sockets.push(this);
      this.addEventListener('message', () => this.frames++);
    }
  };
  w.__record = { elements: {}, combos: {} };
  let next = 0;
  const scan = () => {
    for (const el of document.querySelectorAll<HTMLElement>('[data-alert]')) {
      const id = ((el as any).__rid ??= ++next);
      const e = (w.__record.elements[id] ??= { key: el.dataset.alert, count: 0, events: 0 });
      e.count = Math.max(e.count, Number(el.dataset.count));
      e.events = Math.max(e.events, Number(el.dataset.events));
      for (const part of (el.dataset.combos ?? '').split(' ').filter(Boolean)) {
        const [combo, n] = part.split('=') as [string, string];
        const c = (w.__record.combos[combo] ??= { count: 0, elements: [] as number[] });
        c.count = Math.max(c.count, Number(n));
        if (!c.elements.includes(id)) c.elements.push(id);
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

interface Seen {
  elements: { [id: string]: { key: string; count: number; events: number } };
  combos: { [combo: string]: { count: number; elements: number[] } };
}

async function openOverlay(url: string, viewport = { width: 1920, height: 1080 }, connected = true) {
  const context = await rig.browser.newContext({ viewport });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(instrument);
  // Generous timeouts: these tests share two cores with wrangler dev and, often, other test runs.
  page.setDefaultTimeout(60_000);
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  // Connected once the hello has arrived on the first socket.
  if (connected) await page.waitForFunction(() => (window as any).__sockets[0]?.frames > 0);
  return { page, dialogs, errors, close: () => context.close() };
}

const record = (page: Page) => page.evaluate(() => (window as any).__record as Seen);
const socketUrls = (page: Page) => page.evaluate(() => ((window as any).__sockets as WebSocket[]).map((s) => s.url));

/** A PNG from Chromium: 8-bit RGB(A), not interlaced. */
function decodePng(png: Buffer) {
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 4;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('ascii', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      expect(data[12]).toBe(0);
      channels = data[9] === 6 ? 4 : data[9] === 2 ? 3 : NaN;
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const rgba = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]!;
      cur[i] = (line[i]! + predictor) & 255;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      rgba[o] = cur[x * channels]!;
      rgba[o + 1] = cur[x * channels + 1]!;
      rgba[o + 2] = cur[x * channels + 2]!;
      rgba[o + 3] = channels === 4 ? cur[x * channels + 3]! : 255;
    }
    prev = cur;
  }
  return {
    width,
    height,
    alpha: (x: number, y: number) => rgba[(y * width + x) * 4 + 3]!,
    /** Share of the pixels in a box whose alpha passes `test`. */
    share(box: { x: number; y: number; width: number; height: number }, test: (alpha: number) => boolean) {
      let n = 0;
      let hit = 0;
      for (let y = Math.max(0, Math.floor(box.y)); y < Math.min(height, box.y + box.height); y++)
        for (let x = Math.max(0, Math.floor(box.x)); x < Math.min(width, box.x + box.width); x++) {
          n++;
          if (test(rgba[(y * width + x) * 4 + 3]!)) hit++;
        }
      return hit / n;
    },
  };
}

/** Screenshot with a transparent background; checks the alert is drawn and everything else is see-through. */
async function transparentShot(page: Page, selector: string, file: string) {
  const alert = page.locator(selector).first();
  await alert.waitFor();
  await page.waitForTimeout(900); // let the entrance animation settle
  // …and on a busy machine, until it has: its box is measured next. The alert's own animations are finite (the
  // infinite ones are on its art); one that started late left the box mid-slide and the shot blank there.
  await alert.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
  const box = (await alert.boundingBox())!;
  const png = await page.screenshot({ omitBackground: true, path: join(shots, file) });
  const img = decodePng(png);
  const viewport = page.viewportSize()!;
  expect([img.width, img.height]).toEqual([viewport.width, viewport.height]);
  for (const [x, y] of [
    [0, 0],
    [img.width - 1, 0],
    [0, img.height - 1],
    [img.width - 1, img.height - 1],
    [img.width >> 1, img.height - 2],
  ] as const)
    expect(img.alpha(x, y), `alpha at ${x},${y}`).toBe(0);
  const whole = { x: 0, y: 0, width: img.width, height: img.height };
  expect(img.share(whole, (a) => a === 0)).toBeGreaterThan(0.6);
  const inner = {
    x: box.x + box.width * 0.1,
    y: box.y + box.height * 0.1,
    width: box.width * 0.8,
    height: box.height * 0.8,
  };
  expect(img.share(inner, (a) => a >= 200)).toBeGreaterThan(0.8);
  return { box, img };
}

describe('overlay in Chromium', () => {
  it('shows a gift sent through the API over a transparent background, with the goal and leaderboard', async () => {
    const r = await room();
    const o = await openOverlay(r.overlay.overlayUrl);
    const ada = await viewer('Ada Lovelace');
    await sendGift(ada.token, r.handle, 'trophy', 3, 'Great stream!');
    const card = o.page.locator('.stage .alert-medium');
    await card.waitFor();
    expect(await card.locator('.who').textContent()).toBe('Ada Lovelace');
    expect(await card.locator('.what').textContent()).toContain('Trophy');
    expect(await card.locator('.count').textContent()).toBe('×3');
    expect(await card.locator('.message').textContent()).toBe('Great stream!');
    expect(await card.locator('svg[data-art="trophy"]').count()).toBe(1);
    await transparentShot(o.page, '.stage .alert-medium', 'gift-medium-1920x1080.png');

    // The goal and the leaderboard live-update from the same stream.
    await api(rig.server.url, '/v1/creator/goal', {
      method: 'PUT',
      body: { label: 'New microphone', coins: 1_000 },
      token: r.creator.token,
    });
    await sendGift(ada.token, r.handle, 'heart', 5);
    await o.page.locator('.goal').waitFor();
    await expect.poll(() => o.page.locator('.goal-numbers').textContent(), { timeout: 30_000 }).toBe('5 / 1,000');
    await expect
      .poll(() => o.page.locator('.board .name').first().textContent(), { timeout: 30_000 })
      .toBe('Ada Lovelace');
    await o.page.locator('.toasts .alert-small').waitFor();
    await transparentShot(o.page, '.toasts .alert-small', 'gift-small-goal-board-1920x1080.png');
    expect(o.errors).toEqual([]);
    await o.close();
  });

  it('shows an 80-character message whole on every tier, and keeps Zalgo text inside its box', async () => {
    const r = await room();
    const ada = await viewer('Ada Lovelace');
    const o = await openOverlay(r.overlay.overlayUrl);
    const long = 'This is an eighty character message that must be shown whole on every tier, okay';
    expect(long).toHaveLength(80);
    // A small toast keeps one line and scrolls it once, from start to end.
    await sendGift(ada.token, r.handle, 'heart', 1, long);
    const toast = o.page.locator('.toasts .alert-small .message');
    await toast.waitFor();
    expect(await toast.textContent()).toBe(long);
    const overflow = Number(await toast.getAttribute('data-overflow'));
    expect(overflow).toBeGreaterThan(0);
    // Once scrolled, the end of the message is inside the toast.
    await expect
      .poll(
        () => toast.evaluate((el, by) => Math.abs(parseFloat(getComputedStyle(el).textIndent) + by) < 2, overflow),
        { timeout: 6_000, interval: 100 },
      )
      .toBe(true);
    await o.page.screenshot({ path: join(shots, 'message-small-scrolled.png') });
    // A card wraps: every line inside the card.
    const zalgo = 'Z̷̢̛̪̼̈́̓͝a̶̡̛̗͓̓̈́l̵̰̈́g̴̛̪̈́o̶̢̓ ' + 'ṱ̷̢̛̓̈́e̶̡̓x̵̰̓t̴̪̓';
    await sendGift(ada.token, r.handle, 'trophy', 1, long);
    const card = o.page.locator('.stage .alert-medium');
    await card.waitFor();
    const fit = await card.evaluate((el) => {
      const m = el.querySelector('.message') as HTMLElement;
      return {
        whole: m.scrollHeight <= m.clientHeight + 1,
        inside: m.getBoundingClientRect().bottom <= el.getBoundingClientRect().bottom,
      };
    });
    expect(fit).toEqual({ whole: true, inside: true });
    await card.waitFor({ state: 'detached', timeout: 20_000 });
    await sendGift(ada.token, r.handle, 'balloon', 1, zalgo.slice(0, 80));
    const zcard = o.page.locator('.stage .alert-medium');
    await zcard.waitFor();
    const box = await zcard.evaluate((el) => {
      const m = el.querySelector('.message') as HTMLElement;
      const cs = getComputedStyle(m);
      const card = el.getBoundingClientRect();
      const msg = m.getBoundingClientRect();
      return { clipped: cs.overflow === 'hidden', inside: msg.top >= card.top && msg.bottom <= card.bottom };
    });
    expect(box).toEqual({ clipped: true, inside: true });
    await o.page.screenshot({ path: join(shots, 'message-zalgo.png') });
    expect(o.errors).toEqual([]);
    await o.close();
  });

  it('scales the 1920×1080 design to a 1280×720 browser source', async () => {
    const r = await room();
    const ada = await viewer('Ada Lovelace');
    const small = await openOverlay(r.overlay.overlayUrl, { width: 1280, height: 720 });
    await sendGift(ada.token, r.handle, 'castle', 1, 'Scaled down');
    const { box } = await transparentShot(small.page, '.stage .alert-large', 'gift-large-1280x720.png');
    expect(box.width).toBeCloseTo((880 * 2) / 3, 0);
    await small.close();
  });

  it('shows a test alert like a real one, marked as a test', async () => {
    const r = await room();
    const o = await openOverlay(r.overlay.overlayUrl);
    expect((await api(rig.server.url, '/v1/creator/test-alert', { body: {}, token: r.creator.token })).status).toBe(
      200,
    );
    const epic = o.page.locator('.stage .alert-epic.is-test');
    await epic.waitFor();
    expect(await epic.locator('.test-mark').textContent()).toBe('test');
    expect(await epic.locator('svg[data-art="rocket"]').count()).toBe(1);
    await transparentShot(o.page, '.stage .alert-epic', 'test-alert-epic-1920x1080.png');
    await o.close();
  });

  it('renders a display name like <img src=x onerror=alert(1)> as text and runs nothing', async () => {
    const r = await room();
    const o = await openOverlay(r.overlay.overlayUrl);
    const name = '<img src=x onerror=alert(1)>';
    const mallory = await viewer(name);
    await sendGift(mallory.token, r.handle, 'balloon', 1, '<script>alert(2)</script><b>hi</b>');
    const card = o.page.locator('.stage .alert-medium');
    await card.waitFor();
    expect(await card.locator('.who').textContent()).toBe(name);
    expect(await card.locator('.message').textContent()).toBe('<script>alert(2)</script><b>hi</b>');
    await expect.poll(() => o.page.locator('.board .name').first().textContent(), { timeout: 30_000 }).toBe(name);
    await o.page.waitForTimeout(1_000);
    expect(
      await o.page.evaluate(
        () => document.querySelectorAll('img, .overlay script, .who *, .message *, .name *').length,
      ),
    ).toBe(0);
    expect(o.dialogs).toEqual([]);
    await o.page.screenshot({ omitBackground: true, path: join(shots, 'xss-name-as-text.png') });
    await o.close();
  });

  it('after its socket is killed mid-burst, reconnects with since= and shows every gift exactly once', async () => {
    const r = await room();
    const o = await openOverlay(r.overlay.overlayUrl);
    const viewers = await Promise.all(['Ann', 'Ben', 'Cat'].map((n) => viewer(n)));
    const gifts = ['heart', 'rose', 'coffee', 'star', 'pizza', 'balloon'];
    const expected = new Map<string, number>();
    let sent = 0;
    const kills: number[] = [];
    const kill = async () => {
      kills.push(sent);
      // Kill the socket in use: after an earlier kill, wait for the reconnect to open first.
      await o.page.waitForFunction(
        (n) => {
          const sockets = (window as any).__sockets as WebSocket[];
          return sockets.length === n && sockets.at(-1)!.readyState === WebSocket.OPEN;
        },
        kills.length,
        { timeout: 20_000 },
      );
      await o.page.evaluate(() => (window as any).__sockets.at(-1).close());
    };
    await Promise.all(
      viewers.map(async (v) => {
        for (const giftId of gifts)
          for (const count of [1, 2]) {
            const g = await sendGift(v.token, r.handle, giftId, count);
            expected.set(g.combo.id, Math.max(expected.get(g.combo.id) ?? 0, g.combo.count));
            sent++;
            if (sent === 10 || sent === 24) await kill();
          }
      }),
    );
    expect(sent).toBe(36);
    expect(kills).toHaveLength(2);

    // Every combo reaches its full count on screen...
    await expect
      .poll(
        async () => {
          const rec = await record(o.page);
          return [...expected].every(([combo, count]) => rec.combos[combo]?.count === count);
        },
        { timeout: 45_000, interval: 250 },
      )
      .toBe(true);
    // ...and stays right while replays and combo_ends settle.
    await o.page.waitForTimeout(6_000);
    const rec = await record(o.page);
    writeFileSync(
      join(shots, 'burst-record.json'),
      JSON.stringify({ expected: Object.fromEntries(expected), rec, sockets: await socketUrls(o.page) }, null, 2),
    );

    expect(Object.keys(rec.combos).sort()).toEqual([...expected.keys()].sort());
    for (const [combo, count] of expected) {
      expect(rec.combos[combo]!.count, combo).toBe(count);
      expect(rec.combos[combo]!.elements, `${combo} was shown in more than one alert`).toHaveLength(1);
    }
    // One gift event folded in per gift sent: none missing, none applied twice.
    expect(Object.values(rec.elements).reduce((n, e) => n + e.events, 0)).toBe(36);

    // It really did reconnect, resuming after what it had seen.
    const urls = await socketUrls(o.page);
    expect(urls.length).toBe(3);
    expect(new URL(urls[0]!).searchParams.get('since')).toBeNull();
    for (const u of urls.slice(1)) expect(Number(new URL(u).searchParams.get('since'))).toBeGreaterThan(0);
    expect(o.errors).toEqual([]);
    await o.close();
  });

  it('stops and says so when its token is rotated', async () => {
    const r = await room();
    const o = await openOverlay(r.overlay.overlayUrl);
    const rotated = await api(rig.server.url, '/v1/creator/overlay-token', { body: {}, token: r.creator.token });
    expect(rotated.status).toBe(200);
    const notice = o.page.locator('.notice');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('This overlay link is no longer valid');
    await o.page.waitForTimeout(3_000);
    expect(await socketUrls(o.page)).toHaveLength(1);
    await o.page.screenshot({ omitBackground: true, path: join(shots, 'rotated-token-notice.png') });
    await o.close();

    // The new URL works; the old one is refused straight away.
    const fresh = await openOverlay(rotated.json.overlayUrl);
    expect(await fresh.page.locator('.notice').count()).toBe(0);
    await fresh.close();
    const stale = await openOverlay(r.overlay.overlayUrl, undefined, false);
    await stale.page.locator('.notice').waitFor();
    await stale.close();
  });
});
