/**
 * The stream sites a creator can prove a channel on by signing in, and how each one is asked for the
 * signed-in account's channel. Production uses arctic's own client for each site (each site has its quirks:
 * Twitch wants the secret in the body and has no PKCE, Google takes HTTP Basic, Kick wants both the secret
 * and PKCE). Browser tests point a site at a local fake through OAUTH_ENDPOINTS_OVERRIDE, honoured only with
 * TEST_HOOKS; that fake is driven through arctic's generic OAuth2Client with the same state and PKCE.
 */
import { CodeChallengeMethod, Google, Kick, OAuth2Client, Twitch, type OAuth2Tokens } from 'arctic';
import { parseChannelUrl, type Channel } from '@giftstream/shared';
import type { Env } from '../env';

export const OAUTH_SITES = ['twitch', 'youtube', 'kick'] as const;
export type OAuthSite = (typeof OAUTH_SITES)[number];

export function isOAuthSite(site: string): site is OAuthSite {
  return (OAUTH_SITES as readonly string[]).includes(site);
}

export const SITE_NAMES: Record<OAuthSite, string> = { twitch: 'Twitch', youtube: 'YouTube', kick: 'Kick' };

interface Credentials {
  id: string;
  secret: string;
}

function credentials(env: Env, site: OAuthSite): Credentials | null {
  const [id, secret] =
    site === 'twitch'
      ? [env.TWITCH_CLIENT_ID, env.TWITCH_CLIENT_SECRET]
      : site === 'youtube'
        ? [env.GOOGLE_CLIENT_ID, env.GOOGLE_CLIENT_SECRET]
        : [env.KICK_CLIENT_ID, env.KICK_CLIENT_SECRET];
  return id && secret ? { id, secret } : null;
}

export function isConfigured(env: Env, site: OAuthSite): boolean {
  return credentials(env, site) !== null;
}

export function redirectUri(env: Env, site: OAuthSite): string {
  return `${env.PUBLIC_URL.replace(/\/$/, '')}/v1/oauth/${site}/callback`;
}

/** Where each site's API answers "whose account is this". */
const API_ORIGIN: Record<OAuthSite, string> = {
  twitch: 'https://api.twitch.tv',
  youtube: 'https://www.googleapis.com',
  kick: 'https://api.kick.com',
};

/** The least each site lets us ask for to read the account's own channel (Twitch's users endpoint needs none). */
const SCOPES: Record<OAuthSite, string[]> = {
  twitch: [],
  youtube: ['https://www.googleapis.com/auth/youtube.readonly'],
  kick: ['user:read', 'channel:read'],
};

interface Endpoints {
  authorize: string;
  token: string;
  api: string;
}

function overrideFor(env: Env, site: OAuthSite): Endpoints | null {
  if (env.TEST_HOOKS !== '1' || !env.OAUTH_ENDPOINTS_OVERRIDE) return null;
  try {
    const all = JSON.parse(env.OAUTH_ENDPOINTS_OVERRIDE) as Partial<Record<OAuthSite, Endpoints>>;
    return all[site] ?? null;
  } catch {
    return null;
  }
}

export type ChannelRead = { ok: true; channel: Channel } | { ok: false; reason: 'no_channel' | 'site_error' };

export interface SiteClient {
  authorizationUrl(state: string, codeVerifier: string): URL;
  /** Throws arctic's errors: OAuth2RequestError when the site refused the code, others when it failed. */
  exchange(code: string, codeVerifier: string): Promise<OAuth2Tokens>;
  channel(accessToken: string): Promise<ChannelRead>;
}

/** The site's client, or null when the operator has not registered an app there. */
export function siteClient(env: Env, site: OAuthSite): SiteClient | null {
  const creds = credentials(env, site);
  if (!creds) return null;
  const redirect = redirectUri(env, site);
  const override = overrideFor(env, site);
  const api = override?.api ?? API_ORIGIN[site];
  const channel = (token: string) => readChannel(site, api, token, creds.id);
  if (override) {
    const generic = new OAuth2Client(creds.id, creds.secret, redirect);
    return {
      authorizationUrl: (state, verifier) =>
        generic.createAuthorizationURLWithPKCE(
          override.authorize,
          state,
          CodeChallengeMethod.S256,
          verifier,
          SCOPES[site],
        ),
      exchange: (code, verifier) => generic.validateAuthorizationCode(override.token, code, verifier),
      channel,
    };
  }
  switch (site) {
    case 'twitch': {
      // Twitch documents no PKCE for this flow; the single-use state and the client secret carry the proof.
      const twitch = new Twitch(creds.id, creds.secret, redirect);
      return {
        authorizationUrl: (state) => twitch.createAuthorizationURL(state, SCOPES.twitch),
        exchange: (code) => twitch.validateAuthorizationCode(code),
        channel,
      };
    }
    case 'youtube':
    case 'kick': {
      // Both take PKCE, with the same calls.
      const provider =
        site === 'youtube' ? new Google(creds.id, creds.secret, redirect) : new Kick(creds.id, creds.secret, redirect);
      return {
        authorizationUrl: (state, verifier) => provider.createAuthorizationURL(state, verifier, SCOPES[site]),
        exchange: (code, verifier) => provider.validateAuthorizationCode(code, verifier),
        channel,
      };
    }
  }
}

type Json = Record<string, unknown>;

const first = (list: unknown): Json | undefined =>
  Array.isArray(list) && typeof list[0] === 'object' && list[0] !== null ? (list[0] as Json) : undefined;
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** The page URL of the account's channel, by the site's own API: Twitch's login, YouTube's @handle, Kick's slug. */
async function readChannel(site: OAuthSite, api: string, accessToken: string, clientId: string): Promise<ChannelRead> {
  const headers: Record<string, string> = { authorization: `Bearer ${accessToken}`, accept: 'application/json' };
  const path = {
    twitch: '/helix/users',
    youtube: '/youtube/v3/channels?part=snippet&mine=true',
    kick: '/public/v1/channels',
  }[site];
  if (site === 'twitch') headers['client-id'] = clientId;
  let body: Json;
  try {
    const res = await fetch(`${api}${path}`, { headers });
    if (!res.ok) return { ok: false, reason: 'site_error' };
    body = (await res.json()) as Json;
  } catch {
    return { ok: false, reason: 'site_error' };
  }
  const name =
    site === 'twitch'
      ? text(first(body.data)?.login)
      : site === 'youtube'
        ? text((first(body.items)?.snippet as Json | undefined)?.customUrl)
        : text(first(body.data)?.slug);
  if (!name) return { ok: false, reason: 'no_channel' };
  const host = { twitch: 'twitch.tv', youtube: 'youtube.com', kick: 'kick.com' }[site];
  // YouTube answers the handle with its @; the others a bare name. Either way the shared parser keys it.
  const channel = parseChannelUrl(`https://${host}/${site === 'youtube' && !name.startsWith('@') ? `@${name}` : name}`);
  return channel && channel.site === site ? { ok: true, channel } : { ok: false, reason: 'no_channel' };
}
