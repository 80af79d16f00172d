// What the extension shows is current, walked as a viewer in Chromium against a real `wrangler dev`: the
// stream page's panel says 'not live', turns live without a reload within 10 s of the creator going live; a
// gift sent while the server is down waits, is delivered once after the restart and turns into a clean
// 'Sent'; a refund in History puts the right balance in the popup's header at once.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  artifactDir,
  giftRoot,
  popupSignUp,
  startExtensionRig,
  verifiedCreator,
  type ExtensionRig,
} from './harness';

const HANDLE = 'demo_creator';

let rig: ExtensionRig;
let creator: Awaited<ReturnType<typeof verifiedCreator>>;
const shots = artifactDir('truth');

beforeAll(async () => {
  rig = await startExtensionRig({
    streamPage: HANDLE,
    prepare: async (server) => {
      creator = await verifiedCreator(server.url, HANDLE, 'Demo Creator');
    },
  });
});

afterAll(() => rig?.stop());

describe('the extension tells the truth', () => {
  it('walks a viewer from not live to live, through a server restart with a queued gift, and through a refund', async () => {
    const popup = await rig.openPopup();
    await popup.setViewportSize({ width: 380, height: 600 });
    const email = `truth-${Date.now()}@example.com`;
    await popupSignUp(popup, rig.server.url, {
      email,
      password: 'viewer password 1',
      displayName: 'Truthful Viewer',
      birthdate: '1990-04-01',
    });
    await popup.getByRole('button', { name: /^1,000 coins/ }).click();
    await popup.getByText(/Bought 1,000 coins/).waitFor();
    const pill = popup.locator('header .pill');
    await expect.poll(() => pill.textContent()).toBe('1,000 coins');

    // 1. Not live, then live, without reloading the page.
    const stream = await rig.context.newPage();
    await stream.setViewportSize({ width: 1280, height: 800 });
    await stream.goto(`https://www.twitch.tv/${HANDLE}`);
    const root = await giftRoot(rig.context, stream);
    await root.click('.gs-button');
    await root.waitForText(`@${HANDLE} is not live right now`);
    await root.click('[data-gift="rose"]');
    await root.waitForText(`@${HANDLE} is not live, so gifts cannot be sent now.`);
    await stream.screenshot({ path: join(shots, '1-not-live.png') });
    const liveAt = Date.now();
    expect(
      (
        await api(rig.server.url, '/v1/creator/live', {
          body: { live: true, title: 'truth stream' },
          token: creator.token,
        })
      ).status,
    ).toBe(200);
    await expect
      .poll(async () => (await root.text()).includes('is not live'), { timeout: 10_000, interval: 200 })
      .toBe(false);
    const tookMs = Date.now() - liveAt;
    expect(tookMs).toBeLessThan(10_000);
    await stream.screenshot({ path: join(shots, '1-live.png') });

    // 2. The server goes down; a gift sent meanwhile waits, then is delivered exactly once after the restart.
    await rig.server.down();
    await root.click('input[name="message"]');
    await stream.keyboard.type('through the outage');
    await root.click('button[name="send"]');
    await root.waitForText('Connection trouble');
    await root.waitForText('still on its way');
    await stream.screenshot({ path: join(shots, '2-waiting.png') });
    await rig.server.up();
    await root.waitForText(`Sent Rose ×1 to @${HANDLE}. You have 995 coins left.`, 60_000);
    const after = await root.text();
    expect(after).not.toContain('Connection trouble');
    expect(after).not.toContain('still on its way');
    await stream.screenshot({ path: join(shots, '2-sent.png') });
    const login = await api(rig.server.url, '/v1/auth/login', { body: { email, password: 'viewer password 1' } });
    const history = await api(rig.server.url, '/v1/wallet/history?limit=50', { token: login.json.token });
    expect(history.json.entries.filter((e: { kind: string }) => e.kind === 'gift')).toHaveLength(1);
    expect((await api(rig.server.url, '/v1/wallet', { token: login.json.token })).json.coins).toBe(995);

    // 3. A refund in History: the header shows the wallet's balance at once, without reopening the popup.
    await popup.bringToFront();
    await expect.poll(() => pill.textContent(), { timeout: 10_000 }).toBe('995 coins');
    await popup.getByRole('tab', { name: 'History' }).click();
    await popup.getByRole('button', { name: 'Refund unspent coins' }).click();
    await popup.screenshot({ path: join(shots, '3-refund-confirm.png') });
    await popup.getByRole('button', { name: 'Refund', exact: true }).click();
    await popup.getByText(/Refunded 995 coins/).waitFor();
    const wallet = (await api(rig.server.url, '/v1/wallet', { token: login.json.token })).json;
    await expect
      .poll(() => pill.textContent(), { timeout: 2_000 })
      .toBe(`${wallet.coins.toLocaleString('en-US')} coins`);
    // Nothing is left to refund: no second offer (it would end in an error).
    await expect.poll(() => popup.getByRole('button', { name: 'Refund unspent coins' }).count()).toBe(0);
    await popup.screenshot({ path: join(shots, '3-refunded.png') });
    await popup.getByRole('tab', { name: 'Wallet' }).click();
    await expect
      .poll(() => popup.getByTestId('balance').textContent())
      .toBe(`${wallet.coins.toLocaleString('en-US')} coins`);

    // Every view at the popup's real size; nothing scrolls sideways.
    for (const tab of ['Wallet', 'Gift', 'History', 'Limits', 'Settings']) {
      await popup.getByRole('tab', { name: tab }).click();
      await popup.waitForTimeout(300);
      expect(
        await popup.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
      ).toBe(0);
      await popup.screenshot({ path: join(shots, `popup-viewer-${tab.toLowerCase()}.png`) });
    }

    // The creator signs in to their home: earnings first, not a wallet of 0 coins.
    await popup.getByRole('tab', { name: 'Settings' }).click();
    await popup.getByRole('button', { name: 'Sign out' }).click();
    await popup.getByLabel('Email').fill(creator.email);
    await popup.getByLabel('Password').fill(creator.password);
    await popup.getByRole('form', { name: 'Sign in' }).getByRole('button', { name: 'Sign in' }).click();
    await popup.getByRole('tab', { name: 'Creator', selected: true }).waitFor();
    await popup.getByTestId('earnings').waitFor();
    await popup.screenshot({ path: join(shots, 'popup-creator-home.png') });
    await popup.getByRole('button', { name: /^Rotate URL/ }).click();
    await popup.getByRole('alertdialog', { name: /Confirm rotating/ }).scrollIntoViewIfNeeded();
    await popup.screenshot({ path: join(shots, 'popup-creator-rotate-confirm.png') });
    await popup.getByRole('button', { name: 'Keep the current URL' }).click();
    expect(
      await popup.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
    ).toBe(0);
    await popup.setViewportSize({ width: 380, height: 1400 });
    await popup.screenshot({ path: join(shots, 'popup-creator-full.png'), fullPage: true });
  });
});
