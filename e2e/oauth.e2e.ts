// A creator proves a Twitch channel by signing in, in Debian's Chromium with the extension against a real
// `wrangler dev` whose Twitch endpoints point at a local fake Twitch (OAUTH_ENDPOINTS_OVERRIDE, test hooks
// only): from the popup's "Connect Twitch" through the site's sign-in to the worker's callback page, then the
// popup shows the channel verified and the channel's page gets a gift button.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTwitch, type FakeSite } from './fake-site';
import { api, artifactDir, giftRoot, popupSignUp, startExtensionRig, type ExtensionRig } from './harness';

const HANDLE = 'e2e_oauth_creator';
const LOGIN = 'e2e_oauth_streamer';
const CHANNEL = `https://www.twitch.tv/${LOGIN}`;
const CLIENT = { id: 'e2e-twitch-client', secret: 'e2e-twitch-secret' };

let fake: FakeSite;
let rig: ExtensionRig;
const shots = artifactDir('oauth');
const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

beforeAll(async () => {
  fake = await startFakeTwitch(LOGIN, CLIENT);
  rig = await startExtensionRig({
    streamPage: LOGIN,
    vars: {
      TWITCH_CLIENT_ID: CLIENT.id,
      TWITCH_CLIENT_SECRET: CLIENT.secret,
      OAUTH_ENDPOINTS_OVERRIDE: JSON.stringify({ twitch: fake.endpoints }),
    },
  });
});

afterAll(async () => {
  await rig?.stop();
  await fake?.stop();
});

describe('proving a channel with OAuth', () => {
  it('a creator connects Twitch from the popup, signs in at (fake) Twitch, and the channel is verified with a gift button', async () => {
    const { context } = rig;
    const popup = await rig.openPopup();
    popup.setDefaultTimeout(30_000);
    await popupSignUp(popup, rig.server.url, {
      email: `oauth-${Date.now()}@example.com`,
      password: 'creator password 1',
      displayName: 'OAuth Streamer',
      birthdate: '1992-02-02',
    });
    await popup.getByRole('tab', { name: 'Creator' }).click();
    await popup.getByLabel('Handle').fill(HANDLE);
    await popup.getByLabel('Your channel').fill(CHANNEL);
    await popup.getByRole('button', { name: 'Become a creator' }).click();

    // The claim is not proven yet: the note offers to sign in with Twitch; other sites keep the operator.
    await popup.getByText('Sign in with Twitch to prove it is yours.', { exact: false }).waitFor();
    await popup.getByText(/YouTube, Kick: signing in is not set up/).waitFor();
    expect((await api(rig.server.url, `/v1/channels/resolve?url=${encodeURIComponent(CHANNEL)}`)).status).toBe(404);
    await shot(popup, '01-popup-connect-twitch');

    // "Connect Twitch" opens the site's sign-in in a new tab.
    const [signIn] = await Promise.all([
      context.waitForEvent('page'),
      popup.getByRole('button', { name: 'Connect Twitch' }).click(),
    ]);
    await signIn.setViewportSize({ width: 900, height: 640 });
    await signIn.getByText('would like to connect to your Twitch account').waitFor();
    expect(signIn.url().startsWith(`${fake.origin}/oauth2/authorize?`)).toBe(true);
    await popup.getByText('Sign in on Twitch in the tab that opened and allow access; then come back here.').waitFor();
    await shot(signIn, '02-fake-twitch-sign-in');

    // Twitch sends the browser back to the worker, which verifies the channel.
    await signIn.locator('#allow').click();
    await signIn.getByRole('heading', { name: `https://twitch.tv/${LOGIN} is verified` }).waitFor();
    await signIn.getByText('Return to the Giftstream popup').waitFor();
    expect(new URL(signIn.url()).pathname).toBe('/v1/oauth/twitch/callback');
    expect(fake.tokenRequests).toEqual([{ status: 200 }]);
    await shot(signIn, '03-callback-verified');

    // The same callback again (a reload, a leaked URL) finds its state spent and changes nothing.
    await signIn.reload();
    await signIn.getByText('This sign-in link is not valid, or was already used.').waitFor();
    expect(fake.tokenRequests).toHaveLength(1);
    await shot(signIn, '04-callback-replayed');

    // Back in the popup: the channel is verified; the creator goes live.
    await popup.goto(`chrome-extension://${rig.extensionId}/popup.html?tab=creator`);
    await popup.getByRole('list', { name: 'Your verified channels' }).getByText(`https://twitch.tv/${LOGIN}`).waitFor();
    expect(await popup.getByText(/Not verified yet/).count()).toBe(0);
    await popup.getByRole('button', { name: 'Go live' }).click();
    await popup.getByRole('button', { name: 'End stream' }).waitFor();
    await shot(popup, '05-popup-verified-live');
    const resolved = await api(rig.server.url, `/v1/channels/resolve?url=${encodeURIComponent(CHANNEL)}`);
    expect(resolved.status).toBe(200);
    expect(resolved.json.creator.handle).toBe(HANDLE);

    // The channel's page now has a gift button naming the verified creator.
    const stream = await context.newPage();
    await stream.setViewportSize({ width: 1280, height: 800 });
    await stream.goto(CHANNEL);
    const root = await giftRoot(context, stream);
    await root.click('.gs-button');
    await root.waitForText(`@${HANDLE}`);
    expect(await root.text()).toContain('✓ verified');
    await shot(stream, '06-stream-page-gift-button');
  });
});
