import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, artifactDir, launchBrowser, liveCreator, signup, startServer, type Server } from './harness';

let server: Server;
let browser: Browser;
beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the operator page', () => {
  it('pays a pending payout, verifies a claim and shows a clean audit, with user input as text', async () => {
    const { creator } = await liveCreator(server.url, 'payme_creator');
    const fan = await signup(server.url, 'Big Fan');
    await api(server.url, '/v1/purchases', { body: { packId: 'pack_5000' }, token: fan.token, key: 'fan-buy' });
    const gift = await api(server.url, '/v1/rooms/payme_creator/gifts', {
      body: { giftId: 'castle' },
      token: fan.token,
      key: 'fan-gift',
    });
    expect(gift.status).toBe(201);
    for (
      let i = 0;
      i < 100 && (await api(server.url, '/v1/wallet', { token: creator.token })).json.diamonds < 5000;
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    const payout = await api(server.url, '/v1/creator/payouts', {
      body: { diamonds: 2000, destination: '<img src=x onerror=alert(1)>@paypal' },
      token: creator.token,
      key: 'payout-1',
    });
    expect(payout.status).toBe(201);
    const other = await signup(server.url, 'Claimer');
    await api(server.url, '/v1/creators', {
      body: { handle: 'claimer', channels: ['https://kick.com/claimed_channel'] },
      token: other.token,
    });

    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${server.url}/admin`);
    await page.fill('#token', server.adminToken);
    await page.click('#save');
    await page.locator('#payouts').getByText('@payme_creator').waitFor();
    expect(await page.locator('#payouts').innerText()).toContain('<img src=x onerror=alert(1)>@paypal');
    expect(await page.locator('#payouts img').count()).toBe(0);
    await page.locator('#payouts input').fill('PP-778');
    await page.screenshot({ path: join(artifactDir('admin'), 'payouts.png'), fullPage: true });
    await page.getByRole('button', { name: 'Mark paid' }).click();
    await page.getByText('Nothing waiting.').waitFor();
    await page.locator('#channels tr', { hasText: 'claimed_channel' }).getByRole('button', { name: 'Verify' }).click();
    await page.locator('#channels tr', { hasText: 'claimed_channel' }).waitFor({ state: 'detached' });
    await page.getByText(/^Clean: every account sums to zero/).waitFor();
    expect(dialogs).toEqual([]);

    const listed = await api(server.url, '/v1/creator/payouts', { token: creator.token });
    expect(listed.json.payouts[0]).toMatchObject({ status: 'paid', reference: 'PP-778' });
    const resolved = await api(
      server.url,
      `/v1/channels/resolve?url=${encodeURIComponent('kick.com/claimed_channel')}`,
    );
    expect(resolved.json.channel.verified).toBe(true);
    await page.close();
  });
});
