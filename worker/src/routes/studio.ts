import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  AuthResponse,
  mediaUsed,
  OverlayConfigBody,
  OverlayConfigResponse,
  type OverlaySettings,
  StudioSessionRequest,
  StudioTicketResponse,
} from '@giftstream/shared';
import { createSession, publicUser, sha256 } from '../auth';
import { now } from '../clock';
import { randomToken } from '../crypto';
import { creatorByHandle } from '../directory/creators';
import { createStudioTicket, mediaOf, redeemStudioTicket, saveOverlayConfig } from '../directory/studio';
import { userById } from '../directory/users';
import type { AppEnv } from '../env';
import { fail } from '../http';
import { access, HandleParams, json, replies, routes } from '../openapi';
import { currentConfig, pushConfig } from '../overlay-config';

/** A studio ticket opens the studio once, within this long of the popup asking for it. */
export const STUDIO_TICKET_MS = 2 * 60_000;
/** The studio's own session: long enough for an evening of styling, far shorter than the popup's. */
export const STUDIO_SESSION_MS = 12 * 60 * 60_000;

/** A config the schema refuses names the field, as the studio shows it. */
function badConfig(
  result:
    | { success: true }
    | { success: false; error: { issues: readonly { path: PropertyKey[]; message: string }[] } },
  c: Context<AppEnv>,
) {
  if (result.success) return;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || undefined;
  return fail(
    c,
    'invalid_request',
    `Invalid overlay configuration${field ? ` at ${field}` : ''}: ${issue?.message ?? 'not a configuration'}`,
    field,
  );
}

const getConfig = createRoute({
  method: 'get',
  path: '/',
  summary: 'The overlay configuration (looks, variations, text-to-speech) and its revision; the default until saved',
  ...access('creator'),
  responses: replies(OverlayConfigResponse),
});

const putConfig = createRoute({
  method: 'put',
  path: '/',
  summary: 'Save the overlay configuration: a new revision, sent to open overlays at once as a `config` event',
  ...access('creator'),
  request: { body: json(OverlayConfigBody) },
  responses: replies(OverlayConfigResponse),
});

/** The signed-in creator's overlay configuration. */
export const overlayConfigRoutes = routes()
  .openapi(getConfig, async (c) => c.json(await currentConfig(c.env, c.get('user').id)))
  .openapi(
    putConfig,
    async (c) => {
      const config: OverlaySettings = c.req.valid('json');
      const { user_id, handle } = c.get('creator');
      const used = mediaUsed(config);
      const mine = new Set((await mediaOf(c.env, user_id)).map((m) => m.id));
      const missing = used.find((id) => !mine.has(id));
      if (missing)
        return fail(c, 'invalid_request', `The file ${missing} is not one of your uploads; upload it first.`, 'media');
      const revision = await saveOverlayConfig(c.env, user_id, config, used, now());
      if (revision === null)
        return fail(c, 'conflict', 'A file this configuration uses was just deleted; reload and save again.');
      await pushConfig(c.env, handle, revision, config);
      return c.json({ revision, config });
    },
    (result, c) => badConfig(result, c),
  );

const ticket = createRoute({
  method: 'post',
  path: '/',
  summary: 'A single-use ticket (2 minutes) that opens the overlay studio signed in',
  ...access('creator'),
  responses: replies(StudioTicketResponse, 201),
});

/** The popup asks for a ticket and opens the studio with it in the address's fragment (never sent to a server). */
export const studioTicketRoutes = routes().openapi(ticket, async (c) => {
  const ticket = randomToken('st_');
  const expiresAt = now() + STUDIO_TICKET_MS;
  await createStudioTicket(c.env, c.get('user').id, await sha256(ticket), expiresAt);
  return c.json({ ticket, studioUrl: `${c.env.PUBLIC_URL}/studio/#ticket=${ticket}`, expiresAt }, 201);
});

const session = createRoute({
  method: 'post',
  path: '/session',
  summary: "Spend a studio ticket for the studio's own 12-hour session",
  ...access('public'),
  request: { body: json(StudioSessionRequest) },
  responses: replies(AuthResponse, 201),
});

/** The studio spends its ticket for a session of its own. */
export const studioSessionRoutes = routes().openapi(session, async (c) => {
  const at = now();
  const userId = await redeemStudioTicket(c.env, await sha256(c.req.valid('json').ticket), at);
  const user = userId ? await userById(c.env, userId) : null;
  if (!user)
    return fail(c, 'unauthorized', 'This studio link was used or has expired; open the studio again from the popup.');
  const token = await createSession(c.env, user.id, STUDIO_SESSION_MS);
  return c.json({ token, user: publicUser(user, at) }, 201);
});

const roomConfig = createRoute({
  method: 'get',
  path: '/{handle}/overlay-config',
  summary: "The room's overlay configuration, read by overlays when they start",
  ...access('public'),
  request: { params: HandleParams },
  responses: replies(OverlayConfigResponse),
});

/** What an overlay reads when it starts; later saves reach it as `config` events. */
export const roomConfigRoutes = routes().openapi(roomConfig, async (c) => {
  const { handle } = c.req.valid('param');
  const creator = await creatorByHandle(c.env, handle);
  if (!creator) return fail(c, 'not_found', `There is no room @${handle}.`);
  return c.json(await currentConfig(c.env, creator.user_id), 200, { 'cache-control': 'no-store' });
});
