import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { OAuth2RequestError } from 'arctic';
import { ConnectResponse, ConnectSitesResponse } from '@giftstream/shared';
import { proveChannel } from '../directory/claims';
import { activeHandleOfUser, forgetCreators } from '../directory/creators';
import type { AppEnv } from '../env';
import { fail } from '../http';
import { access, page as pageOf, replies, routes } from '../openapi';
import { OAUTH_PAGE_HEADERS } from '../oauth/pages';
import { noticeHtml, type Notice as Page } from '../pages';
import { isConfigured, isOAuthSite, OAUTH_SITES, SITE_NAMES, siteClient, type OAuthSite } from '../oauth/sites';
import { startSignIn, takeSignIn } from '../oauth/states';

/**
 * Proving a channel by signing in to its site. The popup asks for an authorization URL (with the creator's
 * session) and opens it in a tab; the site sends the browser back to the callback, which carries no session,
 * so the creator is known only by the single-use state stored when the sign-in started.
 */
const sites = createRoute({
  method: 'get',
  path: '/connect',
  summary: 'Sites where a channel can be proven by signing in, and which are set up',
  ...access('creator'),
  responses: replies(ConnectSitesResponse),
});

const SiteParams = z.object({ site: z.string() });

const connect = createRoute({
  method: 'get',
  path: '/connect/{site}',
  summary:
    "Start proving a channel: the site's sign-in URL (single-use state, PKCE where the site takes it, 10 minutes); 404 where not set up",
  ...access('creator'),
  request: { params: SiteParams },
  responses: replies(ConnectResponse),
});

export const channelConnectRoutes = routes()
  .openapi(sites, (c) =>
    c.json({
      sites: OAUTH_SITES.map((site) => ({ site, name: SITE_NAMES[site], configured: isConfigured(c.env, site) })),
    }),
  )
  .openapi(connect, async (c) => {
    const site = c.req.valid('param').site;
    if (!isOAuthSite(site))
      return fail(
        c,
        'not_found',
        `Channels on "${site}" cannot be proven by signing in; ask the operator to verify yours.`,
        'site',
      );
    const client = siteClient(c.env, site);
    if (!client)
      return fail(
        c,
        'not_found',
        `Signing in with ${SITE_NAMES[site]} is not set up on this Giftstream; ask the operator to verify your channel.`,
        'site',
      );
    const started = await startSignIn(c.env, c.get('user').id, site);
    return c.json({
      site,
      authorizationUrl: client.authorizationUrl(started.state, started.codeVerifier).toString(),
      expiresAt: started.expiresAt,
    });
  });

const AGAIN = 'Nothing was changed. Start again from the Creator tab of the Giftstream popup.';

function page(c: Context<AppEnv>, status: 200 | 400 | 404 | 409 | 502, p: Page) {
  return c.html(noticeHtml(p), status, OAUTH_PAGE_HEADERS);
}

const callback = createRoute({
  method: 'get',
  path: '/{site}/callback',
  summary: 'Where the site returns the creator after signing in: verifies the channel, answers a page',
  ...access('public'),
  request: { params: SiteParams },
  responses: pageOf('text/html'),
});

export const oauthRoutes = routes().openapi(callback, async (c) => {
  const site = c.req.valid('param').site;
  if (!isOAuthSite(site))
    return page(c, 404, {
      kind: 'bad',
      title: 'Unknown site',
      lines: ['Giftstream does not sign in with this site.', AGAIN],
    });
  const name = SITE_NAMES[site];
  const { state, code, error } = c.req.query();
  // The state is spent before anything else, even on a refusal: whatever this callback was, it is the last.
  const taken = await takeSignIn(c.env, site, state ?? '');
  if (error === 'access_denied')
    return page(c, 400, {
      kind: 'bad',
      title: `You did not allow access on ${name}`,
      lines: [`Giftstream needs to read which ${name} channel is yours to prove it.`, AGAIN],
    });
  if (!taken.ok) {
    return taken.reason === 'expired'
      ? page(c, 400, {
          kind: 'bad',
          title: 'This sign-in has expired',
          lines: ['This sign-in took longer than 10 minutes and has expired.', AGAIN],
        })
      : page(c, 400, {
          kind: 'bad',
          title: 'This sign-in link no longer works',
          lines: ['This sign-in link is not valid, or was already used.', AGAIN],
        });
  }
  if (error || !code)
    return page(c, 400, {
      kind: 'bad',
      title: `${name} did not sign you in`,
      lines: [`${name} sent you back without a sign-in.`, AGAIN],
    });
  return finish(c, site, taken.userId, code, taken.codeVerifier);
});

async function finish(c: Context<AppEnv>, site: OAuthSite, userId: string, code: string, codeVerifier: string) {
  const name = SITE_NAMES[site];
  const client = siteClient(c.env, site);
  if (!client)
    return page(c, 404, {
      kind: 'bad',
      title: `Signing in with ${name} is not set up`,
      lines: ['Ask the operator of this Giftstream to verify your channel.'],
    });
  let accessToken: string;
  try {
    accessToken = (await client.exchange(code, codeVerifier)).accessToken();
  } catch (e) {
    // The site refused the code (used, expired, not ours), or did not answer as an OAuth server does.
    const refused = e instanceof OAuth2RequestError;
    return page(c, refused ? 400 : 502, {
      kind: 'bad',
      title: `${name} did not confirm the sign-in`,
      lines: [
        refused ? `${name} refused this sign-in.` : `${name} could not be reached or answered unexpectedly.`,
        AGAIN,
      ],
    });
  }
  const read = await client.channel(accessToken);
  if (!read.ok) {
    return read.reason === 'no_channel'
      ? page(c, 400, {
          kind: 'bad',
          title: `No ${name} channel on this account`,
          lines: [
            `The ${name} account you signed in with has no channel Giftstream can recognise${site === 'youtube' ? ' (a YouTube channel needs an @handle)' : ''}.`,
            AGAIN,
          ],
        })
      : page(c, 502, {
          kind: 'bad',
          title: `${name} did not say which channel is yours`,
          lines: [`${name} could not be reached or answered unexpectedly.`, AGAIN],
        });
  }
  // A closed account keeps its handle but proves nothing, even if its closure has not reached the states yet.
  const handle = await activeHandleOfUser(c.env, userId);
  if (!handle)
    return page(c, 404, {
      kind: 'bad',
      title: 'No creator account',
      lines: ['The Giftstream account that started this sign-in is no longer a creator.', AGAIN],
    });
  const { channel } = read;
  const proof = await proveChannel(c.env, handle, channel);
  forgetCreators();
  if (!proof.ok) {
    return page(c, 409, {
      kind: 'bad',
      title: 'This channel is already proven',
      lines: [
        `${channel.url} is already verified for another Giftstream creator.`,
        'If this is your channel, contact the operator of this Giftstream. Nothing was changed.',
      ],
    });
  }
  return page(c, 200, {
    kind: 'ok',
    title: `${channel.url} is verified`,
    lines: [
      `You proved this ${name} channel is yours; it is now linked to @${handle}.`,
      'Viewers with Giftstream now see a gift button on your channel page. Return to the Giftstream popup (you can close this tab).',
    ],
  });
}
