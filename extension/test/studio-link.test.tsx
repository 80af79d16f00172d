import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { fakeServer } from './fake-server';
import { send, signIn, startBackground, TWITCH_PAGE } from './helpers';

describe('background: opening the overlay studio', () => {
  let asked: { auth: string | null }[] = [];
  let server: ReturnType<typeof fakeServer>;

  afterEach(() => vi.restoreAllMocks());

  beforeEach(async () => {
    server = fakeServer();
    asked = [];
    await startBackground(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      if (url.pathname === '/v1/creator/studio-ticket') {
        asked.push({ auth: new Headers(init?.headers).get('authorization') });
        // Whatever address the server names, the tab opens on the server the extension talks to.
        const body = {
          ticket: 'st_abcdefghijklmnopqrstuvwxyz012345',
          studioUrl: 'https://elsewhere.example/studio/',
          expiresAt: 1,
        };
        return new Response(JSON.stringify(body), { status: 201, headers: { 'content-type': 'application/json' } });
      }
      return server.fetch(input, init);
    });
    await signIn();
  });

  it('asks for a single-use ticket and opens the studio with it in the fragment, never the session token', async () => {
    const opened = vi.spyOn(fakeBrowser.tabs, 'create');
    expect(await send({ type: 'creator.studio' })).toEqual({ ok: true, data: { opened: true } });
    expect(asked).toHaveLength(1);
    const url = new URL((opened.mock.calls[0]![0] as { url: string }).url);
    expect(url.pathname).toBe('/studio/');
    expect(url.hash).toBe('#ticket=st_abcdefghijklmnopqrstuvwxyz012345');
    expect(url.host).not.toBe('elsewhere.example');
    expect(url.toString()).not.toContain(asked[0]!.auth!.replace('Bearer ', ''));
  });

  it('a stream page cannot open it', async () => {
    const opened = vi.spyOn(fakeBrowser.tabs, 'create');
    expect((await send({ type: 'creator.studio' }, TWITCH_PAGE)).error.code).toBe('forbidden');
    expect(opened).not.toHaveBeenCalled();
  });
});
