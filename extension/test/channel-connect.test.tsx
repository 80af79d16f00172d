import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { ChannelConnect, NotVerifiedNote } from '../components/ChannelConnect';
import type { Message } from '../lib/messages';
import { fakeServer } from './fake-server';
import { err, ok, renderWith, send, signIn, startBackground, TWITCH_PAGE } from './helpers';

const ALL_SET_UP = [
  { site: 'twitch', name: 'Twitch', configured: true },
  { site: 'youtube', name: 'YouTube', configured: true },
  { site: 'kick', name: 'Kick', configured: false },
];

describe('popup: connecting a channel', () => {
  it('offers Connect for each site set up, opens it through the background, and says what to do next', async () => {
    const { calls } = renderWith(
      {
        'creator.connectSites': () => ok({ sites: ALL_SET_UP }),
        'creator.connect': (m) => ok({ site: m.site, opened: true }),
      },
      <ChannelConnect channels={[{ url: 'https://twitch.tv/me', site: 'twitch', verified: true }]} />,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Connect Twitch' }));
    expect(screen.getByRole('button', { name: 'Connect YouTube' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Connect Kick' })).toBeNull();
    expect(
      screen.getByText(
        'Kick: signing in is not set up on this Giftstream. To verify a channel there, ask the operator.',
      ),
    ).toBeTruthy();
    expect(
      await screen.findByText('Sign in on Twitch in the tab that opened and allow access; then come back here.'),
    ).toBeTruthy();
    expect(calls.filter((c) => c.type === 'creator.connect')).toEqual([{ type: 'creator.connect', site: 'twitch' }]);
  });

  it('a site the server refuses (not set up after all) tells the creator to ask the operator', async () => {
    renderWith(
      {
        'creator.connectSites': () => ok({ sites: ALL_SET_UP }),
        'creator.connect': () =>
          err(
            'not_found',
            'Signing in with YouTube is not set up on this Giftstream; ask the operator to verify your channel.',
            'site',
          ),
      },
      <ChannelConnect channels={[]} />,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Connect YouTube' }));
    expect(await screen.findByText(/ask the operator to verify your channel/)).toBeTruthy();
  });

  it("the not-verified note offers Connect <site> where it is set up, else keeps 'ask the operator'", async () => {
    const { calls } = renderWith(
      {
        'creator.connectSites': () => ok({ sites: ALL_SET_UP }),
        'creator.connect': (m) => ok({ site: m.site, opened: true }),
      },
      <>
        <NotVerifiedNote url="https://twitch.tv/mine" />
        <NotVerifiedNote url="https://kick.com/mine" />
      </>,
    );
    expect(await screen.findByText(/Sign in with Twitch to prove it is yours/)).toBeTruthy();
    expect(
      screen.getByText(
        /Not verified yet: gifts on this page are off until the channel is proven. Ask the operator of this Giftstream to verify it./,
      ),
    ).toBeTruthy();
    const buttons = screen.getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual(['Connect Twitch']);
    fireEvent.click(buttons[0]!);
    await waitFor(() => expect(calls.some((c) => c.type === 'creator.connect' && c.site === 'twitch')).toBe(true));
  });

  it('the Creator tab leaves a site with an unverified claim to its note, so no button appears twice', async () => {
    renderWith(
      { 'creator.connectSites': () => ok({ sites: ALL_SET_UP }) },
      <ChannelConnect channels={[{ url: 'https://twitch.tv/mine', site: 'twitch', verified: false }]} />,
    );
    expect(await screen.findByRole('button', { name: 'Connect YouTube' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Connect Twitch' })).toBeNull();
  });
});

describe('background: connecting a channel', () => {
  let authorizationUrl = 'https://id.twitch.tv/oauth2/authorize?state=abc';
  let server: ReturnType<typeof fakeServer>;

  afterEach(() => vi.restoreAllMocks());

  beforeEach(async () => {
    server = fakeServer();
    authorizationUrl = 'https://id.twitch.tv/oauth2/authorize?state=abc';
    await startBackground(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      const json = (status: number, body: unknown) =>
        new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
      if (url.pathname === '/v1/creator/channels/connect') return json(200, { sites: ALL_SET_UP });
      if (url.pathname === '/v1/creator/channels/connect/twitch')
        return json(200, { site: 'twitch', authorizationUrl, expiresAt: Date.now() + 600_000 });
      if (url.pathname === '/v1/creator/channels/connect/kick')
        return json(404, {
          error: {
            code: 'not_found',
            message: 'Signing in with Kick is not set up on this Giftstream; ask the operator to verify your channel.',
            field: 'site',
          },
        });
      return server.fetch(input, init);
    });
    await signIn();
  });

  it("opens the site's sign-in page in a tab and lists the sites", async () => {
    const opened = vi.spyOn(fakeBrowser.tabs, 'create');
    expect(await send({ type: 'creator.connect', site: 'twitch' } satisfies Message)).toEqual({
      ok: true,
      data: { site: 'twitch', opened: true },
    });
    expect(opened).toHaveBeenCalledWith({ url: authorizationUrl });
    expect((await send({ type: 'creator.connectSites' })).data.sites).toEqual(ALL_SET_UP);
  });

  it('relays a site that is not set up, and opens nothing', async () => {
    const opened = vi.spyOn(fakeBrowser.tabs, 'create');
    const r = await send({ type: 'creator.connect', site: 'kick' });
    expect(r).toEqual({
      ok: false,
      error: { code: 'not_found', message: expect.stringContaining('ask the operator'), field: 'site' },
    });
    expect(opened).not.toHaveBeenCalled();
  });

  it('opens no page but https (or a loopback address), and refuses unknown sites and stream pages', async () => {
    const opened = vi.spyOn(fakeBrowser.tabs, 'create');
    authorizationUrl = 'javascript:alert(1)';
    expect((await send({ type: 'creator.connect', site: 'twitch' })).error.code).toBe('bad_response');
    authorizationUrl = 'http://evil.example/authorize';
    expect((await send({ type: 'creator.connect', site: 'twitch' })).error.code).toBe('bad_response');
    expect(opened).not.toHaveBeenCalled();
    authorizationUrl = 'http://127.0.0.1:9999/oauth2/authorize?state=abc';
    expect((await send({ type: 'creator.connect', site: 'twitch' })).ok).toBe(true);
    expect((await send({ type: 'creator.connect', site: 'tiktok' })).error.code).toBe('invalid_request');
    expect((await send({ type: 'creator.connect', site: 'twitch' }, TWITCH_PAGE)).error.code).toBe('forbidden');
  });
});
