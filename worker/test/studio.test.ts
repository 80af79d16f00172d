import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OVERLAY_CONFIG, type OverlaySettings } from '@giftstream/shared';
import { api, connect, makeCreator, signup, toReply, until, type TestUser } from './helpers';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
const GIF = new TextEncoder().encode('GIF89a\x01\x00\x01\x00\x00\x00\x00;');
const OGG = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 0, 2, 0, 0, 0, 0]);

let handles = 0;
async function creator(): Promise<TestUser & { handle: string }> {
  const user = await signup({ name: 'Stylist' });
  const handle = `studio_${++handles}_${crypto.randomUUID().slice(0, 6)}`;
  await makeCreator(user, handle);
  return { ...user, handle };
}

async function upload(user: TestUser, bytes: Uint8Array, type: string, opts: { name?: string; env?: typeof env } = {}) {
  const path = `/v1/creator/media${opts.name ? `?name=${encodeURIComponent(opts.name)}` : ''}`;
  const init = {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}`, 'content-type': type },
    body: bytes as Uint8Array<ArrayBuffer>,
  };
  const { app } = await import('../src/index');
  return toReply(
    opts.env ? await app.request(path, init, opts.env) : await SELF.fetch(`http://localhost${path}`, init),
  );
}

const mediaList = async (user: TestUser) => (await api('/v1/creator/media', { token: user.token })).json;

function bigLook(image: string, sound: string): OverlaySettings {
  return {
    ...DEFAULT_OVERLAY_CONFIG,
    sounds: true,
    alerts: {
      default: DEFAULT_OVERLAY_CONFIG.alerts.default,
      variations: [
        {
          id: 'big',
          name: '1,000 coins and up',
          when: { minCoins: 1000 },
          look: { image, sound: { kind: 'file', media: sound, repeat: 'combo' } },
        },
        { id: 'small', name: 'Small gifts', when: { minCoins: 1 }, look: { sound: { kind: 'none' } } },
      ],
    },
    tts: { enabled: true, minCoins: 100, voice: null, rate: 1 },
  };
}

