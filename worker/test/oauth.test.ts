import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { advanceClock } from '../src/clock';
import { api, signup, type Call, type TestUser } from './helpers';

/**
 * Proving a channel by signing in to its site, in workerd, with the sites' real endpoints answered by a fake
 * behind globalThis.fetch (tests share the worker's isolate). The fake checks what a real site checks: the
 * client's credentials, the redirect URI, the one-time code and, where the site uses it, the PKCE verifier.
 */

const OAUTH_ENV = {
  ...env,
  PUBLIC_URL: 'https://gifts.example',
  TWITCH_CLIENT_ID: 'twitch-id',
  TWITCH_CLIENT_SECRET: 'twitch-secret',
  GOOGLE_CLIENT_ID: 'google-id',
  GOOGLE_CLIENT_SECRET: 'google-secret',
  KICK_CLIENT_ID: 'kick-id',
  KICK_CLIENT_SECRET: 'kick-secret',
};

const call = (path: string, c: Call = {}) => api(path, { ...c, env: OAUTH_ENV });

type SiteName = 'twitch' | 'youtube' | 'kick';

interface Grant {
  site: SiteName;
  /** Twitch login, YouTube customUrl (with @, or null for a channel without a handle), Kick slug. */
  name: string | null;
  challenge: string | null;
  redirect: string;
  used: boolean;
}

async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

class FakeSites {
  grants = new Map<string, Grant>();
  tokens = new Map<string, Grant>();
  token: null | 'invalid_grant' | 'http500' = null;
  users: null | 'http500' = null;
  calls: string[] = [];
  private n = 0;

  install() {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) =>
      this.handle(new Request(input, init)),
    );
  }

  /** What the site does when the creator signs in and allows access: a code for the redirect. */
  approve(authorizationUrl: string, name: string | null): { state: string; code: string } {
    const u = new URL(authorizationUrl);
    const site: SiteName = u.host === 'id.twitch.tv' ? 'twitch' : u.host === 'accounts.google.com' ? 'youtube' : 'kick';
    const code = `code-${site}-${++this.n}`;
    this.grants.set(code, {
      site,
      name,
      challenge: u.searchParams.get('code_challenge'),
      redirect: u.searchParams.get('redirect_uri')!,
      used: false,
    });
    return { state: u.searchParams.get('state')!, code };
  }

  private async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    this.calls.push(`${req.method} ${url.origin}${url.pathname}`);
    const json = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    if (
      [
        'https://id.twitch.tv/oauth2/token',
        'https://oauth2.googleapis.com/token',
        'https://id.kick.com/oauth/token',
      ].includes(`${url.origin}${url.pathname}`)
    ) {
      if (this.token === 'http500') return new Response('upstream exploded', { status: 500 });
      const form = new URLSearchParams(new TextDecoder().decode(await req.arrayBuffer()));
      const grant = this.grants.get(form.get('code') ?? '');
      if (this.token === 'invalid_grant' || !grant || grant.used || grant.redirect !== form.get('redirect_uri'))
        return json({ error: 'invalid_grant' }, 400);
      // Twitch and Kick take the secret in the body; Google in HTTP Basic.
      const basic = req.headers.get('authorization');
      const [id, secret] = basic
        ? atob(basic.replace(/^Basic /, '')).split(':')
        : [form.get('client_id'), form.get('client_secret')];
      const expected = {
        twitch: ['twitch-id', 'twitch-secret'],
        youtube: ['google-id', 'google-secret'],
        kick: ['kick-id', 'kick-secret'],
      }[grant.site];
      if (id !== expected[0] || secret !== expected[1]) return json({ error: 'invalid_client' }, 401);
      if (grant.challenge && (await s256(form.get('code_verifier') ?? '')) !== grant.challenge)
        return json({ error: 'invalid_grant' }, 400);
      grant.used = true;
      const token = `token-${++this.n}`;
      this.tokens.set(token, grant);
      return json({ access_token: token, token_type: 'bearer', expires_in: 3600 });
    }
    const grant = this.tokens.get((req.headers.get('authorization') ?? '').replace(/^Bearer /, ''));
    if (this.users === 'http500') return new Response('nope', { status: 500 });
    if (!grant) return json({ error: 'unauthorized' }, 401);
    if (url.origin === 'https://api.twitch.tv' && url.pathname === '/helix/users') {
      if (req.headers.get('client-id') !== 'twitch-id') return json({ error: 'bad client id' }, 401);
      return json({ data: [{ id: '1234', login: grant.name, display_name: grant.name }] });
    }
    if (
      url.origin === 'https://www.googleapis.com' &&
      url.pathname === '/youtube/v3/channels' &&
      url.searchParams.get('mine') === 'true'
    ) {
      return json({
        items: [{ id: 'UC123', snippet: grant.name ? { title: 'Mine', customUrl: grant.name } : { title: 'Mine' } }],
      });
    }
    if (url.origin === 'https://api.kick.com' && url.pathname === '/public/v1/channels')
      return json({ data: [{ broadcaster_user_id: 9, slug: grant.name }] });
    throw new Error(`unexpected outbound fetch ${req.method} ${req.url}`);
  }
}

