import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { db } from '../lib/db';
import type { Message } from '../lib/messages';
import { serverSetting } from '../features/settings';
import { fakeServer } from './fake-server';
import { send, signIn, startBackground, TWITCH_PAGE } from './helpers';

const ID = fakeBrowser.runtime.id;

let server: ReturnType<typeof fakeServer>;

beforeEach(async () => {
  server = fakeServer();
  await startBackground(server.fetch);
});

describe('background: the session', () => {
  it('keeps the token to itself: sign-in replies carry the user, never the token', async () => {
    const r = await signIn();
    expect(r.data.user.displayName).toBe('Viewer');
    expect(JSON.stringify(r)).not.toContain(server.state.token);
    expect((await db.session.get('current'))?.token).toBe(server.state.token);
    const again = await send({ type: 'session.get' });
    expect(JSON.stringify(again)).not.toContain(server.state.token);
    // and the API is called with it
    const w = await send({ type: 'wallet.get' });
    expect(w.data.wallet.coins).toBe(1000);
    expect(server.state.requests.at(-1)!.auth).toBe(`Bearer ${server.state.token}`);
  });

  it('explains a wrong password', async () => {
    const r = await send({ type: 'session.signIn', email: 'viewer@example.com', password: 'nope' });
    expect(r).toEqual({ ok: false, error: { code: 'invalid_credentials', message: 'Email or password is wrong.' } });
  });

  it('signs out locally and forgets cached data of the account', async () => {
    await signIn();
    await send({ type: 'wallet.get' });
    expect(await db.cache.count()).toBeGreaterThan(0);
    await send({ type: 'session.signOut' });
    expect(await db.session.get('current')).toBeUndefined();
    expect((await db.cache.toArray()).filter((c) => c.name.includes('|u1:'))).toHaveLength(0);
  });
});