describe('uploads', () => {
  it('stores a file under its sniffed type and serves it with its type, cache headers and nosniff', async () => {
    const me = await creator();
    const r = await upload(me, PNG, 'image/png', { name: 'Rocket glow.png' });
    expect(r.status, r.text).toBe(201);
    expect(r.json.file).toMatchObject({
      kind: 'image',
      contentType: 'image/png',
      bytes: PNG.length,
      name: 'Rocket glow.png',
      usedBy: [],
    });
    const served = await SELF.fetch(`http://localhost/v1/media/${r.json.file.id}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(served.headers.get('content-security-policy')).toContain('sandbox');
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);
    // A browser that has it revalidates to a 304.
    const again = await SELF.fetch(`http://localhost/v1/media/${r.json.file.id}`, {
      headers: { 'if-none-match': served.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
    await again.arrayBuffer();
  });

  it('a type sent with application/octet-stream is read from the bytes', async () => {
    const me = await creator();
    const r = await upload(me, OGG, 'application/octet-stream');
    expect(r.status, r.text).toBe(201);
    expect(r.json.file).toMatchObject({ kind: 'sound', contentType: 'audio/ogg', name: 'sound.ogg' });
  });

  it('refuses a mislabelled file, an unknown type, an unsafe SVG and an oversized file; nothing is stored', async () => {
    const me = await creator();
    const mislabelled = await upload(me, GIF, 'image/png');
    expect(mislabelled.status).toBe(415);
    expect(mislabelled.json.error).toMatchObject({ code: 'unsupported_media', field: 'content-type' });
    expect(mislabelled.json.error.message).toContain('image/gif');
    const html = await upload(me, new TextEncoder().encode('<html><script>alert(1)</script></html>'), 'image/png');
    expect(html.status).toBe(415);
    const svg = await upload(me, new TextEncoder().encode('<svg onload="alert(1)"><rect/></svg>'), 'image/svg+xml');
    expect(svg.status).toBe(415);
    expect(svg.json.error.message).toContain('event handler');
    const big = new Uint8Array(2 * 1024 * 1024 + 1);
    big.set(PNG);
    const tooBig = await upload(me, big, 'image/png');
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.error.code).toBe('payload_too_large');
    expect((await mediaList(me)).files).toEqual([]);
    const listed = await env.MEDIA.list({ prefix: 'media/' });
    const mine = (await mediaList(me)).files.map((f: { id: string }) => `media/${f.id}`);
    expect(listed.objects.filter((o) => mine.includes(o.key))).toEqual([]);
  });

  it('stores a sanitised SVG, served with a CSP that runs nothing', async () => {
    const me = await creator();
    const r = await upload(
      me,
      new TextEncoder().encode('<?xml version="1.0"?><!-- hi --><svg><circle r="3"/></svg>'),
      'image/svg+xml',
    );
    expect(r.status, r.text).toBe(201);
    const served = await SELF.fetch(`http://localhost/v1/media/${r.json.file.id}`);
    expect(served.headers.get('content-type')).toBe('image/svg+xml');
    expect(await served.text()).toBe('<svg><circle r="3"/></svg>');
  });

  it('keeps each creator within the quota, counted per creator', async () => {
    const me = await creator();
    const other = await creator();
    const small = { ...env, MEDIA_QUOTA_BYTES: String(PNG.length * 2 + 5) };
    expect((await upload(me, PNG, 'image/png', { env: small })).status).toBe(201);
    expect((await upload(me, PNG, 'image/png', { env: small })).status).toBe(201);
    const over = await upload(me, PNG, 'image/png', { env: small });
    expect(over.status).toBe(413);
    expect(over.json.error.message).toContain('free');
    expect((await upload(other, PNG, 'image/png', { env: small })).status).toBe(201);
    const list = await mediaList(me);
    expect(list.usage).toEqual({ bytes: PNG.length * 2, files: 2 });
  });

  it('simultaneous uploads cannot both squeeze under the quota', async () => {
    const me = await creator();
    const room = { ...env, MEDIA_QUOTA_BYTES: String(PNG.length * 3) };
    const replies = await Promise.all(Array.from({ length: 6 }, () => upload(me, PNG, 'image/png', { env: room })));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(3);
    expect(replies.filter((r) => r.status === 413)).toHaveLength(3);
    expect((await mediaList(me)).usage).toEqual({ bytes: PNG.length * 3, files: 3 });
  });

  it("only creators upload, list or delete; nobody deletes another creator's file", async () => {
    const me = await creator();
    const viewer = await signup();
    const other = await creator();
    const file = (await upload(me, PNG, 'image/png')).json.file;
    expect((await upload(viewer, PNG, 'image/png')).status).toBe(403);
    expect((await api('/v1/creator/media', { method: 'POST' })).status).toBe(401);
    expect((await api(`/v1/creator/media/${file.id}`, { method: 'DELETE', token: other.token })).status).toBe(404);
    expect((await SELF.fetch(`http://localhost/v1/media/${file.id}`)).status).toBe(200);
  });
});

describe('saving the overlay configuration', () => {
  it('is the default until saved; a save is validated, versioned and read back', async () => {
    const me = await creator();
    expect((await api('/v1/creator/overlay-config', { token: me.token })).json).toEqual({
      revision: 0,
      config: DEFAULT_OVERLAY_CONFIG,
    });
    const image = (await upload(me, PNG, 'image/png')).json.file.id;
    const sound = (await upload(me, OGG, 'audio/ogg')).json.file.id;
    const config = bigLook(image, sound);
    const saved = await api('/v1/creator/overlay-config', { method: 'PUT', body: config, token: me.token });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.json).toEqual({ revision: 1, config });
    expect((await api(`/v1/rooms/${me.handle}/overlay-config`)).json).toEqual({ revision: 1, config });
    const list = await mediaList(me);
    expect(list.files.find((f: { id: string }) => f.id === image).usedBy).toEqual([
      { variation: 'big', name: '1,000 coins and up' },
    ]);
  });

  it('bad configs are refused with a clear 4xx and change nothing', async () => {
    const me = await creator();
    const other = await creator();
    const theirs = (await upload(other, PNG, 'image/png')).json.file.id;
    const put = (body: unknown, raw?: string) =>
      api('/v1/creator/overlay-config', {
        method: 'PUT',
        body: raw === undefined ? body : undefined,
        raw,
        token: me.token,
      });
    const failing = await put({ ...DEFAULT_OVERLAY_CONFIG, alerts: { variations: [] } });
    expect(failing.status).toBe(400);
    expect(failing.json.error).toMatchObject({ code: 'invalid_request', field: 'alerts.default' });
    const colour = await put({
      ...DEFAULT_OVERLAY_CONFIG,
      alerts: {
        ...DEFAULT_OVERLAY_CONFIG.alerts,
        default: { ...DEFAULT_OVERLAY_CONFIG.alerts.default, colour: 'red' },
      },
    });
    expect(colour.json.error.field).toBe('alerts.default.colour');
    // A file that is someone else's, or not there at all, is a missing file.
    const missing = await put(bigLook(theirs, 'm_missing00000000000000'));
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toContain('not one of your uploads');
    expect((await put(null, '{"version":1,')).status).toBe(400);
    const huge = await put({ ...DEFAULT_OVERLAY_CONFIG, padding: 'x'.repeat(20_000) });
    expect(huge.status).toBe(413);
    expect((await api('/v1/creator/overlay-config', { token: me.token })).json.revision).toBe(0);
  });
});

