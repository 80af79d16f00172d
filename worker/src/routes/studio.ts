import { Hono, type Context } from 'hono';
import {
  DEFAULT_OVERLAY_CONFIG,
  mediaUsed,
  OverlayConfigSchema,
  overlaySettingsOrDefault,
  StudioSessionRequest,
  type OverlaySettings,
} from '@giftstream/shared';
import { publicUser, requireUser, sha256 } from '../auth';
import { now } from '../clock';
import type { AppEnv, Env, UserRow } from '../env';
import { fail, valid } from '../http';
import {
  createStudioTicket,
  mediaOf,
  overlayConfigOf,
  redeemStudioTicket,
  saveOverlayConfig,
} from '../directory/studio';
import { getLiveRoom } from '../stubs';
import { creatorByHandle, requireCreator } from './creators';

/** A studio ticket opens the studio once, within this long of the popup asking for it. */
export const STUDIO_TICKET_MS = 2 * 60_000;
/** The studio's own session: long enough for an evening of styling, far shorter than the popup's. */
export const STUDIO_SESSION_MS = 12 * 60 * 60_000;

function randomToken(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `${prefix}${btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')}`;
}

/** The stored config as clients get it: the default (revision 0) until the first save. */
export async function currentConfig(env: Env, userId: string): Promise<{ revision: number; config: OverlaySettings }> {
  const stored = await overlayConfigOf(env, userId);
  if (!stored) return { revision: 0, config: DEFAULT_OVERLAY_CONFIG };
  return { revision: stored.revision, config: overlaySettingsOrDefault(stored.config).config };
}

/** Tells open overlays; the save already committed, so a room that cannot be reached fails nothing. */
export async function pushConfig(env: Env, handle: string, revision: number, config: OverlaySettings) {
  try {
    await getLiveRoom(env, handle).pushOverlayConfig(revision, config);
  } catch (e) {
    console.error('overlay config saved but not pushed to open overlays', e);
  }
}

async function readConfig(c: Context<AppEnv>): Promise<OverlaySettings | Response> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return fail(c, 'invalid_request', 'The body must be the overlay configuration as JSON.');
  }
  const r = OverlayConfigSchema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || undefined;
  return fail(
    c,
    'invalid_request',
    `Invalid overlay configuration${field ? ` at ${field}` : ''}: ${issue.message}`,
    field,
  );
}

/** The signed-in creator's overlay configuration. */
export const overlayConfigRoutes = new Hono<AppEnv>()
  .use(requireUser, requireCreator)
  .get('/', async (c) => c.json(await currentConfig(c.env, c.get('user').id)))
  .put('/', async (c) => {
    const config = await readConfig(c);
    if (config instanceof Response) return config;
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
  });

/** The popup asks for a ticket and opens the studio with it in the address's fragment (never sent to a server). */
export const studioTicketRoutes = new Hono<AppEnv>().use(requireUser, requireCreator).post('/', async (c) => {
  const ticket = randomToken('st_');
  const expiresAt = now() + STUDIO_TICKET_MS;
  await createStudioTicket(c.env, c.get('user').id, await sha256(ticket), expiresAt);
  return c.json({ ticket, studioUrl: `${c.env.PUBLIC_URL}/studio/#ticket=${ticket}`, expiresAt }, 201);
});

/** The studio spends its ticket for a session of its own. */
export const studioSessionRoutes = new Hono<AppEnv>().post(
  '/session',
  valid('json', StudioSessionRequest),
  async (c) => {
    const at = now();
    const userId = await redeemStudioTicket(c.env, await sha256(c.req.valid('json').ticket), at);
    if (!userId)
      return fail(c, 'unauthorized', 'This studio link was used or has expired; open the studio again from the popup.');
    const token = randomToken('gs_');
    await c.env.DB.prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .bind(await sha256(token), userId, at, at + STUDIO_SESSION_MS)
      .run();
    const user = await c.env.DB.prepare('SELECT * FROM users WHERE id = ?').bind(userId).first<UserRow>();
    return c.json({ token, user: publicUser(user!, at) }, 201);
  },
);

/** What an overlay reads when it starts; later saves reach it as `config` events. */
export const roomConfigRoutes = new Hono<AppEnv>().get('/:handle/overlay-config', async (c) => {
  const creator = await creatorByHandle(c.env, c.req.param('handle'));
  if (!creator) return fail(c, 'not_found', `There is no room @${c.req.param('handle')}.`);
  return c.json(await currentConfig(c.env, creator.user_id), 200, { 'cache-control': 'no-store' });
});
