import { Hono, type MiddlewareHandler } from 'hono';
import { CreatorRequest, parseChannelUrl, ResolveQuery } from '@giftstream/shared';
import { isAdult, requireUser } from '../auth';
import { TtlCache, type Background } from '../cache';
import { now } from '../clock';
import type { AppEnv, CreatorRow, Env } from '../env';
import { fail, valid } from '../http';

type ClaimRow = { url: string; site: string; verified: number };

async function channelsOf(env: Env, handle: string) {
  const { results } = await env.DB.prepare(
    'SELECT url, site, verified FROM channel_claims WHERE handle = ? ORDER BY id',
  )
    .bind(handle)
    .all<ClaimRow>();
  return results.map((r) => ({ url: r.url, site: r.site, verified: r.verified === 1 }));
}

async function profile(env: Env, row: CreatorRow | null) {
  if (!row) return null;
  return {
    handle: row.handle,
    displayName: row.display_name,
    live: row.live === 1,
    channels: await channelsOf(env, row.handle),
  };
}

const CREATOR_SELECT =
  'SELECT c.user_id, c.handle, c.live, c.live_session, u.display_name FROM creators c JOIN users u ON u.id = c.user_id';

export async function creatorProfileByUser(env: Env, userId: string) {
  return profile(env, await env.DB.prepare(`${CREATOR_SELECT} WHERE c.user_id = ?`).bind(userId).first<CreatorRow>());
}

/** Creators by handle, live flag included: the gift path reads this on every gift. */
const byHandle = new TtlCache<CreatorRow | null>(2_000);

export async function creatorByHandle(env: Env, handle: string, background?: Background) {
  return byHandle.get(
    handle,
    () => env.DB.prepare(`${CREATOR_SELECT} WHERE c.handle = ?`).bind(handle).first<CreatorRow>(),
    background,
  );
}

/** After a change to creators' rows or names, in this isolate at once. */
export function forgetCreators(): void {
  byHandle.clear();
}

/** Requires the signed-in user to be a creator; sets `creator`. */
export const requireCreator: MiddlewareHandler<AppEnv> = async (c, next) => {
  const row = await c.env.DB.prepare(`${CREATOR_SELECT} WHERE c.user_id = ?`)
    .bind(c.get('user').id)
    .first<CreatorRow>();
  if (!row) return fail(c, 'forbidden', 'Only creators can do this; become one with POST /v1/creators.');
  c.set('creator', row);
  await next();
};

export const creatorRoutes = new Hono<AppEnv>()
  .post('/', requireUser, valid('json', CreatorRequest), async (c) => {
    const user = c.get('user');
    if (!isAdult(user.birthdate, now()))
      return fail(c, 'age_restricted', 'You must be 18 or older to become a creator.');
    const body = c.req.valid('json');
    const existing = await c.env.DB.prepare('SELECT handle FROM creators WHERE user_id = ?')
      .bind(user.id)
      .first<{ handle: string }>();
    if (existing) return fail(c, 'conflict', `You are already the creator @${existing.handle}.`);
    const channels = [...new Map(body.channels.map((u) => parseChannelUrl(u)!).map((ch) => [ch.key, ch])).values()];
    const t = now();
    const results = await c.env.DB.batch([
      c.env.DB.prepare(
        'INSERT INTO creators (user_id, handle, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      ).bind(user.id, body.handle, t),
      ...channels.map((ch) =>
        c.env.DB.prepare(
          'INSERT INTO channel_claims (channel_key, site, url, handle, verified, created_at) SELECT ?, ?, ?, ?, 0, ? WHERE EXISTS (SELECT 1 FROM creators WHERE handle = ? AND user_id = ?) ON CONFLICT DO NOTHING',
        ).bind(ch.key, ch.site, ch.url, body.handle, t, body.handle, user.id),
      ),
    ]);
    forgetCreators();
    if (!results[0]!.meta.changes) return fail(c, 'handle_taken', `The handle "${body.handle}" is taken.`, 'handle');
    return c.json({ creator: await creatorProfileByUser(c.env, user.id) }, 201);
  })
  .get('/:handle', async (c) => {
    const p = await profile(c.env, await creatorByHandle(c.env, c.req.param('handle')));
    return p ? c.json({ creator: p }) : fail(c, 'not_found', 'No such creator.');
  });

export const channelRoutes = new Hono<AppEnv>().get('/resolve', valid('query', ResolveQuery), async (c) => {
  const ch = parseChannelUrl(c.req.valid('query').url);
  if (!ch) return fail(c, 'not_found', 'This page is not a channel on a supported stream site.', 'url');
  // Only a proven owner speaks for a page: anyone can claim a famous streamer's channel, and an
  // unverified claim that resolved would collect that streamer's gifts. Verifying removes other claims,
  // so there is at most one verified row.
  const claim = await c.env.DB.prepare(
    'SELECT handle, url, site FROM channel_claims WHERE channel_key = ? AND verified = 1 LIMIT 1',
  )
    .bind(ch.key)
    .first<{ handle: string; url: string; site: string }>();
  if (!claim) return fail(c, 'not_found', 'No creator has proven this channel.');
  const creator = await profile(c.env, await creatorByHandle(c.env, claim.handle));
  return c.json({ creator, channel: { url: claim.url, site: claim.site, verified: true } });
});