describe('the overlay configuration, live', () => {
  it('a save reaches open overlays at once as a config event, and never viewer connections', async () => {
    const me = await creator();
    const token = (await api('/v1/creator/overlay-token', { token: me.token })).json.token;
    const overlay = await connect(me.handle, `?token=${encodeURIComponent(token)}`);
    const viewer = await connect(me.handle);
    await until(
      'hello',
      () => overlay.events.length + viewer.events.length,
      (n) => n >= 2,
    );
    const config = { ...DEFAULT_OVERLAY_CONFIG, theme: 'minimal' as const, minCoins: 50 };
    expect((await api('/v1/creator/overlay-config', { method: 'PUT', body: config, token: me.token })).status).toBe(
      200,
    );
    const event = await until(
      'config event',
      () => overlay.events.find((e) => e.type === 'config'),
      (e) => e !== undefined,
    );
    expect(event).toMatchObject({ type: 'config', revision: 1, config });
    await new Promise((r) => setTimeout(r, 100));
    expect(viewer.events.map((e) => e.type)).toEqual(['hello']);
    overlay.close();
    viewer.close();
  });

  it('deleting a file a look uses asks first; confirmed, the looks lose it and overlays hear so', async () => {
    const me = await creator();
    const image = (await upload(me, PNG, 'image/png', { name: 'big.png' })).json.file.id;
    const sound = (await upload(me, OGG, 'audio/ogg')).json.file.id;
    await api('/v1/creator/overlay-config', { method: 'PUT', body: bigLook(image, sound), token: me.token });
    const asked = await api(`/v1/creator/media/${image}`, { method: 'DELETE', token: me.token });
    expect(asked.status).toBe(409);
    expect(asked.json.error.code).toBe('conflict');
    expect(asked.json.uses).toEqual([{ variation: 'big', name: '1,000 coins and up' }]);
    expect((await SELF.fetch(`http://localhost/v1/media/${image}`)).status).toBe(200);

    const done = await api(`/v1/creator/media/${image}?confirm=1`, { method: 'DELETE', token: me.token });
    expect(done.status, done.text).toBe(200);
    expect(done.json).toEqual({ deleted: image, revision: 2 });
    const after = (await api('/v1/creator/overlay-config', { token: me.token })).json;
    expect(after.config.alerts.variations[0].look).toEqual({
      image: null,
      sound: { kind: 'file', media: sound, repeat: 'combo' },
    });
    expect((await SELF.fetch(`http://localhost/v1/media/${image}`)).status).toBe(404);
    expect(await env.MEDIA.head(`media/${image}`)).toBeNull();
    // A file nothing uses goes without asking.
    const unused = (await upload(me, GIF, 'image/gif')).json.file.id;
    expect((await api(`/v1/creator/media/${unused}`, { method: 'DELETE', token: me.token })).status).toBe(200);
  });
});

describe('studio tickets', () => {
  it('a ticket opens one studio session, once, and expires', async () => {
    const me = await creator();
    const t = await api('/v1/creator/studio-ticket', { method: 'POST', token: me.token });
    expect(t.status).toBe(201);
    expect(t.json.studioUrl).toMatch(/\/studio\/#ticket=st_/);
    const session = await api('/v1/studio/session', { body: { ticket: t.json.ticket } });
    expect(session.status, session.text).toBe(201);
    expect(session.json.token).not.toBe(me.token);
    expect((await api('/v1/creator/overlay-config', { token: session.json.token })).status).toBe(200);
    const twice = await api('/v1/studio/session', { body: { ticket: t.json.ticket } });
    expect(twice.status).toBe(401);
    const { advanceClock } = await import('../src/clock');
    const late = await api('/v1/creator/studio-ticket', { method: 'POST', token: me.token });
    advanceClock(3 * 60_000);
    try {
      expect((await api('/v1/studio/session', { body: { ticket: late.json.ticket } })).status).toBe(401);
    } finally {
      advanceClock(-3 * 60_000);
    }
  });

  it('viewers get no ticket', async () => {
    const viewer = await signup();
    expect((await api('/v1/creator/studio-ticket', { method: 'POST', token: viewer.token })).status).toBe(403);
  });
});

describe('closing the account', () => {
  it("takes the creator's uploads, looks and studio tickets with it", async () => {
    const me = await creator();
    const file = (await upload(me, PNG, 'image/png')).json.file.id;
    const config = {
      ...DEFAULT_OVERLAY_CONFIG,
      alerts: { ...DEFAULT_OVERLAY_CONFIG.alerts, default: { ...DEFAULT_OVERLAY_CONFIG.alerts.default, image: file } },
    };
    expect((await api('/v1/creator/overlay-config', { method: 'PUT', body: config, token: me.token })).status).toBe(
      200,
    );
    const ticket = (await api('/v1/creator/studio-ticket', { method: 'POST', token: me.token })).json.ticket;
    const closed = await api('/v1/me', { method: 'DELETE', body: { password: me.password }, token: me.token });
    expect(closed.status, closed.text).toBe(200);
    await until(
      'the file gone',
      async () => (await SELF.fetch(`http://localhost/v1/media/${file}`)).status,
      (s) => s === 404,
    );
    expect(await env.MEDIA.head(`media/${file}`)).toBeNull();
    expect((await api(`/v1/rooms/${me.handle}/overlay-config`)).json.revision).toBe(0);
    expect((await api('/v1/studio/session', { body: { ticket } })).status).toBe(401);
  });
});
