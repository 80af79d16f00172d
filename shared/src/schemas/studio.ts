import { z } from 'zod';
import { text } from './common';

/**
 * Request and response shapes of the overlay studio's routes. The overlay configuration itself is
 * `OverlayConfigSchema` (zod/mini, in overlay/config.ts), which the overlay parses with too.
 */
export const StudioSessionRequest = z.strictObject({ ticket: z.string().regex(/^st_[A-Za-z0-9_-]{20,60}$/) });
export const StudioTicketResponse = z.object({ ticket: z.string(), studioUrl: z.string(), expiresAt: z.int() });

export const MediaUploadQuery = z.strictObject({ name: text(1, 80).optional() });
export const MediaDeleteQuery = z.strictObject({ confirm: z.enum(['1', 'true']).optional() });

export const MediaFileSchema = z.object({
  id: z.string(),
  kind: z.enum(['image', 'sound']),
  contentType: z.string(),
  bytes: z.int(),
  name: z.string(),
  url: z.string(),
  createdAt: z.int(),
  /** Where the current configuration uses it: "Default look" or a variation's name. */
  usedBy: z.array(z.object({ variation: z.string().nullable(), name: z.string() })),
});
export const MediaListResponse = z.object({
  files: z.array(MediaFileSchema),
  usage: z.object({ bytes: z.int(), files: z.int() }),
  quota: z.object({ bytes: z.int(), files: z.int(), fileBytes: z.int() }),
});
export const MediaUploadResponse = z.object({ file: MediaFileSchema });

// ---- the overlay configuration in classic zod ----
// The OpenAPI generator reads classic schemas only; the overlay parses with the zod/mini one in
// overlay/config.ts. studio.test.ts holds the two equal (same JSON Schema), so neither drifts.
const MediaId = z.string().regex(/^m_[A-Za-z0-9_-]{16,40}$/, 'an uploaded file id');
const Colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #rrggbb');
const intIn = (min: number, max: number) => z.int().min(min).max(max);

export const SoundBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('chime') }),
  z.strictObject({ kind: z.literal('file'), media: MediaId, repeat: z.enum(['combo', 'every']) }),
]);
export const AlertLookBody = z.strictObject({
  image: MediaId.nullable(),
  sound: SoundBody,
  colour: Colour.nullable(),
  font: z.enum(['auto', 'rounded', 'serif', 'mono', 'condensed']),
  position: z.enum(['auto', 'top', 'middle', 'bottom']),
  scale: intIn(50, 200),
  durationMs: intIn(1_000, 60_000).nullable(),
  enter: z.enum(['auto', 'fade', 'slide', 'zoom', 'bounce', 'none']),
  exit: z.enum(['auto', 'fade', 'slide', 'zoom', 'none']),
});
export const VariationBody = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ or -'),
  name: z.string().min(1).max(60),
  when: z.union([
    z.strictObject({ giftId: z.string().regex(/^[a-z0-9_]{1,40}$/, 'a gift id') }),
    z.strictObject({ minCoins: intIn(1, 1_000_000) }),
  ]),
  look: AlertLookBody.partial(),
});
export const TtsBody = z.strictObject({
  enabled: z.boolean(),
  minCoins: intIn(1, 1_000_000),
  voice: z.string().min(1).max(200).nullable(),
  rate: z.number().min(0.5).max(2),
});
export const OverlayConfigBody = z.strictObject({
  version: z.literal(1),
  widgets: z
    .array(z.enum(['alerts', 'goal', 'leaderboard']))
    .min(1)
    .max(3),
  minCoins: intIn(1, 1_000_000),
  theme: z.enum(['default', 'minimal']),
  sounds: z.boolean(),
  alerts: z.strictObject({ default: AlertLookBody, variations: z.array(VariationBody).max(20) }),
  tts: TtsBody,
});

/** The config and its revision, as GET and PUT answer it (revision 0: the default, never saved). */
export const OverlayConfigResponse = z.object({ revision: z.int(), config: OverlayConfigBody });
export const MediaUse = z.object({ variation: z.string().nullable(), name: z.string() });
export const MediaDeleteResponse = z.object({ deleted: z.string(), revision: z.int() });