let fake: FakeSites;
beforeEach(() => {
  fake = new FakeSites();
  fake.install();
});
afterEach(() => vi.restoreAllMocks());

let handles = 0;
async function creator(channels: string[] = []): Promise<{ user: TestUser; handle: string }> {
  const user = await signup();
  const handle = `oauth_${++handles}_${crypto.randomUUID().slice(0, 6)}`;
  const r = await call('/v1/creators', { body: { handle, channels }, token: user.token });
  expect(r.status, r.text).toBe(201);
  return { user, handle };
}

async function start(user: TestUser, site: SiteName) {
  const r = await call(`/v1/creator/channels/connect/${site}`, { token: user.token });
  expect(r.status, r.text).toBe(200);
  return r.json as { authorizationUrl: string; expiresAt: number };
}

const callback = (site: string, q: Record<string, string>) =>
  call(`/v1/oauth/${site}/callback?${new URLSearchParams(q)}`);

/** Starts signing in to `site`, has the fake site approve it as the account named `name`, and follows the callback. */
async function signInAt(user: TestUser, site: SiteName, name: string | null) {
  return callback(site, fake.approve((await start(user, site)).authorizationUrl, name));
}

async function channelsOf(handle: string) {
  return (await call(`/v1/creators/${handle}`)).json.creator.channels as { url: string; verified: boolean }[];
}

const resolve = async (url: string) => call(`/v1/channels/resolve?url=${encodeURIComponent(url)}`);

