import { lookFor, type OverlaySettings, type ResolvedLook } from '@giftstream/shared';
import type { Alert } from './alert-queue';

/** How an alert is drawn under the creator's look: extra classes, inline custom properties, an image. */
export interface AlertStyle {
  classes: string;
  style: Record<string, string>;
  /** An uploaded image shown instead of the gift's art. */
  image: string | null;
  scale: number;
}

export const mediaUrl = (origin: string, id: string) => `${origin}/v1/media/${encodeURIComponent(id)}`;

/** The gift that opened the alert decides its look (a burst merged later keeps it). */
export function lookOfAlert(settings: OverlaySettings, a: Alert): ResolvedLook {
  const first = a.parts[0]!;
  return lookFor(settings, { giftId: first.giftId, coins: first.unitCoins });
}

export function alertStyle(look: ResolvedLook, origin: string): AlertStyle {
  const classes = [
    look.font !== 'auto' && `font-${look.font}`,
    look.position !== 'auto' && `pos-${look.position}`,
    look.enter !== 'auto' && `enter-${look.enter}`,
    look.exit !== 'auto' && `exit-${look.exit}`,
    look.colour && 'custom-colour',
    look.image && 'custom-image',
  ];
  const style: Record<string, string> = {};
  if (look.colour) style['--look-colour'] = look.colour;
  // `scale`, not transform: the entry and exit animations own transform and compose with it.
  if (look.scale !== 100) style.scale = String(look.scale / 100);
  return {
    classes: classes.filter(Boolean).join(' '),
    style,
    image: look.image ? mediaUrl(origin, look.image) : null,
    scale: look.scale / 100,
  };
}
