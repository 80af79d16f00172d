import type { OverlaySettings } from '@giftstream/shared';
import type { OverlayConfig, Theme, Widget } from './config';

/**
 * What the studio saved, with the URL on top: a parameter in the overlay's address still wins over the
 * saved configuration (a streamer with two scenes can keep two URLs).
 */
export interface UrlOverrides {
  widgets?: ReadonlySet<Widget>;
  minCoins?: number;
  sounds?: boolean;
  theme?: Theme;
}

/** Only the parameters the address has (and that are valid): the rest comes from the saved config. */
export function urlOverrides(search: string, parsed: OverlayConfig): UrlOverrides {
  const q = new URLSearchParams(search);
  const out: UrlOverrides = {};
  if (q.has('widgets') && q.get('widgets')!.trim()) out.widgets = parsed.widgets;
  if (q.has('minCoins') && parsed.minCoins !== 1) out.minCoins = parsed.minCoins;
  if (q.has('sound')) out.sounds = parsed.sound;
  if (q.has('theme')) out.theme = parsed.theme;
  return out;
}

/** Every URL field as given: how the overlay behaved before the studio existed (and in component tests). */
export function allOverrides(c: OverlayConfig): UrlOverrides {
  return { widgets: c.widgets, minCoins: c.minCoins, sounds: c.sound, theme: c.theme };
}

export interface Effective {
  widgets: ReadonlySet<Widget>;
  minCoins: number;
  sounds: boolean;
  theme: Theme;
  settings: OverlaySettings;
}

export function effective(settings: OverlaySettings, o: UrlOverrides): Effective {
  return {
    widgets: o.widgets ?? new Set(settings.widgets),
    minCoins: o.minCoins ?? settings.minCoins,
    sounds: o.sounds ?? settings.sounds,
    theme: o.theme ?? settings.theme,
    settings,
  };
}
