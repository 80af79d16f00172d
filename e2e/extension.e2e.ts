// The extension in Debian's Chromium against a real `wrangler dev`: a viewer signs up and buys coins in the
// popup, opens a stream page (the real Twitch URL, served locally) and sends a gift from the page's gift
// button; the balance falls, and the creator's popup shows the earnings.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, artifactDir, giftRoot, liveCreator, startExtensionRig, type ExtensionRig } from './harness';

const HANDLE = 'e2e_streamer';

let rig: ExtensionRig;
let popupUrl: string;
let creator: Awaited<ReturnType<typeof liveCreator>>['creator'];
const shots = artifactDir('extension');

beforeAll(async () => {
  // The browser test loads the extension built from the sources under test.
  rig = await startExtensionRig({
    streamPage: HANDLE,
    prepare: async (server) => {
      ({ creator } = await liveCreator(server.url, HANDLE));
    },
  });
  popupUrl = `chrome-extension://${rig.extensionId}/popup.html`;
});

afterAll(() => rig?.stop());

describe('extension', () => {
  it('a viewer signs up, buys coins, gifts from the stream page, and the creator sees the earnings', async () => {
    // Point the extension at the test server, in its settings.
    const popup = await rig.openPopup();
    await popup.getByRole('button', { name: 'Server settings' }).click();
    const serverInput = popup.getByLabel('Server');
    await expect.poll(() => serverInput.inputValue()).toBe('http://localhost:8787');
    await serverInput.fill(rig.server.url);
    await popup.getByRole('button', { name: 'Save server' }).click();
    await popup.getByText('Saved.').waitFor();
    await popup.getByRole('button', { name: 'Back to sign in' }).click();

    // Sign up with a birthdate.
    await popup.getByRole('button', { name: 'Create account' }).first().click();
    const email = `viewer-${Date.now()}@example.com`;
    await popup.getByLabel('Email').fill(email);
    await popup.getByLabel('Password').fill('viewer password 1');
    await popup.getByLabel('Display name').fill('E2E <b>Viewer</b>');
    await popup.getByLabel('Birthdate').fill('1990-04-01');
    await popup.screenshot({ path: join(shots, 'popup-signup.png') });
    await popup.getByRole('form', { name: 'Create account' }).getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => popup.getByTestId('balance').textContent()).toBe('0 coins');
    // What the user typed is text, not markup.
    await expect.poll(() => popup.locator('header .who').textContent()).toContain('E2E <b>Viewer</b>');

    // Buy 1,000 coins in sandbox mode.
    await popup.getByRole('button', { name: /^1,000 coins/ }).click();
    await popup.getByText(/Bought 1,000 coins for \$10.00 \(sandbox/).waitFor();
    await expect.poll(() => popup.getByTestId('balance').textContent()).toBe('1,000 coins');
    await popup.getByText('1 coin = $0.01; creators receive 70% of what you pay.').waitFor();
    await popup.screenshot({ path: join(shots, 'popup-wallet.png') });

    // The stream page gets a gift button; send Rose ×2 with a message.
    const stream = await rig.context.newPage();
    await stream.setViewportSize({ width: 1280, height: 800 });
    await stream.goto(`https://www.twitch.tv/${HANDLE}`);
    const root = await giftRoot(rig.context, stream);
    await root.click('.gs-button');
    await root.waitForText('Gift to Streamer @e2e_streamer');
    expect(await root.text()).toContain('✓ verified');
    expect(await root.text()).toContain('You have 1,000 coins ($10.00).');
    await root.click('[data-gift="rose"]');
    await root.click('input[name="count"]');
    await stream.keyboard.press('Control+A');
    await stream.keyboard.type('2');
    await root.click('input[name="message"]');
    await stream.keyboard.type('gg <img src=x>');
    await root.waitForText('Rose ×2 = 10 coins ($0.10)');
    await stream.screenshot({ path: join(shots, 'stream-page-panel.png') });
    await root.click('button[name="send"]');
    await root.waitForText('Sent Rose ×2 to @e2e_streamer. You have 990 coins left.');
    expect(await root.html()).not.toContain('<img src="x"');
    await stream.screenshot({ path: join(shots, 'stream-page-gift.png') });

    // The page cannot see the session token.
    const session = await api(rig.server.url, '/v1/auth/login', { body: { email, password: 'viewer password 1' } });
    const pageText = await stream.evaluate(() => document.documentElement.outerHTML + JSON.stringify(localStorage));
    expect(pageText).not.toContain('gs_');
    const walletNow = await api(rig.server.url, '/v1/wallet', { token: session.json.token });
    expect(walletNow.json.coins).toBe(990);

    // The viewer's popup shows the balance fell; history shows the gift.
    await popup.reload();
    await expect.poll(() => popup.getByTestId('balance').textContent()).toBe('990 coins');
    await popup.screenshot({ path: join(shots, 'popup-wallet-after-gift.png') });
    await popup.getByRole('tab', { name: 'History' }).click();
    await popup.getByText(`Gift to @${HANDLE}`).waitFor();
    await popup.screenshot({ path: join(shots, 'popup-history.png') });
    await popup.getByRole('tab', { name: 'Limits' }).click();
    await popup.getByText(/Spent \$10.00 in the last 24 hours/).waitFor();
    await popup.screenshot({ path: join(shots, 'popup-limits.png') });

    // The creator signs in to the same extension and sees the gift's earnings: 10 diamonds = $0.07.
    await popup.getByRole('tab', { name: 'Settings' }).click();
    await popup.getByRole('button', { name: 'Sign out' }).click();
    await popup.getByRole('form', { name: 'Sign in' }).waitFor();
    await popup.getByLabel('Email').fill(creator.email);
    await popup.getByLabel('Password').fill(creator.password);
    await popup.getByRole('form', { name: 'Sign in' }).getByRole('button', { name: 'Sign in' }).click();
    await popup.getByRole('tab', { name: 'Creator', selected: true }).waitFor();
    // Diamonds reach the creator's wallet in batches: look again until they have landed.
    await expect
      .poll(
        async () => {
          await popup.goto(`${popupUrl}?tab=creator`);
          return popup
            .getByTestId('earnings')
            .textContent({ timeout: 5_000 })
            .catch(() => null);
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe('$0.07');
    await popup.getByText('10 diamonds; 1 diamond = 7/10 of a cent').waitFor();
    await popup.getByText('LIVE').waitFor();
    expect(await popup.getByLabel('Overlay URL').inputValue()).toContain(`/overlay/?room=${HANDLE}&token=`);
    await popup.getByRole('button', { name: 'Test alert' }).click();
    await popup.getByText('Test alert sent to your overlay.').waitFor();
    await popup.setViewportSize({ width: 380, height: 900 });
    await popup.screenshot({ path: join(shots, 'popup-creator.png'), fullPage: true });
    const earnings = await api(rig.server.url, '/v1/creator/earnings', { token: creator.token });
    expect(earnings.json.diamonds).toBe(10);
    expect(earnings.json.topSupporters[0]).toMatchObject({ coins: 10 });
  });
});