describe('background: who may ask what', () => {
  it('refuses senders that are not this extension', async () => {
    expect(
      (
        await send(
          { type: 'session.get' },
          { id: 'other-extension', url: 'chrome-extension://other-extension/popup.html' },
        )
      ).error.code,
    ).toBe('forbidden');
    expect((await send({ type: 'page.state' }, { ...TWITCH_PAGE, id: 'other-extension' })).error.code).toBe(
      'forbidden',
    );
  });

  it('refuses content scripts on pages that are not stream sites', async () => {
    expect(
      (await send({ type: 'page.state' }, { id: ID, url: 'https://evil.example/twitch.tv', tab: { id: 1 } })).error
        .code,
    ).toBe('forbidden');
    expect(
      (await send({ type: 'page.state' }, { id: ID, url: 'http://www.twitch.tv/streamer', tab: { id: 1 } })).error.code,
    ).toBe('forbidden');
  });

  it('does not let a stream page reach the session, the wallet or settings', async () => {
    await signIn();
    for (const m of [
      { type: 'session.get' },
      { type: 'wallet.get' },
      { type: 'history.list' },
      { type: 'settings.setServer', url: 'https://evil.example' },
      { type: 'wallet.buy', key: 'k'.repeat(10), purchase: { packId: 'pack_100' } },
    ]) {
      const r = await send(m, TWITCH_PAGE);
      expect(r.ok, m.type).toBe(false);
      expect(r.error.code).toBe('forbidden');
    }
  });

  it('does not let a stream page read or change the blocked words', async () => {
    await signIn();
    server.state.blockedWords = ['scam'];
    server.state.hidden = [{ giftId: 'T1', from: 'Viewer', message: 'a scam', word: 'scam', at: 1 }];
    for (const m of [
      { type: 'creator.moderation' },
      { type: 'creator.setBlockedWords', blockedWords: [] },
      { type: 'creator.setBlockedWords', blockedWords: ['scam', 'spam'] },
    ] satisfies Message[]) {
      const r = await send(m, TWITCH_PAGE);
      expect(r, m.type).toEqual({ ok: false, error: { code: 'forbidden', message: 'Stream pages may not ask that.' } });
      expect(JSON.stringify(r)).not.toContain('a scam');
    }
    expect(server.state.requests.filter((r) => r.path === '/v1/creator/moderation')).toHaveLength(0);
    expect(server.state.blockedWords).toEqual(['scam']);
  });

  it('validates payloads', async () => {
    await signIn();
    expect(
      (await send({ type: 'gift.send', handle: 'streamer', gift: { giftId: 'rose', count: 500 } })).error.code,
    ).toBe('invalid_request');
    expect((await send({ type: 'nope' })).error.code).toBe('invalid_request');
    expect((await send('a string')).error.code).toBe('invalid_request');
    expect(
      (
        await send(
          {
            type: 'page.sendGift',
            channelUrl: 'https://www.twitch.tv/streamer',
            handle: 'streamer',
            gift: { giftId: 'rose', count: 1, message: 'x'.repeat(81) },
          },
          TWITCH_PAGE,
        )
      ).error.code,
    ).toBe('forbidden');
    expect(server.state.gifts).toHaveLength(0);
  });

  it('gives a stream page what its gift panel needs, without the token', async () => {
    await signIn();
    const resolved = await send({ type: 'page.resolve', channelUrl: 'https://twitch.tv/streamer' }, TWITCH_PAGE);
    expect(resolved.data.creator.handle).toBe('streamer');
    expect(resolved.data.channel.verified).toBe(true);
    const state = await send({ type: 'page.state' }, TWITCH_PAGE);
    expect(state.data).toMatchObject({ signedIn: true, adult: true, coins: 1000, confirmThreshold: 1000 });
    expect(state.data.gifts.length).toBeGreaterThanOrEqual(12);
    expect(JSON.stringify([resolved, state])).not.toContain(server.state.token);
  });

  it('lets a page gift only to the creator claiming its own channel', async () => {
    await signIn();
    const gift = { giftId: 'rose', count: 2, message: '<img src=x onerror=alert(1)>' };
    expect(
      (
        await send(
          { type: 'page.sendGift', channelUrl: 'https://kick.com/streamer', handle: 'streamer', gift },
          TWITCH_PAGE,
        )
      ).error.code,
    ).toBe('forbidden');
    expect(
      (
        await send(
          { type: 'page.sendGift', channelUrl: 'https://twitch.tv/streamer', handle: 'someone_else', gift },
          TWITCH_PAGE,
        )
      ).error.code,
    ).toBe('forbidden');
    const ok = await send(
      { type: 'page.sendGift', channelUrl: 'https://twitch.tv/streamer', handle: 'streamer', gift },
      TWITCH_PAGE,
    );
    expect(ok.data.status).toBe('sent');
    expect(ok.data.result.wallet.coins).toBe(990);
    expect(server.state.gifts).toEqual([
      expect.objectContaining({
        handle: 'streamer',
        giftId: 'rose',
        count: 2,
        message: '<img src=x onerror=alert(1)>',
      }),
    ]);
  });

  it('queues a page gift while the server is down, for the owner it resolved minutes ago, and only for them', async () => {
    await signIn();
    const page = { type: 'page.resolve', channelUrl: 'https://twitch.tv/streamer' } satisfies Message;
    expect((await send(page, TWITCH_PAGE)).data.creator.handle).toBe('streamer');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 60_000); // past the short memory: the next send asks the server again
      server.state.failBefore = 1_000;
      const gift = { giftId: 'rose', count: 1 };
      const other = await send(
        { type: 'page.sendGift', channelUrl: 'https://twitch.tv/streamer', handle: 'someone_else', gift },
        TWITCH_PAGE,
      );
      expect(other.error.code).toBe('forbidden');
      const queued = await send(
        { type: 'page.sendGift', channelUrl: 'https://twitch.tv/streamer', handle: 'streamer', gift },
        TWITCH_PAGE,
      );
      expect(queued.ok).toBe(true);
      expect(queued.data.status).toBe('pending');
      expect(await db.outbox.count()).toBe(1);
      const unknown = await send(
        { type: 'page.sendGift', channelUrl: 'https://twitch.tv/newcomer', handle: 'newcomer', gift },
        TWITCH_PAGE,
      );
      expect(unknown.error.code).toBe('network');
      vi.setSystemTime(Date.now() + 11 * 60_000); // an owner known too long ago is asked again
      const stale = await send(
        { type: 'page.sendGift', channelUrl: 'https://twitch.tv/streamer', handle: 'streamer', gift },
        TWITCH_PAGE,
      );
      expect(stale.error.code).toBe('network');
    } finally {
      vi.useRealTimers();
    }
  });

  it('offers no gift on a page whose channel is claimed but not verified, even if a server answers the claim', async () => {
    await signIn();
    // This fake answers unverified claims, as servers did before resolve answered only verified ones.
    server.state.claims.set('twitch.tv/famous', { handle: 'squatter', verified: false });
    const FAMOUS_PAGE = { ...TWITCH_PAGE, url: 'https://www.twitch.tv/famous' };
    expect((await send({ type: 'page.resolve', channelUrl: 'https://twitch.tv/famous' }, FAMOUS_PAGE)).data).toBeNull();
    expect((await send({ type: 'channel.resolve', url: 'https://www.twitch.tv/famous' })).data).toBeNull();
    const r = await send(
      {
        type: 'page.sendGift',
        channelUrl: 'https://twitch.tv/famous',
        handle: 'squatter',
        gift: { giftId: 'rose', count: 1 },
      },
      FAMOUS_PAGE,
    );
    expect(r.error.code).toBe('forbidden');
    expect(server.state.gifts).toEqual([]);
  });

  it('resolves nothing on a page whose channel is not claimed', async () => {
    expect((await send({ type: 'page.resolve', channelUrl: 'https://twitch.tv/nobody' }, TWITCH_PAGE)).data).toBeNull();
    expect((await send({ type: 'channel.resolve', url: 'https://example.com' })).data).toBeNull();
  });
});

