// The overlay studio in Debian's Chromium against a real `wrangler dev`: a creator opens it with a single-use
// ticket, uploads an image and a sound, gives gifts of 1,000 coins and up their own look, makes small gifts
// quiet, turns on text-to-speech from 100 coins, saves, and an open overlay changes at once. Screenshots of
// every tier in two saved looks land in artifacts/studio/.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, artifactDir, liveCreator, settled, signup, startPageRig, type PageRig } from './harness';

let rig: PageRig;
const shots = artifactDir('studio');

beforeAll(async () => {
  rig = await startPageRig('overlay/dist/studio/index.html');
});
afterAll(() => rig?.stop());

/** A gold star, as a creator might draw one: gradient, shapes, no script. */
const STAR_SVG = `<?xml version="1.0" encoding="UTF-8"?>
<!-- drawn for the e2e test -->
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
  <defs><radialGradient id="g"><stop offset="0" stop-color="#fff6a8"/><stop offset="1" stop-color="#ff9d00"/></radialGradient></defs>
  <polygon points="50,4 61,38 97,38 68,59 79,94 50,72 21,94 32,59 3,38 39,38" fill="url(#g)" stroke="#b35c00" stroke-width="3"/>
</svg>`;

/** A 0.3 s 660 Hz tone as 8 kHz 16-bit mono WAV. */
function toneWav(): Buffer {
  const rate = 8000;
  const samples = Math.round(rate * 0.3);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 660 * i) / rate) * 8000), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Sounds and speech the overlay starts, recorded instead of played (headless Chromium has no voice). */
function recordSoundAndSpeech() {
  const w = window as any;
  w.__played = [];
  w.__spoken = [];
  w.__sockets = [];
  const Native = WebSocket;
  w.WebSocket = class extends Native {
    frames = 0;
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      w.__sockets.push(this);
      this.addEventListener('message', () => this.frames++);
    }
  };
  HTMLMediaElement.prototype.play = function () {
    w.__played.push(this.src);
    return Promise.resolve();
  };
  speechSynthesis.getVoices = () => [{ name: 'Test Voice', lang: 'en-US' }] as never;
  speechSynthesis.speak = (u: SpeechSynthesisUtterance) => void w.__spoken.push(u.text);
}

function watchCsp(page: Page, into: string[]) {
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) into.push(m.text());
  });
  page.on('pageerror', (e) => into.push(String(e)));
}

let keys = 0;
async function give(token: string, handle: string, giftId: string, message?: string) {
  const r = await api(rig.server.url, `/v1/rooms/${handle}/gifts`, {
    body: { giftId, count: 1, ...(message ? { message } : {}) },
    token,
    key: `studio-gift-${++keys}-${Date.now()}`,
  });
  expect(r.status, r.text).toBe(201);
}

/** One of each tier at once; each is photographed as it takes the screen. */
async function everyTier(overlay: Page, look: string, viewerToken: string, handle: string) {
  await give(viewerToken, handle, 'rose', 'first!');
  await give(viewerToken, handle, 'trophy', 'Great run');
  await give(viewerToken, handle, 'sports_car', 'For the new mic');
  await give(viewerToken, handle, 'galaxy', 'Take my galaxy');
  await settled(overlay, '.toasts .alert-small');
  await overlay.screenshot({ path: join(shots, `${look}-small.png`) });
  for (const tier of ['medium', 'large', 'epic']) {
    await settled(overlay, `.stage .alert-${tier}:not(.leaving)`);
    await overlay.screenshot({ path: join(shots, `${look}-${tier}.png`) });
  }
}

async function choose(page: Page, label: string, value: string) {
  await page.getByLabel(label, { exact: true }).selectOption(value);
}

