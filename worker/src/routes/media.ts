import { createRoute } from '@hono/zod-openapi';
import {
  checkUpload,
  MEDIA_ID,
  MEDIA_MAX_BYTES,
  MEDIA_MAX_FILES,
  MEDIA_TYPES,
  MediaDeleteQuery,
  MediaDeleteResponse,
  MediaListResponse,
  MediaUploadQuery,
  MediaUploadResponse,
  mediaUsed,
  usesOf,
  withoutMedia,
  type OverlaySettings,
} from '@giftstream/shared';
import { now } from '../clock';
import { b64url } from '../crypto';
import type { Env } from '../env';
import { fail } from '../http';
import {
  forgetMedia,
  mediaOf,
  mediaQuota,
  mediaRow,
  recordMedia,
  saveOverlayConfig,
  usageOf,
  type MediaRow,
  mediaKey,
} from '../directory/studio';
import { access, bytes, file, IdParams, replies, routes } from '../openapi';
import { currentConfig, pushConfig } from '../overlay-config';

/** Every stored file is served so that nothing in it can run, whatever a browser guesses. */
const SERVE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  'cross-origin-resource-policy': 'same-origin',
  // A file's id never names other bytes: it is uploaded once and deleted, never replaced.
  'cache-control': 'public, max-age=31536000, immutable',
};

const newMediaId = () => `m_${b64url(crypto.getRandomValues(new Uint8Array(18)))}`;

function fileView(env: Env, row: MediaRow, config: OverlaySettings) {
  return {
    id: row.id,
    kind: row.kind,
    contentType: row.content_type,
    bytes: row.bytes,
    name: row.name,
    url: `${env.PUBLIC_URL}/v1/media/${row.id}`,
    createdAt: row.created_at,
    usedBy: usesOf(config, row.id),
  };
}

const list = createRoute({
  method: 'get',
  path: '/',
  summary: 'Your uploaded images and sounds, where each is used, and your quota',
  ...access('creator'),
  responses: replies(MediaListResponse),
});

const upload = createRoute({
  method: 'post',
  path: '/',
  summary:
    'Upload an image (PNG, GIF, WebP, SVG) or sound (MP3, OGG, WAV) as the raw body, ≤ 2 MB; the type is read from the bytes',
  ...access('creator'),
  request: { query: MediaUploadQuery, body: bytes('The file itself; its Content-Type must agree with its bytes') },
  responses: replies(MediaUploadResponse, 201),
});

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  summary: 'Delete an upload; one a look uses is 409 with those looks unless ?confirm=1',
  ...access('creator'),
  request: { params: IdParams, query: MediaDeleteQuery },
  responses: replies(MediaDeleteResponse),
});

/** The signed-in creator's uploads: images and sounds for the overlay, in R2, within a quota. */
export const mediaRoutes = routes()
  .openapi(list, async (c) => {
    const userId = c.get('user').id;
    const [rows, { config }] = await Promise.all([mediaOf(c.env, userId), currentConfig(c.env, userId)]);
    return c.json({
      files: rows.map((r) => fileView(c.env, r, config)),
      usage: usageOf(rows),
      quota: { bytes: mediaQuota(c.env), files: MEDIA_MAX_FILES, fileBytes: MEDIA_MAX_BYTES },
    });
  })
  .openapi(upload, async (c) => {
    const userId = c.get('user').id;
    const body = new Uint8Array(await c.req.arrayBuffer());
    const quotaBytes = mediaQuota(c.env);
    const verdict = checkUpload(body, c.req.header('content-type'), usageOf(await mediaOf(c.env, userId)), quotaBytes);
    if (!verdict.ok) return fail(c, verdict.code, verdict.message, verdict.status === 415 ? 'content-type' : undefined);
    const id = newMediaId();
    const name = c.req.valid('query').name ?? `${verdict.type.kind}.${verdict.type.ext}`;
    // The bytes first: a row is only ever written for a file that is there.
    await c.env.MEDIA.put(mediaKey(id), verdict.bytes, {
      httpMetadata: { contentType: verdict.type.contentType },
      customMetadata: { owner: userId },
    });
    const file = { id, type: verdict.type, bytes: verdict.bytes.length, name };
    const at = now();
    if (!(await recordMedia(c.env, userId, file, { quotaBytes, maxFiles: MEDIA_MAX_FILES }, at))) {
      await c.env.MEDIA.delete(mediaKey(id));
      return fail(c, 'payload_too_large', 'Another upload took the space this one needed; delete a file first.');
    }
    const row: MediaRow = {
      id,
      kind: verdict.type.kind,
      content_type: verdict.type.contentType,
      bytes: file.bytes,
      name,
      created_at: at,
    };
    return c.json({ file: fileView(c.env, row, (await currentConfig(c.env, userId)).config) }, 201);
  })
  .openapi(remove, async (c) => {
    const { user_id, handle } = c.get('creator');
    const { id } = c.req.valid('param');
    const row = MEDIA_ID.test(id) ? await mediaRow(c.env, user_id, id) : null;
    if (!row) return fail(c, 'not_found', 'You have no such file.');
    const { revision, config } = await currentConfig(c.env, user_id);
    const uses = usesOf(config, id);
    if (uses.length && !c.req.valid('query').confirm) {
      const where = uses.map((u) => u.name).join(', ');
      return c.json(
        {
          error: {
            code: 'conflict',
            message: `${row.name} is used by ${where}. Delete it anyway with ?confirm=1: those looks go back to the gift's art and the chime.`,
          },
          uses,
        },
        409,
      );
    }
    let saved: number | null = null;
    if (uses.length) {
      // The config first, so no saved look ever points at a deleted file.
      const next = withoutMedia(config, id);
      saved = await saveOverlayConfig(c.env, user_id, next, mediaUsed(next), now(), revision);
      if (saved === null) return fail(c, 'conflict', 'The overlay configuration changed meanwhile; try again.');
      await pushConfig(c.env, handle, saved, next);
    }
    await forgetMedia(c.env, user_id, id);
    await c.env.MEDIA.delete(mediaKey(id));
    return c.json({ deleted: id, revision: saved ?? revision });
  });

const serve = createRoute({
  method: 'get',
  path: '/{id}',
  summary: 'An uploaded file, with its type, long cache headers and nosniff',
  ...access('public'),
  request: { params: IdParams },
  responses: file(),
});

/** Uploaded files, for overlays and the studio (same origin); anyone with the id may fetch one. */
export const publicMediaRoutes = routes().openapi(serve, async (c) => {
  const { id } = c.req.valid('param');
  if (!MEDIA_ID.test(id)) return fail(c, 'not_found', 'No such file.');
  const object = await c.env.MEDIA.get(mediaKey(id), { onlyIf: c.req.raw.headers });
  if (!object) return fail(c, 'not_found', 'No such file.');
  const type = object.httpMetadata?.contentType;
  // Only the types the upload route writes are ever served as themselves.
  const contentType = MEDIA_TYPES.some((t) => t.contentType === type) ? type! : 'application/octet-stream';
  const headers = { ...SERVE_HEADERS, 'content-type': contentType, etag: object.httpEtag };
  if (!('body' in object)) return new Response(null, { status: 304, headers });
  return new Response(object.body, { status: 200, headers: { ...headers, 'content-length': String(object.size) } });
});