describe('background: moderation', () => {
  it('saves the blocked words from the popup and reads back what they hid', async () => {
    await signIn();
    const r = await send({
      type: 'creator.setBlockedWords',
      blockedWords: ['  Scam ', 'FREE coins', 'spam'],
    } satisfies Message);
    expect(r).toEqual({ ok: true, data: { blockedWords: ['freecoins', 'scam', 'spam'] } });
    const put = server.state.requests.at(-1)!;
    expect(put).toMatchObject({ method: 'PUT', path: '/v1/creator/moderation', auth: `Bearer ${server.state.token}` });
    // typed text arrives trimmed (the shared schema's rule); the server normalizes the rest
    expect(put.body).toEqual({ blockedWords: ['Scam', 'FREE coins', 'spam'] });
    server.state.hidden = [
      {
        giftId: 'T9',
        from: '<b>Troll</b>',
        message: 'total <script>scam</script>',
        word: 'scam',
        at: 1_800_000_000_000,
      },
    ];
    const m = await send({ type: 'creator.moderation' } satisfies Message);
    expect(m).toEqual({ ok: true, data: { blockedWords: ['freecoins', 'scam', 'spam'], hidden: server.state.hidden } });
    expect(JSON.stringify([r, m])).not.toContain(server.state.token);
    expect((await send({ type: 'creator.setBlockedWords', blockedWords: [] })).data.blockedWords).toEqual([]);
  });

  it('refuses lists the server would refuse, before asking it', async () => {
    await signIn();
    const before = server.state.requests.length;
    for (const blockedWords of [
      ['x'.repeat(41)],
      ['   '],
      Array.from({ length: 201 }, (_, i) => `w${i}`),
      'scam',
      [42],
    ]) {
      expect((await send({ type: 'creator.setBlockedWords', blockedWords })).error.code).toBe('invalid_request');
    }
    expect((await send({ type: 'creator.moderation', extra: true })).error.code).toBe('invalid_request');
    expect(server.state.requests.length).toBe(before);
    expect(
      (await send({ type: 'creator.setBlockedWords', blockedWords: Array.from({ length: 200 }, (_, i) => `w${i}`) }))
        .ok,
    ).toBe(true);
  });

  it('treats an answer of the wrong shape as a bad response, and needs a session', async () => {
    expect((await send({ type: 'creator.moderation' })).error.code).toBe('signed_out');
    await signIn();
    server.state.moderationAnswer = { blockedWords: ['scam'], hidden: [{ giftId: 'T1', from: 'x', message: 'y' }] };
    expect((await send({ type: 'creator.moderation' })).error.code).toBe('bad_response');
  });
});

describe('background: wallet and settings', () => {
  it('shows the last known balance and history when offline', async () => {
    await signIn();
    await send({ type: 'wallet.get' });
    await send({ type: 'history.list' });
    server.state.failBefore = 10;
    const w = await send({ type: 'wallet.get' });
    expect(w.data).toMatchObject({ offline: true, wallet: { coins: 1000 } });
    const h = await send({ type: 'history.list' });
    expect(h.data.offline).toBe(true);
    expect(h.data.syncedAt).not.toBeNull();
  });

  it('needs the host permission before switching servers, and signs out when it does', async () => {
    await signIn();
    const contains = vi.fn(async () => false);
    (fakeBrowser as any).permissions = { contains };
    expect((await send({ type: 'settings.setServer', url: 'https://gifts.example.org/path' })).error.code).toBe(
      'permission_denied',
    );
    expect(await serverSetting.getValue()).toBe('http://localhost:8787');
    contains.mockResolvedValue(true);
    const r = await send({ type: 'settings.setServer', url: 'https://gifts.example.org/path' });
    expect(r.data.server).toBe('https://gifts.example.org');
    expect(contains).toHaveBeenLastCalledWith({ origins: ['https://gifts.example.org/*'] });
    expect(await serverSetting.getValue()).toBe('https://gifts.example.org');
    expect(await db.session.get('current')).toBeUndefined();
    expect((await send({ type: 'settings.setServer', url: 'javascript:alert(1)' })).error.code).toBe('invalid_request');
  });

  it('sends gifts from the popup through the outbox', async () => {
    await signIn();
    server.state.failBefore = 1;
    const r = await send({ type: 'gift.send', handle: 'streamer', gift: { giftId: 'heart', count: 3 } });
    expect(r.data.status).toBe('pending');
    const list = await send({ type: 'outbox.list' });
    expect(list.data[0]).toMatchObject({ handle: 'streamer', status: 'pending' });
  });
});