describe('the overlay studio', () => {
  it('styles the overlay without touching its URL, and every saved change reaches OBS at once', async () => {
    const { creator, overlay: ov } = await liveCreator(rig.server.url, `studio_${Date.now().toString(36)}`);
    const handle = new URL(ov.overlayUrl).searchParams.get('room')!;
    const viewer = await signup(rig.server.url, 'Generous Viewer');
    expect(
      (
        await api(rig.server.url, '/v1/purchases', {
          body: { coins: 100_000 },
          token: viewer.token,
          key: `b-${viewer.id}`,
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await api(rig.server.url, '/v1/purchases', {
          body: { coins: 100_000 },
          token: viewer.token,
          key: `b2-${viewer.id}`,
        })
      ).status,
    ).toBe(201);

    // The popup's way in: a single-use ticket in the address's fragment, gone from the address once spent.
    const ticket = await api(rig.server.url, '/v1/creator/studio-ticket', { method: 'POST', token: creator.token });
    expect(ticket.status).toBe(201);
    const context = await rig.browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const studio = await context.newPage();
    studio.setDefaultTimeout(60_000);
    const studioProblems: string[] = [];
    watchCsp(studio, studioProblems);
    const page = await studio.goto(ticket.json.studioUrl);
    expect(page!.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(page!.headers()['x-frame-options']).toBe('DENY');
    await studio.getByText(`@${handle}`).waitFor();
    expect(studio.url()).not.toContain('ticket');
    expect((await api(rig.server.url, '/v1/studio/session', { body: { ticket: ticket.json.ticket } })).status).toBe(
      401,
    );

    // The browser has no voice: the studio says so plainly.
    const voices = await studio.evaluate(() => speechSynthesis.getVoices().length);
    if (voices === 0)
      await expect(studio.getByTestId('no-voices').textContent()).resolves.toContain('no text-to-speech voice');

    // Uploads through the page: a mislabelled file is refused with the reason, the real ones are stored.
    const upload = studio.locator('input[type=file]');
    await upload.setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('GIF89a not a png') });
    await studio.getByRole('alert').filter({ hasText: 'image/png' }).waitFor();
    await upload.setInputFiles({ name: 'Gold star.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(STAR_SVG) });
    await studio.getByText('Gold star.svg uploaded.').waitFor();
    await upload.setInputFiles({ name: 'Big tone.wav', mimeType: 'audio/wav', buffer: toneWav() });
    await studio.getByText('Big tone.wav uploaded.').waitFor();
    const files = (await api(rig.server.url, '/v1/creator/media', { token: creator.token })).json.files as {
      id: string;
      name: string;
    }[];
    const star = files.find((f) => f.name === 'Gold star.svg')!.id;
    const tone = files.find((f) => f.name === 'Big tone.wav')!.id;

    // Look 1: 1,000 coins and up get the star and the tone on every gift; small gifts are quiet; TTS from 100.
    await studio.getByLabel('Play sounds (chimes and your uploads)').check();
    await studio.getByRole('button', { name: '+ By minimum coins' }).click();
    await choose(studio, 'Gifts of 1,000 coins and up: image', star);
    await choose(studio, 'Gifts of 1,000 coins and up: sound', tone);
    await choose(studio, 'Gifts of 1,000 coins and up: repeat', 'every');
    await studio.getByRole('button', { name: '+ By minimum coins' }).click();
    await studio.getByLabel('Variation 2 name').fill('Small gifts');
    await studio.getByLabel('Variation 2 minimum coins').fill('1');
    await studio.getByLabel('Variation 2 minimum coins').blur();
    await choose(studio, 'Small gifts: sound', 'none');
    await studio.getByLabel('Read gift messages aloud').check();
    await studio.getByLabel('Read messages from (coins)').fill('100');
    await studio.getByLabel('Read messages from (coins)').blur();
    await studio.getByRole('button', { name: 'Save', exact: true }).click();
    await studio.getByText('Saved. Open overlays show it now.').waitFor();

    // The preview plays the real alert components over a background.
    await choose(studio, 'Background', 'game');
    await studio.getByRole('button', { name: 'Play all' }).click();
    await settled(studio, '.preview .stage .alert');
    await studio.screenshot({ path: join(shots, 'studio-look1.png') });

    // OBS: the overlay URL as it always was.
    const obs = await rig.browser.newContext({ viewport: { width: 1280, height: 720 } });
    const overlay = await obs.newPage();
    overlay.setDefaultTimeout(60_000);
    const overlayProblems: string[] = [];
    watchCsp(overlay, overlayProblems);
    await overlay.addInitScript(recordSoundAndSpeech);
    const served = await overlay.goto(ov.overlayUrl);
    expect(served!.headers()['content-security-policy']).toContain("connect-src 'self'");
    await overlay.waitForFunction(() => (window as any).__sockets[0]?.frames > 0);
    await overlay.waitForSelector('[data-revision="1"]', { state: 'attached' });

    await everyTier(overlay, 'look1', viewer.token, handle);
    const large = overlay.locator('.stage .alert-epic img.art');
    expect(await large.getAttribute('src')).toBe(`${rig.server.url}/v1/media/${star}`);
    expect(await large.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    const played = await overlay.evaluate(() => (window as any).__played as string[]);
    expect(played.filter((p) => p.endsWith(tone))).toHaveLength(2);
    const spoken = await overlay.evaluate(() => (window as any).__spoken as string[]);
    expect(spoken).toEqual([
      'Generous Viewer says: Great run',
      'Generous Viewer says: For the new mic',
      'Generous Viewer says: Take my galaxy',
    ]);

    // Look 2, saved while the overlay is open: a colour, a serif font, a zoom entrance, cards at the bottom.
    await choose(studio, 'Default look: colour mode', 'custom');
    await studio.getByLabel('Default look: colour', { exact: true }).fill('#0f9d58');
    await choose(studio, 'Default look: font', 'serif');
    await choose(studio, 'Default look: enter', 'zoom');
    await choose(studio, 'Default look: position', 'bottom');
    await choose(studio, 'Small gifts: size', '150');
    await studio.getByRole('button', { name: 'Save', exact: true }).click();
    await studio.getByText('Saved. Open overlays show it now.').waitFor();
    await overlay.waitForSelector('[data-revision="2"]', { state: 'attached' });
    await overlay.waitForFunction(() => !document.querySelector('.stage .alert'), null, { timeout: 60_000 });
    await everyTier(overlay, 'look2', viewer.token, handle);
    const epic = overlay.locator('.stage .alert-epic');
    expect(await epic.getAttribute('class')).toContain('pos-bottom');
    expect(await epic.evaluate((el) => getComputedStyle(el).fontFamily)).toContain('Georgia');
    await studio.getByRole('button', { name: 'Play all' }).click();
    await settled(studio, '.preview .stage .alert');
    await studio.screenshot({ path: join(shots, 'studio-look2.png') });

    // Deleting the star asks first; confirmed, the overlay falls back to the gift's art at once.
    await studio.locator('.files li', { hasText: 'Gold star.svg' }).getByRole('button', { name: 'Delete' }).click();
    await studio.getByRole('alertdialog').getByText('is used by Gifts of 1,000 coins and up').waitFor();
    await studio.getByRole('button', { name: 'Delete it' }).click();
    await studio.getByText('Gold star.svg deleted.').waitFor();
    await overlay.waitForSelector('[data-revision="3"]', { state: 'attached' });

    expect(overlayProblems).toEqual([]);
    expect(studioProblems).toEqual([]);
    await obs.close();
    await context.close();
  });

  it('an overlay whose room has a broken config still shows alerts in the default look', async () => {
    const { creator, overlay: ov } = await liveCreator(rig.server.url, `broken_${Date.now().toString(36)}`);
    const handle = new URL(ov.overlayUrl).searchParams.get('room')!;
    // Only the database can hold a config the API would refuse: written through the test hook.
    const r = await api(rig.server.url, '/v1/__test/overlay-config', {
      body: { handle, body: '{"version":1,"alerts":"broken"}' },
    });
    expect(r.status, r.text).toBe(200);
    const context = await rig.browser.newContext({ viewport: { width: 1280, height: 720 } });
    const overlay = await context.newPage();
    await overlay.goto(ov.overlayUrl);
    await overlay.waitForSelector('[data-revision="1"]', { state: 'attached' });
    const viewer = await signup(rig.server.url, 'Viewer');
    await api(rig.server.url, '/v1/purchases', {
      body: { coins: 20_000 },
      token: viewer.token,
      key: `bb-${viewer.id}`,
    });
    await give(viewer.token, handle, 'castle');
    await settled(overlay, '.stage .alert-large');
    expect(await overlay.locator('.stage .alert-large').textContent()).toContain('Castle');
    await overlay.screenshot({ path: join(shots, 'broken-config-default-look.png') });
    await context.close();
    void creator;
  });
});
