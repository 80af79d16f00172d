// The whole story through the real parts together, in Debian's Chromium: the same `wrangler dev` that
// `npm start` runs (with the test configuration, on a free port), the extension built from its sources and
// loaded unpacked in two browser profiles (a creator's and a viewer's), the overlay page opened as OBS
// opens a browser source, and the operator's /admin page. Every step is done in the UI a person would use;
// the one direct API call is the final GET /v1/admin/audit, the machine-readable form of the audit the
// operator page also shows. Screenshots of each step: artifacts/story/.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  api,
  artifactDir,
  buildExtension,
  giftRoot,
  launchBrowser,
  launchWithExtension,
  openPopup,
  popupSignUp,
  recordOverlay,
  serveStreamPage,
  settled,
  shownAlerts,
  startServer,
  type Server,
} from './harness';

const HANDLE = 'nova_live';
const CHANNEL = `https://www.twitch.tv/${HANDLE}`;
const CREATOR = {
  email: 'nova@example.com',
  password: 'creator password 1',
  displayName: 'Nova Streams',
  birthdate: '1991-06-12',
};
const VIEWER = {
  email: 'ada@example.com',
  password: 'viewer password 1',
  displayName: 'Ada Lovelace',
  birthdate: '1990-04-01',
};
const COMBO = 5;
const MESSAGE = 'Best stream of the week!';
// 5 Roses (5 coins each) and a Sports Car (2,500 coins): 2,525 coins → 2,525 diamonds → $17.67 (7/10 cent each).
const SPENT = COMBO * 5 + 2_500;

type Profile = Awaited<ReturnType<typeof launchWithExtension>>;
let server: Server;
let creator: Profile;
let viewer: Profile;
let plain: Browser;
let extension: string;
const shots = artifactDir('story');
for (const old of readdirSync(shots)) if (old.startsWith('failed-')) rmSync(join(shots, old));
const shot = (page: Page, name: string, opts: { fullPage?: boolean; omitBackground?: boolean } = {}) =>
  page.screenshot({ path: join(shots, `${name}.png`), ...opts });

