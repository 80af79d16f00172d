import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OVERLAY_CONFIG,
  mediaUsed,
  OverlayConfigSchema,
  overlaySettingsOrDefault,
  usesOf,
  withoutMedia,
  type OverlaySettings,
} from './config';
import { lookFor, matchVariation } from './match';

const IMG = 'm_image0000000000000001';
const SND = 'm_sound0000000000000001';

/** The issue's own example: big gifts get their own image and sound, small gifts are quiet, TTS from 100. */
const streamer: OverlaySettings = {
  ...DEFAULT_OVERLAY_CONFIG,
  sounds: true,
  alerts: {
    default: { ...DEFAULT_OVERLAY_CONFIG.alerts.default, colour: '#224488' },
    variations: [
      {
        id: 'rocket',
        name: 'Rockets',
        when: { giftId: 'rocket' },
        look: { colour: '#ff0000', enter: 'zoom' },
      },
      {
        id: 'big',
        name: '1,000 and up',
        when: { minCoins: 1000 },
        look: { image: IMG, sound: { kind: 'file', media: SND, repeat: 'every' }, durationMs: 9000 },
      },
      { id: 'quiet', name: 'Small gifts', when: { minCoins: 1 }, look: { sound: { kind: 'none' } } },
    ],
  },
  tts: { enabled: true, minCoins: 100, voice: null, rate: 1.2 },
};

describe('overlay config schema', () => {
  it('accepts the default and a full streamer config', () => {
    expect(OverlayConfigSchema.safeParse(DEFAULT_OVERLAY_CONFIG).success).toBe(true);
    expect(OverlayConfigSchema.safeParse(streamer).success).toBe(true);
  });

  it.each([
    ['an unknown version', { ...streamer, version: 2 }],
    ['an unknown field', { ...streamer, extra: 1 }],
    ['no default look', { ...streamer, alerts: { variations: [] } }],
    [
      'a colour that is not #rrggbb',
      { ...streamer, alerts: { ...streamer.alerts, default: { ...streamer.alerts.default, colour: 'red' } } },
    ],
    [
      'a size over 200%',
      { ...streamer, alerts: { ...streamer.alerts, default: { ...streamer.alerts.default, scale: 500 } } },
    ],
    [
      'a duration under a second',
      { ...streamer, alerts: { ...streamer.alerts, default: { ...streamer.alerts.default, durationMs: 10 } } },
    ],
    [
      'an image that is not a media id',
      {
        ...streamer,
        alerts: { ...streamer.alerts, default: { ...streamer.alerts.default, image: 'https://evil.example/x.png' } },
      },
    ],
    [
      'a variation with both conditions',
      {
        ...streamer,
        alerts: {
          ...streamer.alerts,
          variations: [{ id: 'x', name: 'x', when: { giftId: 'rose', minCoins: 5 }, look: {} }],
        },
      },
    ],
    [
      '21 variations',
      {
        ...streamer,
        alerts: {
          ...streamer.alerts,
          variations: Array.from({ length: 21 }, (_, i) => ({
            id: `v${i}`,
            name: 'v',
            when: { minCoins: 1 },
            look: {},
          })),
        },
      },
    ],
    ['a TTS rate of 5', { ...streamer, tts: { ...streamer.tts, rate: 5 } }],
    ['no widgets', { ...streamer, widgets: [] }],
  ])('refuses %s', (_, value) => {
    expect(OverlayConfigSchema.safeParse(value).success).toBe(false);
  });

  it('falls back to the default look for a broken config, and says so', () => {
    expect(overlaySettingsOrDefault({ version: 1, alerts: 'nope' })).toEqual({
      config: DEFAULT_OVERLAY_CONFIG,
      broken: true,
    });
    expect(overlaySettingsOrDefault(null)).toEqual({ config: DEFAULT_OVERLAY_CONFIG, broken: false });
    expect(overlaySettingsOrDefault(streamer)).toEqual({ config: streamer, broken: false });
  });
});

describe('variation matching', () => {
  it('first match wins, in the order the creator set', () => {
    // A rocket (10,000 coins) matches all three; the gift variation comes first.
    expect(matchVariation(streamer, { giftId: 'rocket', coins: 10_000 })?.id).toBe('rocket');
    expect(matchVariation(streamer, { giftId: 'castle', coins: 5_000 })?.id).toBe('big');
    expect(matchVariation(streamer, { giftId: 'fireworks', coins: 1_000 })?.id).toBe('big');
    expect(matchVariation(streamer, { giftId: 'trophy', coins: 250 })?.id).toBe('quiet');
  });

  it('the default look applies when nothing matches', () => {
    const config = { ...streamer, alerts: { ...streamer.alerts, variations: streamer.alerts.variations.slice(0, 2) } };
    expect(matchVariation(config, { giftId: 'rose', coins: 5 })).toBeNull();
    expect(lookFor(config, { giftId: 'rose', coins: 5 })).toEqual({ ...config.alerts.default, variation: null });
  });

  it('a variation overrides only what it names', () => {
    const look = lookFor(streamer, { giftId: 'castle', coins: 5_000 });
    expect(look).toMatchObject({
      variation: 'big',
      image: IMG,
      sound: { kind: 'file', media: SND, repeat: 'every' },
      durationMs: 9000,
      colour: '#224488',
      enter: 'auto',
    });
    expect(lookFor(streamer, { giftId: 'rocket', coins: 10_000 })).toMatchObject({ colour: '#ff0000', image: null });
    expect(lookFor(streamer, { giftId: 'heart', coins: 1 }).sound).toEqual({ kind: 'none' });
  });
});

describe('files a config uses', () => {
  it('lists each file once and names where it is used', () => {
    expect(mediaUsed(streamer).sort()).toEqual([IMG, SND].sort());
    expect(usesOf(streamer, IMG)).toEqual([{ variation: 'big', name: '1,000 and up' }]);
    const both = { ...streamer, alerts: { ...streamer.alerts, default: { ...streamer.alerts.default, image: IMG } } };
    expect(usesOf(both, IMG).map((u) => u.name)).toEqual(['Default look', '1,000 and up']);
    expect(usesOf(streamer, 'm_unused000000000000001')).toEqual([]);
  });

  it('without a deleted file, images fall back to the art and sounds to the chime; the result still validates', () => {
    const next = withoutMedia(streamer, SND);
    expect(next.alerts.variations[1]!.look).toMatchObject({ image: IMG, sound: { kind: 'chime' } });
    expect(mediaUsed(withoutMedia(next, IMG))).toEqual([]);
    expect(OverlayConfigSchema.safeParse(next).success).toBe(true);
    expect(streamer.alerts.variations[1]!.look.sound).toEqual({ kind: 'file', media: SND, repeat: 'every' });
  });
});
