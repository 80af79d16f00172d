import { DEFAULT_OVERLAY_CONFIG, type OverlaySettings, overlaySettingsOrDefault } from '@giftstream/shared';
import { overlayConfigOf } from './directory/studio';
import type { Env } from './env';
import { getLiveRoom } from './stubs';

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