// Generous bounds for a loaded two-core machine; the story itself takes about a minute.
beforeAll(async () => {
  extension = buildExtension();
  server = await startServer();
  // Two profiles with the extension (the creator's and the viewer's) and a plain browser (OBS, the operator).
  [creator, viewer, plain] = await Promise.all([
    launchWithExtension(extension),
    launchWithExtension(extension),
    launchBrowser(),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([creator?.close(), viewer?.close(), plain?.close()]);
  await server?.stop();
  if (extension) rmSync(extension, { recursive: true, force: true });
});

/** The operator's page in its own browser, signed in with the admin token. */
async function openAdmin(): Promise<Page> {
  const context = await plain.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(`${server.url}/admin`);
  await page.fill('#token', server.adminToken);
  await page.click('#save');
  await page.getByText(/^Up to date at/).waitFor();
  return page;
}

/** The overlay URL opened as OBS opens a browser source: 1920×1080, transparent, no extension. */
async function openOverlay(url: string): Promise<{ page: Page; errors: string[] }> {
  const context = await plain.newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.setDefaultTimeout(30_000);
  await page.addInitScript(recordOverlay);
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  // Connected once the room's hello has arrived.
  await page.waitForFunction(() => (window as any).__frames > 0);
  return { page, errors };
}

/** The creator tab of the popup, reloaded until `ready` holds (diamonds arrive in batches, asynchronously). */
async function creatorTabUntil(popup: Page, ready: () => Promise<boolean>) {
  await expect
    .poll(
      async () => {
        await popup.goto(`chrome-extension://${creator.extensionId}/popup.html?tab=creator`);
        await popup
          .getByTestId('earnings')
          .waitFor({ timeout: 10_000 })
          .catch(() => undefined);
        return ready();
      },
      { timeout: 60_000, interval: 1_000 },
    )
    .toBe(true);
}

describe('the whole story', () => {
  it('creator claims a channel and goes live, viewer gifts a combo and a large gift, overlay shows both, creator is paid, audit is clean', async () => {
    // On failure, every open page as it was: artifacts/story/failed-*.png.
    onTestFailed(async () => {
      const contexts = [creator.context, viewer.context, ...plain.contexts()];
      const pages = contexts.flatMap((c) => c.pages());
      await Promise.allSettled(
        pages.map((p, i) =>
          p.screenshot({
            path: join(shots, `failed-${i}-${new URL(p.url()).pathname.split('/').pop() || 'page'}.png`),
            fullPage: true,
            timeout: 10_000,
          }),
        ),
      );
    });

    // 1. The creator signs up in the extension popup and becomes a creator claiming a Twitch channel.
    const cPopup = await openPopup(creator.context, creator.extensionId);
    cPopup.setDefaultTimeout(30_000);
    await popupSignUp(cPopup, server.url, CREATOR);
    await cPopup.getByRole('tab', { name: 'Creator' }).click();
    await cPopup.getByLabel('Handle').fill(HANDLE);
    await cPopup.getByLabel('Your channel').fill(CHANNEL);
    await shot(cPopup, '01-creator-claims-channel');
    await cPopup.getByRole('button', { name: 'Become a creator' }).click();
    await cPopup.getByText(`@${HANDLE}`).waitFor();
    await cPopup.getByText('offline').waitFor();
    // Until the channel is proven, the creator is told its page has no gift button and how to prove it.
    await cPopup.getByText(/Not verified yet: gifts on this page are off/).waitFor();
    await shot(cPopup, '02-creator-view-offline');

    // 2. The operator verifies the claim on /admin.
    const admin = await openAdmin();
    const claim = admin.locator('#channels tr', { hasText: `@${HANDLE}` });
    await claim.waitFor();
    await shot(admin, '03-admin-claim-to-verify', { fullPage: true });
    await claim.getByRole('button', { name: 'Verify' }).click();
    await claim.waitFor({ state: 'detached' });
    await admin.getByText('No unverified claims.').waitFor();
    await shot(admin, '04-admin-claim-verified', { fullPage: true });

    // 3. The creator goes live and copies the overlay URL.
    await cPopup.getByPlaceholder('Stream title (optional)').fill('Sunday speedrun');
    await cPopup.getByRole('button', { name: 'Go live' }).click();
    await cPopup.getByText('You are live. Gifts can be sent now.').waitFor();
    await cPopup.getByText('LIVE', { exact: true }).waitFor();
    const overlayField = cPopup.getByLabel('Overlay URL');
    await expect.poll(() => overlayField.inputValue()).toContain(`/overlay/?room=${HANDLE}&token=`);
    await creator.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await cPopup.bringToFront();
    await cPopup.getByRole('button', { name: 'Copy' }).click();
    await cPopup.getByText('Overlay URL copied.').waitFor();
    const overlayUrl = await cPopup.evaluate(() => navigator.clipboard.readText());
    expect(overlayUrl).toBe(await overlayField.inputValue());
    await shot(cPopup, '05-creator-live-overlay-url', { fullPage: true });

    // 4. The overlay page opens with that URL, as OBS would.
    const { page: overlay, errors: overlayErrors } = await openOverlay(overlayUrl);
    await shot(overlay, '06-overlay-connected-empty', { omitBackground: true });

    // 5. A viewer signs up in the extension (another profile) and buys 5,000 coins (sandbox).
    const vPopup = await openPopup(viewer.context, viewer.extensionId);
    vPopup.setDefaultTimeout(30_000);
    await popupSignUp(vPopup, server.url, VIEWER);
    await vPopup.getByRole('button', { name: /^5,000 coins/ }).click();
    await vPopup.getByText(/Bought 5,000 coins for \$50\.00 \(sandbox/).waitFor();
    await expect.poll(() => vPopup.getByTestId('balance').textContent()).toBe('5,000 coins');
    await shot(vPopup, '07-viewer-bought-coins');

    // 6. The viewer opens the creator's stream page; the page's gift button names the verified creator.
    await serveStreamPage(viewer.context, HANDLE);
    const stream = await viewer.context.newPage();
    await stream.setViewportSize({ width: 1280, height: 800 });
    await stream.goto(CHANNEL);
    const root = await giftRoot(viewer.context, stream);
    await root.click('.gs-button');
    await root.waitForText(`Gift to ${CREATOR.displayName} @${HANDLE}`);
    expect(await root.text()).toContain('✓ verified');
    await root.waitForText('You have 5,000 coins ($50.00).');

    // 7. A combo: the same small gift, sent five times, each within 5 s of the previous one.
    await root.click('[data-gift="rose"]');
    await root.waitForText('Rose ×1 = 5 coins ($0.05)');
    await shot(stream, '08-stream-page-gift-panel');
    let sentAt = 0;
    for (let i = 1; i <= COMBO; i++) {
      await root.click('button[name="send"]');
      await root.waitForText(
        `Sent Rose ×1 to @${HANDLE}. You have ${(5_000 - 5 * i).toLocaleString('en-US')} coins left.`,
      );
      if (i > 1) expect(Date.now() - sentAt, 'time between two gifts of the combo').toBeLessThan(5_000);
      sentAt = Date.now();
    }
    await shot(stream, '09-stream-page-combo-sent');
    // The overlay shows one alert for the combo, its count risen to the total.
    await overlay.locator(`.toasts .alert-small[data-count="${COMBO}"]`).waitFor();
    await settled(overlay, '.toasts .alert-small');
    await shot(overlay, '10-overlay-combo-alert', { omitBackground: true });

    // 8. One large gift with a message: at $25 it needs an explicit confirmation.
    await root.click('[data-gift="sports_car"]');
    await root.type('input[name="message"]', MESSAGE);
    await root.waitForText('Sports Car ×1 = 2,500 coins ($25.00)');
    await root.click('button[name="send"]');
    await root.waitForText(`Send Sports Car ×1 to @${HANDLE} for 2,500 coins ($25.00)?`);
    // The confirmation is in view in the panel, its buttons included, without the viewer scrolling.
    await expect
      .poll(async () => {
        const [panel, confirm] = [await root.rect('.gs-panel'), await root.rect('.gp-confirm')];
        return !!panel && !!confirm && confirm.top >= panel.top && confirm.bottom <= panel.bottom;
      })
      .toBe(true);
    await shot(stream, '11-stream-page-confirm-large-gift');
    await root.click('button[name="confirm"]');
    await root.waitForText(
      `Sent Sports Car ×1 to @${HANDLE}. You have ${(5_000 - SPENT).toLocaleString('en-US')} coins left.`,
    );
    await shot(stream, '12-stream-page-large-gift-sent');

    // 9. The overlay shows the large alert with the message; then every alert closes (combo_end).
    const large = overlay.locator('.stage .alert-large');
    await large.waitFor();
    await settled(overlay, '.stage .alert-large');
    expect(await large.locator('.message').textContent()).toBe(MESSAGE);
    expect(await large.locator('.who').textContent()).toBe(VIEWER.displayName);
    // The leaderboard widget counts both gifts.
    await expect.poll(() => overlay.locator('.board .rank-1 .name').textContent()).toBe(VIEWER.displayName);
    await expect.poll(() => overlay.locator('.board .rank-1 .coins').textContent()).toBe('2,525');
    await shot(overlay, '13-overlay-large-alert', { omitBackground: true });
    await overlay.waitForFunction(() => document.querySelectorAll('[data-alert]').length === 0, undefined, {
      timeout: 60_000,
      polling: 200,
    });
    const alerts = await shownAlerts(overlay);
    expect(alerts, JSON.stringify(alerts)).toHaveLength(2);
    const [combo, big] = [alerts.find((a) => a.tier === 'small')!, alerts.find((a) => a.tier === 'large')!];
    expect(combo).toMatchObject({ count: COMBO, events: COMBO, message: null });
    expect(combo.what).toContain('Rose');
    expect(Object.values(combo.combos)).toEqual([COMBO]);
    expect(big).toMatchObject({ count: 1, events: 1, message: MESSAGE });
    expect(big.what).toContain('Sports Car');
    expect(big.what).toContain('2,500 coins');
    expect(overlayErrors).toEqual([]);

    // 10. The creator's popup shows the earnings in diamonds and money, and the viewer at the top.
    await creatorTabUntil(
      cPopup,
      async () =>
        (await cPopup
          .getByTestId('earnings')
          .textContent()
          .catch(() => null)) === '$17.67',
    );
    await cPopup.getByText(/^2,525 diamonds; 1 diamond = 7\/10 of a cent/).waitFor();
    await cPopup.locator('.supporters li', { hasText: VIEWER.displayName }).getByText('2,525 coins').waitFor();
    await cPopup.setViewportSize({ width: 380, height: 900 });
    await shot(cPopup, '14-creator-earnings', { fullPage: true });

    // 11. The creator requests a payout: everything payable, in steps of 10 diamonds (2,520 = $17.64).
    await expect.poll(() => cPopup.getByLabel(/^Diamonds \(steps of 10\)/).inputValue()).toBe('2520');
    await cPopup.getByLabel('Pay to (bank account or PayPal email)').fill('nova@paypal.example');
    await cPopup.getByRole('button', { name: 'Request $17.64' }).click();
    await cPopup.getByText('Payout of $17.64 requested.').waitFor();
    // What is left (5 diamonds) is below the minimum: the form makes way, the confirmation stays.
    await cPopup.getByText('Payouts start at $10.00 (1,430 diamonds). You have 5.').waitFor();
    await expect(cPopup.getByText('Payout of $17.64 requested.').isVisible()).resolves.toBe(true);
    // The creator's own list shows the destination masked, its last four characters only.
    await cPopup
      .locator('.payouts li', { hasText: /\$17\.64 to •+mple —/ })
      .getByText('requested: waiting for approval', { exact: true })
      .waitFor();
    await cPopup.getByText(/ diamonds; 1 diamond = 7\/10 of a cent; \$17\.64 in payouts on the way$/).waitFor();
    await shot(cPopup, '15-creator-payout-requested', { fullPage: true });

    // 12. The operator pays it on /admin; the page's audit is clean.
    await admin.reload();
    const row = admin.locator('#payouts tr', { hasText: `@${HANDLE}` });
    await row.waitFor();
    expect(await row.innerText()).toContain('$17.64');
    expect(await row.innerText()).toContain('2,520');
    await row.locator('input').fill('PP-STORY-1');
    await shot(admin, '16-admin-payout-to-pay', { fullPage: true });
    await row.getByRole('button', { name: 'Mark paid' }).click();
    await admin.getByText('Nothing waiting.').waitFor();
    await admin.getByText(/^Clean: every account sums to zero per unit/).waitFor();
    await shot(admin, '17-admin-paid-audit-clean', { fullPage: true });

    // 13. The creator sees it paid; the viewer's wallet shows what is left.
    await creatorTabUntil(
      cPopup,
      async () =>
        (
          await cPopup
            .locator('.payouts li')
            .first()
            .textContent()
            .catch(() => '')
        )?.endsWith('paid') ?? false,
    );
    await cPopup.getByText(/^5 diamonds; 1 diamond = 7\/10 of a cent/).waitFor();
    await shot(cPopup, '18-creator-payout-paid', { fullPage: true });
    await vPopup.reload();
    await expect
      .poll(() => vPopup.getByTestId('balance').textContent())
      .toBe(`${(5_000 - SPENT).toLocaleString('en-US')} coins`);
    await shot(vPopup, '19-viewer-wallet-after');

    // 14. The audit, read the way a monitor would (no UI needed): every page clean.
    let cursor: string | undefined;
    do {
      const audit = await api(server.url, `/v1/admin/audit${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, {
        token: server.adminToken,
      });
      expect(audit.status).toBe(200);
      expect(audit.json).toMatchObject({ ok: true, violations: [] });
      cursor = audit.json.next;
    } while (cursor);
  }, 240_000);
});