describe('connecting a channel by signing in to its site', () => {
  it('lists the sites and whether each is set up', async () => {
    const { user } = await creator();
    const r = await call('/v1/creator/channels/connect', { token: user.token });
    expect(r.json.sites).toEqual([
      { site: 'twitch', name: 'Twitch', configured: true },
      { site: 'youtube', name: 'YouTube', configured: true },
      { site: 'kick', name: 'Kick', configured: true },
    ]);
    const bare = await api('/v1/creator/channels/connect', { token: user.token });
    expect(bare.json.sites.every((s: { configured: boolean }) => !s.configured)).toBe(true);
  });

  it('Twitch: verifies the claim, removes an impostor’s unverified claim, and resolve answers it', async () => {
    const owner = await creator(['https://twitch.tv/oauth_streamer']);
    const impostor = await creator(['https://www.twitch.tv/oauth_streamer']);
    const { authorizationUrl } = await start(owner.user, 'twitch');
    const u = new URL(authorizationUrl);
    expect(u.origin + u.pathname).toBe('https://id.twitch.tv/oauth2/authorize');
    expect(u.searchParams.get('redirect_uri')).toBe('https://gifts.example/v1/oauth/twitch/callback');
    expect(u.searchParams.get('client_id')).toBe('twitch-id');
    const r = await callback('twitch', fake.approve(authorizationUrl, 'OAuth_Streamer'));
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    expect(r.text).toContain('https://twitch.tv/oauth_streamer is verified');
    expect(r.text).toContain('Return to the Giftstream popup');
    expect(await channelsOf(owner.handle)).toEqual([
      { url: 'https://twitch.tv/oauth_streamer', site: 'twitch', verified: true },
    ]);
    expect(await channelsOf(impostor.handle)).toEqual([]);
    const resolved = await resolve('https://www.twitch.tv/oauth_streamer');
    expect(resolved.status).toBe(200);
    expect(resolved.json.creator.handle).toBe(owner.handle);
  });

  it('YouTube: checks PKCE, creates the claim if the creator never made one, keyed by the @handle', async () => {
    const { user, handle } = await creator();
    const { authorizationUrl } = await start(user, 'youtube');
    const u = new URL(authorizationUrl);
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(u.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/youtube.readonly');
    const r = await callback('youtube', fake.approve(authorizationUrl, '@OAuthTuber'));
    expect(r.status, r.text).toBe(200);
    expect(await channelsOf(handle)).toEqual([
      { url: 'https://youtube.com/@oauthtuber', site: 'youtube', verified: true },
    ]);
    expect((await resolve('https://www.youtube.com/@OAuthTuber/live')).json.creator.handle).toBe(handle);
  });

  it('Kick: verifies the slug the site names as the account’s channel', async () => {
    const { user, handle } = await creator(['https://kick.com/oauth_kicker']);
    const { authorizationUrl } = await start(user, 'kick');
    expect(new URL(authorizationUrl).searchParams.get('scope')).toBe('user:read channel:read');
    const r = await callback('kick', fake.approve(authorizationUrl, 'oauth_kicker'));
    expect(r.status, r.text).toBe(200);
    expect(await channelsOf(handle)).toEqual([{ url: 'https://kick.com/oauth_kicker', site: 'kick', verified: true }]);
  });

  it('denied consent: a clear page, nothing changed, and the state is spent', async () => {
    const { user, handle } = await creator(['https://twitch.tv/oauth_denier']);
    const { authorizationUrl } = await start(user, 'twitch');
    const { state, code } = fake.approve(authorizationUrl, 'oauth_denier');
    const r = await callback('twitch', {
      error: 'access_denied',
      error_description: 'The user denied you access',
      state,
    });
    expect(r.status).toBe(400);
    expect(r.text).toContain('You did not allow access on Twitch');
    expect(r.text).toContain('Nothing was changed');
    expect(await channelsOf(handle)).toEqual([
      { url: 'https://twitch.tv/oauth_denier', site: 'twitch', verified: false },
    ]);
    expect((await callback('twitch', { code, state })).status).toBe(400);
    expect(await channelsOf(handle)).toEqual([
      { url: 'https://twitch.tv/oauth_denier', site: 'twitch', verified: false },
    ]);
  });

  it('a wrong state, or one started for another site, changes nothing and calls no site', async () => {
    const { user, handle } = await creator();
    const { authorizationUrl } = await start(user, 'twitch');
    const { code, state } = fake.approve(authorizationUrl, 'oauth_wrongstate');
    const wrong = await callback('twitch', { code, state: 'not-the-state' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('not valid, or was already used');
    expect((await callback('kick', { code, state })).status).toBe(400);
    expect((await callback('twitch', { code })).status).toBe(400);
    expect(fake.calls).toEqual([]);
    expect(await channelsOf(handle)).toEqual([]);
  });

  it('a replayed callback finds its state spent', async () => {
    const { user, handle } = await creator();
    const { authorizationUrl } = await start(user, 'twitch');
    const q = fake.approve(authorizationUrl, 'oauth_replayed');
    expect((await callback('twitch', q)).status).toBe(200);
    const again = await callback('twitch', q);
    expect(again.status).toBe(400);
    expect(again.text).toContain('already used');
    expect(await channelsOf(handle)).toEqual([
      { url: 'https://twitch.tv/oauth_replayed', site: 'twitch', verified: true },
    ]);
  });

  it('an expired state (over 10 minutes) changes nothing', async () => {
    const { user, handle } = await creator();
    const { authorizationUrl } = await start(user, 'kick');
    const q = fake.approve(authorizationUrl, 'oauth_slow');
    advanceClock(10 * 60 * 1000 + 1);
    const r = await callback('kick', q);
    expect(r.status).toBe(400);
    expect(r.text).toContain('expired');
    expect(fake.calls).toEqual([]);
    expect(await channelsOf(handle)).toEqual([]);
  });

  it('a channel another creator has proven is refused with a clear page; both stay as they were', async () => {
    const first = await creator();
    expect((await signInAt(first.user, 'twitch', 'oauth_contested')).status).toBe(200);
    const second = await creator(['https://twitch.tv/oauth_contested']);
    const r = await signInAt(second.user, 'twitch', 'oauth_contested');
    expect(r.status).toBe(409);
    expect(r.text).toContain('already verified for another Giftstream creator');
    expect(r.text).not.toContain(first.handle);
    expect(await channelsOf(first.handle)).toEqual([
      { url: 'https://twitch.tv/oauth_contested', site: 'twitch', verified: true },
    ]);
    expect(await channelsOf(second.handle)).toEqual([
      { url: 'https://twitch.tv/oauth_contested', site: 'twitch', verified: false },
    ]);
    expect((await resolve('twitch.tv/oauth_contested')).json.creator.handle).toBe(first.handle);
  });

  it('a token endpoint that refuses the code or fails: a clear page, nothing changed', async () => {
    const { user, handle } = await creator(['https://twitch.tv/oauth_tokenfail']);
    fake.token = 'invalid_grant';
    const refused = await signInAt(user, 'twitch', 'oauth_tokenfail');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Twitch refused this sign-in');
    fake.token = 'http500';
    const failed = await signInAt(user, 'twitch', 'oauth_tokenfail');
    expect(failed.status).toBe(502);
    expect(failed.text).toContain('could not be reached or answered unexpectedly');
    expect(await channelsOf(handle)).toEqual([
      { url: 'https://twitch.tv/oauth_tokenfail', site: 'twitch', verified: false },
    ]);
  });

  it('a user endpoint that fails, or an account without a channel: a clear page, nothing changed', async () => {
    const { user, handle } = await creator();
    fake.users = 'http500';
    const failed = await signInAt(user, 'kick', 'oauth_userfail');
    expect(failed.status).toBe(502);
    fake.users = null;
    const none = await signInAt(user, 'youtube', null);
    expect(none.status).toBe(400);
    expect(none.text).toContain('needs an @handle');
    expect(await channelsOf(handle)).toEqual([]);
  });

  it('a site without credentials answers JSON telling the creator to ask the operator; unknown sites too', async () => {
    const { user } = await creator();
    const r = await api('/v1/creator/channels/connect/twitch', { token: user.token });
    expect(r.status).toBe(404);
    expect(r.json.error).toMatchObject({ code: 'not_found', field: 'site' });
    expect(r.json.error.message).toContain('ask the operator');
    const tiktok = await call('/v1/creator/channels/connect/tiktok', { token: user.token });
    expect(tiktok.status).toBe(404);
    expect(tiktok.json.error.message).toContain('ask the operator');
    // A sign-in started while configured and finished after the app was removed changes nothing either.
    const { authorizationUrl } = await start(user, 'twitch');
    const late = await api(
      `/v1/oauth/twitch/callback?${new URLSearchParams(fake.approve(authorizationUrl, 'oauth_removed'))}`,
    );
    expect(late.status).toBe(404);
    expect(late.text).toContain('Ask the operator');
    expect((await call('/v1/oauth/tiktok/callback?code=x&state=y')).status).toBe(404);
  });

  it('a sign-in still open when its account closes proves nothing', async () => {
    const { user, handle } = await creator();
    const { authorizationUrl } = await start(user, 'twitch');
    const q = fake.approve(authorizationUrl, 'oauth_closed');
    expect(
      (await call('/v1/me', { method: 'DELETE', body: { password: user.password }, token: user.token })).status,
    ).toBeLessThan(300);
    // The directory hears of the closure through the wallet's outbox: sessions end in the same step.
    await vi.waitFor(async () => expect((await call('/v1/me', { token: user.token })).status).toBe(401), {
      timeout: 20_000,
      interval: 200,
    });
    const r = await callback('twitch', q);
    expect(r.status).toBe(400);
    expect(await channelsOf(handle)).toEqual([]);
    expect((await resolve('twitch.tv/oauth_closed')).status).toBe(404);
  });

  it('a fake site override is honoured only with the test hooks on', async () => {
    const { user } = await creator();
    const override = JSON.stringify({
      twitch: {
        authorize: 'http://127.0.0.1:9/authorize',
        token: 'http://127.0.0.1:9/token',
        api: 'http://127.0.0.1:9',
      },
    });
    const origin = async (extra: Record<string, string | undefined>) => {
      const r = await api('/v1/creator/channels/connect/twitch', {
        token: user.token,
        env: { ...OAUTH_ENV, OAUTH_ENDPOINTS_OVERRIDE: override, ...extra },
      });
      expect(r.status, r.text).toBe(200);
      return new URL(r.json.authorizationUrl).origin;
    };
    expect(await origin({})).toBe('http://127.0.0.1:9');
    expect(await origin({ TEST_HOOKS: undefined })).toBe('https://id.twitch.tv');
    expect(await origin({ TEST_HOOKS: '0' })).toBe('https://id.twitch.tv');
  });

  it('a viewer who is not a creator cannot start a sign-in', async () => {
    const viewer = await signup();
    expect((await call('/v1/creator/channels/connect/twitch', { token: viewer.token })).status).toBe(403);
    expect((await call('/v1/creator/channels/connect/twitch')).status).toBe(401);
  });
});
