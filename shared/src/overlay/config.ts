import * as z from 'zod/mini';

/**
 * A room's overlay configuration, as the studio edits it and the overlay plays it. Versioned: a stored
 * config names its `version`, and a later version adds a migration here rather than breaking old rooms.
 *
 * Written with zod/mini like the room protocol: the overlay parses the config it receives with this very
 * schema, and a config that fails it falls back to `DEFAULT_OVERLAY_CONFIG` instead of showing nothing.
 */
export const OVERLAY_CONFIG_VERSION = 1;

export const POSITIONS = ['auto', 'top', 'middle', 'bottom'] as const;
export const ENTER_ANIMATIONS = ['auto', 'fade', 'slide', 'zoom', 'bounce', 'none'] as const;
export const EXIT_ANIMATIONS = ['auto', 'fade', 'slide', 'zoom', 'none'] as const;
export const FONTS = ['auto', 'rounded', 'serif', 'mono', 'condensed'] as const;
export const OVERLAY_WIDGETS = ['alerts', 'goal', 'leaderboard'] as const;
export const OVERLAY_THEMES = ['default', 'minimal'] as const;
export const MAX_VARIATIONS = 20;

/** An upload's id as the media routes hand it out. */
export const MEDIA_ID = /^m_[A-Za-z0-9_-]{16,40}$/;
export const MediaIdSchema = z.string().check(z.regex(MEDIA_ID, 'an uploaded file id'));

const Colour = z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #rrggbb'));
const intIn = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

/**
 * `none`: silent; `chime`: the tier's synthesised motif; `file`: an uploaded sound, played when the alert
 * appears (`combo`) or again on every gift that raises its count (`every`).
 */
export const SoundSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('chime') }),
  z.strictObject({ kind: z.literal('file'), media: MediaIdSchema, repeat: z.enum(['combo', 'every']) }),
]);

const lookShape = {
  /** An uploaded image shown instead of the gift's own art; null keeps the art. */
  image: z.nullable(MediaIdSchema),
  sound: SoundSchema,
  /** The card's colour; null keeps the tier's own. */
  colour: z.nullable(Colour),
  font: z.enum(FONTS),
  position: z.enum(POSITIONS),
  /** Size in percent of the tier's design size. */
  scale: intIn(50, 200),
  /** Least time on screen; null keeps the tier's own. */
  durationMs: z.nullable(intIn(1_000, 60_000)),
  enter: z.enum(ENTER_ANIMATIONS),
  exit: z.enum(EXIT_ANIMATIONS),
};
export const AlertLookSchema = z.strictObject(lookShape);
/** A variation overrides only the parts of the default look it names. */
export const LookPatchSchema = z.partial(AlertLookSchema);

export const VariationSchema = z.strictObject({
  id: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ or -')),
  name: z.string().check(z.minLength(1), z.maxLength(60)),
  /** By gift id, or by a gift price (in coins) at or above a minimum. */
  when: z.union([
    z.strictObject({ giftId: z.string().check(z.regex(/^[a-z0-9_]{1,40}$/, 'a gift id')) }),
    z.strictObject({ minCoins: intIn(1, 1_000_000) }),
  ]),
  look: LookPatchSchema,
});

export const TtsSchema = z.strictObject({
  enabled: z.boolean(),
  /** Messages on alerts worth fewer coins than this are not read out. */
  minCoins: intIn(1, 1_000_000),
  /** A voice's name as the browser lists it; null: the browser's default voice. */
  voice: z.nullable(z.string().check(z.minLength(1), z.maxLength(200))),
  rate: z.number().check(z.minimum(0.5), z.maximum(2)),
});

export const OverlayConfigSchema = z.strictObject({
  version: z.literal(OVERLAY_CONFIG_VERSION),
  widgets: z.array(z.enum(OVERLAY_WIDGETS)).check(z.minLength(1), z.maxLength(3)),
  /** Alerts for combos worth fewer coins are not shown. */
  minCoins: intIn(1, 1_000_000),
  theme: z.enum(OVERLAY_THEMES),
  /** Whether the overlay makes any sound at all (the URL's `sound=` overrides it). */
  sounds: z.boolean(),
  alerts: z.strictObject({
    default: AlertLookSchema,
    variations: z.array(VariationSchema).check(z.maxLength(MAX_VARIATIONS)),
  }),
  tts: TtsSchema,
});

export type OverlaySettings = z.infer<typeof OverlayConfigSchema>;
export type AlertLook = z.infer<typeof AlertLookSchema>;
export type LookPatch = z.infer<typeof LookPatchSchema>;
export type Variation = z.infer<typeof VariationSchema>;
export type AlertSound = z.infer<typeof SoundSchema>;
export type TtsSettings = z.infer<typeof TtsSchema>;

export const DEFAULT_LOOK: AlertLook = {
  image: null,
  sound: { kind: 'chime' },
  colour: null,
  font: 'auto',
  position: 'auto',
  scale: 100,
  durationMs: null,
  enter: 'auto',
  exit: 'auto',
};

/** The look every overlay has until its creator saves another, and what a broken config falls back to. */
export const DEFAULT_OVERLAY_CONFIG: OverlaySettings = {
  version: OVERLAY_CONFIG_VERSION,
  widgets: [...OVERLAY_WIDGETS],
  minCoins: 1,
  theme: 'default',
  sounds: false,
  alerts: { default: DEFAULT_LOOK, variations: [] },
  tts: { enabled: false, minCoins: 100, voice: null, rate: 1 },
};

/** The config, or the default look when it is missing or does not pass the schema (never nothing). */
export function overlaySettingsOrDefault(value: unknown): { config: OverlaySettings; broken: boolean } {
  if (value === null || value === undefined) return { config: DEFAULT_OVERLAY_CONFIG, broken: false };
  const r = OverlayConfigSchema.safeParse(value);
  return r.success ? { config: r.data, broken: false } : { config: DEFAULT_OVERLAY_CONFIG, broken: true };
}

/** Every uploaded file the config names, once each. */
export function mediaUsed(config: OverlaySettings): string[] {
  const ids = new Set<string>();
  const add = (look: LookPatch) => {
    if (look.image) ids.add(look.image);
    if (look.sound?.kind === 'file') ids.add(look.sound.media);
  };
  add(config.alerts.default);
  for (const v of config.alerts.variations) add(v.look);
  return [...ids];
}

/** Where a file is used, in the words the studio shows: "Default look", or the variations' names. */
export function usesOf(config: OverlaySettings, mediaId: string): { variation: string | null; name: string }[] {
  const uses = (look: LookPatch) =>
    look.image === mediaId || (look.sound?.kind === 'file' && look.sound.media === mediaId);
  const found: { variation: string | null; name: string }[] = [];
  if (uses(config.alerts.default)) found.push({ variation: null, name: 'Default look' });
  for (const v of config.alerts.variations) if (uses(v.look)) found.push({ variation: v.id, name: v.name });
  return found;
}

/** The config without a deleted file: images fall back to the gift's art, sounds to the chime. */
export function withoutMedia(config: OverlaySettings, mediaId: string): OverlaySettings {
  const strip = <L extends LookPatch>(look: L): L => {
    const next = { ...look };
    if (next.image === mediaId) next.image = null;
    if (next.sound?.kind === 'file' && next.sound.media === mediaId) next.sound = { kind: 'chime' };
    return next;
  };
  return {
    ...config,
    alerts: {
      default: strip(config.alerts.default),
      variations: config.alerts.variations.map((v) => ({ ...v, look: strip(v.look) })),
    },
  };
}
