import { createRoute } from '@hono/zod-openapi';
import { CreatorRequest, CreatorResponse, parseChannelUrl, ResolveQuery, ResolveResponse } from '@giftstream/shared';
import { isAdult } from '../auth';
import { now } from '../clock';
import { verifiedClaimOn } from '../directory/claims';
import { becomeCreator, creatorByHandle, creatorProfile, creatorProfileByUser } from '../directory/creators';
import { fail } from '../http';
import { access, HandleParams, json, replies, routes } from '../openapi';

const become = createRoute({
  method: 'post',
  path: '/',
  summary: 'Become a creator and claim channels',
  ...access('adult'),
  request: { body: json(CreatorRequest) },
  responses: replies(CreatorResponse, 201),
});

const profile = createRoute({
  method: 'get',
  path: '/{handle}',
  summary: 'A public creator profile',
  ...access('public'),
  request: { params: HandleParams },
  responses: replies(CreatorResponse),
});

export const creatorRoutes = routes()
  .openapi(become, async (c) => {
    const user = c.get('user');
    if (!isAdult(user.birthdate, now()))
      return fail(c, 'age_restricted', 'You must be 18 or older to become a creator.');
    const body = c.req.valid('json');
    const channels = [...new Map(body.channels.map((u) => parseChannelUrl(u)!).map((ch) => [ch.key, ch])).values()];
    const made = await becomeCreator(c.env, user.id, body.handle, channels, now());
    if (!made.ok)
      return made.reason === 'already_creator'
        ? fail(c, 'conflict', `You are already the creator @${made.handle}.`)
        : fail(c, 'handle_taken', `The handle "${body.handle}" is taken.`, 'handle');
    return c.json({ creator: await creatorProfileByUser(c.env, user.id) }, 201);
  })
  .openapi(profile, async (c) => {
    const p = await creatorProfile(c.env, await creatorByHandle(c.env, c.req.valid('param').handle));
    return p ? c.json({ creator: p }) : fail(c, 'not_found', 'No such creator.');
  });

const resolve = createRoute({
  method: 'get',
  path: '/resolve',
  summary: 'The creator whose verified claim covers a stream page (404 if none)',
  ...access('public'),
  request: { query: ResolveQuery },
  responses: replies(ResolveResponse),
});

export const channelRoutes = routes().openapi(resolve, async (c) => {
  const ch = parseChannelUrl(c.req.valid('query').url);
  if (!ch) return fail(c, 'not_found', 'This page is not a channel on a supported stream site.', 'url');
  const claim = await verifiedClaimOn(c.env, ch.key);
  if (!claim) return fail(c, 'not_found', 'No creator has proven this channel.');
  const creator = await creatorProfile(c.env, await creatorByHandle(c.env, claim.handle));
  return c.json({ creator, channel: { url: claim.url, site: claim.site, verified: true } });
});
