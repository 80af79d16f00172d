// The extension built for one deployment, as an operator ships it: `GIFTSTREAM_SERVER` names the server at
// build time, both browsers' manifests grant it, and a viewer who installs the build signs up, buys coins and
// sends a gift without opening settings. Here the deployment is `wrangler dev` on a port of `localhost`
// that only the build names (the extension's own default, :8787, is not it).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  artifactDir,
  buildExtension,
  freePort,
  giftRoot,
  launchWithExtension,
  liveCreator,
  openPopup,
  popupCreateAccount,
  runExtensionBuild,
  serveStreamPage,
  startServer,
  type Server,
} from './harness';

const HANDLE = 'shipped_streamer';
const NAME = 'Example Gifts';

let server: Server;
let address: string;
let browser: Awaited<ReturnType<typeof launchWithExtension>>;
let context: BrowserContext;
let chromeBuild: string;
let firefoxBuild: string;
const shots = artifactDir('deployment');

const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));

beforeAll(async () => {
  address = `http://localhost:${await freePort()}`;
  const env = { GIFTSTREAM_SERVER: address, GIFTSTREAM_NAME: NAME, GIFTSTREAM_GECKO_ID: 'gifts@example.com' };
  chromeBuild = buildExtension({ env });
  firefoxBuild = buildExtension({ browser: 'firefox', env });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  for (const dir of [chromeBuild, firefoxBuild]) if (dir) rmSync(dir, { recursive: true, force: true });
  // Leave extension/.output/ as a plain build (for :8787), not one for this test's passing port.
  runExtensionBuild('chrome');
  runExtensionBuild('firefox');
});

describe('the extension built for a deployment', () => {
  it('names the server in both manifests, with its name and add-on id', () => {
    const chrome = manifest(chromeBuild);
    expect(chrome.manifest_version).toBe(3);
    expect(chrome.name).toBe(NAME);
    expect(chrome.host_permissions).toContain('http://localhost/*');
    expect(Object.keys(chrome.icons)).toEqual(['16', '32', '48', '96', '128']);
    const firefox = manifest(firefoxBuild);
    expect(firefox.name).toBe(NAME);
    // MV2 lists host permissions among the permissions.
    expect(firefox.permissions).toContain('http://localhost/*');
    expect(firefox.browser_specific_settings.gecko.id).toBe('gifts@example.com');
    for (const dir of [chromeBuild, firefoxBuild]) {
      expect(readFileSync(join(dir, 'background.js'), 'utf8')).toContain(address);
    }
  });

  it('for an https deployment grants that origin alone', () => {
    const build = buildExtension({ env: { GIFTSTREAM_SERVER: 'https://gifts.example.com' } });
    try {
      expect(manifest(build).host_permissions).toEqual(['https://gifts.example.com/*']);
      expect(readFileSync(join(build, 'background.js'), 'utf8')).toContain('https://gifts.example.com');
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
  });

  it('refuses a bad server address with a one-line error', () => {
    for (const value of ['http://gifts.example.com', 'https://gifts.example.com/api', 'gifts.example.com']) {
      const build = runExtensionBuild('chrome', { GIFTSTREAM_SERVER: value });
      expect(build.status).not.toBe(0);
      const said = build.stderr.trim().split('\n');
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/^giftstream build: GIFTSTREAM_SERVER=".*" .*; expected an https origin/);
    }
  });
});

describe('a viewer with the extension built for a deployment', () => {
  // Started after every build: a wrangler dev running while wxt builds was seen to drop a connection.
  beforeAll(async () => {
    server = await startServer(
      { PUBLIC_URL: address, OPERATOR_NAME: 'Example Gifts Ltd', OPERATOR_CONTACT: 'privacy@example.com' },
      { port: Number(new URL(address).port) },
    );
    browser = await launchWithExtension(chromeBuild);
    context = browser.context;
    await serveStreamPage(context, HANDLE);
  });

  it('signs up and sends a gift without opening settings', async () => {
    const { creator } = await liveCreator(server.url, HANDLE);
    const popup = await openPopup(context, browser.extensionId);
    const email = `shipped-${Date.now()}@example.com`;
    const who = { email, password: 'viewer password 1', displayName: 'Store Viewer', birthdate: '1990-04-01' };
    await popupCreateAccount(popup, who);
    await expect.poll(() => popup.getByTestId('balance').textContent()).toBe('0 coins');
    await popup.getByRole('button', { name: /^500 coins/ }).click();
    await expect.poll(() => popup.getByTestId('balance').textContent()).toBe('500 coins');

    const stream = await context.newPage();
    await stream.setViewportSize({ width: 1280, height: 800 });
    await stream.goto(`https://www.twitch.tv/${HANDLE}`);
    const root = await giftRoot(context, stream);
    await root.click('.gs-button');
    await root.waitForText(`Gift to Streamer @${HANDLE}`);
    await root.click('[data-gift="rose"]');
    await root.click('button[name="send"]');
    await root.waitForText(`Sent Rose ×1 to @${HANDLE}. You have 495 coins left.`);

    // The server at the build's address holds the account and the gift.
    const session = await api(server.url, '/v1/auth/login', { body: { email, password: 'viewer password 1' } });
    expect((await api(server.url, '/v1/wallet', { token: session.json.token })).json.coins).toBe(495);
    await expect
      .poll(async () => (await api(server.url, '/v1/creator/earnings', { token: creator.token })).json.diamonds, {
        timeout: 60_000,
        interval: 1_000,
      })
      .toBe(5);

    // Settings show the build's server, and link its privacy page.
    await popup.reload();
    await popup.getByRole('tab', { name: 'Settings' }).click();
    await expect.poll(() => popup.getByLabel('Server').inputValue()).toBe(address);
    const link = popup.getByRole('link', { name: 'Privacy policy' });
    expect(await link.getAttribute('href')).toBe(`${address}/privacy`);
    await popup.screenshot({ path: join(shots, 'popup-settings.png') });
    const [privacy] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await privacy.waitForLoadState();
    expect(privacy.url()).toBe(`${address}/privacy`);
    await privacy.getByRole('heading', { name: 'Privacy' }).waitFor();
    expect(await privacy.textContent('body')).toContain('Example Gifts Ltd');
    await privacy.setViewportSize({ width: 900, height: 1400 });
    await privacy.screenshot({ path: join(shots, 'privacy.png'), fullPage: true });
  });
});
