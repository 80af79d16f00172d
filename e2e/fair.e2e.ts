// Fair by design, in Debian's Chromium against a real `wrangler dev`: the spend meter on the stream page's gift
// panel grows with each gift, a per-stream gift cap set in the popup refuses the gift that would cross it (and
// nothing is charged), the monthly statement shows what was bought and given, and its printable page prints.
// Screenshots of each new view: artifacts/fair/.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, artifactDir, giftRoot, liveCreator, popupSignUp, startExtensionRig, type ExtensionRig } from './harness';

const HANDLE = 'fair_streamer';

let rig: ExtensionRig;
const shots = artifactDir('fair');

beforeAll(async () => {
  rig = await startExtensionRig({ streamPage: HANDLE, prepare: (server) => liveCreator(server.url, HANDLE) });
});

afterAll(() => rig?.stop());

describe('fair by design', () => {
  it('a viewer sees what a stream costs them, caps it, and gets a monthly statement', async () => {
    const email = `fair-${Date.now()}@example.com`;
    const password = 'viewer password 1';
    const popup = await rig.openPopup();
    await popupSignUp(popup, rig.server.url, { email, password, displayName: 'Fair Viewer', birthdate: '1990-04-01' });
    // The buy screen links the terms before anyone pays.
    expect(await popup.getByRole('link', { name: 'terms' }).getAttribute('href')).toBe(`${rig.server.url}/terms`);
    await popup.getByRole('button', { name: /^1,000 coins/ }).click();
    await popup.getByText(/Bought 1,000 coins for \$10.00 \(sandbox/).waitFor();

    // On the stream page the meter starts at nothing, and grows with each gift's reply.
    const stream = await rig.context.newPage();
    await stream.setViewportSize({ width: 1280, height: 800 });
    await stream.goto(`https://www.twitch.tv/${HANDLE}`);
    const root = await giftRoot(rig.context, stream);
    await root.click('.gs-button');
    await root.waitForText(`You have sent $0.00 to @${HANDLE} this stream`);
    await root.click('[data-gift="trophy"]');
    await root.click('button[name="send"]');
    await root.waitForText(`Sent Trophy ×1 to @${HANDLE}`);
    await root.waitForText(`You have sent $2.50 to @${HANDLE} this stream`);
    await root.click('button[name="send"]');
    await root.waitForText(`You have sent $5.00 to @${HANDLE} this stream`);
    expect(await root.text()).toContain('$5.00 today (last 24 hours, all streams)');
    await stream.screenshot({ path: join(shots, 'stream-page-spend-meter.png') });

    // A per-stream cap of $6.00, set in the popup beside the purchase limits, applies at once.
    await popup.getByRole('tab', { name: 'Limits' }).click();
    await popup.getByRole('heading', { name: 'Gift caps' }).waitFor();
    await popup.locator('input[name="gift-stream"]').fill('6');
    await popup.getByRole('button', { name: 'Save gift caps' }).click();
    await popup.getByText('At most $6.00 to one creator during one live stream.').waitFor();
    await popup.setViewportSize({ width: 380, height: 1000 });
    await popup.screenshot({ path: join(shots, 'popup-gift-caps.png'), fullPage: true });

    // The next $2.50 would cross it: refused in the wallet's words, nothing charged, the meter unchanged.
    await root.waitForText(`of your $6.00 per-stream cap`);
    await root.click('button[name="send"]');
    await root.waitForText('Gift cap reached');
    expect(await root.text()).toContain('would go over your per-stream gift cap of $6.00');
    expect(await root.text()).toContain(`You have sent $5.00 to @${HANDLE} this stream`);
    await stream.screenshot({ path: join(shots, 'stream-page-gift-cap.png') });
    const login = await api(rig.server.url, '/v1/auth/login', { body: { email, password } });
    const w = await api(rig.server.url, `/v1/wallet?room=${HANDLE}`, { token: login.json.token });
    expect(w.json.coins).toBe(500);
    expect(w.json.room.sent.stream).toEqual({ amount: 500, currency: 'USD' });

    // The statement for this month: bought $10.00, gave $5.00 to the streamer; CSV and a printable page.
    await popup.getByRole('tab', { name: 'History' }).click();
    await popup.locator('.statement-table').waitFor();
    const rows = await popup.locator('.statement-table tbody tr').allInnerTexts();
    expect(rows.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual([
      'Coins bought 1 1,000 coins $10.00',
      'Gifts sent 2 500 coins $5.00',
      `to @${HANDLE} 2 500 coins $5.00`,
      'Refunded to you 0 0 coins $0.00',
      'Reversed by your bank 0 0 coins $0.00',
    ]);
    // Every receipt links the terms.
    await popup.locator('.receipt .terms-link').first().waitFor();
    await popup.screenshot({ path: join(shots, 'popup-statement.png'), fullPage: true });
    const [download] = await Promise.all([
      popup.waitForEvent('download'),
      popup.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^giftstream-statement-\d{4}-\d{2}\.csv$/);
    const [printable] = await Promise.all([
      rig.context.waitForEvent('page'),
      popup.getByRole('button', { name: 'Printable page' }).click(),
    ]);
    await printable.getByRole('heading', { name: /^Statement for / }).waitFor();
    await printable.locator('.statement-table').waitFor();
    expect(await printable.locator('body').innerText()).toContain(`to @${HANDLE}`);
    await printable.setViewportSize({ width: 800, height: 600 });
    await printable.screenshot({ path: join(shots, 'statement-printable.png'), fullPage: true });
  });
});
